import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { describeRuns, keyHistory } from '../../src/core/query/keyHistory';
import { Ledger } from '../../src/core/ledger';
import type { VersionSummary } from '../../src/core/model';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { usedBy } from '../../src/core/query/usedBy';
import type { VersionRef } from '../../src/core/query/versionsByPath';
import { describeRanges } from '../../src/core/query/versionRanges';
import type { VersionRange } from '../../src/core/query/versionRanges';
import { copyExampleWorkspace, isolatedGitEnv, removeDir, repoRoot, writeFile } from './fixtures';

const author = { name: 'Ana', email: 'ana@example.com' };
/** Ranges as the CLI prints them: `v1–v5 [production v2]`. */
const spans = (ranges: VersionRange[]) => describeRanges(ranges);
/** The aliases of version n within the ranges ([] when it is in them without one, undefined when not in them). */
const aliasesIn = (ranges: VersionRange[], n: number) => ranges.flatMap((r) => r.aliased).find((v) => v.number === n)?.aliases ?? (ranges.some((r) => r.first.number <= n && n <= r.last.number) ? [] : undefined);

/**
 * One workspace, five support-bot versions:
 * v1 baseline (chunk_size 512, schedule[1].lr 0.0002)
 * v2 chunk_size 256, faithfulness 0.91 → 0.93                               ← production
 * v3 system.md edited, handoff.md renamed to escalation.md, schedule[1].lr 0.0003
 * v4 chunk_size 1024, new key retriever.rerank_depth, system.md copied to prompts/followup/system-copy.md
 * v5 chunk_size back to 256
 * then rag.yaml edited without a snapshot.
 */
