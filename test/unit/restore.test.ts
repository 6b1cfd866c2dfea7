import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import type { Ledger } from '../../src/core/ledger';
import { manifestDigest, serializeManifest } from '../../src/core/store/manifest';
import { sha256Hex } from '../../src/core/store/objectStore';
import { fileSystemFoldsCase, restoreVersion, targetPath, versionMatchingWorkingTree, windowsNameProblem } from '../../src/core/store/restore';
import { createSnapshot, workingChanges } from '../../src/core/snapshot/snapshot';
import { exampleLedgers, makeTempDir, removeDir } from './fixtures';

const ledgers = exampleLedgers();
const dirs: string[] = [];
after(() => {
	ledgers.cleanup();
	dirs.forEach(removeDir);
});
const workspace = () => ledgers.open();

const SYSTEM = 'prompts/system.md';

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<LedgerError> {
	try {
		await promise;
	} catch (err) {
		assert.ok(err instanceof LedgerError, String(err));
		assert.equal(err.code, code, err.message);
		if (message) assert.match(err.message, message);
		return err;
	}
	assert.fail(`expected a ${code} error`);
}

/** Two versions of support-bot differing in the system prompt; the working tree is at v2. */
async function twoVersions(root: string, ledger: Ledger) {
	const v1Text = readFileSync(join(root, SYSTEM), 'utf8');
	await createSnapshot(ledger, { models: ['support-bot'], message: 'one' });
	const v2Text = v1Text + '\nAlways cite the article id.\n';
	writeFileSync(join(root, SYSTEM), v2Text);
	await createSnapshot(ledger, { models: ['support-bot'], message: 'two' });
	return { v1Text, v2Text };
}

