import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keyHistory } from '../../src/core/query/keyHistory';
import type { KeyValue } from '../../src/core/query/keyHistory';
import { Ledger } from '../../src/core/ledger';
import type { Scalar } from '../../src/core/model';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { usedBy } from '../../src/core/query/usedBy';
import { copyExampleWorkspace, git, removeDir } from './fixtures';

/**
 * Issue 18: key history and used-by are answered per distinct content of a file (its contents grouped
 * by sha256, one key lookup per content), not per version. These tests recompute the same answers the
 * slow, obvious way — every version's manifest read and compared — on a real ledger in a real git
 * repository, and require the index queries to agree version by version.
 */
describe('key history and used-by per content equal the answer read from every manifest', () => {
	let root: string;
	let ledger: Ledger;
	const t0 = Date.parse('2026-02-01T08:00:00Z');
	const rag = 'config/rag.yaml';
	const train = 'config/train.yaml';

	before(async () => {
		root = copyExampleWorkspace({ git: true });
		ledger = Ledger.at(root);
		const ragText = readFileSync(join(root, rag), 'utf8');
		const trainText = readFileSync(join(root, train), 'utf8');
		const metrics = JSON.parse(readFileSync(join(root, 'eval/metrics.json'), 'utf8')) as Record<string, unknown>;
		const chunk = [512, 256, 256, 1024, 512, 512, 256, 1024, 1024, 512, 256, 256, 512, 2048];
		for (let i = 0; i < chunk.length; i++) {
			let text = ragText.replace('chunk_size: 512', `chunk_size: ${chunk[i]}`);
			// A nested mapping that changes now and then, and a key that exists only in some versions.
			if (i % 4 === 2) text = text.replace('locale: en', 'locale: de');
			if (i >= 5 && i <= 8) text = text.replace('chunk_overlap: 64', 'chunk_overlap: 64\n  rerank_depth: 20');
			writeFileSync(join(root, rag), text);
			// One version whose train.yaml does not parse, between parseable ones.
			writeFileSync(join(root, train), i === 6 ? trainText.replace('seed: 42', 'seed: [42') : trainText.replace('seed: 42', `seed: ${42 + (i % 3)}`));
			writeFileSync(join(root, 'eval/metrics.json'), JSON.stringify({ ...metrics, faithfulness: 0.8 + i / 100 }, null, 2));
			const made = await createSnapshot(ledger, { models: ['support-bot'], message: `v${i + 1}`, now: new Date(t0 + i * 3600_000) });
			assert.equal(made.created.length, 1, `snapshot ${i + 1} created nothing`);
			git(root, 'add', '-A');
			git(root, 'commit', '-qm', `v${i + 1}`);
		}
	});
	after(() => {
		ledger?.close();
		if (root) removeDir(root);
	});

	/** The model's versions oldest first, each with its manifest. */
	const manifests = () =>
		ledger
			.listVersions('support-bot')
			.sort((a, b) => a.number - b.number || (a.createdAt < b.createdAt ? -1 : 1))
			.map((v) => ({ v, m: ledger.readManifest(v) }));

	/** A key's value in one manifest, as key-history defines it: the leaf, else the leaves under it. */
	const valueIn = (params: Record<string, Scalar> | undefined, key: string): KeyValue | undefined => {
		if (!params) return undefined;
		if (key in params) return params[key];
		const under: Record<string, Scalar> = {};
		for (const [k, value] of Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))) {
			if (k.startsWith(`${key}.`) || k.startsWith(`${key}[`)) under[k.slice(key.length)] = value;
		}
		return Object.keys(under).length ? under : undefined;
	};

	const keys = [
		[rag, 'retriever.chunk_size'],
		[rag, 'retriever.filters'],
		[rag, 'retriever.rerank_depth'],
		[train, 'seed'],
		[rag, 'retriever.no_such_key'],
	] as const;

	/** Runs of equal value read from every manifest: first and last version number, how many, which carry aliases. */
	const expectedRuns = (file: string, key: string) => {
		const expected: Array<{ value: KeyValue | undefined; first: number; last: number; count: number; aliased: string[]; unparseable: boolean }> = [];
		for (const { v, m } of manifests()) {
			const broken = (m.warnings ?? []).some((w) => w.startsWith(`${file}:`) || w.includes(`(${file} is stored as an opaque file)`));
			const value = broken ? undefined : valueIn(m.params[file], key);
			const aliased = v.aliases.length ? [`v${v.number} ${[...v.aliases].sort().join(',')}`] : [];
			const last = expected[expected.length - 1];
			if (last && last.unparseable === broken && JSON.stringify(last.value) === JSON.stringify(value)) {
				last.last = v.number;
				last.count++;
				last.aliased.push(...aliased);
			} else expected.push({ value, first: v.number, last: v.number, count: 1, aliased, unparseable: broken });
		}
		return expected;
	};

	const checkKey = (file: string, key: string) => {
		const expected = expectedRuns(file, key);
		const history = keyHistory(ledger, file, key);
		assert.equal(history.models.length, 1);
		const runs = history.models[0].runs;
		assert.deepEqual(
			runs.map((r) => ({ value: r.value, first: r.first.number, last: r.last.number, count: r.count, aliased: r.aliased.map((x) => `v${x.number} ${[...x.aliases].sort().join(',')}`), unparseable: r.unparseable !== undefined })),
			expected,
			`${file} ${key}`,
		);
		assert.ok(expected.length > 1 || key === 'retriever.no_such_key', 'the fixture changes the key');
		// Each change names the version before it and the metric that moved there (faithfulness changes every version).
		for (const run of runs.slice(1)) {
			assert.equal(run.change?.from.number, run.first.number - 1);
			if (run.unparseable === undefined && key !== 'retriever.no_such_key') assert.ok(run.change!.metrics.some((d) => d.key === 'faithfulness'), `v${run.first.number}: ${JSON.stringify(run.change!.metrics)}`);
		}
	};

	/** Per content, its runs of consecutive versions (first, last, count), read from every manifest. */
	const checkUsedBy = (file: string) => {
		const expected = new Map<string, Array<[number, number, number]>>();
		let previous: string | undefined;
		for (const { v, m } of manifests()) {
			const sha = m.artifacts.find((a) => a.path === file)?.sha256;
			if (!sha) continue;
			const ranges = expected.get(sha) ?? [];
			expected.set(sha, ranges);
			const last = ranges[ranges.length - 1];
			if (previous === sha && last) {
				last[1] = v.number;
				last[2]++;
			} else ranges.push([v.number, v.number, 1]);
			previous = sha;
		}
		const got = usedBy(ledger, file);
		assert.deepEqual(new Map(got.history.map((h) => [h.sha256, h.ranges.map((r): [number, number, number] => [r.first.number, r.last.number, r.count])])), expected, file);
		for (const h of got.history) assert.equal(h.count, h.ranges.reduce((n, r) => n + r.count, 0), `${file}: count`);
		assert.deepEqual(
			got.current.map((r): [number, number, number] => [r.first.number, r.last.number, r.count]),
			expected.get(got.sha256!) ?? [],
			`${file}: current content`,
		);
		// Newest first, by the newest version holding each content.
		const newest = got.history.map((h) => Math.max(...h.ranges.map((r) => r.last.number)));
		assert.deepEqual(newest, [...newest].sort((a, b) => b - a), `${file}: history order`);
	};

	for (const [file, key] of keys) {
		test(`${file} ${key}: runs (first, last, count), values and unparseable versions match every manifest`, () => checkKey(file, key));
	}

	test('used-by: every content of a file with exactly the runs of versions whose manifests hold it', () => {
		for (const file of [rag, train, 'prompts/answer.md']) checkUsedBy(file);
	});

	test('results kept across index changes follow a new version and a moved alias', async () => {
		// Asked once (remembered), then the index changes in each way a result can depend on.
		for (const [file, key] of keys) checkKey(file, key);
		// A write that adds no version (the stat cache): results are the same.
		ledger.index.batch(() => ledger.index.rememberHash('.test-generation', { dev: 0n, ino: 0n, size: 1n, mtimeNs: 0n }, '0'.repeat(64)));
		for (const [file, key] of keys) checkKey(file, key);
		// Aliases move without a new version: every run names the versions that carry them.
		const versions = manifests().map((x) => x.v);
		ledger.setAlias('support-bot', versions[2].digest, 'canary', { name: 'Ana', email: 'ana@example.com' });
		ledger.setAlias('support-bot', versions[3].digest, 'staging', { name: 'Ana', email: 'ana@example.com' });
		for (const [file, key] of keys) checkKey(file, key);
		for (const file of [rag, train]) checkUsedBy(file);
		assert.ok(keyHistory(ledger, rag, 'retriever.chunk_size').models[0].runs.some((r) => r.aliased.some((v) => v.aliases.includes('canary'))));
		ledger.setAlias('support-bot', versions[5].digest, 'canary', { name: 'Ana', email: 'ana@example.com' });
		for (const [file, key] of keys) checkKey(file, key);
		// A new version (a new value of the key, and of train.yaml's seed): the runs grow.
		writeFileSync(join(root, rag), readFileSync(join(root, rag), 'utf8').replace(/chunk_size: \d+/, 'chunk_size: 4096'));
		const metricsPath = join(root, 'eval/metrics.json');
		writeFileSync(metricsPath, JSON.stringify({ ...(JSON.parse(readFileSync(metricsPath, 'utf8')) as object), faithfulness: 0.99 }, null, 2));
		const made = await createSnapshot(ledger, { models: ['support-bot'], message: 'v15', now: new Date(t0 + 20 * 3600_000) });
		assert.equal(made.created.length, 1);
		for (const [file, key] of keys) checkKey(file, key);
		for (const file of [rag, train, 'prompts/answer.md']) checkUsedBy(file);
		const runs = keyHistory(ledger, rag, 'retriever.chunk_size').models[0].runs;
		assert.equal(runs[runs.length - 1].value, 4096);
		assert.equal(runs[runs.length - 1].first.number, 15);
		// The version removed again (its manifest deleted, the index synced): the runs shrink back.
		rmSync(ledger.manifestPath('support-bot', made.created[0].digest));
		ledger.sync();
		for (const [file, key] of keys) checkKey(file, key);
		for (const file of [rag, train, 'prompts/answer.md']) checkUsedBy(file);
		assert.notEqual(keyHistory(ledger, rag, 'retriever.chunk_size').models[0].runs.at(-1)?.value, 4096);
	});
});
