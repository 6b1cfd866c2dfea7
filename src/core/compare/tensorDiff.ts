// Which tensors of two safetensors files differ: header-level (added, removed, shape, dtype) from
// the manifests, and on request byte-level by hashing each tensor's bytes where the header's
// data_offsets say they are. The file is only read; nothing in it is executed or unpickled.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cancelled, LedgerError } from '../errors';
import type { SafetensorsSummary } from '../model';
import { readSafetensorsHeader } from '../parse/safetensors';

export interface TensorChange<T> {
	name: string;
	a: T;
	b: T;
}

export interface WeightsDiff {
	path: string;
	tensorsAdded: string[];
	tensorsRemoved: string[];
	shapeChanged: Array<TensorChange<number[]>>;
	dtypeChanged: Array<TensorChange<string>>;
	/** `__metadata__` keys whose value differs, was added or removed. */
	metadataChanged: string[];
	/** With `--tensors`: tensors in both files whose bytes differ (null when not hashed). */
	bytesChanged: string[] | null;
	/** With `--tensors`: how many tensors in both files have identical bytes. */
	bytesUnchanged: number | null;
}

/** Header-level comparison of two safetensors summaries (either may be absent: file added or removed). */
export function diffTensorHeaders(path: string, a: SafetensorsSummary | undefined, b: SafetensorsSummary | undefined): WeightsDiff {
	const ta = a?.tensors ?? {};
	const tb = b?.tensors ?? {};
	const diff: WeightsDiff = { path, tensorsAdded: [], tensorsRemoved: [], shapeChanged: [], dtypeChanged: [], metadataChanged: [], bytesChanged: null, bytesUnchanged: null };
	for (const name of Object.keys(tb)) if (!(name in ta)) diff.tensorsAdded.push(name);
	for (const name of Object.keys(ta)) {
		const before = ta[name];
		const after = tb[name];
		if (!after) {
			diff.tensorsRemoved.push(name);
			continue;
		}
		if (before.shape.join(',') !== after.shape.join(',')) diff.shapeChanged.push({ name, a: before.shape, b: after.shape });
		if (before.dtype !== after.dtype) diff.dtypeChanged.push({ name, a: before.dtype, b: after.dtype });
	}
	const ma = a?.metadata ?? {};
	const mb = b?.metadata ?? {};
	for (const key of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort()) if (ma[key] !== mb[key]) diff.metadataChanged.push(key);
	return diff;
}

export interface TensorSpan {
	name: string;
	/** Absolute byte offsets in the file. */
	start: number;
	end: number;
}

/** Where each tensor's bytes lie in a safetensors file (the header is validated first). */
export async function readTensorSpans(absPath: string, displayPath: string): Promise<TensorSpan[]> {
	readSafetensorsHeader(absPath, displayPath);
	const handle = await open(absPath, 'r');
	try {
		const prefix = Buffer.alloc(8);
		await handle.read(prefix, 0, 8, 0);
		const headerLength = Number(prefix.readBigUInt64LE(0));
		const header = Buffer.alloc(headerLength);
		await handle.read(header, 0, headerLength, 8);
		const entries = JSON.parse(header.toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
		const base = 8 + headerLength;
		return Object.keys(entries)
			.filter((name) => name !== '__metadata__')
			.sort()
			.map((name) => {
				const [begin, end] = entries[name].data_offsets ?? [0, 0];
				return { name, start: base + begin, end: base + end };
			});
	} finally {
		await handle.close();
	}
}

const CHUNK = 1024 * 1024;

/** sha256 of each tensor's bytes; `onBytes` is told how many bytes were read since the last call. */
export async function hashTensors(absPath: string, displayPath: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<Map<string, string>> {
	const spans = await readTensorSpans(absPath, displayPath);
	const hashes = new Map<string, string>();
	const handle = await open(absPath, 'r');
	const buffer = Buffer.alloc(CHUNK);
	try {
		for (const span of spans) {
			const hash = createHash('sha256');
			for (let at = span.start; at < span.end; ) {
				if (signal?.aborted) throw cancelled('Tensor comparison');
				const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, span.end - at), at);
				if (bytesRead === 0) throw new LedgerError({ code: 'LEDGER_ERROR', message: `${displayPath} ended inside tensor "${span.name}".`, fix: 'Verify the store (`model-ledger verify`).', location: { file: displayPath } });
				hash.update(buffer.subarray(0, bytesRead));
				at += bytesRead;
				onBytes?.(bytesRead);
			}
			hashes.set(span.name, hash.digest('hex'));
		}
	} finally {
		await handle.close();
	}
	return hashes;
}
