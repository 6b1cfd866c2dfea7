import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';
import type { VersionSummary } from '../../src/core/model';
import { aliasHistory, rollback } from '../../src/core/lifecycle/rollback';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { exampleLedgers, git } from './fixtures';

const ledgers = exampleLedgers();
after(ledgers.cleanup);
const workspace = () => ledgers.open();

const alice = { name: 'Alice', email: 'alice@example.com' };
const bob = { name: 'Bob' };

/** Snapshots `count` versions of support-bot, changing a prompt between them. */
async function versions(root: string, ledger: Ledger, count: number): Promise<VersionSummary[]> {
	const made: VersionSummary[] = [];
	for (let i = 1; i <= count; i++) {
		if (i > 1) appendFileSync(join(root, 'prompts', 'system.md'), `\nRevision ${i}.\n`);
		const { created } = await createSnapshot(ledger, { models: ['support-bot'], message: `v${i}` });
		made.push(created[0]);
	}
	return made;
}

function errorCode(fn: () => unknown): string | undefined {
	try {
		fn();
	} catch (err) {
		assert.ok(err instanceof LedgerError, String(err));
		return err.code;
	}
	return undefined;
}

describe('aliases and rollback', () => {
	test('a snapshot and a rollback by a second process, whose index is behind, catch up under the lock without a nested transaction', async () => {
		const { root, ledger } = workspace();
		const [v1, v2] = await versions(root, ledger, 2);
		ledger.setAlias('support-bot', '1', 'staging', alice);
		ledger.setAlias('support-bot', '2', 'staging', alice);
		// Another process: its own index connection, opened now, then left behind by this one's writes.
		const other = Ledger.at(root);
		try {
			assert.equal(other.resolve('support-bot', 'latest').digest, v2.digest);
			appendFileSync(join(root, 'prompts', 'system.md'), '\nRevision 3.\n');
			const v3 = (await createSnapshot(ledger, { models: ['support-bot'], message: 'v3' })).created[0];
			assert.equal(v3.number, 3);
			// Numbering re-reads the model's manifests inside the write lock (syncModelLocked): v4, not a second v3.
			appendFileSync(join(root, 'prompts', 'system.md'), '\nFrom the other process.\n');
			const { created } = await createSnapshot(other, { models: ['support-bot'], message: 'other' });
			assert.equal(created[0].number, v3.number + 1);
			// Rollback syncs inside its lock too (syncLocked): the trail it walks includes the first process's moves.
			ledger.setAlias('support-bot', String(v3.number), 'staging', bob);
			const back = rollback(other, 'support-bot', 'staging', bob);
			assert.equal(back.from?.digest, v3.digest);
			assert.equal(back.to.digest, v2.digest);
			assert.notEqual(back.to.digest, v1.digest);
		} finally {
			other.close();
		}
	});

	test('moving an alias records from → to, and rollback walks the trail back step by step', async () => {
		const { root, ledger } = workspace();
		const [v1, v2, v3] = await versions(root, ledger, 3);
		ledger.setAlias('support-bot', '1', 'staging', alice);
		const moved = ledger.setAlias('support-bot', '2', 'staging', alice, 'better recall');
		assert.equal(moved.from, v1.digest);
		assert.equal(moved.digest, v2.digest);
		ledger.setAlias('support-bot', '3', 'staging', bob);
		assert.equal(ledger.resolve('support-bot', 'staging').digest, v3.digest);

		const first = rollback(ledger, 'support-bot', 'staging', bob, 'v3 hallucinates');
		assert.equal(first.to.digest, v2.digest);
		assert.equal(first.from?.digest, v3.digest);
		assert.equal(first.event.rollback, true);
		assert.equal(first.event.from, v3.digest);
		assert.equal(ledger.resolve('support-bot', 'staging').digest, v2.digest);

		// A second rollback goes further back instead of flipping back to v3.
		const second = rollback(ledger, 'support-bot', 'staging', bob);
		assert.equal(second.to.digest, v1.digest);
		assert.equal(errorCode(() => rollback(ledger, 'support-bot', 'staging', bob)), 'NOTHING_TO_ROLL_BACK');

		// The trail survives a fresh index built from the file alone.
		ledger.close();
		const reopened = Ledger.at(root);
		reopened.reindex();
		assert.equal(reopened.resolve('support-bot', 'staging').digest, v1.digest);
		const trail = reopened.events('support-bot');
		const moves = trail.filter((e) => e.alias === 'staging').map((e) => `${e.rollback ? 'rollback ' : ''}${e.from?.slice(0, 6) ?? '-'}→${e.digest?.slice(0, 6)}`);
		const short = (v: VersionSummary) => v.digest.slice(0, 6);
		assert.deepEqual(moves, [
			`rollback ${short(v2)}→${short(v1)}`,
			`rollback ${short(v3)}→${short(v2)}`,
			`${short(v2)}→${short(v3)}`,
			`${short(v1)}→${short(v2)}`,
			`-→${short(v1)}`,
		]);
		assert.equal(trail[trail.length - 1].type, 'created', 'creation events come from the manifests, oldest last');
		assert.equal(trail.filter((e) => e.type === 'created').length, 3);
		assert.ok(!readFileSync(reopened.eventsPath('support-bot'), 'utf8').includes('"created"'), 'created events are never written to the file');
		reopened.close();
	});

	test('a new move after a rollback starts a new step; a removed alias rolls back to where it was', async () => {
		const { root, ledger } = workspace();
		const [v1, v2, v3] = await versions(root, ledger, 3);
		ledger.setAlias('support-bot', '1', 'champion', alice);
		ledger.setAlias('support-bot', '2', 'champion', alice);
		rollback(ledger, 'support-bot', 'champion', alice); // → v1
		ledger.setAlias('support-bot', '3', 'champion', alice); // v1 → v3
		assert.equal(rollback(ledger, 'support-bot', 'champion', alice).to.digest, v1.digest);
		ledger.removeAlias('support-bot', 'champion', alice);
		assert.throws(() => ledger.resolve('support-bot', 'champion'));
		assert.equal(rollback(ledger, 'support-bot', 'champion', alice).to.digest, v1.digest);
		assert.equal(aliasHistory(ledger.index.events('support-bot'), 'champion').current, v1.digest);
		assert.notEqual(v2.digest, v3.digest);
	});

	test('a protected alias is refused until the target version is approved; approvals record who, when and why', async () => {
		const { root, ledger } = workspace();
		const [, v2] = await versions(root, ledger, 2);
		assert.ok(ledger.model('support-bot').protectedAliases.includes('production'), 'the example protects production');
		assert.equal(errorCode(() => ledger.setAlias('support-bot', '2', 'production', alice)), 'NOT_APPROVED');
		assert.equal(ledger.index.aliasesOf('support-bot').size, 0, 'nothing was recorded');
		// An approval of another version does not count.
		ledger.approve('support-bot', '1', bob, 'ok for v1');
		assert.equal(errorCode(() => ledger.setAlias('support-bot', '2', 'production', alice)), 'NOT_APPROVED');
		const approval = ledger.approve('support-bot', '2', bob, 'eval passed');
		assert.equal(approval.by.name, 'Bob');
		assert.equal(approval.note, 'eval passed');
		assert.ok(Date.now() - Date.parse(approval.at) < 60_000);
		const set = ledger.setAlias('support-bot', '2', 'production', alice);
		assert.equal(set.digest, v2.digest);
		// Unprotected aliases need no approval; `latest` cannot be set.
		ledger.setAlias('support-bot', '1', 'staging', alice);
		assert.equal(errorCode(() => ledger.setAlias('support-bot', '1', 'latest', alice)), 'BAD_ALIAS');
	});

	test('tags and notes land on the trail', async () => {
		const { root, ledger } = workspace();
		const [v1] = await versions(root, ledger, 1);
		ledger.tag('support-bot', '1', 'candidate', alice, 'for the A/B test');
		ledger.note('support-bot', undefined, 'corpus refreshed upstream', bob);
		const [note, tag] = ledger.events('support-bot');
		assert.equal(note.type, 'noted');
		assert.equal(note.digest, undefined);
		assert.equal(tag.type, 'tagged');
		assert.equal(tag.tag, 'candidate');
		assert.equal(tag.digest, v1.digest);
		assert.equal(errorCode(() => ledger.tag('support-bot', '1', 'bad tag', alice)), 'BAD_TAG');
	});
});

