import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_LIST_MARKER, EMPTY_OBJECT_MARKER, flattenValues, forEachFlatValue, isStructuredPath, MAX_YAML_TREE_BYTES, offsetToLineColumn, ParsedFiles, parseStructured, parseYamlDocument } from '../../src/core/parse/structuredFiles';
import { flatKeyCount, HUGE_FILE_KEYS, yamlFlowTooDeep } from '../../src/core/parse/hugeFiles';
import { parseErrorOf } from './fixtures';


describe('isStructuredPath', () => {
	test('accepts yaml, yml, json and toml, in any case', () => {
		for (const path of ['config/rag.yaml', 'a.yml', 'eval/metrics.json', 'config/reranker.toml', 'CONFIG.YAML', 'x.Json']) {
			assert.equal(isStructuredPath(path), true, path);
		}
	});
	test('rejects everything else', () => {
		for (const path of ['prompts/system.md', 'dvc.lock', 'data/corpus.dvc', 'weights.safetensors', 'yaml', 'notes.json.bak', 'config.yaml/readme.txt']) {
			assert.equal(isStructuredPath(path), false, path);
		}
	});
});

describe('parseStructured', () => {
	test('parses YAML with comments, anchors, aliases and merge keys', () => {
		const text = '# retrieval\nbase: &base\n  top_k: 8\n  chunk_size: 256\nprod:\n  <<: *base\n  chunk_size: 512\ncopy: *base\n';
		assert.deepEqual(parseStructured('config/rag.yaml', text), { base: { top_k: 8n, chunk_size: 256n }, prod: { top_k: 8n, chunk_size: 512n }, copy: { top_k: 8n, chunk_size: 256n } });
	});

	test('YAML 1.2 core schema: yes/no and dates stay strings', () => {
		assert.deepEqual(parseStructured('a.yaml', 'flag: yes\nday: 2026-11-28\nreal: true\n'), { flag: 'yes', day: '2026-11-28', real: true });
	});

	test('parses JSON and TOML', () => {
		assert.deepEqual(parseStructured('m.json', '{"a": [1, {"b": null}]}'), { a: [1, { b: null }] });
		assert.deepEqual({ ...(parseStructured('p.toml', '[lora]\nr = 8\ntarget_modules = ["q_proj"]\n') as object) }, {
			lora: Object.assign(Object.create(null), { r: 8, target_modules: ['q_proj'] }),
		});
	});

	test('ignores a UTF-8 byte-order mark', () => {
		assert.deepEqual(parseStructured('m.json', '\uFEFF{"f1": 0.9}'), { f1: 0.9 });
		assert.deepEqual(parseStructured('m.yaml', '\uFEFFf1: 0.9\n'), { f1: 0.9 });
	});

	test('an empty YAML file is null, not an error', () => {
		assert.equal(parseStructured('empty.yaml', ''), null);
		assert.equal(parseStructured('comments.yml', '# nothing yet\n'), null);
	});

	test('malformed YAML reports file, line and column', () => {
		const err = parseErrorOf(() => parseStructured('config/rag.yaml', 'retriever:\n  top_k: 8\n  chunk_size: [512\nreranker: x\n'));
		assert.equal(err.location?.file, 'config/rag.yaml');
		assert.equal(err.location?.line, 4);
		assert.equal(typeof err.location?.column, 'number');
		assert.match(err.message, /Invalid YAML in config\/rag\.yaml/);
		assert.match(err.fix ?? '', /role `other`/);
		assert.match(err.toString(), /^config\/rag\.yaml:4:\d+: /);
	});

	test('issue 15 item 16: a duplicate YAML key takes the last value, as PyYAML does, with a file:line warning per repeat', () => {
		const warnings: string[] = [];
		assert.deepEqual(parseStructured('train.yaml', 'lr: 0.1\nepochs: 3\nlr: 0.2\nopt:\n  name: a\n  name: b\n', undefined, warnings), { lr: 0.2, epochs: 3n, opt: { name: 'b' } });
		assert.deepEqual(warnings, [
			'train.yaml:3: duplicate key `lr` (first at line 1); the last value is used, as PyYAML does.',
			'train.yaml:6: duplicate key `name` (first at line 5); the last value is used, as PyYAML does.',
		]);
		// Merge keys are not repeats.
		const merged: string[] = [];
		parseStructured('m.yaml', 'base: &b {x: 1}\na:\n  <<: *b\n  y: 2\n', undefined, merged);
		assert.deepEqual(merged, []);
	});

	test('duplicate keys are found in linear time: a 200,000-key mapping with its duplicate last (yaml\'s own check is quadratic: minutes)', () => {
		const keys = Array.from({ length: 200_000 }, (_, i) => `k${i}: ${i}`).join('\n');
		const started = Date.now();
		const warnings: string[] = [];
		// The YAML reader itself (model-ledger.yaml goes up to 8 MiB); params files over 2 MiB are not read into keys.
		parseYamlDocument('big.yaml', `${keys}\nk7: again\n`, undefined, warnings);
		assert.deepEqual(warnings, ['big.yaml:200001: duplicate key `k7` (first at line 8); the last value is used, as PyYAML does.']);
		assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
	});

	test('a YAML file with many values and aliases is refused from its token counts, before a tree is built', () => {
		const items = Array.from({ length: 200_000 }, (_, i) => i % 10).join(',');
		const text = `big: &big [${items}]\n${Array.from({ length: 999 }, (_, i) => `k${i}: *big`).join('\n')}\n`;
		const err = parseErrorOf(() => parseStructured('wide.yaml', text));
		assert.match(err.message, /999 YAML aliases in a file of \d{3},\d{3} values, so its aliases could expand to more than 1,000,000 values/);
		// A small file with an alias is still read exactly, and `*x` inside a block scalar is text.
		assert.deepEqual(flattenValues(parseStructured('ok.yaml', 'a: &x [1, 2]\nb: *x\nc: |\n  *text\n')), { 'a[0]': 1, 'a[1]': 2, 'b[0]': 1, 'b[1]': 2, c: '*text\n' });
	});

	test('a YAML alias without its anchor is an error at the alias', () => {
		const err = parseErrorOf(() => parseStructured('a.yaml', 'a: 1\nb:\n  c: *missing\n'));
		assert.equal(err.location?.line, 3);
		assert.equal(err.location?.column, 6);
		assert.match(err.message, /missing/);
	});

	test('several YAML documents are refused, pointing at the second `---`', () => {
		const err = parseErrorOf(() => parseStructured('multi.yaml', 'a: 1\n---\nb: 2\n'));
		assert.equal(err.location?.file, 'multi.yaml');
		assert.equal(err.location?.line, 2);
		assert.match(err.message, /more than one YAML document/);
		assert.match(err.fix ?? '', /separate files/);
		// One document with a leading marker is fine.
		assert.deepEqual(parseStructured('single.yaml', '---\na: 1\n'), { a: 1n });
	});

	test('malformed JSON reports the line and column of the offending character', () => {
		const text = '{\n  "faithfulness": 0.91,\n  "latency_p95_ms": 1840,\n}\n';
		const err = parseErrorOf(() => parseStructured('eval/metrics.json', text));
		assert.equal(err.location?.file, 'eval/metrics.json');
		assert.equal(err.location?.line, 4);
		assert.equal(err.location?.column, 1);
		assert.match(err.message, /^Invalid JSON in eval\/metrics\.json: /);
		assert.doesNotMatch(err.message, /position \d+/);
	});

	test('JSON as Python writes it: bare NaN, Infinity and -Infinity parse as their names', () => {
		// json.dump(allow_nan=True), Python's default: what eval scripts write for an undefined metric.
		const text = '{"snr": Infinity, "loss": NaN, "scores": [-Infinity, 1.5, NaN], "note": "NaN, Infinity: [NaN]", "NaN": 1}';
		assert.deepEqual(flattenValues(parseStructured('eval/results.json', text)), {
			snr: 'Infinity',
			loss: 'NaN',
			'scores[0]': '-Infinity',
			'scores[1]': 1.5,
			'scores[2]': 'NaN',
			note: 'NaN, Infinity: [NaN]',
			NaN: 1,
		});
		assert.equal(parseStructured('m.json', 'NaN'), 'NaN');
	});

	test('a file with NaN and another error reports that error, at its place', () => {
		const err = parseErrorOf(() => parseStructured('eval/results.json', '{"loss": NaN,\n "acc": 0.9,\n}'));
		assert.equal(err.location?.line, 3);
		assert.equal(err.location?.column, 1);
		const sameLine = parseErrorOf(() => parseStructured('m.json', '{"a": NaN, "b": x}'));
		assert.deepEqual([sameLine.location?.line, sameLine.location?.column], [1, 17], 'the column of x in the file as written');
		assert.match(parseErrorOf(() => parseStructured('m.json', '{"a": NaNa}')).message, /Invalid JSON/, 'NaNa is not NaN');
		assert.match(parseErrorOf(() => parseStructured('m.json', '{"a": Infinityy}')).message, /Invalid JSON/);
	});

	test('truncated JSON points at its end', () => {
		const err = parseErrorOf(() => parseStructured('m.json', '{\n  "a": [1, 2,\n'));
		assert.equal(err.location?.line, 3);
		assert.equal(err.location?.column, 1);
		assert.match(err.message, /ends before the JSON value is complete/);
	});

	test('malformed TOML reports line and column from smol-toml', () => {
		const err = parseErrorOf(() => parseStructured('config/reranker.toml', '[model]\nbase = "x"\nmax_length = = 384\n'));
		assert.equal(err.location?.file, 'config/reranker.toml');
		assert.equal(err.location?.line, 3);
		assert.equal(err.location?.column, 14);
		assert.match(err.message, /^Invalid TOML in config\/reranker\.toml: /);
		assert.doesNotMatch(err.message, /\n/);
	});

	test('a file of another type is a ParseError naming it', () => {
		const err = parseErrorOf(() => parseStructured('prompts/system.md', 'hello'));
		assert.equal(err.location?.file, 'prompts/system.md');
	});

	test('YAML over 2 MB is refused before its tree is built; the same keys as JSON, or just under the limit, are read', () => {
		const line = (i: number) => `key_${String(i).padStart(6, '0')}: ${i % 10}\n`; // 14 bytes
		const under = Array.from({ length: Math.floor(MAX_YAML_TREE_BYTES / 14) }, (_, i) => line(i)).join('');
		assert.ok(Buffer.byteLength(under) <= MAX_YAML_TREE_BYTES);
		assert.equal((parseStructured('config/params.yaml', under) as Record<string, bigint>).key_000007, 7n);
		const over = `${under}${line(999_999)}`;
		const err = parseErrorOf(() => parseStructured('config/params.yaml', over));
		assert.equal(err.location?.file, 'config/params.yaml');
		assert.match(err.message, /config\/params\.yaml is 2\.0 MB of YAML, more than the 2\.0 MB read into keys/);
		assert.match(err.fix ?? '', /as JSON/);
		// Multi-byte characters count as bytes: 700,000 of them are 2.1 MB though the text has 0.7 M characters.
		assert.ok(parseErrorOf(() => parseStructured('config/params.yml', `note: "${'é'.repeat(1_100_000)}"\n`)));
		const json = JSON.stringify(Object.fromEntries(Array.from({ length: 160_000 }, (_, i) => [`key_${i}`, i % 10])));
		assert.ok(json.length > MAX_YAML_TREE_BYTES);
		assert.equal((parseStructured('eval/results.json', json) as Record<string, number>).key_7, 7);
	});
});

