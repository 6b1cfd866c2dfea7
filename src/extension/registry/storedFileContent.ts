// What a stored file looks like as a document: text artifacts are their bytes; weights and other
// binary files become a readable summary (size, sha256, the safetensors tensor table from the
// manifest), never megabytes of bytes in an editor. No `vscode` import: unit-tested directly.
import { maxOf } from '../../core/bulkArrays';
import type { ArtifactRecord, SafetensorsSummary } from '../../core/model';
import { looksBinary } from '../../core/parse/textContent';
import { formatBytes } from '../../core/byteSize';

export const STORED_FILE_SCHEME = 'model-ledger';

/** What a `model-ledger:` URI's query carries; the URI's path is the artifact's workspace path. */
export interface StoredFileRef {
	/** Workspace folder root (absolute path). */
	root: string;
	model: string;
	digest: string;
	/** The version's short name for display (`v3`); not used to resolve. */
	name?: string;
}

/** Files larger than this are summarised even when they are text: an editor is not a hex dump. */
export const MAX_TEXT_BYTES = 20 * 1024 * 1024;

const BINARY_EXTENSIONS = /\.(safetensors|bin|pt|pth|ckpt|onnx|gguf|ggml|pkl|pickle|joblib|npy|npz|h5|hdf5|parquet|arrow|feather|tflite|pb|msgpack|zip|gz|tgz|zst|tar|7z|png|jpe?g|gif|webp|pdf)$/i;

export function encodeStoredFileQuery(ref: StoredFileRef): string {
	const { root, model, digest, name } = ref;
	return JSON.stringify(name ? { root, model, digest, name } : { root, model, digest });
}

/** Parses a `model-ledger:` URI's query; throws a readable error for anything else. */
export function decodeStoredFileQuery(query: string): StoredFileRef {
	let value: unknown;
	try {
		value = JSON.parse(query);
	} catch {
		throw new Error(`not a Model Ledger file reference: ${query.slice(0, 80)}`);
	}
	const v = value as Partial<StoredFileRef>;
	if (typeof v?.root !== 'string' || typeof v.model !== 'string' || typeof v.digest !== 'string' || !/^[0-9a-f]{64}$/.test(v.digest)) {
		throw new Error(`not a Model Ledger file reference (needs root, model and a 64-hex digest): ${query.slice(0, 80)}`);
	}
	return { root: v.root, model: v.model, digest: v.digest, ...(typeof v.name === 'string' ? { name: v.name } : {}) };
}

/**
 * Whether an artifact is shown as a summary: weights and known binary formats always (their
 * bytes are never read), large files, and anything whose first bytes look binary.
 */
export function showsAsSummary(artifact: Pick<ArtifactRecord, 'path' | 'role' | 'size'>, head?: Uint8Array): boolean {
	if (artifact.role === 'weights' || BINARY_EXTENSIONS.test(artifact.path)) return true;
	if (artifact.size > MAX_TEXT_BYTES) return true;
	return head !== undefined && looksBinary(head);
}

/** The text shown in place of a binary file's bytes. */
export function binarySummary(input: { model: string; versionName: string; artifact: ArtifactRecord; weights?: SafetensorsSummary; stored: boolean }): string {
	const { artifact, weights } = input;
	const lines = [
		`${artifact.path} — ${input.model} ${input.versionName}`,
		'',
		`Binary file, shown as a summary (its bytes are in the object store, not in this editor).`,
		'',
		`role     ${artifact.role}`,
		`size     ${formatBytes(artifact.size)} (${artifact.size.toLocaleString('en-US')} bytes)`,
		`sha256   ${artifact.sha256}`,
		`stored   ${input.stored ? 'yes' : 'no (recorded by reference, or removed by gc)'}`,
	];
	if (weights) {
		const entries = Object.entries(weights.tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		const params = entries.reduce((n, [, t]) => n + t.shape.reduce((p, d) => p * d, 1), 0);
		lines.push('', `safetensors: ${entries.length} tensors, ${params.toLocaleString('en-US')} parameters`, '');
		const nameWidth = Math.min(80, maxOf(entries.map(([n]) => n.length), 6));
		lines.push(`${'tensor'.padEnd(nameWidth)}  ${'dtype'.padEnd(6)}  shape`);
		for (const [name, t] of entries) lines.push(`${name.padEnd(nameWidth)}  ${t.dtype.padEnd(6)}  [${t.shape.join(', ')}]`);
		const metadata = Object.entries(weights.metadata ?? {});
		if (metadata.length) {
			lines.push('', 'metadata:');
			for (const [k, val] of metadata) lines.push(`  ${k}: ${val}`);
		}
	}
	return lines.join('\n') + '\n';
}
