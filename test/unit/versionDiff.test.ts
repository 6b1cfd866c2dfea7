// Version diffs on real ledgers: the example workspace copied to a temp dir, snapshotted, edited,
// snapshotted again, and compared through the same core function the CLI and the compare view use.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { diffVersions, metricHistory, metricKeys, WORKING_TREE } from '../../src/core/compare/versionDiff';
import type { VersionDiff } from '../../src/core/compare/versionDiff';
import { copyExampleWorkspace, git, removeDir, writeExampleAdapter } from './fixtures';

const dirs: string[] = [];
const ledgers: Ledger[] = [];
after(() => {
	ledgers.forEach((l) => l.close());
	dirs.forEach(removeDir);
});

function edit(dir: string, rel: string, change: (text: string) => string): void {
	const path = join(dir, rel);
	const before = readFileSync(path, 'utf8');
	const after = change(before);
	assert.notEqual(after, before, `the edit of ${rel} changed nothing`);
	writeFileSync(path, after);
}

function countObjects(ledger: Ledger): number {
	const root = join(ledger.cacheDir, 'objects', 'sha256');
	return readdirSync(root).reduce((n, sub) => n + readdirSync(join(root, sub)).length, 0);
}

function param(diff: VersionDiff, file: string, key: string) {
	return diff.params.find((p) => p.file === file && p.key === key);
}

function metric(diff: VersionDiff, key: string) {
	return diff.metrics.find((m) => m.key === key);
}

