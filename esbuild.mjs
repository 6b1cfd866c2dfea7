// Bundles the extension and the CLI for Node (cjs), the compare view for the browser (iife),
// and, with --tests, the unit and host test suites. Type checking is `tsc --noEmit`, a separate step.
//   --production   minified, no source maps (what `vsce package` ships)
//   --test-hooks   compile in the host tests' hooks (`__TEST_HOOKS__`, src/testHooks.d.ts): the compare
//                  view's test command and messages, answered dialogs. Never in a shipped bundle.
//   --dist DIR     write the extension's bundles to DIR instead of dist/ (the host tests' hooked copy)
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const testHooks = args.has('--test-hooks');
const distFlag = process.argv.indexOf('--dist');
const dist = distFlag > 0 ? process.argv[distFlag + 1] : 'dist';
if (!dist) throw new Error('--dist needs a folder');
// Replaced in every bundle, so `if (__TEST_HOOKS__)` code is dropped from the shipped ones.
const define = { __TEST_HOOKS__: String(testHooks) };

// fdir (tinyglobby's walker) tries `require("picomatch")` from node_modules when it loads, for a glob
// option tinyglobby never uses: in a checkout with node_modules that resolved and compiled picomatch
// from disk on every CLI start (~50-80 ms of a `--help` profile), in an installed VSIX it failed
// quietly. Its optional picomatch is left out, so every run does what the shipped one does.
const FDIR_OPTIONAL_PICOMATCH = '__require.resolve("picomatch");\n\tpm = __require("picomatch");';
const fdirWithoutPicomatch = {
	name: 'fdir-without-picomatch',
	setup(build) {
		build.onLoad({ filter: /[\\/]fdir[\\/]dist[\\/]index\.mjs$/ }, async (args) => {
			const text = await readFile(args.path, 'utf8');
			// A new fdir that loads picomatch differently fails the build here instead of slowing start-up unnoticed.
			if (!text.includes(FDIR_OPTIONAL_PICOMATCH)) throw new Error(`${args.path}: fdir's optional picomatch require changed; update fdirWithoutPicomatch in esbuild.mjs`);
			return { contents: text.replace(FDIR_OPTIONAL_PICOMATCH, ''), loader: 'js' };
		});
	},
};

/** @type {import('esbuild').BuildOptions} */
const node = {
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node22',
	sourcemap: !production,
	minify: production,
	// Folds `__TEST_HOOKS__` and drops the dead branches in development builds too (names and layout stay readable).
	minifySyntax: true,
	external: ['vscode', 'better-sqlite3'],
	plugins: [fdirWithoutPicomatch],
	logLevel: 'warning',
	// Some ESM dependencies (fdir) call createRequire(import.meta.url); give the CJS bundle a real one.
	define: { ...define, 'import.meta.url': '__bundleImportMetaUrl' },
	banner: { js: "const __bundleImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

// The AWS SDK (~1 MB) goes into its own dist/remotes.js, required only when an s3:// remote is used:
// the extension's activation and every CLI run stay as fast as without it.
const awsSdkChunk = {
	name: 'aws-sdk-chunk',
	setup(build) {
		build.onResolve({ filter: /^\.\/awsSdk$/ }, () => ({ path: './remotes.js', external: true }));
	},
};
// Emit `require` for that lazy import: a CJS file loaded through import() is fragile in extension hosts.
const lazyRequire = { plugins: [fdirWithoutPicomatch, awsSdkChunk], supported: { 'dynamic-import': false } };

// The extension is split in two so that activation compiles only what it needs: dist/extension.js
// (extension.ts: the Registry view, status bar, decorations and stand-ins for the commands) and
// dist/features.js (features.ts: the core and the commands), required by lazyFeatures.ts on first use.
const featuresChunk = {
	name: 'features-chunk',
	setup(build) {
		build.onResolve({ filter: /^\.\/features$/ }, () => ({ path: './features.js', external: true }));
	},
};
// dist/cli.js, the launcher, requires the CLI's bundle beside it.
const cliMainChunk = {
	name: 'cli-main-chunk',
	setup(build) {
		build.onResolve({ filter: /^\.\/cliMain\.js$/ }, () => ({ path: './cliMain.js', external: true }));
	},
};
// Modules whose classes are tested with instanceof, or that load the native module once, across both
// halves exist once, in dist/shared.js: a second copy would make `err instanceof LedgerError` false
// and a second dlopen of a broken better-sqlite3 hide the first, clear error.
const SHARED = ['src/core/errors', 'src/core/index/sqlite'].map((p) => resolve(p));
const sharedChunk = {
	name: 'shared-chunk',
	setup(build) {
		build.onResolve({ filter: /^\.\.?\// }, (args) => {
			if (!args.importer || !SHARED.includes(resolve(dirname(args.importer), args.path).replace(/\.ts$/, ''))) return undefined;
			return { path: './shared.js', external: true };
		});
	},
};
const extensionHalf = { ...node, outdir: dist, plugins: [fdirWithoutPicomatch, awsSdkChunk, featuresChunk, sharedChunk], supported: lazyRequire.supported };

const builds = [
	{ ...extensionHalf, entryPoints: { extension: 'src/extension/extension.ts' } },
	{ ...extensionHalf, entryPoints: { features: 'src/extension/features.ts' } },
	{ ...node, entryPoints: { shared: 'src/extension/shared.ts' }, outdir: dist },
	// The CLI is two files: dist/cli.js (launch.ts: turns on Node's compile cache) requires dist/cliMain.js
	// (main.ts: everything else), so the big one is compiled once and then loaded from the cache.
	{ ...node, entryPoints: { cliMain: 'src/cli/main.ts' }, outdir: dist, ...lazyRequire },
	{ ...node, entryPoints: { cli: 'src/cli/launch.ts' }, outdir: dist, plugins: [cliMainChunk], banner: { js: '#!/usr/bin/env node' } },
	{ ...node, entryPoints: { remotes: 'src/core/remotes/awsSdk.ts' }, outdir: dist },
];
if (existsSync('src/webview/compareView.ts')) {
	builds.push({
		bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production, minifySyntax: true, define,
		entryPoints: { compareView: 'src/webview/compareView.ts' }, outdir: join(dist, 'webview'), logLevel: 'warning',
	});
}

function testEntries(dir) {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { recursive: true })
		.map(String)
		.filter((f) => f.endsWith('.test.ts') || f === 'index.ts')
		.map((f) => join(dir, f));
}

if (args.has('--tests')) {
	// Test files are found by name at run time: a moved or deleted test must not leave its old output behind.
	rmSync('out/test', { recursive: true, force: true });
	builds.push({ ...node, entryPoints: testEntries('test/unit'), outdir: 'out/test/unit', outbase: 'test/unit' });
	const reliability = testEntries('test/reliability');
	if (reliability.length) builds.push({ ...node, entryPoints: reliability, outdir: 'out/test/reliability', outbase: 'test/reliability' });
	const host = testEntries('test/host/suite');
	if (host.length) builds.push({ ...node, entryPoints: host, outdir: 'out/test/host/suite', outbase: 'test/host/suite', external: ['vscode', 'better-sqlite3', 'mocha'] });
}

if (watch) {
	for (const b of builds) await (await esbuild.context(b)).watch();
} else {
	await Promise.all(builds.map((b) => esbuild.build(b)));
}
