// The extension the host tests run: the VSIX users install, unpacked the way VS Code installs it.
// Either a VSIX given to the runner (npm test packs linux-x64 once and passes it on) or one packed
// now with scripts/package.mjs for this machine's target. Scenarios with `testHooks` run a copy of
// it whose bundles are rebuilt with the test hooks compiled in (esbuild.mjs --test-hooks): the same
// files, native module and manifest, plus the compare view's test command and answered dialogs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentTarget } from '../../scripts/nativeTargets.mjs';
import { unpackVsix } from '../../scripts/vsix.mjs';
import { log, repoRoot } from './hostEnvironment.mjs';

/** Packs the VSIX of this machine's target into `dir`; returns its path. */
export function packCurrentTarget(dir) {
	const target = currentTarget();
	const out = join(dir, `model-ledger-${target}.vsix`);
	log(`packing the ${target} VSIX (npm run package -- --target ${target})`);
	const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--target', target, '--out', out], { cwd: repoRoot, stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`packing the ${target} VSIX failed (exit ${result.status})`);
	return out;
}

/** Unpacks `vsix` (or a VSIX packed now) into tempRoot/extension; returns that folder and the VSIX used. */
export async function packagedExtension(tempRoot, vsix) {
	const file = vsix ? resolve(vsix) : packCurrentTarget(tempRoot);
	if (!existsSync(file)) throw new Error(`${file} does not exist: pass a VSIX written by \`npm run package\`.`);
	const extensionDir = await unpackVsix(file, join(tempRoot, 'extension'));
	log(`testing the extension as installed from ${file} (unpacked in ${extensionDir})`);
	return { extensionDir, vsix: file };
}

/**
 * A copy of the unpacked extension at `extensionDir` whose dist/ bundles are rebuilt from this
 * checkout with `--production --test-hooks`; returns its folder. Every file the rebuild writes must
 * already be in the VSIX (the copy differs from what users install by the hooks only).
 */
export function withTestHooks(extensionDir, tempRoot) {
	const hooked = join(tempRoot, 'extension-test-hooks');
	cpSync(extensionDir, hooked, { recursive: true });
	const dist = join(hooked, 'dist');
	const shipped = new Set(readdirSync(dist, { recursive: true }).map(String));
	log('rebuilding the unpacked extension\'s bundles with the test hooks (node esbuild.mjs --production --test-hooks)');
	const result = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs'), '--production', '--test-hooks', '--dist', dist], { cwd: repoRoot, stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`building the test-hooks bundles failed (exit ${result.status})`);
	const added = readdirSync(dist, { recursive: true }).map(String).filter((f) => !shipped.has(f));
	if (added.length) throw new Error(`the test-hooks build wrote files the VSIX does not have: ${added.join(', ')}`);
	return hooked;
}
