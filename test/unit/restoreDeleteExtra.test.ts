// Issue 16 item 7: a restore that makes the workspace match the version. `--delete-extra` removes the
// files the model tracks now that the version lacks (their content stored first and journaled), and
// afterwards `status` says "matches v1".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { restoreVersion, versionMatchingWorkingTree } from '../../src/core/store/restore';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { exampleLedgers, isolatedGitEnv, repoRoot } from './fixtures';

const ledgers = exampleLedgers();
after(ledgers.cleanup);
const CLI = join(repoRoot(), 'dist', 'cli.js');

function run(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: isolatedGitEnv(), encoding: 'utf8' });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('issue 16 item 7: restore --delete-extra', () => {
	test('issue 16 item 7: restore --delete-extra removes tracked files the version lacks, storing and journaling them; status then says "matches v1"', async () => {
		const { root, ledger } = ledgers.open();
		await createSnapshot(ledger, { models: ['support-bot'], message: 'one' });
		// v2 adds a prompt; an unsaved new prompt appears after it.
		writeFileSync(join(root, 'prompts/new-tool.md'), 'Use the {{tool}}.\n');
		await createSnapshot(ledger, { models: ['support-bot'], message: 'two' });
		writeFileSync(join(root, 'prompts/draft.md'), 'Unsaved draft {{x}}.\n');

		const plan = await restoreVersion(ledger, 'support-bot', '1', { dryRun: true, deleteExtra: true });
		assert.deepEqual(plan.files.filter((f) => f.action === 'delete').map((f) => f.path).sort(), ['prompts/draft.md', 'prompts/new-tool.md']);
		assert.ok(existsSync(join(root, 'prompts/draft.md')), 'a dry run deletes nothing');

		const r = run(root, 'restore', 'support-bot@1', '--delete-extra', '--json');
		assert.equal(r.code, 0, r.stderr);
		const result = JSON.parse(r.stdout) as { files: Array<{ path: string; action: string; displaced?: { sha256: string; objectPath: string } }>; journal: string };
		assert.ok(!existsSync(join(root, 'prompts/draft.md')));
		assert.ok(!existsSync(join(root, 'prompts/new-tool.md')));
		// Their content is stored first and listed in the journal.
		const draft = result.files.find((f) => f.path === 'prompts/draft.md')!;
		assert.equal(draft.action, 'delete');
		assert.equal(readFileSync(draft.displaced!.objectPath, 'utf8'), 'Unsaved draft {{x}}.\n');
		const journal = JSON.parse(readFileSync(result.journal, 'utf8')) as { displaced: Array<{ path: string; action: string; sha256: string }> };
		assert.deepEqual(journal.displaced.filter((d) => d.action === 'deleted').map((d) => d.path).sort(), ['prompts/draft.md', 'prompts/new-tool.md']);

		assert.equal(versionMatchingWorkingTree(ledger, 'support-bot')?.number, 1);
		const status = run(root, 'status', 'support-bot');
		assert.match(status.stdout, /support-bot: latest v2 \(.*\)\n {2}matches v1 \(/);
		const json = JSON.parse(run(root, 'status', 'support-bot', '--json').stdout) as { models: Array<{ matches: { number: number } }> };
		assert.equal(json.models[0].matches.number, 1);
	});

	test('issue 16 item 7: without --delete-extra the extra files stay and status does not claim a match', async () => {
		const { root, ledger } = ledgers.open();
		await createSnapshot(ledger, { models: ['support-bot'], message: 'one' });
		writeFileSync(join(root, 'prompts/new-tool.md'), 'Use the {{tool}}.\n');
		await createSnapshot(ledger, { models: ['support-bot'], message: 'two' });
		const r = run(root, 'restore', 'support-bot@1');
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /Left in place \(tracked now, not in v1; --delete-extra removes them\): prompts\/new-tool\.md/);
		assert.ok(existsSync(join(root, 'prompts/new-tool.md')));
		assert.doesNotMatch(run(root, 'status', 'support-bot').stdout, /matches v1/);
	});
});
