// Folders restore writes through (issue 20 item 7): opened one segment at a time without following
// links, checked on the open descriptor, re-checked before each rename; and restore's leftovers.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { openByPath, openCheckedFolder } from '../../src/core/store/checkedFolder';
import { removeRestoreLeftovers } from '../../src/core/store/leftovers';
import { makeTempDir, removeDir } from './fixtures';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function layout(): { root: string; outside: string } {
	const base = realpathSync(makeTempDir('checked-folder'));
	dirs.push(base);
	const root = join(base, 'ws');
	const outside = join(base, 'outside');
	mkdirSync(join(root, 'prompts', 'followup'), { recursive: true });
	mkdirSync(outside);
	return { root, outside };
}

const refused = (pattern: RegExp) => (err: unknown) => err instanceof LedgerError && err.code === 'OUTSIDE_WORKSPACE' && pattern.test(err.message);

describe('checked folders', () => {
	test('a folder that became a link is refused, not followed, and nothing is created outside', () => {
		const { root, outside } = layout();
		renameSync(join(root, 'prompts'), join(root, 'prompts.real'));
		symlinkSync(outside, join(root, 'prompts'));
		assert.throws(() => openCheckedFolder(root, 'prompts/followup', 2, 'prompts/followup/clarify.md'), refused(/Refusing to restore `prompts\/followup\/clarify\.md`: `prompts` became a symlink or a file after the restore checked it/));
		assert.deepEqual(readdirSync(outside), []);
	});

	test('a folder that existed when planned and is gone now is refused (not re-created); new folders are created one at a time', () => {
		const { root } = layout();
		renameSync(join(root, 'prompts'), join(root, 'prompts.real'));
		assert.throws(() => openCheckedFolder(root, 'prompts/followup', 2, 'prompts/followup/a.md'), refused(/`prompts` was removed or moved/));
		assert.ok(!existsSync(join(root, 'prompts')));
		const folder = openCheckedFolder(root, 'prompts.real/new/deeper', 1, 'prompts.real/new/deeper/x.md');
		try {
			writeFileSync(folder.entry('x.md'), 'x\n');
			folder.recheck();
		} finally {
			folder.close();
		}
		assert.equal(readFileSync(join(root, 'prompts.real', 'new', 'deeper', 'x.md'), 'utf8'), 'x\n');
	});

	test('a folder moved outside after it was opened fails the re-check before the rename', { skip: process.platform !== 'linux' }, () => {
		const { root, outside } = layout();
		const folder = openCheckedFolder(root, 'prompts', 1, 'prompts/answer.md');
		try {
			renameSync(join(root, 'prompts'), join(outside, 'moved'));
			assert.throws(() => folder.recheck(), refused(/`prompts` was moved to .*outside/));
		} finally {
			folder.close();
		}
	});

	test('without /proc (the path fallback): a link or a missing planned folder is refused, and the re-check sees a swap after opening', () => {
		const { root, outside } = layout();
		const folder = openByPath(root, ['prompts'], 1, 'prompts/answer.md');
		renameSync(join(root, 'prompts'), join(root, 'prompts.real'));
		symlinkSync(outside, join(root, 'prompts'));
		assert.throws(() => folder.recheck(), refused(/`prompts` became a symlink or a file/));
		assert.throws(() => openByPath(root, ['prompts', 'followup'], 2, 'prompts/followup/a.md'), refused(/`prompts` became a symlink or a file/));
		assert.throws(() => openByPath(root, ['gone', 'x'], 1, 'gone/x/a.md'), refused(/`gone` was removed or moved/));
		assert.deepEqual(readdirSync(outside), []);
	});

	test('restore leftovers: only names of its own tmp pattern, of dead writers or older than a day, never links or folders', () => {
		const { root, outside } = layout();
		const dir = join(root, 'prompts');
		const dead = 2 ** 22 + 12345; // above pid_max's default: no such process
		const names = {
			deadWriter: `.answer.md.model-ledger-${dead}-abc123.tmp`,
			liveWriter: `.answer.md.model-ledger-${process.ppid}-abc123.tmp`,
			oldLive: `.handoff.md.model-ledger-${process.ppid}-old1.tmp`,
			userFile: `answer.md.model-ledger-${dead}-abc123.tmp`,
			similar: `.answer.md.model-ledger-${dead}-abc123.tmp.bak`,
			link: `.link.md.model-ledger-${dead}-abc123.tmp`,
			folder: `.dir.model-ledger-${dead}-abc123.tmp`,
		};
		for (const name of [names.deadWriter, names.liveWriter, names.oldLive, names.userFile, names.similar]) writeFileSync(join(dir, name), 'x');
		const day = new Date(Date.now() - 25 * 3600 * 1000);
		utimesSync(join(dir, names.oldLive), day, day);
		writeFileSync(join(outside, 'target'), 'keep');
		symlinkSync(join(outside, 'target'), join(dir, names.link));
		mkdirSync(join(dir, names.folder));
		const removed = removeRestoreLeftovers(readdirSync(dir), (n) => join(dir, n));
		assert.deepEqual(removed.sort(), [names.deadWriter, names.oldLive].sort());
		assert.deepEqual(readdirSync(dir).sort(), [names.folder, names.liveWriter, names.link, names.similar, names.userFile, 'followup'].sort());
		assert.equal(readFileSync(join(outside, 'target'), 'utf8'), 'keep');
	});
});
