import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffFlatValues, flattenSemantic } from '../../src/core/compare/configDiff';
import { diffMetrics, metricDirection } from '../../src/core/compare/metricDiff';
import { parseStructured } from '../../src/core/parse/structuredFiles';

const yaml = (text: string) => flattenSemantic(parseStructured('c.yaml', text));
const none = { higherIsBetter: [], lowerIsBetter: [] };

describe('flattenSemantic', () => {
	test('keys lists of mappings by id, else by name, else by index', () => {
		assert.deepEqual(Object.keys(yaml('s:\n  - {id: 2, name: b}\n  - {id: 1, name: a}\n')), ['s[id=2].id', 's[id=2].name', 's[id=1].id', 's[id=1].name']);
		assert.deepEqual(Object.keys(yaml('s:\n  - {name: b, lr: 1}\n  - {name: a}\n')), ['s[name="b"].name', 's[name="b"].lr', 's[name="a"].name']);
		// Duplicate names cannot identify items: positions are used.
		assert.deepEqual(Object.keys(yaml('s:\n  - {name: a, x: 1}\n  - {name: a, x: 2}\n')), ['s[0].name', 's[0].x', 's[1].name', 's[1].x']);
		assert.deepEqual(yaml('{}'), {});
		assert.deepEqual(yaml('a: []\nb: {}\n'), { a: '[]', b: '{}' });
	});
});

describe('diffFlatValues', () => {
	test('a reordered list of scalars is a change (order can matter), reordered named items are not', () => {
		assert.deepEqual(diffFlatValues(yaml('m: [q, v]'), yaml('m: [v, q]')).map((d) => d.key), ['m[0]', 'm[1]']);
		assert.deepEqual(diffFlatValues(yaml('s: [{name: a, x: 1}, {name: b, x: 2}]'), yaml('s: [{name: b, x: 2}, {name: a, x: 1}]')), []);
	});

	test('keeps removed keys next to their old neighbours', () => {
		const d = diffFlatValues({ a: 1, gone: 2, c: 3 }, { a: 1, c: 4, new: 5 }, true);
		assert.deepEqual(d.map((x) => [x.key, x.change]), [['a', 'unchanged'], ['gone', 'removed'], ['c', 'changed'], ['new', 'added']]);
	});

	test('a type change is marked; equal values are not', () => {
		assert.deepEqual(diffFlatValues({ n: '512', t: true }, { n: 512, t: true }), [{ key: 'n', a: '512', b: 512, change: 'changed', typeChanged: true }]);
	});
});

describe('metricDirection', () => {
	test('the config wins over the name; either list may name the last key part', () => {
		assert.equal(metricDirection({ higherIsBetter: [], lowerIsBetter: ['accuracy'] }, 'accuracy'), 'lower');
		assert.equal(metricDirection({ higherIsBetter: ['score'], lowerIsBetter: [] }, 'eval.score'), 'higher');
	});

	test('from the name', () => {
		for (const key of ['eval_loss', 'error_rate', 'latency_p95_ms', 'cost_per_1k_usd', 'perplexity', 'val.wer']) assert.equal(metricDirection(none, key), 'lower', key);
		for (const key of ['accuracy', 'f1_macro', 'recall_at_50', 'precision', 'bleu4', 'rouge1', 'rougeL', 'faithfulness', 'answer_relevancy', 'ndcg_at_10']) assert.equal(metricDirection(none, key), 'higher', key);
		for (const key of ['n_examples', 'epoch', 'tokens']) assert.equal(metricDirection(none, key), null, key);
	});

	test('issue 15 also: the names LLM eval tools print have a direction', () => {
		for (const key of ['groundedness', 'coherence', 'fluency', 'relevance', 'similarity', 'helpfulness', 'answer_correctness', 'gpt_groundedness', 'answer_similarity', 'coherence_score'])
			assert.equal(metricDirection(none, key), 'higher', key);
		for (const key of ['toxicity', 'hallucination', 'bias', 'harm', 'hallucination_rate', 'toxicity_score', 'gender_bias', 'harmfulness'])
			assert.equal(metricDirection(none, key), 'lower', key);
		assert.equal(metricDirection(none, 'score'), 'higher', 'a bare score is still higher-is-better');
	});

	test('non-numeric metrics are compared as values, without delta or verdict', () => {
		const d = diffMetrics({ 'm.json': { judge: 'gpt-4o', f1: 0.5 } }, { 'm.json': { judge: 'gpt-4.1', f1: 0 } }, none);
		assert.deepEqual(d, [
			{ file: 'm.json', key: 'judge', a: 'gpt-4o', b: 'gpt-4.1', change: 'changed', delta: null, relative: null, direction: null, better: null },
			{ file: 'm.json', key: 'f1', a: 0.5, b: 0, change: 'changed', delta: -0.5, relative: -1, direction: 'higher', better: false },
		]);
		assert.equal(diffMetrics({ 'm.json': { f1: 0 } }, { 'm.json': { f1: 0.5 } }, none)[0].relative, null, 'no relative change from zero');
	});
});
