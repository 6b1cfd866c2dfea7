// Living with git history: versions named by the commit they were made at, versions that share a
// number after a merge, files deleted from a model, and versions whose manifests are only on other
// refs. Real git repositories in temp folders (the example workspace), real snapshots.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { describeRuns, keyHistory } from '../../src/core/query/keyHistory';
import { adoptOtherRefVersions, otherRefVersions } from '../../src/core/index/otherRefs';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { usedBy } from '../../src/core/query/usedBy';
import { diffVersions, WORKING_TREE } from '../../src/core/compare/versionDiff';
import { exampleLedgers, git, runCliColumns } from './fixtures';

/** The built CLI in `cwd`, 1,000 columns wide: one WHERE cell lists 41 refs. */
const runCli = (cwd: string, ...args: string[]) => runCliColumns(1000, cwd, ...args);

const ledgers = exampleLedgers();
after(ledgers.cleanup);

/** Snapshots support-bot after writing `text` to its system prompt, then commits everything. */
async function versionAtCommit(root: string, ledger: ReturnType<typeof ledgers.open>['ledger'], text: string, message: string) {
	writeFileSync(join(root, 'prompts/system.md'), text);
	git(root, 'commit', '-qam', `edit: ${message}`);
	const { created } = await createSnapshot(ledger, { models: ['support-bot'], message });
	git(root, 'add', '-A');
	git(root, 'commit', '-qm', `snapshot: ${message}`);
	return { version: created[0], commit: created[0].git.commit! };
}

/** v1 committed on main, v2 made and committed on branch `feature`, then main checked out again. */
async function versionOnFeatureBranch() {
	const { root, ledger } = ledgers.open();
	await createSnapshot(ledger, { models: ['support-bot'] });
	git(root, 'add', '-A');
	git(root, 'commit', '-qm', 'v1');
	git(root, 'checkout', '-q', '-b', 'feature');
	writeFileSync(join(root, 'prompts/system.md'), 'Feature prompt.\n');
	const feature = (await createSnapshot(ledger, { models: ['support-bot'], message: 'on feature' })).created[0];
	git(root, 'add', '-A');
	git(root, 'commit', '-qm', 'feature v2');
	git(root, 'checkout', '-q', 'main');
	return { root, ledger, feature };
}

