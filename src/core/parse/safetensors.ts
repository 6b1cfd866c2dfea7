// Reads the header of a .safetensors file — tensor names, dtypes, shapes, metadata — without
// touching the tensor bytes. Weights are data: nothing here executes or unpickles anything.
import { setOwn } from '../ownKeys';
import { closeSync, fstatSync, readSync } from 'node:fs';
import { ParseError } from '../errors';
import { HUGE_FILE_KEYS, SUMMARY_KEYS_MAX } from './hugeFiles';
import type { SafetensorsSummary, TensorInfo } from '../model';
import { openRegularFileSync } from '../store/boundedRead';

/** The reference implementation refuses headers above 100 MB; so do we, before allocating. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
/**
 * Headers above this are not parsed (JSON.parse of 94 MB holds about 1 GB): the tensors are counted
 * by their `data_offsets` and the file is summarised under the huge-file rule. 16 MB is ~200,000
 * tensors; the largest real single files (MoE checkpoints) list a few tens of thousands.
 */
export const MAX_PARSED_HEADER_BYTES = 16 * 1024 * 1024;

// Bytes per element, per the safetensors spec; sub-byte and future dtypes are accepted without a size check.
const DTYPE_BYTES: Record<string, number> = {
	BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	I64: 8, U64: 8, F64: 8, C64: 8,
};

const NOT_SAFETENSORS_FIX = 'Check that the file is a complete safetensors file (re-download or re-export it), or give it the role `other`.';

/** Reads only the 8-byte length and the JSON header of a safetensors file and summarises it. */
export function readSafetensorsHeader(absPath: string, displayPath: string): SafetensorsSummary {
	const fd = openRegularFileSync(absPath, displayPath);
	try {
		const fileSize = fstatSync(fd).size;
		const prefix = Buffer.alloc(8);
		if (fileSize < 8 || readSync(fd, prefix, 0, 8, 0) !== 8) {
			throw invalid(displayPath, `it is ${fileSize} bytes long, shorter than the 8-byte header length`);
		}
		const headerLength = checkedHeaderLength(prefix, fileSize, displayPath);
		const header = Buffer.alloc(headerLength);
		let read = 0;
		while (read < headerLength) {
			const n = readSync(fd, header, read, headerLength - read, 8 + read);
			if (n === 0) throw invalid(displayPath, 'the file ended inside its header');
			read += n;
		}
		return summariseHeader(header, fileSize - 8 - headerLength, displayPath);
	} finally {
		closeSync(fd);
	}
}

/**
 * Parses a safetensors header from the file's leading bytes (at least 8 + header length of them).
 * `fileSize` is the whole file's size, used to check the tensors' offsets; it defaults to `buf.length`.
 */
export function parseSafetensorsHeader(buf: Uint8Array, displayPath: string, fileSize: number = buf.length): SafetensorsSummary {
	const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
	if (bytes.length < 8) throw invalid(displayPath, `it is ${bytes.length} bytes long, shorter than the 8-byte header length`);
	const headerLength = checkedHeaderLength(bytes, fileSize, displayPath);
	if (bytes.length < 8 + headerLength) throw invalid(displayPath, 'the file ended inside its header');
	return summariseHeader(bytes.subarray(8, 8 + headerLength), fileSize - 8 - headerLength, displayPath);
}

function checkedHeaderLength(prefix: Buffer, fileSize: number, displayPath: string): number {
	const length = prefix.readBigUInt64LE(0);
	if (length > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
		throw invalid(displayPath, `its header length field says ${length} bytes, more than the 100 MB safetensors allows`);
	}
	if (length > BigInt(fileSize - 8)) {
		throw invalid(displayPath, `its header length field says ${length} bytes but only ${fileSize - 8} bytes follow it`);
	}
	if (length < 2n) throw invalid(displayPath, `its header length field says ${length} bytes, too short for a JSON header`);
	return Number(length);
}