describe('used-by and key-history on a real ledger', () => {
	let root: string;
	let ledger: Ledger;
	const v: VersionSummary[] = [];
	const hour = 3600_000;
	const t0 = Date.parse('2026-01-05T10:00:00Z');

	const edit = (rel: string, from: string | RegExp, to: string) => {
		const path = join(root, rel);
		const text = readFileSync(path, 'utf8');
		const next = text.replace(from, to);
		assert.notEqual(next, text, `${rel}: ${String(from)} not found`);
		writeFileSync(path, next);
	};
	const snapshot = async (n: number, message: string) => {
		const result = await createSnapshot(ledger, { models: ['support-bot'], message, now: new Date(t0 + n * hour) });
		assert.equal(result.created.length, 1, `snapshot ${n} created nothing`);
		v.push(result.created[0]);
	};

	before(async () => {
		root = copyExampleWorkspace();
		ledger = Ledger.at(root);
		appendFileSync(join(root, 'config/train.yaml'), 'schedule:\n  - name: warmup\n    lr: 0.001\n  - name: main\n    lr: 0.0002\n');
		await snapshot(1, 'baseline');
		edit('config/rag.yaml', 'chunk_size: 512', 'chunk_size: 256');
		edit('eval/metrics.json', '"faithfulness": 0.91', '"faithfulness": 0.93');
		edit('eval/metrics.json', '"latency_p95_ms": 1840', '"latency_p95_ms": 1900');
		await snapshot(2, 'smaller chunks');
		edit('prompts/system.md', /$/, '\nAlways answer politely.\n');
		renameSync(join(root, 'prompts/handoff.md'), join(root, 'prompts/escalation.md'));
		edit('config/train.yaml', 'lr: 0.0002', 'lr: 0.0003');
		await snapshot(3, 'prompt tweak');
		edit('config/rag.yaml', 'chunk_size: 256', 'chunk_size: 1024');
		edit('config/rag.yaml', 'chunk_overlap: 64', 'chunk_overlap: 64\n  rerank_depth: 20');
		edit('eval/metrics.json', '"faithfulness": 0.93', '"faithfulness": 0.89');
		writeFile(root, 'prompts/followup/system-copy.md', readFileSync(join(root, 'prompts/system.md')));
		await snapshot(4, 'bigger chunks');
		edit('config/rag.yaml', 'chunk_size: 1024', 'chunk_size: 256');
		await snapshot(5, 'back to 256');
		ledger.approve('support-bot', '2', author, 'eval passed');
		ledger.setAlias('support-bot', '2', 'production', author);
	});
	after(() => {
		ledger?.close();
		if (root) removeDir(root);
	});

	test('a file unchanged since v1: every version holds its content, newest first, with aliases', () => {
		const r = usedBy(ledger, 'prompts/answer.md');
		assert.equal(r.tracked, true);
		assert.equal(r.role, 'prompt');
		assert.equal(spans(r.current), 'v1–v5 [production v2]');
		assert.deepEqual(r.current.map((x) => x.count), [5]);
		assert.deepEqual(aliasesIn(r.current, 2), ['production']);
		assert.equal(r.history.length, 1);
		assert.equal(r.lastChanged?.number, 1);
		assert.equal(r.lastChanged?.author, v[0].author.name);
		assert.equal(r.modified, false);
		assert.equal(r.sha256, r.history[0].sha256);
		assert.equal(r.history[0].firstSeen, v[0].createdAt);
		assert.equal(r.history[0].lastSeen, v[4].createdAt);
	});

	test('an edited file: current content since v3, earlier content in v1–v2, and a copy under another path', () => {
		const r = usedBy(ledger, 'prompts/system.md');
		assert.equal(spans(r.current), 'v3–v5');
		assert.equal(r.lastChanged?.number, 3);
		assert.deepEqual(
			r.history.map((h) => spans(h.ranges)),
			['v3–v5', 'v1, v2 [production v2]'],
		);
		assert.deepEqual(
			r.history.map((h) => h.count),
			[3, 2],
		);
		assert.notEqual(r.history[0].sha256, r.history[1].sha256);
		assert.deepEqual(
			r.sameContentElsewhere.map((x) => `${x.path}@v${x.number}`),
			['prompts/followup/system-copy.md@v5', 'prompts/followup/system-copy.md@v4'],
		);
	});

	test('a renamed file: the new path holds it since v3, the old path held the same content in v1–v2', () => {
		const renamed = usedBy(ledger, 'prompts/escalation.md');
		assert.equal(spans(renamed.current), 'v3–v5');
		assert.deepEqual(
			renamed.sameContentElsewhere.map((x) => `${x.path}@v${x.number}`),
			['prompts/handoff.md@v2', 'prompts/handoff.md@v1'],
		);
		const gone = usedBy(ledger, 'prompts/handoff.md');
		assert.equal(gone.exists, false);
		assert.equal(gone.sha256, null);
		assert.equal(gone.tracked, true, 'versions still hold the old path');
		assert.deepEqual(gone.current, []);
		assert.equal(spans(gone.history[0].ranges), 'v1, v2 [production v2]');
	});

	test('a file modified since the latest version matches no version but keeps its history', () => {
		const path = join(root, 'config/rag.yaml');
		const saved = readFileSync(path);
		try {
			appendFileSync(path, '# tuning\n');
			const r = usedBy(ledger, 'config/rag.yaml');
			assert.equal(r.modified, true);
			assert.deepEqual(r.current, []);
			assert.equal(r.newest?.number, 5);
			assert.equal(r.lastChanged?.number, 5);
			assert.deepEqual(
				r.history.map((h) => spans(h.ranges)),
				['v5', 'v4', 'v2, v3 [production v2]', 'v1'],
			);
		} finally {
			writeFileSync(path, saved);
		}
		assert.equal(spans(usedBy(ledger, 'config/rag.yaml').current), 'v5');
	});

	test('untracked and missing files', () => {
		writeFile(root, 'notes.txt', 'scratch');
		const r = usedBy(ledger, 'notes.txt');
		assert.equal(r.tracked, false);
		assert.deepEqual([r.current, r.history, r.lastChanged], [[], [], null]);
		const fresh = writeFile(root, 'prompts/new.md', 'Hello {{name}}');
		try {
			const n = usedBy(ledger, 'prompts/new.md');
			assert.equal(n.tracked, true, 'matched by the prompts glob');
			assert.deepEqual(n.models, ['support-bot']);
			assert.equal(n.modified, false);
		} finally {
			rmSync(fresh);
		}
		assert.throws(() => usedBy(ledger, '../outside.txt'), /outside the workspace/);
	});

	test('a key that changed twice (and back): runs, and the metric change where it changed', () => {
		const h = keyHistory(ledger, 'config/rag.yaml', 'retriever.chunk_size');
		assert.equal(h.found, true);
		assert.equal(h.kind, 'param');
		assert.equal(h.models.length, 1);
		const { runs } = h.models[0];
		assert.equal(describeRuns(runs), '512 in v1, 256 in v2–v3, 1024 in v4, 256 since v5');
		assert.deepEqual(runs.map((r) => r.value), [512, 256, 1024, 256]);
		assert.equal(runs[0].change, undefined);
		const toV2 = runs[1].change!;
		assert.equal(toV2.from.number, 1);
		assert.equal(toV2.previous, 512);
		const faith = toV2.metrics.find((m) => m.key === 'faithfulness');
		assert.deepEqual(faith, { file: 'eval/metrics.json', key: 'faithfulness', before: 0.91, after: 0.93, delta: 0.02, better: true });
		const latency = toV2.metrics.find((m) => m.key === 'latency_p95_ms');
		assert.equal(latency?.delta, 60);
		assert.equal(latency?.better, false, 'latency is lower-is-better in model-ledger.yaml');
		assert.equal(runs[2].change?.from.number, 3, 'the change to 1024 is measured against v3, the last of the 256 run');
		assert.equal(runs[2].change?.metrics.find((m) => m.key === 'faithfulness')?.delta, -0.04);
		assert.deepEqual(runs[3].change?.metrics, [], 'v5 changed no metric');
		assert.equal(runs[3].current, true);
		assert.deepEqual([runs[1].first.number, runs[1].last.number, runs[1].count], [2, 3, 2]);
		assert.deepEqual(runs[1].aliased.map((x) => x.number), [2]);
		assert.deepEqual(runs[1].first.aliases, ['production']);
	});

	test('a key inside a list of maps', () => {
		const h = keyHistory(ledger, 'config/train.yaml', 'schedule[1].lr');
		assert.equal(describeRuns(h.models[0].runs), '0.0002 in v1–v2, 0.0003 since v3');
		const name = keyHistory(ledger, 'config/train.yaml', 'schedule[1].name');
		assert.deepEqual(name.models[0].runs.map((r) => [r.value, r.first.number, r.last.number]), [['main', 1, 5]]);
	});

	test('a key added later: absent before it', () => {
		const h = keyHistory(ledger, 'config/rag.yaml', 'retriever.rerank_depth');
		assert.deepEqual(h.models[0].runs.map((r) => [r.present, r.value ?? null, r.first.number]), [[false, null, 1], [true, 20, 4]]);
		assert.equal(describeRuns(h.models[0].runs), '(absent) in v1–v3, 20 since v4');
	});

	test('a mapping key: the leaves under it, and which of them changed', () => {
		const h = keyHistory(ledger, 'config/rag.yaml', 'retriever');
		assert.equal(h.subtree, true);
		const changes = h.models[0].runs.map((r) => r.change?.changedKeys ?? []);
		assert.deepEqual(changes, [[], ['.chunk_size'], ['.chunk_size', '.rerank_depth'], ['.chunk_size']]);
		const prefixOnly = keyHistory(ledger, 'config/rag.yaml', 'retriev');
		assert.equal(prefixOnly.found, false, 'a prefix of a key name is not a parent key');
	});

	test('a metrics file: its keys are the metrics, no deltas of themselves', () => {
		const h = keyHistory(ledger, 'eval/metrics.json', 'faithfulness');
		assert.equal(h.kind, 'metric');
		assert.deepEqual(h.models[0].runs.map((r) => r.value), [0.91, 0.93, 0.89]);
		assert.ok(h.models[0].runs.every((r) => (r.change?.metrics ?? []).length === 0));
	});

	test('answers are remembered only until the registry changes, here or in another process', () => {
		const aliasesOf = (n: number) => aliasesIn(usedBy(ledger, 'prompts/answer.md').current, n);
		assert.deepEqual(aliasesOf(5), []);
		assert.equal(usedBy(ledger, 'prompts/answer.md'), usedBy(ledger, 'prompts/answer.md'), 'a repeated question is answered from memory');
		ledger.setAlias('support-bot', '5', 'staging', author);
		assert.deepEqual(aliasesOf(5), ['staging'], 'a write through this connection');
		const cli = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), 'alias', 'set', 'support-bot@4', 'canary'], { cwd: root, env: isolatedGitEnv(), encoding: 'utf8' });
		assert.equal(cli.status, 0, cli.stderr);
		// The file changed under us: the ledger re-reads its events on sync (as the extension's watcher does).
		ledger.sync();
		assert.deepEqual(aliasesOf(4), ['canary'], 'a write by another process');
		const h = keyHistory(ledger, 'config/rag.yaml', 'retriever.chunk_size');
		assert.deepEqual(h.models[0].runs[3].first.aliases, ['staging']);
		ledger.removeAlias('support-bot', 'staging', author);
		ledger.removeAlias('support-bot', 'canary', author);
		assert.deepEqual(keyHistory(ledger, 'config/rag.yaml', 'retriever.chunk_size').models[0].runs[3].first.aliases, []);
	});

	test('CLI: used-by and key-history print one JSON document, and explain unknown keys', async () => {
		// The CLI contract is tested as a real process, as test/unit/cli.test.ts does.
		const run = async (...args: string[]) => {
			const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), ...args], { cwd: root, env: isolatedGitEnv(), encoding: 'utf8' });
			return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
		};
		const used = await run('used-by', 'prompts/system.md', '--json');
		assert.equal(used.code, 0, used.err);
		const doc = JSON.parse(used.out);
		// Ranges, not one entry per version: first and last version, how many, the aliased ones.
		assert.deepEqual(
			doc.current.map((x: VersionRange) => [x.model, x.first.number, x.last.number, x.count]),
			[['support-bot', 3, 5, 3]],
		);
		assert.equal(doc.history.length, 2);
		assert.deepEqual(
			doc.history.map((h: { count: number; ranges: VersionRange[]; versions?: unknown }) => [h.count, h.ranges.length, h.versions]),
			[
				[3, 1, undefined],
				[2, 1, undefined],
			],
		);
		const text = await run('used-by', 'prompts/system.md');
		assert.match(text.out, /Current content: v3–v5 \(3 versions\)/);
		assert.match(text.out, /SHA256\s+VERSIONS\s+COUNT/);
		assert.match(text.out, /v1, v2 \[production v2\]\s+2\s/);
		assert.match(text.out, /Last changed in support-bot v3 \(.+, by /);
		const key = await run('key-history', 'config/rag.yaml', 'retriever.chunk_size');
		assert.equal(key.code, 0, key.err);
		assert.match(key.out, /512 in v1, 256 in v2–v3, 1024 in v4, 256 since v5/);
		assert.match(key.out, /faithfulness \+0\.02 \(0\.91 → 0\.93\)/);
		const keyJson = JSON.parse((await run('key-history', 'config/rag.yaml', 'retriever.chunk_size', '--json')).out);
		assert.equal(keyJson.models[0].runs.length, 4);
		assert.deepEqual(
			keyJson.models[0].runs.map((r: { first: VersionRef; last: VersionRef; count: number; versions?: unknown }) => [r.first.number, r.last.number, r.count, r.versions]),
			[
				[1, 1, 1, undefined],
				[2, 3, 2, undefined],
				[4, 4, 1, undefined],
				[5, 5, 1, undefined],
			],
		);
		const unknown = await run('key-history', 'config/rag.yaml', 'retriever.chunk');
		assert.equal(unknown.code, 1);
		assert.match(unknown.err, /no version of `config\/rag.yaml` has the key `retriever.chunk`/i);
		const usage = await run('key-history', 'config/rag.yaml');
		assert.equal(usage.code, 2);
		const untracked = await run('used-by', 'README.md');
		assert.equal(untracked.code, 0);
		assert.match(untracked.out, /not tracked/);
	});
});
