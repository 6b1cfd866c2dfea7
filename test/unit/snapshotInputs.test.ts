// The extension's Snapshot… reads each model's files and the git lineage once, for its preview, and
// hands them to the write (SnapshotOptions.inputs) instead of collecting the files and running git again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readLineage } from '../../src/core/snapshot/gitLineage';
import { createSnapshot, workingChanges } from '../../src/core/snapshot/snapshot';
import { collectModelFiles } from '../../src/core/snapshot/workspaceFiles';
import { exampleLedgers, git, isolatedGitEnv, makeTempDir, removeDir, writeFile } from './fixtures';

const ledgers = exampleLedgers();
const clones: string[] = [];
after(() => {
	ledgers.cleanup();
	clones.forEach(removeDir);
});

describe('snapshot inputs shared by the preview and the write', () => {
	test('the write stores the files the preview listed and records the lineage it read: no second scan, no second git run', async () => {
		const { root, ledger } = ledgers.open();
		const files = collectModelFiles(root, ledger.model('support-bot'));
		const lineage = { ...(await readLineage(root)), author: { name: 'Read Once' } };
		writeFile(root, 'prompts/system.md', 'A changed prompt.\n');
		const preview = workingChanges(ledger, 'support-bot', files);
		assert.equal(preview.changes.added.length, files.files.length, 'first version: every listed file is new');
		// A file that appears after the preview is not part of what was confirmed.
		writeFile(root, 'prompts/late.md', 'Added while the dialogs were open.\n');
		const { created } = await createSnapshot(ledger, { models: ['support-bot'], inputs: { files: new Map([['support-bot', files]]), lineage } });
		const manifest = ledger.readManifest(created[0]);
		assert.deepEqual(manifest.artifacts.map((a) => a.path).sort(), files.files.map((f) => f.path).sort());
		assert.ok(!manifest.artifacts.some((a) => a.path === 'prompts/late.md'));
		assert.equal(manifest.author.name, 'Read Once', 'the lineage given is the one recorded (git was not asked again)');
	});

	test('a commit made after the lineage was read does not split the patch from the recorded commit', async () => {
		const { root, ledger } = ledgers.open();
		const rag = join(root, 'config', 'rag.yaml');
		writeFileSync(rag, readFileSync(rag, 'utf8').replace(/top_k: \d+/, 'top_k: 23'));
		const lineage = await readLineage(root);
		assert.equal(lineage.dirty, true);
		// The user commits while the Snapshot dialogs are open: HEAD moves past the commit the lineage names.
		git(root, 'commit', '-qam', 'committed meanwhile');
		assert.notEqual(git(root, 'rev-parse', 'HEAD'), lineage.commit);
		const { created } = await createSnapshot(ledger, { models: ['support-bot'], inputs: { lineage } });
		const manifest = ledger.readManifest(created[0]);
		assert.equal(manifest.git.commit, lineage.commit);
		assert.ok(manifest.git.patch, 'the patch is taken against the recorded commit, not the new HEAD (where it would be empty)');
		const clone = makeTempDir('clone');
		clones.push(clone);
		execFileSync('git', ['clone', '-q', root, clone], { env: isolatedGitEnv() });
		git(clone, 'checkout', '-q', manifest.git.commit!);
		writeFile(clone, 'change.patch', ledger.store.read(manifest.git.patch!));
		git(clone, 'apply', 'change.patch');
		assert.equal(readFileSync(join(clone, 'config', 'rag.yaml'), 'utf8'), readFileSync(rag, 'utf8'));
	});
});
