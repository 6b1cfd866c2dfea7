import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUtf8Text, looksBinary, stripBom } from '../../src/core/parse/textContent';

describe('looksBinary', () => {
	test('UTF-8 text, including non-ASCII and an empty file, is text', () => {
		assert.equal(looksBinary(Buffer.from('Réponds en français, sois concis. 日本語も可。 🚀\n')), false);
		assert.equal(looksBinary(Buffer.alloc(0)), false);
		assert.equal(looksBinary(Buffer.from('\uFEFFa: 1\n')), false);
	});

	test('a NUL byte in the first 8 KB means binary', () => {
		assert.equal(looksBinary(Buffer.from([0x61, 0x00, 0x62])), true);
		// UTF-16 text is full of NULs; we only parse UTF-8, so it is treated as binary.
		assert.equal(looksBinary(Buffer.from('\uFEFFhello', 'utf16le')), true);
	});

	test('invalid UTF-8 anywhere means binary, even past 8 KB', () => {
		assert.equal(looksBinary(Buffer.from([0x63, 0x61, 0x66, 0xe9])), true); // Latin-1 "café"
		const late = Buffer.concat([Buffer.alloc(20_000, 0x61), Buffer.from([0xff, 0xfe])]);
		assert.equal(looksBinary(late), true);
	});

	test('a multi-byte character across the 8 KB boundary is still text', () => {
		const text = Buffer.concat([Buffer.alloc(7999, 0x61), Buffer.from('é and more')]);
		assert.equal(looksBinary(text), false);
	});

	test('a real safetensors prefix is binary', () => {
		const prefix = Buffer.alloc(8);
		prefix.writeBigUInt64LE(120n);
		assert.equal(looksBinary(Buffer.concat([prefix, Buffer.from('{"__metadata__":{}}')])), true);
	});
});

describe('decodeUtf8Text and stripBom', () => {
	test('drop one leading byte-order mark only', () => {
		assert.equal(decodeUtf8Text(Buffer.from('\uFEFF{"a": 1}')), '{"a": 1}');
		assert.equal(stripBom('\uFEFF\uFEFFx'), '\uFEFFx');
		assert.equal(stripBom('x\uFEFF'), 'x\uFEFF');
	});

	test('decodes a view into a larger buffer without reading outside it', () => {
		const whole = Buffer.from('xxhello worldyy');
		assert.equal(decodeUtf8Text(whole.subarray(2, 13)), 'hello world');
	});
});
