#!/usr/bin/env node
// `npm run package`: builds the production bundle and packs a .vsix with @vscode/vsce, offline.
// The VSIX carries better-sqlite3's native binary, which only loads in a runtime with the ABI it was
// built for, so the binary to ship is chosen explicitly:
//
//   npm run package -- [--target PLATFORM] [--native current|node24|FILE.node] [--out FILE.vsix]
//     --target   vsce platform (linux-x64, darwin-arm64, win32-x64, …): a platform-specific VSIX
//     --native   current (default): node_modules/better-sqlite3 as installed (after `npm install`
//                  that is this Node's ABI; after @electron/rebuild, Electron's — see README)
//                node24: the Node 24 build the host tests use (VS Code Server / code-server 1.139)
//                FILE.node: a better_sqlite3.node built elsewhere (e.g. for another platform)
//
// vsce runs in a staging folder holding the built files and the production node_modules with the
// chosen binary; .vscodeignore (an allow-list) decides what goes in. The list is printed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ensureHostBetterSqlite, ensureHostTools, nativeModuleAbi, repoRoot } from '../test/host/hostEnvironment.mjs';

const ABI_NAMES = { 115: 'Node 20', 127: 'Node 22', 137: 'Node 24', 141: 'Node 25' };

function parseArgs(argv) {
	const options = { target: undefined, native: 'current', out: undefined };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => inline ?? argv[++i];
		if (flag === '--target') options.target = value();
		else if (flag === '--native') options.native = value();
		else if (flag === '--out') options.out = resolve(value());
		else if (flag === '--help' || flag === '-h') {
			console.log('usage: npm run package -- [--target PLATFORM] [--native current|node24|FILE.node] [--out FILE.vsix]');
			process.exit(0);
		} else throw new Error(`unknown argument ${argv[i]} (try --help)`);
	}
	return options;
}

function runOrThrow(command, args, options) {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

async function nativeBinary(choice) {
	if (choice === 'current') return join(repoRoot, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
	if (choice === 'node24') {
		const tools = await ensureHostTools();
		return join(await ensureHostBetterSqlite(tools), 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
	}
	return resolve(choice);
}

/** The production dependency tree as npm sees it (better-sqlite3 and everything it pulls in). */
function productionTree() {
	const out = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: repoRoot, encoding: 'utf8' });
	return out.split('\n').filter((p) => p && resolve(p) !== repoRoot);
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
	const binary = await nativeBinary(options.native);
	if (!existsSync(binary)) throw new Error(`No better-sqlite3 binary at ${binary}. Run \`npm install\` (or pass --native).`);
	const abi = nativeModuleAbi(binary);

	console.log('[package] production build (vscode:prepublish)');
	runOrThrow('npm', ['run', 'vscode:prepublish'], { cwd: repoRoot });

	const stage = mkdtempSync(join(tmpdir(), 'model-ledger-package-'));
	try {
		for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', '.vscodeignore']) {
			if (existsSync(join(repoRoot, file))) cpSync(join(repoRoot, file), join(stage, file));
		}
		// Built already: vsce must not try to build again in the staging folder.
		const staged = { ...pkg, scripts: { ...pkg.scripts } };
		delete staged.scripts['vscode:prepublish'];
		writeFileSync(join(stage, 'package.json'), JSON.stringify(staged, null, 2) + '\n');
		cpSync(join(repoRoot, 'dist'), join(stage, 'dist'), { recursive: true });
		if (existsSync(join(repoRoot, 'media'))) cpSync(join(repoRoot, 'media'), join(stage, 'media'), { recursive: true });
		// vsce asks npm for the production tree, so the whole tree is staged; .vscodeignore keeps
		// only the run-time part of it.
		for (const dir of productionTree()) {
			cpSync(dir, join(stage, relative(repoRoot, dir)), { recursive: true, filter: (src) => !src.includes(`${dir}/node_modules`) || src === dir });
		}
		const stagedBinary = join(stage, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
		mkdirSync(join(stagedBinary, '..'), { recursive: true });
		cpSync(binary, stagedBinary);

		const out = options.out ?? join(repoRoot, `${pkg.name}-${pkg.version}${options.target ? `-${options.target}` : ''}.vsix`);
		const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
		const args = ['package', '--out', out, '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links'];
		if (options.target) args.push('--target', options.target);
		console.log(`[package] vsce ${args.join(' ')}`);
		runOrThrow(vsce, args, { cwd: stage });
		console.log('[package] files in the VSIX:');
		const listing = execFileSync(vsce, ['ls'], { cwd: stage, encoding: 'utf8' });
		process.stdout.write(listing.trimEnd().replace(/^/gm, '  ') + '\n');
		const runtimeName = ABI_NAMES[abi] ?? `a runtime with NODE_MODULE_VERSION ${abi} (Electron?)`;
		console.log(`[package] ${out}
[package] its better-sqlite3 is built for NODE_MODULE_VERSION ${abi ?? '?'} (${runtimeName}) on ${process.platform}-${process.arch}: it loads only in an
          extension host with that ABI. Desktop VS Code needs an Electron build: see README "Packaging".`);
	} finally {
		rmSync(stage, { recursive: true, force: true });
	}
}

main().catch((err) => {
	console.error(`[package] ${err.message}`);
	process.exit(1);
});