describe('restore', () => {
	test('on Windows, a version (made on Linux) naming CON.md, a trailing dot or an alternate data stream is refused before anything is written', async () => {
		const { root, ledger } = workspace();
		writeFileSync(join(root, 'prompts/con.md'), 'a device on Windows\n');
		await createSnapshot(ledger, { models: ['support-bot'], message: 'con' });
		writeFileSync(join(root, SYSTEM), 'changed\n');
		await rejectsWith(restoreVersion(ledger, 'support-bot', '1', { force: true, platform: 'win32' }), 'NOT_MODEL_FILE', /on Windows: 1 of its file names mean something else there: prompts\/con\.md \(`con\.md` is a device name on Windows\)\. Nothing was written/);
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), 'changed\n');
		for (const [path, why] of [['prompts/x.md.', /trailing dot/], ['prompts/x.md ', /trailing dot or space/], ['prompts/system.md:evil', /alternate data stream/], ['prompts/a?.md', /does not allow `\?`/], ['LPT1', /device name/], ['prompts/aux.txt.md', /device name/]] as const) {
			assert.match(windowsNameProblem(path) ?? '', why, path);
		}
		for (const path of ['prompts/console.md', 'prompts/con-tact.md', 'prompts/nulls.md', 'prompts/a.b.md']) assert.equal(windowsNameProblem(path), undefined, path);
		await restoreVersion(ledger, 'support-bot', '1', { force: true, platform: 'linux' });
	});

	test('a version holding Prompt.md and prompt.md (made on Linux) is refused on a file system that folds case, naming both; nothing is written', async () => {
		const { root, ledger } = workspace();
		writeFileSync(join(root, 'prompts/Handoff.md'), 'Upper-case twin.\n');
		await createSnapshot(ledger, { models: ['support-bot'], message: 'twins' });
		writeFileSync(join(root, SYSTEM), 'changed\n');
		await rejectsWith(
			restoreVersion(ledger, 'support-bot', '1', { force: true, foldsCase: true }),
			'CASE_COLLISION',
			/this file system does not tell names apart by case, and the version holds 1 pair\(s\) of files that differ only in case: prompts\/Handoff\.md and prompts\/handoff\.md\. Nothing was written/,
		);
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), 'changed\n', 'nothing was written');
		// On Linux the probe finds a case-sensitive file system, and both files restore.
		assert.equal(fileSystemFoldsCase(realpathSync(root)), false);
		await restoreVersion(ledger, 'support-bot', '1', { force: true });
		assert.equal(readFileSync(join(root, 'prompts/Handoff.md'), 'utf8'), 'Upper-case twin.\n');
	});

	test('dry run lists what would change and writes nothing', async () => {
		const { root, ledger } = workspace();
		const { v2Text } = await twoVersions(root, ledger);
		rmSync(join(root, 'prompts/handoff.md'));
		const plan = await restoreVersion(ledger, 'support-bot', '1', { dryRun: true });
		const changed = plan.files.filter((f) => f.action !== 'unchanged').map((f) => `${f.action} ${f.path}`).sort();
		assert.deepEqual(changed, ['create prompts/handoff.md', `overwrite ${SYSTEM}`]);
		const overwrite = plan.files.find((f) => f.path === SYSTEM)!;
		assert.equal(overwrite.displaced?.inVersion, true, 'the current content is v2, a version');
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), v2Text);
		assert.ok(!existsSync(join(root, 'prompts/handoff.md')));
	});

	test('restoring over a modified file keeps the modified content recoverable from the store', async () => {
		const { root, ledger } = workspace();
		const { v1Text } = await twoVersions(root, ledger);
		const unsaved = 'Work in progress that no snapshot has seen.\n';
		writeFileSync(join(root, SYSTEM), unsaved);
		// The mode v1 recorded is whatever the checkout gave the file (it depends on the umask).
		const recordedMode = statSync(join(root, 'prompts/answer.md')).mode & 0o777;
		chmodSync(join(root, 'prompts/answer.md'), 0o600);

		// Without --force, unsaved work is not replaced.
		await rejectsWith(restoreVersion(ledger, 'support-bot', '1'), 'UNSAVED_CHANGES', /prompts\/system\.md/);
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), unsaved);

		const result = await restoreVersion(ledger, 'support-bot', '1', { force: true });
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), v1Text);
		const file = result.files.find((f) => f.path === SYSTEM)!;
		assert.equal(file.action, 'overwrite');
		assert.equal(file.displaced?.sha256, sha256Hex(unsaved));
		assert.equal(file.displaced?.inVersion, false);
		// Where it says the content went, it is: whole and hash-checked.
		assert.equal(readFileSync(file.displaced!.objectPath, 'utf8'), unsaved);
		assert.equal(ledger.store.read(sha256Hex(unsaved)).toString('utf8'), unsaved);
		const journal = JSON.parse(readFileSync(result.journal!, 'utf8')) as { displaced: Array<{ path: string; sha256: string }> };
		assert.deepEqual(journal.displaced.map((d) => [d.path, d.sha256]), [[SYSTEM, sha256Hex(unsaved)]]);

		// Mode is restored too, and the workspace now matches v1 exactly.
		assert.equal(result.files.find((f) => f.path === 'prompts/answer.md')?.action, 'mode');
		assert.notEqual(recordedMode, 0o600);
		assert.equal(statSync(join(root, 'prompts/answer.md')).mode & 0o777, recordedMode);
		const { latest, changes } = workingChanges(ledger, 'support-bot');
		assert.equal(latest?.number, 2);
		assert.deepEqual(changes.modified, [SYSTEM], 'v1 differs from the latest (v2) only in the system prompt');
		assert.equal(versionMatchingWorkingTree(ledger, 'support-bot')?.number, 1, 'the workspace holds v1 exactly');
		writeFileSync(join(root, 'prompts/answer.md'), 'edited\n');
		assert.equal(versionMatchingWorkingTree(ledger, 'support-bot'), undefined);
		await restoreVersion(ledger, 'support-bot', '1', { force: true });
		const again = await restoreVersion(ledger, 'support-bot', '1', { dryRun: true });
		assert.ok(again.files.every((f) => f.action === 'unchanged'), 'a second restore has nothing to do');
		assert.ok(!readdirSync(join(root, 'prompts')).some((n) => n.includes('.tmp')), 'no temp file is left next to the restored file');
	});

	test('an object missing locally (and no remote) is reported by the dry run and refuses the restore', async () => {
		const { root, ledger } = workspace();
		const { v2Text } = await twoVersions(root, ledger);
		const sha = ledger.show('support-bot', '1').manifest.artifacts.find((a) => a.path === SYSTEM)!.sha256;
		rmSync(ledger.store.objectPath(sha));
		const plan = await restoreVersion(ledger, 'support-bot', '1', { dryRun: true });
		assert.deepEqual(plan.notLocal, [SYSTEM]);
		await rejectsWith(restoreVersion(ledger, 'support-bot', '1'), 'OBJECT_MISSING', /prompts\/system\.md/);
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), v2Text);
	});

	test('files tracked now but absent from the version are left in place and reported', async () => {
		const { root, ledger } = workspace();
		await twoVersions(root, ledger);
		writeFileSync(join(root, 'prompts/new-tool.md'), 'Use the {{tool}}.\n');
		const result = await restoreVersion(ledger, 'support-bot', '1');
		assert.deepEqual(result.extra, ['prompts/new-tool.md']);
		assert.ok(existsSync(join(root, 'prompts/new-tool.md')));
	});

	test('refuses a manifest whose path leaves the workspace, before writing anything', async () => {
		const { root, ledger } = workspace();
		const { v2Text } = await twoVersions(root, ledger);
		const v1 = ledger.show('support-bot', '1');
		// A crafted manifest with a `..` path: the manifest parser refuses it, so it never indexes.
		const evil = { ...v1.manifest, number: 9, label: '9.0.0', artifacts: [...v1.manifest.artifacts, { ...v1.manifest.artifacts[0], path: '../escaped.md' }] };
		const text = serializeManifest(evil);
		const file = ledger.manifestPath('support-bot', manifestDigest(text));
		writeFileSync(file, text);
		const report = ledger.sync();
		assert.ok(report.problems.some((p) => p.includes('leaves the workspace')), report.problems.join('\n'));
		assert.throws(() => ledger.resolve('support-bot', '9'), /No version/);
		rmSync(file);
		ledger.sync();

		// Past the parser, restore's own check refuses every way out, and nothing is written.
		const realRoot = realpathSync(root);
		for (const rel of ['../escaped.md', 'prompts/../../escaped.md', '/etc/escaped.md', '.git/hooks/post-checkout', '.model-ledger/versions/x.yaml']) {
			assert.throws(() => targetPath(root, realRoot, rel), (err: unknown) => err instanceof LedgerError && err.code === 'OUTSIDE_WORKSPACE', rel);
		}
		assert.equal(targetPath(root, realRoot, 'prompts/new/deeper.md'), join(realRoot, 'prompts/new/deeper.md'));
		assert.ok(!existsSync(join(root, '..', 'escaped.md')));
		assert.equal(readFileSync(join(root, SYSTEM), 'utf8'), v2Text, 'nothing was written');
	});

	test('refuses to write through a symlinked folder that leads outside the workspace', async () => {
		const { root, ledger } = workspace();
		await twoVersions(root, ledger);
		const outside = makeTempDir('outside');
		dirs.push(outside);
		// prompts/ becomes a link to a folder elsewhere (holding the same files, so the snapshot's view is unchanged).
		renameSync(join(root, 'prompts'), join(outside, 'prompts'));
		symlinkSync(join(outside, 'prompts'), join(root, 'prompts'), 'dir');
		writeFileSync(join(outside, 'prompts', 'system.md'), 'changed outside\n');
		await rejectsWith(restoreVersion(ledger, 'support-bot', '1', { force: true }), 'OUTSIDE_WORKSPACE', /outside the workspace/);
		assert.equal(readFileSync(join(outside, 'prompts', 'system.md'), 'utf8'), 'changed outside\n');
	});

	test('a symlink to a folder inside the workspace is followed; the link itself stays', async () => {
		const { root, ledger } = workspace();
		const { v1Text } = await twoVersions(root, ledger);
		mkdirSync(join(root, 'shared'));
		renameSync(join(root, 'prompts'), join(root, 'shared', 'prompts'));
		symlinkSync(join(root, 'shared', 'prompts'), join(root, 'prompts'), 'dir');
		await restoreVersion(ledger, 'support-bot', '1', { force: true });
		assert.equal(readFileSync(join(root, 'shared', 'prompts', 'system.md'), 'utf8'), v1Text);
		assert.ok(lstatSync(join(root, 'prompts')).isSymbolicLink());
	});
});
