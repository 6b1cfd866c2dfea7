import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { checkedStampPath, recordCheck, unchangedSinceCheck } from '../../src/core/index/checkedStamp';
import { Ledger } from '../../src/core/ledger';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { exampleLedgers } from './fixtures';

const ledgers = exampleLedgers();
after(() => ledgers.cleanup());

/** A ledger with two versions, closed: its index.db is on disk with no WAL. */
async function closedLedger(): Promise<{ root: string; db: string; before: ReturnType<Ledger['listVersions']> }> {
	const { root, ledger } = ledgers.open();
	await createSnapshot(ledger, { models: ['support-bot'] });
	writeFileSync(join(root, 'prompts', 'system.md'), 'Changed.\n');
	await createSnapshot(ledger, { models: ['support-bot'] });
	const before = ledger.listVersions();
	ledger.close();
	return { root, db: join(ledger.cacheDir, 'index.db'), before };
}

function damagePage(db: string, page: number): void {
	const fd = openSync(db, 'r+');
	writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * page);
	closeSync(fd);
}

const corruptAside = (db: string) => readdirSync(join(db, '..')).filter((f) => /^index\.db\.corrupt-\d+$/.test(f));

describe('index.db integrity check at open (issue 18 item 6)', () => {
	test('an open stamps the file it checked once its last change is a few seconds old; the next open of the same file skips the check', async () => {
		const { root, db, before } = await closedLedger();
		const first = Ledger.at(root);
		assert.deepEqual(first.listVersions(), before);
		first.close();
		assert.equal(existsSync(checkedStampPath(db)), false, 'a file changed just now is not stamped (its ctime could hide a write in the same tick)');
		await sleep(3_100);
		const second = Ledger.at(root);
		assert.deepEqual(second.listVersions(), before);
		second.close();
		assert.ok(existsSync(checkedStampPath(db)), 'checked and stamped');
		assert.equal(unchangedSinceCheck(db), true);
		const third = Ledger.at(root);
		assert.deepEqual(third.listVersions(), before);
		third.close();
		assert.equal(unchangedSinceCheck(db), true, 'reading changes nothing: the stamp still names the file');
	});

	test('a damaged page or garbage written after a passed check is still caught: moved aside and rebuilt', async () => {
		for (const damage of ['page', 'garbage', 'replaced'] as const) {
			const { root, db, before } = await closedLedger();
			recordCheck(db, 0);
			assert.equal(unchangedSinceCheck(db), true, `${damage}: stamped`);
			// Past the file system's clock tick (recordCheck's own margin is skipped here to stamp at once).
			await sleep(50);
			const size = statSync(db).size;
			if (damage === 'page') damagePage(db, 1);
			else if (damage === 'garbage') writeFileSync(db, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919) & 0xff)));
			else {
				// Same size, another file: a copy put in its place.
				const copy = `${db}.copy`;
				writeFileSync(copy, readFileSync(db));
				damagePage(copy, 1);
				rmSync(db);
				writeFileSync(db, readFileSync(copy));
				rmSync(copy);
			}
			assert.equal(unchangedSinceCheck(db), false, `${damage}: the file changed since its check`);
			const reopened = Ledger.at(root);
			assert.deepEqual(reopened.listVersions(), before, `${damage}: rebuilt from the manifests`);
			reopened.close();
			assert.equal(corruptAside(db).length, 1, `${damage}: the broken file is kept aside`);
		}
	});

	test('a WAL holding pages the check did not see means the check runs', async () => {
		const { root, db } = await closedLedger();
		recordCheck(db, 0);
		const writer = Ledger.at(root);
		writer.index.batch(() => writer.index.rememberHash('x', { dev: 1n, ino: 1n, size: 1n, mtimeNs: 1n }, '0'.repeat(64)));
		assert.ok(statSync(`${db}-wal`).size > 0, 'the write sits in the WAL while the writer is open');
		assert.equal(unchangedSinceCheck(db), false);
		writer.close();
		assert.equal(unchangedSinceCheck(db), false, 'the checkpoint at close wrote into index.db: checked again next time');
	});
});
