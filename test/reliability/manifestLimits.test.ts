// Bounded manifest parsing (issue 20, item 3): limits chosen from measured sizes (README "Repository
// content is untrusted"), checked before a byte is parsed, for manifests in the working tree and for
// those git holds on other refs (sized with `git cat-file --batch-check` before the blob is read).
// Each case runs the real CLI with a time limit and a peak-RSS limit (the parserBombs.test.ts pattern).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { git, isolatedGitEnv, removeDir } from '../unit/fixtures';
import { initializedWorkspace, measuredCli } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));
const MB = 1024 * 1024;
/** Node, SQLite and one small ledger peak near 100 MB; parsing a 3.4 MB manifest with the YAML library took ~270 MB. */
const RSS_LIMIT = 200 * MB;

/** Runs the CLI under a time limit and this file's peak-RSS limit. */
const measured = (dir: string, args: string[], seconds: number) => measuredCli(dirs, dir, args, { seconds, rssBytes: RSS_LIMIT });

/** A manifest with `keys` params keys and no aliases, as a hand-written (not canonical) YAML: a comment, unsorted keys. */
function plantedText(keys: number, number = 2): string {
	const lines = Array.from({ length: keys }, (_, i) => `    key_${String(keys - i).padStart(7, '0')}: ${i}`);
	return `# planted\nschema: 1\nmodel: support-bot\nnumber: ${number}\nlabel: x\ncreatedAt: "2026-01-01T00:00:00Z"\nartifacts: []\nparams:\n  config/train.yaml:\n${lines.join('\n')}\n`;
}

function plant(dir: string, text: string): string {
	const digest = createHash('sha256').update(text).digest('hex');
	const rel = `.model-ledger/versions/support-bot/${digest}.yaml`;
	writeFileSync(join(dir, rel), text);
	return rel;
}