describe('git history', () => {
	test('issue 16 item 4: MODEL@<commit-ish> resolves to the version made at that commit; an ambiguous one lists them', async () => {
		const { root, ledger } = ledgers.open();
		const a = await versionAtCommit(root, ledger, 'Prompt A.\n', 'a');
		const b = await versionAtCommit(root, ledger, 'Prompt B.\n', 'b');
		git(root, 'tag', 'release-b', b.commit);
		assert.equal(ledger.resolve('support-bot', a.commit.slice(0, 7)).digest, a.version.digest, 'a short commit id');
		assert.equal(ledger.resolve('support-bot', a.commit).digest, a.version.digest, 'a full commit id');
		assert.equal(ledger.resolve('support-bot', 'release-b').digest, b.version.digest, 'a tag');
		assert.equal(ledger.resolve('support-bot', 'HEAD~1').digest, b.version.digest, 'a revision expression (HEAD~1 is the commit b was made at)');

		// Two versions at one commit (the second with uncommitted changes): both are listed.
		writeFileSync(join(root, 'prompts/system.md'), 'Uncommitted edit.\n');
		const dirty = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		const head = git(root, 'rev-parse', 'HEAD');
		assert.equal(dirty.git.commit, head);
		writeFileSync(join(root, 'prompts/system.md'), 'Another uncommitted edit.\n');
		const dirty2 = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		assert.throws(
			() => ledger.resolve('support-bot', head.slice(0, 8)),
			(err: unknown) =>
				err instanceof LedgerError &&
				err.code === 'AMBIGUOUS_VERSION' &&
				err.message.includes(`v${dirty.number} (${dirty.label}, with uncommitted changes)`) &&
				err.message.includes(`v${dirty2.number}`) &&
				/made at commit/.test(err.message),
		);
		// A commit no version was made at says so, not "unknown version".
		const edit = git(root, 'rev-parse', 'HEAD~2');
		assert.throws(() => ledger.resolve('support-bot', edit), /No version of `support-bot` was made at commit/);
		// Not a commit at all: the usual message, which now names commits as a REF form.
		assert.throws(() => ledger.resolve('support-bot', 'no-such-thing'), /No version `no-such-thing`[\s\S]*git commit/);
	});

	test('issue 15 item 10: after a merge brings two v2s, every command names them like list (`v2 (fc78108)`), and a snapshot equal to either creates nothing', async () => {
		const { root, ledger } = ledgers.open();
		await createSnapshot(ledger, { models: ['support-bot'], message: 'v1' });
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'v1');
		const rag = readFileSync(join(root, 'config/rag.yaml'), 'utf8');
		const make = async (topK: number, prompt: string) => {
			writeFileSync(join(root, 'config/rag.yaml'), rag.replace('top_k: 8', `top_k: ${topK}`));
			writeFileSync(join(root, 'prompts/system.md'), prompt);
			const v = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
			git(root, 'add', '-A');
			git(root, 'commit', '-qm', `top_k ${topK}`);
			return v;
		};
		const ours = await make(2, 'Main branch prompt.\n');
		git(root, 'checkout', '-q', '-b', 'feature', 'HEAD~1');
		const theirs = await make(5, 'Feature branch prompt.\n');
		git(root, 'checkout', '-q', 'main');
		// Conflicting edits resolve to main's: the workspace equals main's v2; the feature's v2 is newer.
		git(root, 'merge', '-q', '-X', 'ours', '--no-edit', 'feature');
		ledger.sync();
		assert.equal(ours.number, 2);
		assert.equal(theirs.number, 2);
		const a = `v2 (${ours.digest.slice(0, 7)})`;
		const b = `v2 (${theirs.digest.slice(0, 7)})`;
		const cli = (...args: string[]) => {
			const r = runCli(root, ...args);
			assert.equal(r.code, 0, r.stderr);
			return r.stdout;
		};
		assert.ok(cli('list').includes(a) && cli('list').includes(b));

		const history = cli('key-history', 'config/rag.yaml', 'retriever.top_k');
		assert.ok(history.includes(`2 in ${a}`) && history.includes(`5 since ${b}`), history);
		assert.ok(!/\bin v2\b(?! \()/.test(history), `no bare "v2": ${history}`);
		const status = cli('status', 'support-bot');
		assert.ok(status.includes(`latest ${b.slice(0, -1)}, `), status);
		const usedBy = cli('used-by', 'prompts/system.md');
		assert.ok(usedBy.includes(a), usedBy);
		const events = cli('show', `support-bot@${theirs.digest.slice(0, 10)}`);
		assert.ok(events.includes(b.slice(0, -1)), events);

		// The next snapshot: content equal to main's v2 (not the newest) creates nothing and names it.
		const snap = cli('snapshot', 'support-bot');
		assert.match(snap, new RegExp(`Unchanged: support-bot matches v2 \\(${ours.digest.slice(0, 7)}, `));
		assert.equal(ledger.listVersions('support-bot').length, 3, 'no v3');
		const result = await createSnapshot(ledger, { models: ['support-bot'] });
		assert.deepEqual(result.created, []);
		assert.equal(result.unchanged[0].matches.digest, ours.digest);
	});

	test('issue 15 item 4: a config that stops parsing is "unparseable in v2 (file:line: reason)" in diff and key-history, never "every key removed"', async () => {
		const { root, ledger } = ledgers.open();
		const v1 = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'v1');
		const train = readFileSync(join(root, 'config/train.yaml'), 'utf8');
		writeFileSync(join(root, 'config/train.yaml'), train.replace('seed: 42', 'seed: [42'));
		git(root, 'commit', '-qam', 'broken yaml');
		const v2 = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		assert.ok((ledger.readManifest(v2).warnings ?? []).some((w) => w.includes('config/train.yaml')), 'the snapshot stored it as opaque, with a warning');

		const diff = await diffVersions(ledger, 'support-bot', 'v1', 'v2');
		assert.deepEqual(diff.params.filter((p) => p.file === 'config/train.yaml'), [], 'no key of the file is listed as removed');
		assert.equal(diff.unparseable.length, 1);
		assert.equal(diff.unparseable[0].path, 'config/train.yaml');
		assert.equal(diff.unparseable[0].side, 'b');
		assert.match(diff.unparseable[0].reason, /config\/train\.yaml:\d+/, 'file:line');
		assert.ok(diff.warnings.some((w) => /config\/train\.yaml is unparseable in v2 \(config\/train\.yaml:\d+/.test(w)), diff.warnings.join('\n'));
		// The working tree side too.
		const working = await diffVersions(ledger, 'support-bot', 'v1', WORKING_TREE);
		assert.equal(working.unparseable[0]?.side, 'b');
		const cliDiff = runCli(root, 'diff', 'support-bot@v1', 'support-bot@v2');
		assert.match(cliDiff.stdout, /config\/train\.yaml is unparseable in v2/);
		assert.doesNotMatch(cliDiff.stdout, /lora\.r\b.*removed|removed.*lora\.r\b/);

		const history = keyHistory(ledger, 'config/train.yaml', 'lora.r');
		const runs = history.models[0].runs;
		assert.equal(runs.length, 2);
		assert.equal(runs[1].unparseable !== undefined, true);
		assert.match(runs[1].unparseable!, /config\/train\.yaml:\d+/);
		assert.deepEqual(runs[1].change?.metrics, [], 'no metric change is attributed to a file that did not parse');
		const text = describeRuns(runs, history.models[0].removed);
		assert.match(text, /^8 in v1, unparseable in v2 \(config\/train\.yaml:\d+/);
		assert.doesNotMatch(text, /absent/);
		const cli = runCli(root, 'key-history', 'config/train.yaml', 'lora.r');
		assert.match(cli.stdout, /unparseable in v2 \(config\/train\.yaml:\d+/);
		assert.equal(v1.number, 1);
	});

	test('issue 15 item 9: after git rm of a tracked config and a snapshot, key-history and used-by say "removed in v3"', async () => {
		const { root, ledger } = ledgers.open();
		await createSnapshot(ledger, { models: ['support-bot'] });
		writeFileSync(join(root, 'config/train.yaml'), readFileSync(join(root, 'config/train.yaml'), 'utf8').replace('r: 8', 'r: 128'));
		await createSnapshot(ledger, { models: ['support-bot'] });
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'v1, v2');
		git(root, 'rm', '-q', 'config/train.yaml');
		git(root, 'commit', '-qm', 'drop train.yaml');
		const v3 = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
		assert.equal(v3.number, 3);

		const history = keyHistory(ledger, 'config/train.yaml', 'lora.r');
		assert.equal(history.models[0].removed?.number, 3);
		assert.equal(history.models[0].runs.at(-1)!.current, false, 'the last value is not "since v2": the file is gone');
		assert.equal(describeRuns(history.models[0].runs, history.models[0].removed), '8 in v1, 128 in v2, file removed in v3');
		const cli = runCli(root, 'key-history', 'config/train.yaml', 'lora.r');
		assert.match(cli.stdout, /= 8 in v1, 128 in v2, file removed in v3/);

		const used = usedBy(ledger, 'config/train.yaml');
		assert.equal(used.removedIn?.number, 3);
		assert.equal(used.modified, false, 'a deleted file is not "modified"');
		const usedCli = runCli(root, 'used-by', 'config/train.yaml');
		assert.match(usedCli.stdout, /Removed in support-bot v3/);
		assert.doesNotMatch(usedCli.stdout, /Modified/);
	});

	test('issue 16 item 5: list --all-refs lists versions whose manifests exist only on other refs (a branch, a stash), named by ref, read with O(1) git processes', async () => {
		const { root, ledger, feature } = await versionOnFeatureBranch();
		// 40 more branches pointing at the feature commit: the number of git processes does not grow.
		for (let i = 0; i < 40; i++) git(root, 'branch', `copy-${i}`, 'feature');
		writeFileSync(join(root, 'prompts/system.md'), 'Stashed prompt.\n');
		const stashed = (await createSnapshot(ledger, { models: ['support-bot'], message: 'stashed' })).created[0];
		git(root, 'stash', 'push', '-q', '-u');
		ledger.sync();
		assert.deepEqual(ledger.listVersions('support-bot').map((v) => v.number), [1], 'the working tree only has v1');

		const report = await otherRefVersions(ledger);
		assert.ok(report.gitProcesses <= 9, `git processes: ${report.gitProcesses}`); // 5 listings, cat-file --batch and a --batch-check per level (versions trees, model trees, blobs)
		const byDigest = new Map(report.versions.map((v) => [v.digest, v]));
		assert.ok(byDigest.get(feature.digest)?.refs.includes('feature'), JSON.stringify(byDigest.get(feature.digest)?.refs));
		assert.ok(byDigest.get(feature.digest)?.refs.includes('copy-39'));
		assert.ok(byDigest.get(stashed.digest)?.refs.includes('stash@{0}'));
		assert.equal(byDigest.get(feature.digest)?.objectsPresent, byDigest.get(feature.digest)?.objectsTotal, 'readable: its objects are here');

		const cli = runCli(root, 'list', 'support-bot', '--all-refs');
		assert.equal(cli.code, 0, cli.stderr);
		assert.match(cli.stdout, /Only on other refs/);
		assert.match(cli.stdout, new RegExp(`v2 \\(${feature.digest.slice(0, 7)}\\).*feature`));
		assert.match(cli.stdout, new RegExp(`v2 \\(${stashed.digest.slice(0, 7)}\\).*stash@\\{0\\}`));
		const json = JSON.parse(runCli(root, 'list', '--all-refs', '--json').stdout) as { versions: unknown[]; otherRefs: Array<{ digest: string; refs: string[] }> };
		assert.equal(json.versions.length >= 1, true);
		assert.deepEqual(json.otherRefs.map((v) => v.digest).sort(), [feature.digest, stashed.digest].sort());
	});

	test('issue 16 item 5: a version only on another branch is readable (show, cat, diff by number or digest), named by its branch, and stays read-only', async () => {
		const { root, ledger, feature } = await versionOnFeatureBranch();

		const show = runCli(root, 'show', 'support-bot@v2');
		assert.equal(show.code, 0, show.stderr);
		assert.match(show.stdout, new RegExp(`digest\\s+${feature.digest}`));
		assert.match(show.stdout, /Only on feature \(git\), not in this checkout: read-only/);
		const showJson = JSON.parse(runCli(root, 'show', `support-bot@${feature.digest.slice(0, 10)}`, '--json').stdout) as { digest: string; otherRefs: string[] };
		assert.equal(showJson.digest, feature.digest);
		assert.deepEqual(showJson.otherRefs, ['feature']);

		const cat = runCli(root, 'cat', 'support-bot@v2', 'prompts/system.md');
		assert.equal(cat.code, 0, cat.stderr);
		assert.equal(cat.stdout, 'Feature prompt.\n');

		const diff = runCli(root, 'diff', 'support-bot@v1', 'support-bot@v2');
		assert.equal(diff.code, 0, diff.stderr);
		assert.match(diff.stdout, /prompts\/system\.md/);

		// Read-only: writes never see it, and the checkout gains no manifest.
		const alias = runCli(root, 'alias', 'set', 'support-bot@v2', 'staging');
		assert.notEqual(alias.code, 0);
		assert.match(alias.stderr, /No version `v2`/);
		assert.equal(ledger.listVersions('support-bot').length, 1);

		// A number on no ref at all is still an unknown version.
		const missing = runCli(root, 'show', 'support-bot@v9');
		assert.notEqual(missing.code, 0);
		assert.match(missing.stderr, /No version `v9`/);
	});

	test('a version on another branch whose number this checkout also has is named <ref>:vN (feature:v2)', async () => {
		const { root, ledger, feature } = await versionOnFeatureBranch();
		// main makes its own v2: the two branches diverged, and `v2` here is main's.
		writeFileSync(join(root, 'prompts/system.md'), 'Main prompt.\n');
		const local = (await createSnapshot(ledger, { models: ['support-bot'], message: 'on main' })).created[0];
		assert.equal(local.number, 2);

		const here = JSON.parse(runCli(root, 'show', 'support-bot@v2', '--json').stdout) as { digest: string };
		assert.equal(here.digest, local.digest);
		const there = runCli(root, 'show', 'support-bot@feature:v2', '--json');
		assert.equal(there.code, 0, there.stderr);
		assert.equal((JSON.parse(there.stdout) as { digest: string }).digest, feature.digest);
		const cat = runCli(root, 'cat', 'support-bot@feature:v2', 'prompts/system.md');
		assert.equal(cat.stdout, 'Feature prompt.\n');
		const diff = runCli(root, 'diff', 'support-bot@v2', 'support-bot@feature:v2');
		assert.equal(diff.code, 0, diff.stderr);
		assert.match(diff.stdout, /prompts\/system\.md/);

		const wrongNumber = runCli(root, 'show', 'support-bot@feature:v7');
		assert.notEqual(wrongNumber.code, 0);
		assert.match(wrongNumber.stderr, /No version `v7` of support-bot is held only on git ref `feature` \(it holds v2 that this checkout does not\)/);
		const wrongRef = runCli(root, 'show', 'support-bot@nosuch:v2');
		assert.notEqual(wrongRef.code, 0);
		assert.match(wrongRef.stderr, /Git ref `nosuch` holds no version of support-bot that this checkout does not/);
		// Writes still never see it.
		assert.notEqual(runCli(root, 'alias', 'set', 'support-bot@feature:v2', 'staging').code, 0);
	});

	test("the version pickers' list: the adopted versions only other refs hold, newest first, named by ref, and none this checkout has", async () => {
		const { root, ledger, feature } = await versionOnFeatureBranch();
		assert.equal(ledger.hasAdoptedOtherRefs, false, 'nothing scanned yet: a picker scans git itself');
		assert.deepEqual(ledger.otherRefVersionsOf('support-bot'), []);
		git(root, 'checkout', '-q', '-b', 'feature-2', 'feature');
		writeFileSync(join(root, 'prompts/system.md'), 'Second feature prompt.\n');
		const newer = (await createSnapshot(ledger, { models: ['support-bot'], message: 'feature v3' })).created[0];
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'feature v3');
		git(root, 'checkout', '-q', 'main');
		ledger.sync();

		await adoptOtherRefVersions(ledger);
		assert.equal(ledger.hasAdoptedOtherRefs, true);
		const others = ledger.otherRefVersionsOf('support-bot');
		assert.deepEqual(others.map((e) => e.summary.digest), [newer.digest, feature.digest], 'newest first');
		assert.deepEqual(others[0].refs, ['feature-2']);
		assert.deepEqual([...others[1].refs].sort(), ['feature', 'feature-2'], 'v2 is on both branches');
		assert.deepEqual(ledger.otherRefVersionsOf('no-such-model'), []);

		// Once the checkout holds a version's manifest (the branch merged), it is a local version, not an other-ref one.
		git(root, 'merge', '-q', '--no-edit', 'feature');
		ledger.sync();
		assert.deepEqual(ledger.otherRefVersionsOf('support-bot').map((e) => e.summary.digest), [newer.digest]);
	});
});
