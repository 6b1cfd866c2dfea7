// The CLI's launcher (dist/cli.js, src/cli/launch.ts; issue 18 items 3 and 4): it keeps V8's compiled
// code for the bundle in the user's cache folder, never in the shared temp folder, and honours Node's
// own switches; the CLI behaves the same with the cache, without it, and when it cannot be written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isolatedGitEnv, makeTempDir, removeDir, repoRoot } from './fixtures';

const CLI = join(repoRoot(), 'dist', 'cli.js');
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function help(env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
	const base = { ...isolatedGitEnv() };
	delete base.NODE_COMPILE_CACHE;
	delete base.NODE_DISABLE_COMPILE_CACHE;
	const r = spawnSync(process.execPath, [CLI, '--help'], { env: { ...base, ...env }, encoding: 'utf8' });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
	return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

describe('CLI start-up: the compile cache', () => {
	test("the cache goes to the user's cache folder, and later runs print the same", () => {
		const cache = makeTempDir('cli-cache');
		const tmp = makeTempDir('cli-tmp');
		dirs.push(cache, tmp);
		const first = help({ XDG_CACHE_HOME: cache, TMPDIR: tmp });
		assert.equal(first.code, 0, first.stderr);
		assert.match(first.stdout, /^model-ledger — /);
		assert.ok(filesUnder(join(cache, 'model-ledger', 'compile-cache')).length > 0, 'the compiled code is kept there');
		assert.deepEqual(filesUnder(tmp), [], 'nothing in the shared temp folder');
		const second = help({ XDG_CACHE_HOME: cache, TMPDIR: tmp });
		assert.deepEqual(second, first);
	});

	test('NODE_DISABLE_COMPILE_CACHE=1 turns it off; NODE_COMPILE_CACHE moves it', () => {
		const cache = makeTempDir('cli-cache');
		const moved = makeTempDir('cli-moved');
		dirs.push(cache, moved);
		assert.equal(help({ XDG_CACHE_HOME: cache, NODE_DISABLE_COMPILE_CACHE: '1' }).code, 0);
		assert.deepEqual(filesUnder(cache), []);
		assert.equal(help({ XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: moved }).code, 0);
		assert.deepEqual(filesUnder(cache), []);
		assert.ok(filesUnder(moved).length > 0);
	});

	test('a cache folder that cannot be made changes nothing but the time', () => {
		const parent = makeTempDir('cli-cache');
		dirs.push(parent);
		// A file where the folder would be: not even root can create the cache under it.
		const blocked = join(parent, 'not-a-folder');
		writeFileSync(blocked, '');
		const r = help({ XDG_CACHE_HOME: blocked });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^model-ledger — /);
		assert.equal(r.stderr, '');
	});
});
