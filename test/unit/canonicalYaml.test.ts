import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { canonicalYaml, parseCanonicalYaml } from '../../src/core/store/canonicalYaml';

const TRICKY_STRINGS = [
	'plain', 'prompts/system.md', '', ' lead', 'trail ', 'a: b', '#c', '- d', 'yes', 'No', 'null', '~', 'TRUE', '0.1.0', '1e5', '0x1F', '.inf', '-.inf', '.nan',
	'é ü 日本', 'line1\nline2', 'tab\t', '"q"', "'s'", '\\', '{a}', '[b]', '*x', '&y', '!t', '%p', '@a', '`b', '|', '>', '?', ',', 'a #b', 'a:b', '-', '---', '...',
	'u\u2028v', 'x\u0000y', 'a"b:c', '__proto__',
];
const TRICKY = {
	strings: TRICKY_STRINGS,
	numbers: [0, -1, 1.5, 1e21, 5e-7, -0, 12345678901234567890, 0.1 + 0.2],
	special: [NaN, Infinity, -Infinity, true, false, null],
	empty: { map: {}, list: [] },
	nested: [[], {}, [1, [2, {}]], { k: [] }, [{ a: 1, b: [{ c: 'd', 'e f': { g: [] } }] }]],
	keys: { 'b.c[0]': 1, '': 2, '0': 3, null: 4, 'a: b': { '"': [] }, 'with space': 'x' },
	artifacts: [{ path: 'prompts/a.md', role: 'prompt', sha256: 'ab'.repeat(32), size: 12, mode: 420 }],
};

describe('canonical YAML', () => {
	test('reads back as the same value with the yaml package and with the one-pass reader', () => {
		const text = canonicalYaml(TRICKY);
		assert.deepEqual(parse(text), TRICKY);
		assert.deepEqual(parseCanonicalYaml(text), TRICKY);
		for (const s of TRICKY_STRINGS) assert.equal((parse(canonicalYaml({ s })) as { s: string }).s, s, JSON.stringify(s));
	});

	test('sorts keys, so the same value always has the same bytes', () => {
		assert.equal(canonicalYaml({ b: 1, a: { d: 2, c: 3 } }), canonicalYaml({ a: { c: 3, d: 2 }, b: 1 }));
		assert.equal(canonicalYaml({ b: 1, a: [{ q: 1, p: 2 }], y: 'n' }), 'a:\n  - p: 2\n    q: 1\nb: 1\n"y": "n"\n');
	});

	test('the reader refuses anything outside the subset, so the caller falls back to yaml', () => {
		for (const text of ['a: 1\na: 2\n', 'a: |\n  x\n', 'a: 1 # c\n', "a: 'x'\n", 'a: 0.1.0\n', '- a\n  - b\n', 'a:\n - x\n', 'a:  1\n', '---\na: 1\n', 'a: &x 1\n', 'a: 1', '__proto__: 1\n']) {
			assert.equal(parseCanonicalYaml(text), undefined, JSON.stringify(text));
		}
		// What the yaml package itself wrote (older manifests) still reads through the fallback.
		const old = stringify({ label: '0.1.0', createdAt: '2025-01-01T00:00:00.000Z' }, { sortMapEntries: true });
		assert.equal(parseCanonicalYaml(old), undefined);
	});
});