describe('manifest sizes are bounded before anything is parsed', () => {
	test('a planted 3.4 MB manifest without aliases (not canonical) is suspect, not parsed: list stays under 200 MB', () => {
		const dir = initializedWorkspace(dirs, { snapshot: true });
		const text = plantedText(150_000);
		assert.ok(text.length > 3.3 * MB && text.length < 3.6 * MB, `${text.length} bytes`);
		plant(dir, text);
		for (const args of [['list'], ['verify', '--quick']]) {
			const r = measured(dir, args, 60);
			assert.doesNotMatch(r.stdout, /support-bot\s+v2/);
			assert.match(r.stdout + r.stderr, /Suspect manifest .*not in the canonical form Model Ledger writes and is 3\.\d MiB; such a manifest is only parsed up to 1\.0 MiB/);
		}
	});

	test('a manifest over 16 MiB is refused with its size and the fix, never read', () => {
		const dir = initializedWorkspace(dirs, { snapshot: true });
		const text = plantedText(900_000).replace('# planted\n', '');
		assert.ok(text.length > 20 * MB, `${text.length} bytes`);
		plant(dir, text);
		const r = measured(dir, ['list'], 60);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /support-bot\s+v1/);
		assert.match(r.stderr, /is 2\d MiB, more than the 16 MiB a manifest may have; it was not read/);
	});

	test('manifests git holds on other refs are sized first: a 20 MB one is named and not read, a 3.4 MB planted one is suspect (list --all-refs, gc --dry-run)', () => {
		const dir = initializedWorkspace(dirs, { snapshot: true });
		git(dir, 'add', '-A');
		git(dir, 'commit', '-qm', 'first version');
		git(dir, 'checkout', '-qb', 'planted');
		const huge = plant(dir, plantedText(900_000, 3).replace('# planted\n', ''));
		const planted = plant(dir, plantedText(150_000, 4));
		git(dir, 'add', '-A');
		git(dir, 'commit', '-qm', 'planted manifests');
		git(dir, 'checkout', '-q', '-');
		const list = measured(dir, ['list', '--all-refs'], 60);
		assert.equal(list.code, 0, list.stderr);
		assert.match(list.stderr, new RegExp(`manifest ${huge.replace(/\./g, '\\.')} \\(git blob [0-9a-f]{10}, refs/heads/planted\\) is 2\\d MiB, more than the 16 MiB a manifest may have; it was not read\\. .*git log --all -- `));
		assert.match(list.stderr, new RegExp(`Suspect manifest ${planted.replace(/\./g, '\\.')}.*not in the canonical form`));
		const gc = measured(dir, ['gc', '--dry-run'], 60);
		assert.match(gc.stdout + gc.stderr, /incomplete: manifest .* is 2\d MiB, more than the 16 MiB a manifest may have/);
	});

	test('git trees are sized before they are read: a branch whose versions folder has 1,000,000 entries (a 93 MiB tree) is named, not read', () => {
		const dir = initializedWorkspace(dirs, { snapshot: true });
		git(dir, 'add', '-A');
		git(dir, 'commit', '-qm', 'first version');
		const blob = gitInput(dir, ['hash-object', '-w', '--stdin'], Buffer.from('schema: 1\n'));
		// Written as a raw tree object (git mktree takes ~40 s for a million entries); names are sorted as git requires.
		const models = plantedTree(dir, 1_000_000, "(i) => `100644 ${i.toString(16).padStart(64, '0')}.yaml`", blob);
		const oneManifest = gitInput(dir, ['mktree'], Buffer.from(`100644 blob ${blob}\tx.yaml\n`));
		const wide = plantedTree(dir, 1_000_000, "(i) => `40000 m${i.toString(36).padStart(4, '0')}`", oneManifest);
		for (const [branch, versions] of [['planted-model', gitInput(dir, ['mktree'], Buffer.from(`040000 tree ${models}\tsupport-bot\n`))], ['planted-models', wide]]) {
			const ledgerTree = gitInput(dir, ['mktree'], Buffer.from(`040000 tree ${versions}\tversions\n`));
			const rootTree = gitInput(dir, ['mktree'], Buffer.from(`040000 tree ${ledgerTree}\t.model-ledger\n`));
			const commit = gitInput(dir, ['commit-tree', rootTree, '-m', 'planted'], Buffer.alloc(0));
			git(dir, 'update-ref', `refs/heads/${branch}`, commit);
		}
		const list = measured(dir, ['list', '--all-refs'], 60);
		assert.equal(list.code, 0, list.stderr);
		assert.match(list.stdout, /support-bot\s+v1/);
		assert.match(list.stderr, /the folder \.model-ledger\/versions\/support-bot \(git tree [0-9a-f]{10}, refs\/heads\/planted-model\) is 9\d MiB, more than the 16 MiB a versions folder may have .*it was not read\..*git log --all --stat -- \.model-ledger\/versions\/support-bot/);
		assert.match(list.stderr, /the folder \.model-ledger\/versions \(git tree [0-9a-f]{10}, refs\/heads\/planted-models\) is \d\d MiB, more than the 16 MiB/);
		const gc = measured(dir, ['gc', '--dry-run'], 60);
		assert.match(gc.stdout + gc.stderr, /incomplete: .*the folder \.model-ledger\/versions/);
	});
});

function gitInput(dir: string, args: string[], input: Buffer): string {
	return execFileSync('git', args, { cwd: dir, env: isolatedGitEnv(), input, maxBuffer: 64 * MB }).toString().trim();
}

/**
 * A raw tree object of `count` entries `<head(i)>` all naming object `id` (names must sort in `i` order,
 * as git requires). Built in a child process: the CLI's peak RSS is measured by the kernel's high-water
 * mark, which a forked child inherits from this process, so the 100 MB tree must never be held here.
 */
function plantedTree(dir: string, count: number, head: string, id: string): string {
	const code = `const raw = Buffer.from(${JSON.stringify(id)}, 'hex'); const head = ${head}; const parts = [];
		for (let i = 0; i < ${count}; i++) parts.push(Buffer.from(head(i) + '\\0', 'latin1'), raw);
		process.stdout.write(require('node:child_process').execFileSync('git', ['hash-object', '-t', 'tree', '-w', '--stdin', '--literally'], { input: Buffer.concat(parts) }));`;
	return execFileSync(process.execPath, ['-e', code], { cwd: dir, env: isolatedGitEnv() }).toString().trim();
}
