// The plain-YAML reader against the yaml library itself: every text it reads must give what the
// library gives under parseStructured's options (and parse without errors or repeated keys there);
// texts with anything more must be left to the library. Thousands of generated configs mix the
// shapes it reads with the ones it must refuse (core-schema look-alikes, quotes, comments, bad
// indentation, sequences, anchors, repeated keys).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { readPlainYaml } from '../../src/core/parse/plainYaml';
import { parseStructured } from '../../src/core/parse/structuredFiles';

function library(text: string): { value: unknown; clean: boolean } {
	const doc = parseDocument(text, { prettyErrors: false, intAsBigInt: true, uniqueKeys: false, merge: true });
	const clean = doc.errors.length === 0 && doc.warnings.length === 0;
	return { value: clean ? doc.toJS({ maxAliasCount: 1000 }) : undefined, clean };
}

function prng(seed: number): () => number {
	let x = seed;
	return () => {
		x = (x * 48271) % 2147483647;
		return x / 2147483647;
	};
}

const KEYS = ['lr', 'model', 'top_k', 'chunk_size', 'a.b', 'x-y', '_private', 'y', 'n', 'on', 'off', 'yes', 'No', 'null', 'Null', 'NULL', 'nULL', 'true', 'TRUE', 'False', '1', '__proto__', '<<', 'a b', '"q"', "'q'", 'k:', '-k', '?k', 'e5', 'Infinity'];
const VALUES = [
	'0', '1', '-1', '+5', '-0', '007', '9007199254740993', '123456789012345678901234567890', '1_000', '0x1F', '0o17', '0b1', '12abc',
	'1.5', '1.', '.5', '-.5', '+.5e-3', '1e3', '1E3', '2.50', '.inf', '-.Inf', '.nan', 'NaN', 'Infinity', '1.2.3',
	'~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE', 'yes', 'no', 'on', 'y',
	'gpt-4o-mini', 'models/llama-3.1-8b', 'a b', 'a  b', 'a b  ', 'a #b', 'a#b', 'a # c', 'user@example.com', 'a=b', 'a,b', '(x)', '50%', 'x~y', 'a+b',
	'"quoted"', '"with # hash"', '"esc\\n"', '"a"b', "'single'", "'it''s'", "'x' # c", '"x" # c', '""', "''",
	'x: y', 'http://host/path', '@x', '`x', '- x', '[1, 2]', '{a: 1}', '&a x', '*a', '!tag x', '|', '>-', '%x', '# only a comment', '-', '?', ':',
	'é', 'naïve café', 'a\u00a0b',
];

/** Keys and values the reader must read (the rest of each list it must refuse or read as the library does). */
const PLAIN_KEYS = KEYS.slice(0, 11);
const PLAIN_VALUES = ['0', '1', '-1', '+5', '007', '9007199254740993', '1.5', '1.', '.5', '1e3', '2.50', '~', 'null', 'true', 'FALSE', 'yes', 'on', 'gpt-4o-mini', 'models/llama-3.1-8b', 'a b', 'a  b', 'a b  ', 'a # c', 'a=b', '"quoted"', '"with # hash"', "'single'", '""', 'é'];

function generate(rand: () => number): string {
	const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
	const key = () => (rand() < 0.9 ? pick(PLAIN_KEYS) : pick(KEYS));
	const value = () => (rand() < 0.85 ? pick(PLAIN_VALUES) : pick(VALUES));
	const lines: string[] = [];
	const step = rand() < 0.5 ? 2 : 4;
	let depth = 0;
	const count = 1 + Math.floor(rand() * 8);
	for (let i = 0; i < count; i++) {
		const r = rand();
		const indent = ' '.repeat(depth * step + (rand() < 0.03 ? 1 : 0));
		if (r < 0.08) lines.push(rand() < 0.5 ? '' : `${indent}# a comment`);
		else if (r < 0.3 && depth < 3) {
			lines.push(`${indent}${key()}:${rand() < 0.2 ? '  # section' : rand() < 0.1 ? '   ' : ''}`);
			if (rand() < 0.85) depth++;
		} else {
			lines.push(`${indent}${key()}: ${value()}`);
			if (depth > 0 && rand() < 0.25) depth -= 1 + Math.floor(rand() * depth);
		}
		if (rand() < 0.01) lines.push(pick(['---', '- item', '  continued text', '\tkey: 1', 'key: 1\r', '...']));
	}
	return lines.join('\n') + (rand() < 0.8 ? '\n' : '');
}

describe('plain YAML reader (issue 18 item 4)', () => {
	test('what it reads is exactly what the yaml library reads; what it refuses, the library reads', () => {
		const rand = prng(20261130);
		let read = 0;
		for (let i = 0; i < 30_000; i++) {
			const text = generate(rand);
			const plain = readPlainYaml(text);
			if (plain === undefined) continue;
			read++;
			const lib = library(text);
			assert.ok(lib.clean, `the library has errors or warnings for a text read as plain:\n${text}`);
			assert.deepStrictEqual(plain, lib.value, text);
		}
		// Both sides are exercised: most generated texts hold something the reader must refuse.
		assert.ok(read > 5_000 && read < 25_000, `read ${read} of 30,000`);
	});

	test('a repeated key, a sequence, an alias, a multi-line value, a key over 1024 characters or an empty text is left to the library', () => {
		for (const text of ['a: 1\na: 2\n', 'a:\n  - 1\n', 'a: &x 1\nb: *x\n', 'a: one\n  two\n', '', '# only\n', 'a: 1\n---\nb: 2\n', 'a:\n    b: 1\n  c: 2\n', '  a: 1\n', `${'k'.repeat(1100)}: 1\n`]) {
			assert.equal(readPlainYaml(text), undefined, text);
		}
	});

	test('parseStructured gives a plain config the same values through either reader', () => {
		const text = 'section_0:\n  chunk_size: 512\n  top_k: 8\n  model: answer\n  temperature: 0.2\n  enabled: true\n  stop: ~\nname: "rag #1"\n';
		assert.deepStrictEqual(parseStructured('config/c.yaml', text), library(text).value);
		assert.deepStrictEqual(readPlainYaml(text), { section_0: { chunk_size: 512n, top_k: 8n, model: 'answer', temperature: 0.2, enabled: true, stop: null }, name: 'rag #1' });
	});
});