describe('events file', () => {
	test('a union merge of two branches that both appended events reads correctly, interleaved and with duplicates', async () => {
		const { root, ledger } = workspace();
		const [v1, v2] = await versions(root, ledger, 2);
		ledger.approve('support-bot', '1', alice, 'baseline');
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'v1, v2 and an approval');
		assert.match(readFileSync(join(root, '.model-ledger', '.gitattributes'), 'utf8'), /events\/\*\.jsonl merge=union/);

		git(root, 'checkout', '-q', '-b', 'feature');
		ledger.setAlias('support-bot', '1', 'staging', bob, 'feature side 1');
		ledger.approve('support-bot', '2', bob, 'feature side 2');
		git(root, 'commit', '-q', '-am', 'feature events');

		git(root, 'checkout', '-q', 'main');
		ledger.sync();
		ledger.setAlias('support-bot', '2', 'champion', alice, 'main side 1');
		ledger.tag('support-bot', '2', 'release', alice, 'main side 2');
		git(root, 'commit', '-q', '-am', 'main events');

		git(root, 'merge', '-q', '--no-edit', 'feature');
		const text = readFileSync(ledger.eventsPath('support-bot'), 'utf8');
		assert.ok(!text.includes('<<<<<<<'), 'merge=union leaves no conflict markers');
		// A bad hand-merge can duplicate a line and leave garbage: both are handled.
		const lines = text.trim().split('\n');
		appendFileSync(ledger.eventsPath('support-bot'), `${lines[lines.length - 1]}\n{"id": broken\n`);

		const report = ledger.sync();
		assert.equal(report.problems.length, 1, report.problems.join('\n'));
		assert.match(report.problems[0], new RegExp(`events/support-bot\\.jsonl:${lines.length + 2}:`));
		const recorded = ledger.events('support-bot').filter((e) => e.type !== 'created');
		assert.deepEqual(
			recorded.map((e) => e.note),
			['main side 2', 'main side 1', 'feature side 2', 'feature side 1', 'baseline'],
			'newest first by time, each event once',
		);
		const fileOrder = lines.map((l) => (JSON.parse(l) as { note: string }).note);
		assert.notDeepEqual(fileOrder, [...recorded].reverse().map((e) => e.note), 'the merge really interleaved the file out of time order');
		assert.equal(ledger.resolve('support-bot', 'staging').digest, v1.digest);
		assert.equal(ledger.resolve('support-bot', 'champion').digest, v2.digest);
	});
});
