import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_SAFETENSORS_HEADER_BYTES, parseSafetensorsHeader, readSafetensorsHeader } from '../../src/core/parse/safetensors';
import { makeTempDir, removeDir, writeExampleAdapter, writeFile, parseErrorOf } from './fixtures';

/** Builds a safetensors file the way the reference writer does: u64 length, JSON header, data. */
function safetensorsBytes(header: Record<string, unknown>, dataBytes: number): Buffer {
	const json = Buffer.from(JSON.stringify(header), 'utf8');
	const length = Buffer.alloc(8);
	length.writeBigUInt64LE(BigInt(json.length));
	return Buffer.concat([length, json, Buffer.alloc(dataBytes, 0xab)]);
}


const dir = makeTempDir('safetensors');
after(() => removeDir(dir));

describe('parseSafetensorsHeader', () => {
	test('reads dtypes, shapes and metadata, tensors sorted by name', () => {
		const bytes = safetensorsBytes(
			{
				'z.weight': { dtype: 'BF16', shape: [2, 3], data_offsets: [16, 28] },
				__metadata__: { format: 'pt', epoch: 3 },
				'a.bias': { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
			},
			28,
		);
		const summary = parseSafetensorsHeader(bytes, 'w.safetensors');
		assert.deepEqual(Object.keys(summary.tensors), ['a.bias', 'z.weight']);
		assert.deepEqual(summary.tensors['a.bias'], { dtype: 'F32', shape: [4] });
		assert.deepEqual(summary.tensors['z.weight'], { dtype: 'BF16', shape: [2, 3] });
		// Non-string metadata is tolerated and kept as JSON text.
		assert.deepEqual(summary.metadata, { epoch: '3', format: 'pt' });
	});

	test('a header without __metadata__ has no metadata field', () => {
		const summary = parseSafetensorsHeader(safetensorsBytes({ s: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, 8), 's.safetensors');
		assert.deepEqual(summary, { tensors: { s: { dtype: 'I64', shape: [] } } });
	});

	test('unknown dtypes are accepted without a size check', () => {
		const summary = parseSafetensorsHeader(safetensorsBytes({ q: { dtype: 'F4', shape: [8], data_offsets: [0, 4] } }, 4), 'q.safetensors');
		assert.equal(summary.tensors.q.dtype, 'F4');
	});

	const invalid: [string, Buffer, RegExp][] = [
		['too short for the length field', Buffer.from([1, 2, 3]), /shorter than the 8-byte header length/],
		['a length beyond the file', (() => { const b = Buffer.alloc(64); b.writeBigUInt64LE(1000n); return b; })(), /only 56 bytes follow/],
		['a length beyond 100 MB', (() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(BigInt(MAX_SAFETENSORS_HEADER_BYTES) + 1n); return b; })(), /more than the 100 MB/],
		['a u64 length that would overflow a double', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7b, 0x7d]), /more than the 100 MB/],
		['a header that is not JSON', Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{oops')]), /not UTF-8 JSON/],
		['a header that is a list', safetensorsBytes([] as unknown as Record<string, unknown>, 0), /not a JSON object/],
		['offsets outside the data', safetensorsBytes({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /outside the 8 bytes of tensor data/],
		['offsets that disagree with the shape', safetensorsBytes({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }, 16), /needs 16 bytes but its offsets span 8/],
		['a negative dimension', safetensorsBytes({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0), /non-negative integers/],
		['no dtype', safetensorsBytes({ t: { shape: [1], data_offsets: [0, 4] } }, 4), /has no dtype/],
	];
	for (const [name, bytes, reason] of invalid) {
		test(`rejects ${name}`, () => {
			const err = parseErrorOf(() => parseSafetensorsHeader(bytes, 'checkpoints/bad.safetensors'));
			assert.equal(err.location?.file, 'checkpoints/bad.safetensors');
			assert.match(err.message, /^checkpoints\/bad\.safetensors is not a valid safetensors file: /);
			assert.match(err.message, reason);
			assert.ok(err.fix);
		});
	}
});

describe('readSafetensorsHeader', () => {
	test('reads the adapter written by the example script', () => {
		const path = writeExampleAdapter(join(dir, 'rank8'), { seed: 1, rank: 8 });
		const summary = readSafetensorsHeader(path, 'checkpoints/adapter/adapter_model.safetensors');
		const names = Object.keys(summary.tensors);
		assert.equal(names.length, 8);
		assert.deepEqual(summary.tensors['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'], { dtype: 'F32', shape: [8, 64] });
		assert.deepEqual(summary.tensors['base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight'], { dtype: 'F32', shape: [64, 8] });
		assert.deepEqual(summary.metadata, { format: 'pt' });
	});

	test('another rank changes the shapes; another seed changes only the bytes', () => {
		const rank4 = readSafetensorsHeader(writeExampleAdapter(join(dir, 'rank4'), { seed: 1, rank: 4 }), 'a');
		assert.deepEqual(rank4.tensors['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'].shape, [4, 64]);
		const seedA = writeExampleAdapter(join(dir, 'seedA'), { seed: 1 });
		const seedB = writeExampleAdapter(join(dir, 'seedB'), { seed: 2 });
		assert.notDeepEqual(readFileSync(seedA), readFileSync(seedB));
		assert.deepEqual(readSafetensorsHeader(seedA, 'a'), readSafetensorsHeader(seedB, 'b'));
	});

	test('never reads tensor data: a file whose data region is unreadable garbage still summarises', () => {
		// A sparse 3 GB file: reading the data would take seconds and gigabytes; the header read is instant.
		const header = { big: { dtype: 'U8', shape: [3_000_000_000], data_offsets: [0, 3_000_000_000] } };
		const path = writeFile(dir, 'sparse.safetensors', safetensorsBytes(header, 0));
		const fd = openSync(path, 'r+');
		try {
			writeSync(fd, Buffer.from([0]), 0, 1, 8 + Buffer.byteLength(JSON.stringify(header)) + 3_000_000_000 - 1);
		} finally {
			closeSync(fd);
		}
		const started = process.hrtime.bigint();
		const summary = readSafetensorsHeader(path, 'sparse.safetensors');
		const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
		assert.deepEqual(summary.tensors.big, { dtype: 'U8', shape: [3_000_000_000] });
		assert.ok(elapsedMs < 500, `header read took ${elapsedMs} ms`);
	});

	test('a truncated file is rejected by its real size', () => {
		const full = readFileSync(writeExampleAdapter(join(dir, 'trunc'), {}));
		const path = writeFile(dir, 'truncated.safetensors', full.subarray(0, full.length - 100));
		const err = parseErrorOf(() => readSafetensorsHeader(path, 'checkpoints/truncated.safetensors'));
		assert.equal(err.location?.file, 'checkpoints/truncated.safetensors');
		assert.match(err.message, /outside the \d+ bytes of tensor data/);
	});

	test('a pickle renamed to .safetensors is rejected, not executed', () => {
		// Protocol-2 pickle header bytes: read as a u64 length they are absurdly large.
		const path = writeFile(dir, 'model.safetensors', Buffer.from('80027d7100285805000000', 'hex'));
		const err = parseErrorOf(() => readSafetensorsHeader(path, 'model.safetensors'));
		assert.match(err.message, /not a valid safetensors file/);
	});
});
