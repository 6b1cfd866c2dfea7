import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RegistryIndex } from '../../src/core/index/registryIndex';
import { Ledger } from '../../src/core/ledger';
import type { VersionManifest } from '../../src/core/model';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { manifestDigest, serializeManifest } from '../../src/core/store/manifest';
import { sha256Hex } from '../../src/core/store/objectStore';
import { initGitRepo, makeTempDir, removeDir, writeFile } from './fixtures';

/**
 * Issue 18: a version's file list is stored as spans (a file held unchanged by consecutive versions is
 * one row), so a version adds rows only for the files that changed, and a reindex (bulk load) gives the
 * same per-version files as versions indexed one at a time.
 */

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** Rows in every table of index.db (views excluded): what a version costs, whatever the schema calls its tables. */
function tableRows(ledger: Ledger): number {
	const tables = ledger.index.readStatement("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
	return tables.reduce((sum, t) => sum + (ledger.index.readStatement(`SELECT count(*) FROM "${t}"`).pluck().get() as number), 0);
}

/** Every version's files as the index answers them, and as the manifests say. */
function filesByVersion(ledger: Ledger): { indexed: string[]; manifests: string[] } {
	const indexed = (ledger.index.readStatement('SELECT digest, path, role, sha256, size FROM artifacts ORDER BY digest, path').raw(true).all() as unknown[][]).map((r) => r.join(' '));
	const manifests: string[] = [];
	for (const v of ledger.listVersions()) {
		for (const a of ledger.readManifest(v).artifacts) manifests.push([v.digest, a.path, a.role, a.sha256, a.size].join(' '));
	}
	manifests.sort();
	indexed.sort();
	return { indexed, manifests };
}

describe('index rows per version grow with what changed (issue 18 item 1)', () => {
	test('one prompt changed among 2,000 files adds a handful of rows, not one per file', async () => {
		const root = makeTempDir('ml-spans-');
		dirs.push(root);
		for (let i = 0; i < 2000; i++) writeFile(root, `prompts/g${i % 20}/p${i}.md`, `# Prompt ${i}\nAnswer the {{ question }} about topic ${i}.\n`);
		writeFile(root, 'model-ledger.yaml', 'models:\n  bot:\n    prompts: prompts/**/*.md\n');
		initGitRepo(root);
		const ledger = Ledger.at(root);
		try {
			await createSnapshot(ledger, { message: 'first' });
			const growth: number[] = [];
			for (let edit = 1; edit <= 3; edit++) {
				const before = tableRows(ledger);
				writeFile(root, 'prompts/g7/p7.md', `# Prompt 7\nAnswer the {{ question }} in {{ language }}, edit ${edit}.\n`);
				const made = await createSnapshot(ledger, { message: `edit ${edit}` });
				assert.equal(made.created.length, 1);
				growth.push(tableRows(ledger) - before);
			}
			// The version row, its log entry, the changed file's span, its new content's variables (two) and claim.
			for (const rows of growth) assert.ok(rows <= 8, `rows added per version: ${growth.join(', ')} (was 2,000+: one per file)`);
			const { indexed, manifests } = filesByVersion(ledger);
			assert.equal(indexed.length, 4 * 2000);
			assert.deepEqual(indexed, manifests);
		} finally {
			ledger.close();
		}
	});

	test('a version equal to an earlier one (A → B → A) is that version; deleting the newest keeps the others’ files', async () => {
		const root = makeTempDir('ml-spans-');
		dirs.push(root);
		for (let i = 0; i < 5; i++) writeFile(root, `prompts/p${i}.md`, `prompt ${i} {{ q }}\n`);
		writeFile(root, 'model-ledger.yaml', 'models:\n  bot:\n    prompts: prompts/*.md\n');
		initGitRepo(root);
		const ledger = Ledger.at(root);
		try {
			const v1 = (await createSnapshot(ledger, { message: 'a' })).created[0];
			writeFile(root, 'prompts/p2.md', 'changed {{ q }}\n');
			rmSync(join(root, 'prompts/p4.md'));
			writeFile(root, 'prompts/p5.md', 'added\n');
			const v2 = (await createSnapshot(ledger, { message: 'b' })).created[0];
			writeFile(root, 'prompts/p2.md', 'prompt 2 {{ q }}\n');
			writeFile(root, 'prompts/p4.md', 'prompt 4 {{ q }}\n');
			rmSync(join(root, 'prompts/p5.md'));
			const again = await createSnapshot(ledger, { message: 'a again' });
			assert.equal(again.created.length, 0, 'the files of v1: no new version');
			assert.equal(again.unchanged[0]?.matches.digest, v1.digest);
			// Remove v2's manifest (as a checkout of an older commit would) and snapshot a third content.
			rmSync(join(root, '.model-ledger', 'versions', 'bot', `${v2.digest}.yaml`));
			ledger.sync();
			writeFile(root, 'prompts/p0.md', 'third {{ q }}\n');
			await createSnapshot(ledger, { message: 'c' });
			const { indexed, manifests } = filesByVersion(ledger);
			assert.deepEqual(indexed, manifests);
			ledger.reindex();
			assert.deepEqual(filesByVersion(ledger).indexed, manifests);
		} finally {
			ledger.close();
		}
	});
});

/** Manifests of two models written with the real serializer: files added, dropped, changed and changed back. */
function writeManifests(root: string, perModel: number): void {
	for (const model of ['a', 'b']) {
		const dir = join(root, '.model-ledger', 'versions', model);
		mkdirSync(dir, { recursive: true });
		for (let v = 1; v <= perModel; v++) {
			const artifacts: VersionManifest['artifacts'] = [];
			const add = (path: string, role: VersionManifest['artifacts'][number]['role'], content: string) => artifacts.push({ path, role, sha256: sha256Hex(content), size: content.length, mode: 0o644 });
			for (let p = 0; p < 6; p++) add(`${model}/p${p}.md`, 'prompt', `p${p} ${Math.floor(v / (2 + p))}`);
			add('shared.yaml', 'params', `shared ${Math.floor(v / 7) % 3}`); // changes back to earlier contents
			if (v % 5 !== 0) add(`${model}/sometimes.md`, 'prompt', 'sometimes'); // dropped and re-added
			if (v % 11 === 0) add(`${model}/as-data.md`, v % 2 ? 'prompt' : 'data', 'same bytes, other role');
			const manifest: VersionManifest = {
				schema: 1,
				model,
				number: v,
				label: `0.${v}.0`,
				versioning: 'semver',
				createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + v * 60_000).toISOString(),
				author: { name: 'test' },
				message: `v${v}`,
				artifacts: artifacts.sort((x, y) => (x.path < y.path ? -1 : 1)),
				params: { 'shared.yaml': { k: Math.floor(v / 7) % 3 } },
				metrics: {},
				prompts: {},
				weights: {},
				lockfiles: {},
				data: [],
				git: { commit: null, branch: null, remote: null, dirty: false },
			};
			const text = serializeManifest(manifest);
			writeFileSync(join(dir, `${manifestDigest(text)}.yaml`), text);
		}
	}
	writeFileSync(join(root, 'model-ledger.yaml'), 'models:\n  a:\n    prompts: a/*.md\n  b:\n    prompts: b/*.md\n');
}