describe('offsetToLineColumn', () => {
	test('counts lines and 1-based columns, CRLF as one break', () => {
		assert.deepEqual(offsetToLineColumn('ab\ncd', 0), { line: 1, column: 1 });
		assert.deepEqual(offsetToLineColumn('ab\ncd', 4), { line: 2, column: 2 });
		assert.deepEqual(offsetToLineColumn('a\r\nb', 3), { line: 2, column: 1 });
		assert.deepEqual(offsetToLineColumn('ab', 99), { line: 1, column: 3 });
	});
});

describe('flattenValues', () => {
	test('nested mappings become dotted paths, list items [i]', () => {
		const flat = flattenValues({
			retriever: { top_k: 8, filters: { status: ['published', 'draft'] } },
			stages: [{ name: 'embed', workers: 4 }],
		});
		assert.deepEqual(flat, {
			'retriever.top_k': 8,
			'retriever.filters.status[0]': 'published',
			'retriever.filters.status[1]': 'draft',
			'stages[0].name': 'embed',
			'stages[0].workers': 4,
		});
	});

	test('keys with dots, brackets, spaces or quotes are quoted', () => {
		const flat = flattenValues({ models: { 'gpt-4o.mini': { 'max tokens': 600 }, 'a[0]': 1, 'say "hi"': true, '': 'empty' }, 'x.y': 2 });
		assert.deepEqual(flat, {
			'models["gpt-4o.mini"]["max tokens"]': 600,
			'models["a[0]"]': 1,
			'models["say \\"hi\\""]': true,
			'models[""]': 'empty',
			'["x.y"]': 2,
		});
	});

	test('a quoted key and a nested one never collide', () => {
		const flat = flattenValues({ 'a.b': 1, a: { b: 2 } });
		assert.equal(flat['["a.b"]'], 1);
		assert.equal(flat['a.b'], 2);
		assert.equal(Object.keys(flat).length, 2);
	});

	test('empty containers are kept as markers; an empty document records nothing', () => {
		assert.deepEqual(flattenValues({ stop: [], extra: {}, tags: ['x'] }), { stop: EMPTY_LIST_MARKER, extra: EMPTY_OBJECT_MARKER, 'tags[0]': 'x' });
		assert.equal(EMPTY_LIST_MARKER, '[]');
		assert.equal(EMPTY_OBJECT_MARKER, '{}');
		assert.deepEqual(flattenValues({}), {});
		assert.deepEqual(flattenValues([]), {});
		assert.deepEqual(flattenValues(null), {});
	});

	test('a scalar document is recorded under the empty path', () => {
		assert.deepEqual(flattenValues(0.83), { '': 0.83 });
	});

	test('numbers stay numbers; NaN, ±Infinity, bigints and dates become JSON-safe', () => {
		const flat = flattenValues({
			f1: 0.5,
			neg0: -0,
			nan: NaN,
			inf: Infinity,
			ninf: -Infinity,
			small: 42n,
			huge: 12345678901234567890n,
			when: new Date(Date.UTC(2026, 10, 28, 14, 30)),
			flag: false,
			none: null,
		});
		assert.deepEqual(flat, {
			f1: 0.5,
			neg0: 0,
			nan: 'NaN',
			inf: 'Infinity',
			ninf: '-Infinity',
			small: 42,
			huge: '12345678901234567890',
			when: '2026-11-28T14:30:00.000Z',
			flag: false,
			none: null,
		});
		assert.ok(Object.is(flat.neg0, 0));
		// The result must survive a JSON round trip unchanged, since manifests are serialised.
		assert.deepEqual(JSON.parse(JSON.stringify(flat)), flat);
	});

	test('TOML local dates and times keep their own form', () => {
		const flat = flattenValues(parseStructured('t.toml', 'day = 2026-11-28\nat = 07:30:00\nlocal = 2026-11-28T07:30:00\n'));
		assert.deepEqual(flat, { day: '2026-11-28', at: '07:30:00.000', local: '2026-11-28T07:30:00.000' });
	});

	test('big YAML integers keep every digit', () => {
		const flat = flattenValues(parseStructured('s.yaml', 'seed: 18446744073709551615\nsteps: 1000\nlr: 3.0e-4\n'));
		assert.deepEqual(flat, { seed: '18446744073709551615', steps: 1000, lr: 0.0003 });
	});

	test('a key named __proto__ is an ordinary entry', () => {
		const flat = flattenValues(JSON.parse('{"__proto__": {"polluted": 1}}'));
		assert.equal(Object.getPrototypeOf(flat), Object.prototype);
		assert.deepEqual(Object.keys(flat), ['__proto__.polluted']);
		assert.equal(({} as Record<string, unknown>).polluted, undefined);
	});

	test('YAML parsed end to end keeps source order', () => {
		const flat = flattenValues(parseStructured('rag.yaml', 'retriever:\n  top_k: 8   # candidates\n  chunk_size: 512\nreranker:\n  enabled: true\n'));
		assert.deepEqual(Object.entries(flat), [
			['retriever.top_k', 8],
			['retriever.chunk_size', 512],
			['reranker.enabled', true],
		]);
	});
});

