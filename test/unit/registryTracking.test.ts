// Issue 16 item 9: `status` warns while versions exist that git does not track, and stops once they are committed.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { registryTracking } from '../../src/core/index/gitTracking';
import { copyExampleWorkspace, git, makeTempDir, removeDir, runCli, writeFile } from './fixtures';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const run = runCli;

describe('issue 16 item 9: committing the registry', () => {
	test('issue 16 item 9: status warns while versions exist that git does not track, and not after they are committed', async () => {
		const root = copyExampleWorkspace();
		dirs.push(root);
		assert.equal(run(root, 'snapshot', 'support-bot', '-m', 'first').code, 0);
		const status = run(root, 'status', 'support-bot');
		assert.equal(status.code, 0, status.stderr);
		assert.match(status.stdout, /warning: 1 version not tracked by git: nobody who clones or pulls can see it\. Commit them: git add model-ledger\.yaml \.model-ledger\/versions \.model-ledger\/events/);
		const json = JSON.parse(run(root, 'status', 'support-bot', '--json').stdout) as { git: { untrackedVersions: string[] } };
		assert.equal(json.git.untrackedVersions.length, 1);
		assert.match(json.git.untrackedVersions[0], /^\.model-ledger\/versions\/support-bot\/[0-9a-f]{64}\.yaml$/);

		git(root, 'add', 'model-ledger.yaml', '.model-ledger/versions', '.model-ledger/events', '.model-ledger/.gitignore', '.model-ledger/.gitattributes');
		git(root, 'commit', '-qm', 'registry');
		const after = run(root, 'status', 'support-bot');
		assert.doesNotMatch(after.stdout, /not tracked by git/);
		assert.deepEqual((await registryTracking(root)).untrackedVersions, []);
	});

	test('outside git there is nothing to warn about', async () => {
		const root = makeTempDir('nogit');
		dirs.push(root);
		writeFile(root, 'model-ledger.yaml', 'models:\n  m:\n    prompts: p.md\n');
		writeFile(root, '.model-ledger/versions/m/abc.yaml', 'x');
		const tracking = await registryTracking(root);
		assert.equal(tracking.repository, false);
		assert.deepEqual(tracking.untrackedVersions, []);
	});
});