describe('reindex gives the same files per version as indexing one at a time (issue 18 item 5)', () => {
	test('a bulk load of 600 manifests, single inserts in another order, and the manifests agree', () => {
		const root = mkdtempSync(join(tmpdir(), 'ml-spans-bulk-'));
		dirs.push(root);
		writeManifests(root, 300);
		// One planted manifest whose file has no role: reported alone, the other 600 still load.
		const planted = { schema: 1, model: 'a', number: 999, label: 'x', createdAt: '2026-01-01T00:00:00.000Z', author: { name: 't' }, message: '', artifacts: [{ path: 'a/x.md', sha256: 'f'.repeat(64), size: 1, mode: 0o644 }], git: { commit: null, branch: null, remote: null, dirty: false } };
		const plantedText = serializeManifest(planted as unknown as VersionManifest);
		writeFileSync(join(root, '.model-ledger', 'versions', 'a', `${manifestDigest(plantedText)}.yaml`), plantedText);
		const ledger = Ledger.at(root);
		try {
			const report = ledger.reindex(); // 601 manifests: above the bulk-load threshold
			assert.equal(report.added, 600);
			assert.equal(report.problems.length, 1, report.problems.join('\n'));
			assert.match(report.problems[0], /a file's role\) is missing or not text/);
			const { indexed, manifests } = filesByVersion(ledger);
			assert.equal(manifests.length, indexed.length);
			assert.deepEqual(indexed, manifests);
			// Consecutive versions share spans: far fewer rows than files per version.
			const spans = ledger.index.readStatement('SELECT count(*) FROM file_spans').pluck().get() as number;
			assert.ok(spans < manifests.length / 3, `${spans} spans for ${manifests.length} version files`);

			// The same manifests inserted one by one, newest first (the worst order for spans).
			const other = RegistryIndex.open(join(root, 'other.db'));
			try {
				const versions = ledger.listVersions();
				for (const v of versions) other.batch(() => other.insertVersion(v.digest, ledger.readManifest(v)));
				const rows = (other.readStatement('SELECT digest, path, role, sha256, size FROM artifacts').raw(true).all() as unknown[][]).map((r) => r.join(' ')).sort();
				assert.deepEqual(rows, manifests);
				// Delete every third version, then compare with the manifests left.
				const left = new Set(versions.map((v) => v.digest));
				versions.forEach((v, i) => {
					if (i % 3 === 0) {
						other.batch(() => other.deleteVersion(v.digest));
						left.delete(v.digest);
					}
				});
				const after = (other.readStatement('SELECT digest, path, role, sha256, size FROM artifacts').raw(true).all() as unknown[][]).map((r) => r.join(' ')).sort();
				assert.deepEqual(after, manifests.filter((line) => left.has(line.split(' ')[0])));
			} finally {
				other.close();
			}

			// Some manifests removed and the index brought up to date incrementally equals a reindex.
			const dir = join(root, '.model-ledger', 'versions', 'a');
			for (const [i, file] of readdirSync(dir).entries()) if (i % 4 === 0) rmSync(join(dir, file));
			ledger.sync();
			const incremental = filesByVersion(ledger);
			assert.deepEqual(incremental.indexed, incremental.manifests);
			ledger.reindex();
			assert.deepEqual(filesByVersion(ledger).indexed, incremental.manifests);
		} finally {
			ledger.close();
		}
	});
});