describe('huge-file rule: deciding "huge" (issue 18 item 2)', () => {
	test('a 100,000-record file is found huge after reading about HUGE_FILE_KEYS of its values, not all of them', () => {
		let reads = 0;
		// Plain objects whose values count their reads (a getter is an ordinary own property).
		const records = Array.from({ length: 100_000 }, (_, i) => ({
			id: `q${i}`,
			get score() {
				reads++;
				return i % 7;
			},
		}));
		assert.equal(flatKeyCount({ accuracy: 0.9, per_sample: records }, HUGE_FILE_KEYS), HUGE_FILE_KEYS + 1);
		assert.ok(reads <= HUGE_FILE_KEYS, `read ${reads} values of 100,000 records (walking every record made a snapshot of such a file take seconds)`);
	});

	test('below the cap the count is exact: shared values count once per place, empty containers count one, a cycle ends', () => {
		const shared = { a: 1, b: [1, 2, 3] };
		const value = { x: shared, y: shared, empty: {}, list: [], n: null, deep: [[[]]] };
		assert.equal(flatKeyCount(value, HUGE_FILE_KEYS), Object.keys(flattenValues(value)).length);
		assert.equal(flatKeyCount(value, 5), 6, 'saturates at cap + 1');
		const cyclic: Record<string, unknown> = { a: 1 };
		cyclic.self = cyclic;
		assert.ok(flatKeyCount(cyclic, 100) >= 1);
		assert.equal(flatKeyCount(null, 10), 0);
		assert.equal(flatKeyCount('scalar', 10), 1);
	});

	test('forEachFlatValue visits exactly what flattenValues records, in the same order', () => {
		const value = { a: { b: [1, { c: 'x' }, []], 'd.e': new Map<unknown, unknown>([['k', 1], ['z', {}]]) }, s: new Set([1, 2]), last: true };
		const visited: Array<[string, unknown]> = [];
		forEachFlatValue(value, (path, leaf) => visited.push([path, leaf]));
		assert.deepEqual(visited, Object.entries(flattenValues(value)));
		assert.deepEqual(
			visited.map(([p]) => p),
			['a.b[0]', 'a.b[1].c', 'a.b[2]', 'a["d.e"].k', 'a["d.e"].z', 's[0]', 's[1]', 'last'],
		);
	});
});

