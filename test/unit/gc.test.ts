import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { collectGarbage } from '../../src/core/store/gc';
import { verifyStore } from '../../src/core/store/verify';
import { restoreVersion } from '../../src/core/store/restore';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
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

	test('issue 15 item 5: gc --yes keeps a stashed version (git stash -u of a snapshot with a new untracked file), so stash pop and verify pass', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { message: 'baseline' });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'registry committed');
		// A snapshot that adds a new, untracked prompt: its manifest and the file are both untracked.
		const newText = 'A brand-new escalation prompt.\n';
		writeFileSync(join(root, 'prompts/escalate.md'), newText);
		const { created } = await createSnapshot(ledger, { models: ['support-bot'], message: 'with escalate.md' });
		const newSha = ledger.readManifest(created[0]).artifacts.find((a) => a.path === 'prompts/escalate.md')!.sha256;
		git(root, 'stash', 'push', '-u', '-q');
		// A second stash on top: the first is now stash@{1}, reachable only through the stash reflog.
		writeFileSync(join(root, 'prompts/system.md'), 'stashed edit\n');
		git(root, 'stash', 'push', '-q');
		assert.ok(!existsSync(ledger.manifestPath('support-bot', created[0].digest)));
		ledger.sync();

		// Objects older than the grace period: gc runs two hours later.
		const later = new Date(Date.now() + 2 * 3600_000);
		const report = await collectGarbage(ledger, { dryRun: false, now: later });
		assert.deepEqual(report.incomplete, []);
		assert.ok(report.refsScanned.includes('stash@{1}'), report.refsScanned.join(' '));
		assert.ok(existsSync(ledger.store.objectPath(newSha)), 'the stashed version\'s new file survives gc');
		assert.ok(report.gitProcesses <= 9, `git processes: ${report.gitProcesses}`); // 5 listings, cat-file --batch and a --batch-check per level (versions trees, model trees, blobs)

		git(root, 'stash', 'pop', '-q'); // the system.md edit
		git(root, 'checkout', '-q', '--', '.');
		git(root, 'stash', 'pop', '-q'); // the snapshot with escalate.md
		ledger.sync();
		const verified = await verifyStore(ledger);
		assert.ok(verified.ok, JSON.stringify(verified.brokenVersions));
		assert.equal(ledger.readArtifact(created[0], 'prompts/escalate.md').toString('utf8'), newText);
	});

	test('issue 15 item 5: gc keeps what a manifest staged in the index references (not committed, deleted from the working tree)', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { message: 'baseline' });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'registry committed');
		writeFileSync(join(root, 'prompts/system.md'), 'staged only\n');
		const staged = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		const stagedSha = ledger.readManifest(staged).artifacts.find((a) => a.path === 'prompts/system.md')!.sha256;
		git(root, 'add', '-A');
		rmSync(ledger.manifestPath('support-bot', staged.digest));
		const report = await collectGarbage(ledger, { dryRun: false, now: new Date(Date.now() + 2 * 3600_000) });
		assert.deepEqual(report.incomplete, []);
		assert.ok(existsSync(ledger.store.objectPath(stagedSha)), 'kept: named by a staged manifest');
		git(root, 'checkout', '-q', '--', '.model-ledger');
		assert.ok((await verifyStore(ledger)).ok);
	});

	test('issue 15 item 5: gc keeps what a manifest at another worktree\'s detached HEAD references', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { message: 'baseline' });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'registry committed');
		git(root, 'checkout', '-q', '-b', 'tmp');
		writeFileSync(join(root, 'prompts/system.md'), 'only in another worktree\n');
		const version = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		const sha = ledger.readManifest(version).artifacts.find((a) => a.path === 'prompts/system.md')!.sha256;
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'worktree version');
		const other = `${root}-wt`;
		git(root, 'worktree', 'add', '-q', '--detach', other, 'tmp');
		try {
			git(root, 'checkout', '-q', 'main');
			git(root, 'branch', '-q', '-D', 'tmp');
			const report = await collectGarbage(ledger, { dryRun: false, now: new Date(Date.now() + 2 * 3600_000) });
			assert.deepEqual(report.incomplete, []);
			assert.ok(existsSync(ledger.store.objectPath(sha)), 'kept: named by a manifest at another worktree\'s HEAD');
		} finally {
			git(root, 'worktree', 'remove', '--force', other);
		}
	});
});