describe('diffVersions between two snapshots', () => {
	let dir: string;
	let ledger: Ledger;
	let supportBot: VersionDiff;
	let reranker: VersionDiff;

	before(async () => {
		dir = copyExampleWorkspace();
		dirs.push(dir);
		ledger = Ledger.at(dir);
		ledgers.push(ledger);
		await createSnapshot(ledger, { message: 'baseline' });

		// RAG: a value change, a type change, and a comment that must not count.
		edit(dir, 'config/rag.yaml', (t) => t.replace('top_k: 8 ', 'top_k: 12').replace('chunk_size: 512', 'chunk_size: "512"').replace('# Retrieval', '# Tuned retrieval'));
		// Train params: comments and formatting only.
		edit(dir, 'config/train.yaml', (t) => `# edited: comments and spacing only\n${t.replace('seed: 42', 'seed:    42   # fixed seed')}`);
		// Reranker (TOML): the two [[eval.datasets]] swapped, and one of them changed.
		edit(dir, 'config/reranker.toml', (t) => {
			const [head, first, second] = t.split('[[eval.datasets]]');
			return `${head}[[eval.datasets]]${second.trimEnd().replace('split = "test"', 'split = "validation"')}\n\n[[eval.datasets]]${first.trimEnd()}\n`;
		});
		edit(dir, 'eval/metrics.json', (t) => t.replace('"faithfulness": 0.91', '"faithfulness": 0.93').replace('"latency_p95_ms": 1840', '"latency_p95_ms": 1900').replace('"n_examples": 250', '"n_examples": 260'));
		edit(dir, 'eval/reranker-metrics.json', (t) => t.replace('"ndcg_at_10": 0.714', '"ndcg_at_10": 0.7').replace('"latency_p95_ms": 38', '"latency_p95_ms": 30'));
		// The system prompt loses {{tone}} (callers still pass it) and gains a line.
		edit(dir, 'prompts/system.md', (t) => t.replace('- Write in a {{tone}} tone. Be concise', '- Be concise').concat('Escalate outages to {{status_page}}.\n'));
		// A LoRA adapter of rank 4 instead of 8: the A/B matrices change shape.
		writeExampleAdapter(join(dir, 'checkpoints', 'adapter'), { rank: 4 });
		edit(dir, 'data/corpus.dvc', (t) => t.replace('3f6c2a9e8b1d4c7f0a5e6b2d9c8f1a47.dir', '0000000000000000000000000000abcd.dir'));
		git(dir, 'add', '-A');
		git(dir, 'commit', '-q', '-m', 'Tune retrieval');
		await createSnapshot(ledger, { message: 'tuned' });
		supportBot = await diffVersions(ledger, 'support-bot', '1', '2', { promptText: true });
		reranker = await diffVersions(ledger, 'reranker', 'v1', 'latest');
	});

	test('names both versions and the commits between them', () => {
		assert.equal(supportBot.a.number, 1);
		assert.equal(supportBot.b.number, 2);
		assert.equal(supportBot.b.message, 'tuned');
		assert.equal(supportBot.b.working, false);
		assert.equal(supportBot.code.commits, 1);
		assert.equal(supportBot.code.commitsBack, 0);
		assert.equal(supportBot.code.b, git(dir, 'rev-parse', 'HEAD'));
		assert.deepEqual(supportBot.code.dirty, { a: false, b: false });
	});

	test('lists changed artifacts, with text files marked openable and the comment-only file as formatting', () => {
		const changed = new Map(supportBot.artifacts.changed.map((c) => [c.path, c]));
		for (const path of ['config/rag.yaml', 'config/train.yaml', 'eval/metrics.json', 'prompts/system.md', 'checkpoints/adapter/adapter_model.safetensors', 'data/corpus.dvc']) {
			assert.ok(changed.has(path), `${path} should be changed`);
		}
		assert.equal(changed.get('prompts/system.md')!.text, true);
		assert.equal(changed.get('checkpoints/adapter/adapter_model.safetensors')!.text, false);
		assert.equal(changed.get('config/train.yaml')!.formattingOnly, true);
		assert.equal(changed.get('config/rag.yaml')!.formattingOnly, undefined);
		assert.deepEqual(supportBot.artifacts.added, []);
		assert.deepEqual(supportBot.artifacts.removed, []);
		assert.ok(supportBot.artifacts.unchanged >= 3, 'the other prompts did not change');
	});

	test('compares config by key: value and type changes; comments are not changes', () => {
		assert.deepEqual(param(supportBot, 'config/rag.yaml', 'retriever.top_k'), { file: 'config/rag.yaml', key: 'retriever.top_k', a: 8, b: 12, change: 'changed' });
		assert.deepEqual(param(supportBot, 'config/rag.yaml', 'retriever.chunk_size'), { file: 'config/rag.yaml', key: 'retriever.chunk_size', a: 512, b: '512', change: 'changed', typeChanged: true });
		assert.equal(supportBot.params.filter((p) => p.file === 'config/rag.yaml').length, 2);
		assert.equal(supportBot.params.filter((p) => p.file === 'config/train.yaml').length, 0, 'comment/spacing edits are no param change');
	});

	test('matches list items by name, so reordering is not a change', () => {
		assert.deepEqual(
			reranker.params.map((p) => [p.key, p.a, p.b, p.change]),
			[['eval.datasets[name="support-queries-2026-11"].split', 'test', 'validation', 'changed']],
		);
	});

	test('--all returns every key, unchanged ones marked', async () => {
		const all = await diffVersions(ledger, 'support-bot', '1', '2', { all: true });
		const train = all.params.filter((p) => p.file === 'config/train.yaml');
		assert.ok(train.length > 10);
		assert.ok(train.every((p) => p.change === 'unchanged'));
		assert.deepEqual(param(all, 'config/train.yaml', 'lora.target_modules[1]'), { file: 'config/train.yaml', key: 'lora.target_modules[1]', a: 'v_proj', b: 'v_proj', change: 'unchanged' });
		assert.equal(metric(all, 'context_recall')?.change, 'unchanged');
		assert.equal(metric(supportBot, 'context_recall'), undefined, 'unchanged metrics are left out by default');
	});

	test('metric deltas, with direction from the config', () => {
		const faithfulness = metric(supportBot, 'faithfulness')!;
		assert.equal(faithfulness.file, 'eval/metrics.json');
		assert.equal(faithfulness.a, 0.91);
		assert.equal(faithfulness.b, 0.93);
		assert.equal(faithfulness.delta, 0.02);
		assert.equal(faithfulness.relative, 0.021978021978);
		assert.equal(faithfulness.direction, 'higher');
		assert.equal(faithfulness.better, true);
		const latency = metric(supportBot, 'latency_p95_ms')!;
		assert.equal(latency.delta, 60);
		assert.equal(latency.direction, 'lower');
		assert.equal(latency.better, false);
		const examples = metric(supportBot, 'n_examples')!;
		assert.equal(examples.delta, 10);
		assert.equal(examples.direction, null);
		assert.equal(examples.better, null);
	});

	test('metric direction from the name when the config says nothing', () => {
		const ndcg = metric(reranker, 'ndcg_at_10')!;
		assert.equal(ndcg.direction, 'higher');
		assert.equal(ndcg.better, false);
		const latency = metric(reranker, 'latency_p95_ms')!;
		assert.equal(latency.direction, 'lower');
		assert.equal(latency.better, true);
	});

	test('prompts: line counts, variables added and removed, removed ones flagged', () => {
		assert.equal(supportBot.prompts.length, 1);
		const [system] = supportBot.prompts;
		assert.equal(system.path, 'prompts/system.md');
		assert.deepEqual(system.variablesRemoved, ['tone']);
		assert.deepEqual(system.variablesAdded, ['status_page']);
		assert.equal(system.breaksCallers, true);
		assert.equal(system.linesAdded, 2);
		assert.equal(system.linesRemoved, 1);
		assert.ok(system.preview!.some((l) => l.op === '+' && l.text === 'Escalate outages to {{status_page}}.'));
		assert.ok(system.preview!.some((l) => l.op === '-' && l.text.includes('{{tone}}')));
	});

	test('prompt variables are read from both texts with today\'s rules, not taken from what an older snapshot recorded', async () => {
		const work = copyExampleWorkspace();
		dirs.push(work);
		const l = Ledger.at(work);
		ledgers.push(l);
		const path = 'prompts/handoff.md';
		const text = `Reply as {{ output_format|default("{'T': type}},...,{{'branch': Appropriate branch}") }} for {{ customer }}.\n`;
		writeFileSync(join(work, path), text);
		// What a snapshot made with older rules recorded for this text: words of the string literal as variables.
		const sha256 = createHash('sha256').update(text).digest('hex');
		l.index.rememberFacts(path, 'prompt', sha256, JSON.stringify({ v: 4, clean: true, file: { prompt: { variables: ['Appropriate', 'branch', 'customer', 'output_format'] } } }));
		const v1 = (await createSnapshot(l, { models: ['support-bot'], message: 'older rules' })).created[0];
		assert.deepEqual(l.readManifest(v1).prompts[path].variables, ['Appropriate', 'branch', 'customer', 'output_format'], 'the setup: v1 recorded the older reading');
		writeFileSync(join(work, path), text.replace('branch}', 'branch}}').replace('for {{ customer }}', 'for {{ customer }} and {{ agent_name }}'));
		await createSnapshot(l, { models: ['support-bot'], message: 'edited' });
		const [handoff] = (await diffVersions(l, 'support-bot', 'v1', 'v2')).prompts;
		assert.equal(handoff.path, path);
		assert.deepEqual(handoff.variablesRemoved, [], 'no variable "removed" that the text never had');
		assert.deepEqual(handoff.variablesAdded, ['agent_name']);
		assert.equal(handoff.breaksCallers, false);
	});

	test('weights: a different LoRA rank shows as shape changes from the headers', () => {
		const [weights] = supportBot.weights;
		assert.equal(weights.path, 'checkpoints/adapter/adapter_model.safetensors');
		assert.deepEqual(weights.tensorsAdded, []);
		assert.deepEqual(weights.tensorsRemoved, []);
		assert.ok(weights.shapeChanged.length > 0);
		const loraA = weights.shapeChanged.find((s) => s.name.endsWith('lora_A.weight'))!;
		assert.equal(loraA.a[0], 8);
		assert.equal(loraA.b[0], 4);
		assert.deepEqual(weights.dtypeChanged, []);
		assert.equal(weights.bytesChanged, null, 'tensor bytes are hashed only on request');
	});

	test('data references: md5 changes', () => {
		assert.deepEqual(supportBot.data, [{ path: 'data/corpus', source: 'data/corpus.dvc', kind: 'out', a: '3f6c2a9e8b1d4c7f0a5e6b2d9c8f1a47.dir', b: '0000000000000000000000000000abcd.dir', change: 'changed' }]);
	});

	test('history of a metric across versions, with aliases', async () => {
		ledger.setAlias('support-bot', '1', 'staging', { name: 'Test User' });
		const history = metricHistory(ledger, 'support-bot', 'faithfulness');
		assert.equal(history.direction, 'higher');
		assert.deepEqual(history.points.map((p) => [p.number, p.value, p.file]), [[1, 0.91, 'eval/metrics.json'], [2, 0.93, 'eval/metrics.json']]);
		assert.ok(history.points[0].aliases.includes('staging'));
		assert.ok(!history.points[1].aliases.includes('staging'));
		assert.ok(metricKeys(ledger, 'support-bot').includes('eval_loss'));
		assert.throws(() => metricHistory(ledger, 'support-bot', 'no_such_metric'), /has a metric `no_such_metric`.*Its metrics: .*faithfulness/);
	});
});