describe('ParsedFiles (issue 18 item 4: a snapshot parses each config once)', () => {
	test('the same text is parsed once and its warnings given to every reader; a changed text is parsed again', () => {
		const parsed = new ParsedFiles();
		const text = 'a: 1\na: 2\nb: [x]\n';
		const first: string[] = [];
		const value = parsed.parse('c.yaml', text, first);
		const second: string[] = [];
		assert.equal(parsed.parse('c.yaml', `${text}`, second), value, 'the same parsed value, not a second parse');
		assert.deepEqual(second, first);
		assert.equal(first.length, 1, 'the duplicate key warning');
		const changed = parsed.parse('c.yaml', 'a: 3\n');
		assert.notEqual(changed, value);
		assert.deepEqual(flattenValues(changed), { a: 3 });
		assert.throws(() => parsed.parse('bad.json', '{'), /Invalid JSON|JSON/);
	});
});

describe('yamlFlowTooDeep (flow collections nested past the limit are refused before parsing)', () => {
	test('real nesting is found, with its line; brackets in quotes, comments and plain scalars are text', () => {
		assert.equal(yamlFlowTooDeep('a: [1, [2, {b: 3}]]\n', 2)?.depth, 3);
		assert.equal(yamlFlowTooDeep('a: [1, [2, {b: 3}]]\n', 3), undefined);
		assert.deepEqual(yamlFlowTooDeep(`a: 1\nb: 2\nc: ${'['.repeat(10)}\n`, 5), { depth: 6, line: 3 });
		const text = `q: "${'['.repeat(50)}"\nc: '${'{'.repeat(50)}' # ${'['.repeat(50)}\np: a${'['.repeat(50)}\nr: [x]\n`;
		assert.equal(yamlFlowTooDeep(text, 5), undefined);
	});

	test('quotes cannot hide nesting: `["]", ["]", …` and `[don\'t, [` nest as deep as they look', () => {
		assert.equal(yamlFlowTooDeep(`x: ${'["]", '.repeat(20)}\n`, 10)?.depth, 11);
		assert.equal(yamlFlowTooDeep(`x: ${"[don't, ".repeat(20)}\n`, 10)?.depth, 11);
	});

	test('parseYamlDocument refuses a params file nested 100,000 deep with its line, fast', () => {
		const started = Date.now();
		const err = parseErrorOf(() => parseYamlDocument('config/deep.yaml', `a: 1\nx: ${'['.repeat(100_000)}\n`));
		assert.match(err.message, /config\/deep\.yaml is refused: its `\[`\/`\{` collections nest more than 256 levels deep/);
		assert.equal(err.location?.line, 2);
		assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
	});
});
