// src/core/index/sqlite.ts turns every way better-sqlite3 can fail to load into one error that says why and
// what to do. The failures here are real: copies of the installed better-sqlite3 holding another
// platform's prebuilt binary (as that platform's VSIX has it), loaded by this Node.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeNativeFailure, prebuildName, tooOldRuntime, vscodeTargetOf } from '../../src/core/index/sqlite';
import { makeTempDir, removeDir, repoRoot } from './fixtures';

const installed = join(repoRoot(), 'node_modules', 'better-sqlite3');
const here = prebuildName();
/** A platform this machine is not, whose binary better-sqlite3 ships. */
const other = here === 'linux-arm64' ? 'linux-x64' : 'linux-arm64';

/** A better-sqlite3 folder with the installed JS and `binaries` (prebuilds/<name>.node <- source binary name). */
function packageWith(dir: string, binaries: Record<string, string>): string {
	cpSync(installed, dir, { recursive: true, filter: (src) => !/[\\/](prebuilds|deps|src|build)([\\/]|$)/.test(src.slice(installed.length)) });
	mkdirSync(join(dir, 'prebuilds'));
	for (const [name, source] of Object.entries(binaries)) copyFileSync(join(installed, 'prebuilds', `${source}.node`), join(dir, 'prebuilds', `${name}.node`));
	return dir;
}

/** Loads a better-sqlite3 folder the way loadSqlite does and returns what it threw. */
function loadFailure(dir: string): unknown {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const Database = require(dir);
		new Database(':memory:').close();
	} catch (err) {
		return err;
	}
	assert.fail(`${dir} loaded although it has no binary for ${here}`);
}

describe('loading better-sqlite3', () => {
	const tmp = makeTempDir('sqlite-load');
	after(() => removeDir(tmp));

	test('the installed better-sqlite3 loads here and is Node-API (no per-ABI build)', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const Database = require(installed);
		const db = new Database(':memory:');
		assert.match((db.prepare('select sqlite_version() as v').get() as { v: string }).v, /^3\./);
		db.close();
	});

	test("another platform's package (no binary for this one) names both platforms and the VSIX to install", () => {
		const dir = packageWith(join(tmp, 'other-platform'), { [other]: other });
		const error = describeNativeFailure(loadFailure(dir), dir);
		assert.equal(error.reason, 'no-binary-for-platform');
		assert.match(error.message, new RegExp(`carries a better-sqlite3 binary only for ${other}, and this is Node [0-9.]+ on ${here}\\.`));
		assert.match(error.message, new RegExp(`Fix: install Model Ledger for ${vscodeTargetOf(here)} .*model-ledger-<version>-${vscodeTargetOf(here)}\\.vsix`));
		assert.doesNotMatch(error.message, /Cannot find module/);
	});

	test('a package with no binary at all says so', () => {
		const dir = packageWith(join(tmp, 'no-binary'), {});
		const error = describeNativeFailure(loadFailure(dir), dir);
		assert.equal(error.reason, 'no-binary-for-platform');
		assert.match(error.message, /binary for no platform/);
	});

	test("a binary for another CPU under this platform's name is named, with the loader's reason", () => {
		const dir = packageWith(join(tmp, 'mislabelled'), { [here]: other });
		const error = describeNativeFailure(loadFailure(dir), dir);
		assert.equal(error.reason, 'binary-does-not-load');
		const cpu = other.split('-')[1];
		assert.match(error.message, new RegExp(`better-sqlite3's binary for ${here} does not load in this Node [0-9.]+ on ${here} \\(the file is a Linux binary for ${cpu}, not ${process.arch}\\): `));
		assert.match(error.message, /Fix: reinstall Model Ledger/);
	});

	test('a build for one NODE_MODULE_VERSION (not Node-API) names both ABIs', () => {
		const err = new Error('The module x.node was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 137.');
		const error = describeNativeFailure(err, installed, here, { ...process.versions, modules: '137' });
		assert.equal(error.reason, 'abi-mismatch');
		assert.match(error.message, /NODE_MODULE_VERSION 115, but .* needs NODE_MODULE_VERSION 137/);
	});

	test('a runtime without Node-API 10 is refused before loading (Node 20 and 22.12 segfault on the first query)', () => {
		assert.equal(tooOldRuntime(process.versions), undefined, `this Node ${process.versions.node} has Node-API ${process.versions.napi}`);
		const node20 = tooOldRuntime({ ...process.versions, node: '20.20.2', napi: '9' });
		assert.equal(node20?.reason, 'node-too-old');
		assert.match(node20?.message ?? '', /needs Node 22\.14 or newer \(Node-API 10\), and this is Node 20\.20\.2 \(Node-API 9\)\. Fix: run Model Ledger with Node 22\.14/);
		assert.ok(tooOldRuntime({ ...process.versions, node: '22.12.0', napi: '9' }), 'Node 22.12 (Node-API 9) passes');
		const oldVsCode = tooOldRuntime({ ...process.versions, node: '20.18.3', napi: '9', electron: '34.5.8' });
		assert.match(oldVsCode?.message ?? '', /this is Electron 34\.5\.8 \(Node 20\.18\.3\).*Fix: update VS Code \(1\.101 or later/);
	});

	test("prebuild names follow better-sqlite3's, VS Code targets vsce's (musl Linux is alpine)", () => {
		assert.equal(prebuildName('linux', 'x64', false), 'linux-x64');
		assert.equal(prebuildName('linux', 'arm64', true), 'linuxmusl-arm64');
		assert.equal(prebuildName('darwin', 'arm64', false), 'darwin-arm64');
		assert.equal(prebuildName('win32', 'x64', false), 'win32-x64');
		assert.equal(vscodeTargetOf('linuxmusl-x64'), 'alpine-x64');
		assert.equal(vscodeTargetOf('win32-arm64'), 'win32-arm64');
	});
});
