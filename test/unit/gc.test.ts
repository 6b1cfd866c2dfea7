import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { collectGarbage } from '../../src/core/gc';
import { restoreVersion } from '../../src/core/restore';
import { createSnapshot } from '../../src/core/snapshot';
import { exampleLedgers, git } from './fixtures';

const ledgers = exampleLedgers();
after(ledgers.cleanup);
const workspace = () => ledgers.open();

describe('gc', () => {
	test('keeps objects referenced only on another branch or tag; reclaims unreferenced ones only with dryRun false', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { message: 'baseline' });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'v1');

		// A version made and committed on a feature branch only.
		git(root, 'checkout', '-q', '-b', 'feature');
		const featureText = 'Feature-branch system prompt.\n';
		writeFileSync(join(root, 'prompts/system.md'), featureText);
		const { created } = await createSnapshot(ledger, { models: ['support-bot'], message: 'feature' });
		const featureSha = ledger.readManifest(created[0]).artifacts.find((a) => a.path === 'prompts/system.md')!.sha256;
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'feature v2');
		// And one only reachable from an annotated tag.
		git(root, 'checkout', '-q', '-b', 'tagged');
		const taggedText = 'Tagged-only system prompt.\n';
		writeFileSync(join(root, 'prompts/system.md'), taggedText);
		await createSnapshot(ledger, { models: ['support-bot'], message: 'tagged' });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'tagged v3');
		git(root, 'tag', '-a', 'exp-1', '-m', 'experiment');
		git(root, 'checkout', '-q', 'main');
		git(root, 'branch', '-D', 'tagged');
		assert.ok(!existsSync(ledger.manifestPath('support-bot', created[0].digest)), 'main does not have the feature manifest');
		ledger.sync();

		// Garbage: an object no manifest names (an interrupted snapshot), a stray file and a stale tmp file.
		const orphan = await ledger.store.storeBuffer(Buffer.from('orphaned by a crash\n'));
		const old = new Date(Date.now() - 2 * 3600_000);
		utimesSync(ledger.store.objectPath(orphan.sha256), old, old);
		const recent = await ledger.store.storeBuffer(Buffer.from('written a second ago\n'));
		writeFileSync(join(ledger.store.objectsDir, orphan.sha256.slice(0, 2), 'copy of object.txt'), 'stray');
		mkdirSync(ledger.store.tmpDir, { recursive: true });
		writeFileSync(join(ledger.store.tmpDir, 'partial'), 'half a file');
		utimesSync(join(ledger.store.tmpDir, 'partial'), old, old);

		const dry = await collectGarbage(ledger);
		assert.equal(dry.dryRun, true);
		assert.deepEqual(dry.incomplete, []);
		assert.ok(dry.refsScanned.includes('refs/heads/feature') && dry.refsScanned.includes('refs/tags/exp-1'), dry.refsScanned.join(' '));
		assert.equal(dry.reclaimable.unreferenced.count, 1);
		assert.equal(dry.reclaimable.unreferenced.bytes, orphan.size);
		assert.deepEqual(dry.sample, [orphan.sha256]);
		assert.equal(dry.reclaimable['stray-file'].count, 1);
		assert.equal(dry.reclaimable['stale-tmp'].count, 1);
		assert.equal(dry.kept.recent.count, 1);
		assert.equal(dry.kept['git-history'].count, 4, 'the feature and the tagged prompt, and the patch of uncommitted changes each version stored');
		assert.ok(dry.kept['working-tree'].count > 5);
		assert.equal(dry.total.count, 3);
		assert.ok(existsSync(ledger.store.objectPath(orphan.sha256)), 'a dry run deletes nothing');

		const real = await collectGarbage(ledger, { dryRun: false });
		assert.equal(real.deleted.count, 3);
		assert.ok(!existsSync(ledger.store.objectPath(orphan.sha256)));
		assert.ok(existsSync(ledger.store.objectPath(recent.sha256)));
		assert.equal(ledger.store.read(featureSha).toString('utf8'), featureText, 'the feature branch version is intact');

		// After checking out the feature branch, its version restores completely.
		git(root, 'checkout', '-q', 'feature');
		ledger.sync();
		writeFileSync(join(root, 'prompts/system.md'), 'scratch\n');
		await restoreVersion(ledger, 'support-bot', created[0].digest.slice(0, 12), { force: true });
		assert.equal(readFileSync(join(root, 'prompts/system.md'), 'utf8'), featureText);
	});

	test('keeps content a restore displaced, and refuses to delete when a manifest is unreadable', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		writeFileSync(join(root, 'prompts/system.md'), 'v2\n');
		await createSnapshot(ledger, { models: ['support-bot'] });
		writeFileSync(join(root, 'prompts/system.md'), 'unsaved work\n');
		const restored = await restoreVersion(ledger, 'support-bot', '1', { force: true });
		const displaced = restored.files.find((f) => f.displaced)!.displaced!;
		const old = new Date(Date.now() - 2 * 3600_000);
		utimesSync(displaced.objectPath, old, old);
		const report = await collectGarbage(ledger, { dryRun: false });
		assert.equal(report.kept['restore-backup'].count, 1);
		assert.equal(ledger.store.read(displaced.sha256).toString('utf8'), 'unsaved work\n');

		writeFileSync(join(ledger.versionsDir, 'support-bot', `${'0'.repeat(64)}.yaml`), 'schema: [broken');
		const dry = await collectGarbage(ledger);
		assert.equal(dry.incomplete.length, 1);
		await assert.rejects(collectGarbage(ledger, { dryRun: false }), /Clean-up refused/);
	});
});