describe('diffVersions of tensor bytes and of the working tree', () => {
	let dir: string;
	let ledger: Ledger;

	before(async () => {
		dir = copyExampleWorkspace();
		dirs.push(dir);
		ledger = Ledger.at(dir);
		ledgers.push(ledger);
		await createSnapshot(ledger, { models: ['support-bot'] });
	});

	test('--tensors hashes each tensor: same shapes, different bytes', async () => {
		writeExampleAdapter(join(dir, 'checkpoints', 'adapter'), { seed: 7 });
		await createSnapshot(ledger, { models: ['support-bot'] });
		const progress: number[] = [];
		const diff = await diffVersions(ledger, 'support-bot', '1', '2', { tensors: true, onProgress: (p) => progress.push(p.bytesDone) });
		const [weights] = diff.weights;
		assert.deepEqual(weights.shapeChanged, []);
		assert.ok(weights.bytesChanged!.length > 0);
		assert.equal(weights.bytesChanged!.length + weights.bytesUnchanged!, Object.keys(ledger.readManifest({ model: 'support-bot', digest: diff.b.digest! }).weights[weights.path].tensors).length);
		assert.ok(progress.length > 0 && progress.every((n, i) => i === 0 || n >= progress[i - 1]), 'progress only grows');
	});

	test('diff against the working tree reads current files and stores nothing', async () => {
		const objects = countObjects(ledger);
		edit(dir, 'config/rag.yaml', (t) => t.replace('temperature: 0.2', 'temperature: 0.7'));
		edit(dir, 'prompts/answer.md', (t) => t.replace('{{ question }}', '{{ question }}\nTicket: {{ ticket_id }}'));
		const diff = await diffVersions(ledger, 'support-bot', 'latest', WORKING_TREE);
		assert.equal(diff.b.working, true);
		assert.equal(diff.b.digest, null);
		assert.equal(diff.b.git.dirty, true, 'the edits are uncommitted');
		assert.deepEqual(diff.params.map((p) => [p.key, p.a, p.b]), [['generation.temperature', 0.2, 0.7]]);
		assert.deepEqual(diff.prompts.map((p) => [p.path, p.variablesAdded, p.linesAdded, p.linesRemoved]), [['prompts/answer.md', ['ticket_id'], 1, 0]]);
		assert.deepEqual(diff.artifacts.changed.map((c) => c.path).sort(), ['config/rag.yaml', 'prompts/answer.md']);
		assert.equal(countObjects(ledger), objects, 'nothing was stored');
	});

	test('unknown versions are errors that say what exists', async () => {
		await assert.rejects(diffVersions(ledger, 'support-bot', '1', '99'), /No version `99`/);
		await assert.rejects(diffVersions(ledger, 'nope', '1', '2'), /Unknown model `nope`/);
	});
});