function summariseHeader(header: Buffer, dataSize: number, displayPath: string): SafetensorsSummary {
	if (header.length > MAX_PARSED_HEADER_BYTES) return { tensors: {}, huge: { tensorCount: countOccurrences(header, '"data_offsets"'), headerBytes: header.length } };
	let parsed: unknown;
	try {
		const text = new TextDecoder('utf-8', { fatal: true }).decode(header);
		parsed = JSON.parse(text);
	} catch (err) {
		throw invalid(displayPath, `its header is not UTF-8 JSON (${(err as Error).message})`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw invalid(displayPath, 'its header is not a JSON object');
	}
	const entries = parsed as Record<string, unknown>;
	const names = Object.keys(entries).filter((key) => key !== '__metadata__');
	let summary: SafetensorsSummary;
	if (names.length > HUGE_FILE_KEYS) {
		// Huge: every tensor is checked, but only the counts are kept.
		const dtypes: Record<string, number> = Object.create(null) as Record<string, number>;
		let parameters = 0;
		for (const name of names) {
			const info = tensorInfo(name, entries[name], dataSize, displayPath);
			dtypes[info.dtype] = (dtypes[info.dtype] ?? 0) + 1;
			parameters += info.shape.reduce((product, d) => product * d, 1);
		}
		summary = { tensors: {}, huge: { tensorCount: names.length, headerBytes: header.length, parameters, dtypes: sortedRecord(dtypes) } };
	} else {
		const tensors: Record<string, TensorInfo> = {};
		// Sorted so a re-export that only reorders the header does not read as a change.
		for (const name of names.sort()) setOwn(tensors, name, tensorInfo(name, entries[name], dataSize, displayPath));
		summary = { tensors };
	}
	const metadata = entries.__metadata__;
	if (metadata !== undefined && metadata !== null) {
		if (typeof metadata !== 'object' || Array.isArray(metadata)) throw invalid(displayPath, '`__metadata__` in its header is not an object');
		summary.metadata = {};
		for (const key of Object.keys(metadata).sort().slice(0, SUMMARY_KEYS_MAX)) {
			const value = (metadata as Record<string, unknown>)[key];
			// The spec says string → string; writers that put numbers there are tolerated, not rejected.
			setOwn(summary.metadata, key, typeof value === 'string' ? value : JSON.stringify(value));
		}
	}
	return summary;
}

function tensorInfo(name: string, raw: unknown, dataSize: number, displayPath: string): TensorInfo {
	if (typeof raw !== 'object' || raw === null) throw invalid(displayPath, `tensor "${name}" in its header is not an object`);
	const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
	if (typeof dtype !== 'string' || dtype === '') throw invalid(displayPath, `tensor "${name}" has no dtype`);
	if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
		throw invalid(displayPath, `tensor "${name}" has a shape that is not a list of non-negative integers`);
	}
	if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
		throw invalid(displayPath, `tensor "${name}" has no valid data_offsets`);
	}
	const [begin, end] = offsets as [number, number];
	if (begin > end || end > dataSize) {
		throw invalid(displayPath, `tensor "${name}" points at bytes ${begin}–${end}, outside the ${dataSize} bytes of tensor data`);
	}
	const elementBytes = DTYPE_BYTES[dtype];
	if (elementBytes !== undefined) {
		const expected = (shape as number[]).reduce((product, d) => product * d, 1) * elementBytes;
		if (expected !== end - begin) {
			throw invalid(displayPath, `tensor "${name}" (${dtype} [${shape.join(', ')}]) needs ${expected} bytes but its offsets span ${end - begin}`);
		}
	}
	return { dtype, shape: [...(shape as number[])] };
}

function invalid(displayPath: string, reason: string): ParseError {
	return new ParseError(`${displayPath} is not a valid safetensors file: ${reason}.`, { file: displayPath }, NOT_SAFETENSORS_FIX);
}

function countOccurrences(bytes: Buffer, needle: string): number {
	const pattern = Buffer.from(needle);
	let count = 0;
	for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + pattern.length)) count++;
	return count;
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
	return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
