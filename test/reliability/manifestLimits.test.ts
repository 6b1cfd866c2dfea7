// Bounded manifest parsing (issue 20, item 3): limits chosen from measured sizes (README "Repository
// content is untrusted"), checked before a byte is parsed, for manifests in the working tree and for
// those git holds on other refs (sized with `git cat-file --batch-check` before the blob is read).
// Each case runs the real CLI with a time limit and a peak-RSS limit (the parserBombs.test.ts pattern).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { git, removeDir } from '../unit/fixtures';
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
});
