import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flattenValues, parseStructured } from '../../src/core/parse/structuredFiles';
import { keyPathAt, parseKeys } from '../../src/core/parse/yamlKeys';
import { exampleWorkspacePath } from './fixtures';

/** The key path at the first occurrence of `marker` (plus `delta` characters) in `text`. */
function pathAt(text: string, marker: string, delta = 0): string | undefined {
	const offset = text.indexOf(marker);
	assert.ok(offset >= 0, `marker ${marker} not in text`);
	return keyPathAt(text, offset + delta)?.path;
}

/** Every leaf path keyPathAt finds, at every offset of the text, must be a key flattenValues indexes. */
function assertAgreesWithFlatten(relPath: string, text: string, format: 'yaml' | 'json' = relPath.endsWith('.json') ? 'json' : 'yaml'): Set<string> {
	const flat = flattenValues(parseStructured(relPath, text));
	const parsed = parseKeys(text, format);
	const seen = new Set<string>();
	for (let offset = 0; offset <= text.length; offset++) {
		const found = keyPathAt(parsed, offset);
		if (!found) continue;
		seen.add(found.path);
		if (found.leaf) {
			assert.ok(found.path in flat, `${relPath}@${offset}: leaf ${found.path} is not a flattened key (${Object.keys(flat).join(', ')})`);
			assert.deepEqual(found.value, flat[found.path], `${relPath}@${offset}: the value of ${found.path} as the index records it`);
		}
		else assert.ok(Object.keys(flat).some((k) => k.startsWith(found.path + '.') || k.startsWith(found.path + '[')), `${relPath}@${offset}: ${found.path} has no keys under it`);
		assert.ok(found.keyRange[0] <= offset, `${relPath}@${offset}: ${found.path} starts after the cursor (${found.keyRange})`);
	}
	return seen;
}

describe('keyPathAt', () => {
	const yaml = [
		'# comment',
		'retriever:',
		'  chunk_size: 512   # tokens',
		'  filters:',
		'    locale: en',
		'    status: [published, draft]',
		'stages:',
		'  - name: warmup',
		'    lr: 0.001',
		'  - name: main',
		'    lr: 0.0002',
		'flow: {a: 1, "b.c": {d: 2}}',
		'base: &defaults',
		'  temperature: 0.2',
		'copy: *defaults',
		'merged:',
		'  <<: *defaults',
		'  top_p: 0.9',
		'scalar_alias: &n 7',
		'again: *n',
		'empty: {}',
		'"odd key": 1',
		'0x10: hex',
		'',
	].join('\n');

	test('nested keys, on the key and on the value', () => {
		assert.equal(pathAt(yaml, 'chunk_size'), 'retriever.chunk_size');
		assert.equal(pathAt(yaml, '512', 1), 'retriever.chunk_size');
		assert.equal(pathAt(yaml, 'locale'), 'retriever.filters.locale');
		assert.equal(pathAt(yaml, 'retriever'), 'retriever');
		assert.equal(keyPathAt(yaml, yaml.indexOf('retriever'))?.leaf, false);
		assert.equal(keyPathAt(yaml, yaml.indexOf('chunk_size'))?.leaf, true);
	});

	test('lists of scalars and lists of maps', () => {
		assert.equal(pathAt(yaml, 'draft'), 'retriever.filters.status[1]');
		assert.equal(pathAt(yaml, 'main'), 'stages[1].name');
		assert.equal(pathAt(yaml, 'lr: 0.0002'), 'stages[1].lr');
		assert.equal(pathAt(yaml, 'lr: 0.001'), 'stages[0].lr');
	});

	test('flow maps and quoted keys use the flattenValues spelling', () => {
		assert.equal(pathAt(yaml, 'a: 1'), 'flow.a');
		assert.equal(pathAt(yaml, 'd: 2'), 'flow["b.c"].d');
		assert.equal(pathAt(yaml, '"odd key"'), '["odd key"]');
		assert.equal(pathAt(yaml, '0x10'), '16');
	});

	test('anchors and aliases', () => {
		assert.equal(pathAt(yaml, 'temperature'), 'base.temperature');
		const copy = keyPathAt(yaml, yaml.indexOf('*defaults') + 2);
		assert.deepEqual([copy?.path, copy?.leaf], ['copy', false], 'an alias of a mapping is a subtree');
		const again = keyPathAt(yaml, yaml.indexOf('*n') + 1);
		assert.deepEqual([again?.path, again?.leaf], ['again', true], 'an alias of a scalar is a leaf');
		assert.equal(pathAt(yaml, '&n'), 'scalar_alias', 'the anchor belongs to its entry');
		const merge = keyPathAt(yaml, yaml.indexOf('<<'));
		assert.deepEqual([merge?.path, merge?.leaf], ['merged', false], 'a << merge key stands for the mapping it merges into');
		assert.equal(pathAt(yaml, 'top_p'), 'merged.top_p');
	});

	test('an empty mapping is a leaf, as it is indexed', () => {
		assert.deepEqual([pathAt(yaml, 'empty'), keyPathAt(yaml, yaml.indexOf('empty'))?.leaf], ['empty', true]);
	});

	test('nothing in comments, blank lines or past the end', () => {
		assert.equal(pathAt(yaml, '# comment', 3), undefined);
		assert.equal(keyPathAt(yaml, yaml.length + 5), undefined);
		assert.equal(keyPathAt('just a scalar', 3), undefined);
	});

	test('ranges cover the key through its value, or only the key above a mapping', () => {
		const leaf = keyPathAt(yaml, yaml.indexOf('chunk_size'));
		assert.equal(yaml.slice(...leaf!.range), 'chunk_size: 512');
		assert.equal(yaml.slice(...leaf!.keyRange), 'chunk_size');
		const map = keyPathAt(yaml, yaml.indexOf('filters'));
		assert.equal(yaml.slice(...map!.range), 'filters');
	});

	test('JSON, with a BOM', () => {
		const json = '\ufeff{\n  "faithfulness": 0.91,\n  "<<": {"x": 1},\n  "by_split": {"dev": [0.5, {"n": 3}]}\n}\n';
		assert.equal(pathAt(json, '"faithfulness"'), 'faithfulness');
		assert.equal(pathAt(json, '0.91'), 'faithfulness');
		assert.equal(pathAt(json, '"n"'), 'by_split.dev[1].n');
		assert.equal(keyPathAt(parseKeys(json, 'json'), json.indexOf('"x"'))?.path, '<<.x', 'JSON has no merge keys');
		assertAgreesWithFlatten('test.json', json, 'json');
		const found = keyPathAt(json, json.indexOf('0.5'));
		assert.equal(json.slice(...found!.range), '0.5');
	});

	test('a half-typed document still answers for the keys before the error', () => {
		const text = 'a:\n  b: 1\n  c: [1, 2\n';
		assert.equal(pathAt(text, 'b: 1'), 'a.b');
	});

	test('agrees with flattenValues at every offset of the example configs', () => {
		for (const rel of ['config/rag.yaml', 'config/train.yaml', 'eval/metrics.json', 'checkpoints/adapter/adapter_config.json']) {
			const text = readFileSync(join(exampleWorkspacePath(), rel), 'utf8');
			const seen = assertAgreesWithFlatten(rel, text);
			assert.ok(seen.size > 3, `${rel}: found only ${[...seen].join(', ')}`);
		}
		const seen = assertAgreesWithFlatten('test.yaml', yaml);
		for (const path of ['stages[1].lr', 'flow["b.c"].d', 'copy', 'again', '16', 'merged', 'merged.top_p']) assert.ok(seen.has(path), path);
	});
});
