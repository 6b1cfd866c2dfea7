import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { readLineage, setGitDisabled, writePatch } from '../../src/core/snapshot/gitLineage';
import { git, initGitRepo, isolatedGitEnv, makeTempDir, removeDir, writeFile } from './fixtures';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function repo(): string {
	const dir = makeTempDir('lineage-');
	dirs.push(dir);
	initGitRepo(dir);
	writeFile(dir, 'a.txt', 'a\n');
	writeFile(dir, 'sub/b.txt', 'b\n');
	git(dir, 'add', '.');
	git(dir, 'commit', '-qm', 'init');
	return dir;
}

describe('readLineage', () => {
	test('clean repository: commit, branch, author, origin preferred, credentials stripped, insteadOf applied', async () => {
		const dir = repo();
		git(dir, 'remote', 'add', 'backup', 'https://tok:secret@example.com/b.git');
		git(dir, 'remote', 'add', 'origin', 'gh:me/repo.git');
		git(dir, 'config', 'url.https://user:pw@github.com/.insteadOf', 'gh:');
		const lineage = await readLineage(dir);
		assert.equal(lineage.commit, git(dir, 'rev-parse', 'HEAD'));
		assert.equal(lineage.branch, 'main');
		assert.equal(lineage.remote, 'https://github.com/me/repo.git');
		assert.deepEqual(lineage.author, { name: 'Test User', email: 'test@example.com' });
		assert.equal(lineage.dirty, false);
		assert.deepEqual(lineage.changedFiles, []);
		git(dir, 'remote', 'remove', 'origin');
		assert.equal((await readLineage(dir)).remote, 'https://example.com/b.git');
	});

	test('dirty: the patch re-applies to the commit; .model-ledger and a staged-then-undone change do not count', async () => {
		const dir = repo();
		writeFile(dir, '.model-ledger/x', '1');
		git(dir, 'add', '-f', '.model-ledger/x');
		writeFile(dir, 'a.txt', 'changed\n');
		git(dir, 'add', 'a.txt');
		writeFile(dir, 'a.txt', 'a\n');
		assert.equal((await readLineage(dir)).dirty, false);
		writeFile(dir, 'sub/b.txt', 'b2\n');
		// From a subfolder (a ledger below the repository root) the patch is still relative to the root.
		const lineage = await readLineage(join(dir, 'sub'));
		assert.equal(lineage.dirty, true);
		assert.deepEqual(lineage.changedFiles, [{ path: 'b.txt', binary: false }], 'paths relative to the workspace');
		const patchFile = join(makeTempDir('lineage-patch-'), 'p.diff');
		dirs.push(dirname(patchFile));
		await writePatch(join(dir, 'sub'), patchFile, []);
		const patch = readFileSync(patchFile, 'utf8');
		assert.match(patch, /^diff --git a\/sub\/b\.txt b\/sub\/b\.txt/);
		const copy = makeTempDir('lineage-clone-');
		dirs.push(copy);
		git(copy, 'clone', '-q', dir, '.');
		execFileSync('git', ['apply', '-'], { cwd: copy, input: patch, env: isolatedGitEnv() });
		assert.equal(readFileSync(join(copy, 'sub/b.txt'), 'utf8'), 'b2\n');
		assert.equal(readFileSync(join(copy, 'a.txt'), 'utf8'), 'a\n');
	});

	test('unborn branch counts staged files as dirty; detached HEAD has no branch', async () => {
		const dir = makeTempDir('lineage-unborn-');
		dirs.push(dir);
		initGitRepo(dir);
		writeFile(dir, 'a.txt', 'a\n');
		assert.deepEqual(await readLineage(dir).then((l) => [l.commit, l.branch, l.dirty]), [null, 'main', false]);
		git(dir, 'add', 'a.txt');
		assert.deepEqual(await readLineage(dir).then((l) => [l.commit, l.branch, l.dirty]), [null, 'main', true]);
		git(dir, 'commit', '-qm', 'init');
		git(dir, 'checkout', '-q', '--detach');
		const lineage = await readLineage(dir);
		assert.equal(lineage.branch, null);
		assert.equal(lineage.commit, git(dir, 'rev-parse', 'HEAD'));
	});

	test('no repository, or git turned off: no lineage', async () => {
		const dir = makeTempDir('lineage-none-');
		dirs.push(dir);
		mkdirSync(join(dir, 'x'));
		const none = await readLineage(dir);
		assert.deepEqual([none.commit, none.branch, none.remote, none.dirty, none.changedFiles], [null, null, null, false, []]);
		const inRepo = repo();
		setGitDisabled('untrusted');
		try {
			const off = await readLineage(inRepo);
			assert.deepEqual([off.commit, off.branch, off.remote, off.dirty], [null, null, null, false]);
		} finally {
			setGitDisabled(undefined);
		}
		assert.equal(none.refused, undefined, 'no repository is no refusal');
	});

	test('a repository git will not read (another owner, missing objects): said, with the fix, never silently "no git"', async () => {
		const dir = repo();
		// Real git's ownership check (safe.directory), as in a container or on a mounted volume.
		process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER = '1';
		let foreign;
		try {
			foreign = await readLineage(dir);
		} finally {
			delete process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER;
		}
		assert.equal(foreign.commit, null);
		assert.match(foreign.refused!.message, /^git would not read this repository, so no commit is recorded: git status failed \(exit 128\): fatal: detected dubious ownership/);
		assert.equal(foreign.refused!.fix, `git refuses a repository owned by another user. If you trust it: git config --global --add safe.directory '${dir}'`);

		// A blob of the commit is gone (an interrupted or partial clone): the dirty file's diff cannot be read.
		const blob = git(dir, 'rev-parse', 'HEAD:a.txt');
		rmSync(join(dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
		writeFile(dir, 'a.txt', 'a changed\n');
		await assert.rejects(readLineage(dir), (err: unknown) => {
			assert.ok(err instanceof LedgerError && err.code === 'GIT_FAILED', String(err));
			assert.match(err.message, /^git diff failed \(exit 128\): fatal: unable to read/);
			assert.match(err.fix ?? '', /missing objects or has damaged ones .* `git fsck` lists them; `git fetch` \(or a fresh clone\) brings them back/);
			return true;
		});
	});
});
