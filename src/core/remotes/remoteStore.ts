// Where blobs travel beyond one machine: a remote holds the same content-addressed objects as the
// local store, under `<prefix>/objects/sha256/<2>/<62>`. Two kinds: S3-compatible storage and a
// shared folder. A remote never sees a credential from us: S3 uses the AWS SDK's default chain.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cancelled, LedgerError } from '../errors';
import type { RemoteConfig, WorkspaceConfig } from '../parse/workspaceConfig';
import { CONFIG_FILE } from '../parse/workspaceConfig';

const CHUNK = 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;

export interface RemoteStore {
	readonly config: RemoteConfig;
	/** Every object on the remote: sha256 → size (one listing; S3 pages through 1000 keys a call). */
	list(signal?: AbortSignal): Promise<Map<string, number>>;
	/** Size of one object on the remote, or undefined when it is not there. */
	stat(sha256: string, signal?: AbortSignal): Promise<number | undefined>;
	/**
	 * Uploads one object; it appears on the remote whole or not at all. `body` yields its bytes and
	 * throws at the end when they do not hash to `sha256`, which aborts the upload.
	 */
	upload(sha256: string, size: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): Promise<void>;
	/** The object's bytes as stored on the remote (unverified: the caller checks the hash); undefined when absent. */
	download(sha256: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array> | undefined>;
	/** Releases connections. */
	close(): void;
}

/** Where a remote's objects start: `<prefix>/objects/sha256/`. */
export function objectsPrefix(prefix: string): string {
	return `${prefix ? `${prefix}/` : ''}objects/sha256/`;
}

/** The key (or relative path) of an object on a remote. */
export function objectKey(prefix: string, sha256: string): string {
	if (!SHA256.test(sha256)) throw new LedgerError({ code: 'LEDGER_ERROR', message: `Not a sha256: \`${sha256}\`.` });
	return `${objectsPrefix(prefix)}${sha256.slice(0, 2)}/${sha256.slice(2)}`;
}

/** The sha256 a key names, or undefined for anything else under the prefix (tmp files, foreign keys). */
export function shaOfKey(prefix: string, key: string): string | undefined {
	const head = objectsPrefix(prefix);
	if (!key.startsWith(head)) return undefined;
	const m = /^([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(key.slice(head.length));
	return m ? m[1] + m[2] : undefined;
}

/** How a remote is shown in messages: its name and url (which never holds credentials). */
export function describeRemote(config: RemoteConfig): string {
	return `remote \`${config.name}\` (${config.url}${config.endpoint ? ` at ${config.endpoint}` : ''})`;
}

/** The remote to use: `name`, else `default_remote`, else the only one. Throws with a fix when none fits. */
export function selectRemote(config: WorkspaceConfig, name?: string): RemoteConfig {
	const remotes = config.remotes ?? [];
	if (remotes.length === 0) {
		throw new LedgerError({
			code: 'NO_REMOTE',
			message: `No remote is configured in ${CONFIG_FILE}.`,
			fix: 'Add e.g. `remotes: { team: { url: "s3://bucket/prefix" } }` (or `url: file:///mnt/shared/ledger`) and `default_remote: team`.',
			location: { file: CONFIG_FILE },
		});
	}
	if (name !== undefined) {
		const found = remotes.find((r) => r.name === name);
		if (!found) throw new LedgerError({ code: 'UNKNOWN_REMOTE', message: `Unknown remote \`${name}\`.`, fix: `Remotes in ${CONFIG_FILE}: ${remotes.map((r) => r.name).join(', ')}.`, location: { file: CONFIG_FILE } });
		return found;
	}
	if (config.defaultRemote) return remotes.find((r) => r.name === config.defaultRemote)!;
	if (remotes.length === 1) return remotes[0];
	throw new LedgerError({
		code: 'NO_DEFAULT_REMOTE',
		message: `${remotes.length} remotes are configured and none is the default.`,
		fix: `Pass --remote NAME (one of ${remotes.map((r) => r.name).join(', ')}) or set \`default_remote\` in ${CONFIG_FILE}.`,
		location: { file: CONFIG_FILE },
	});
}

/** Multipart tuning for S3 uploads: parts of `partSize` bytes (≥ 5 MiB), `queueSize` in flight per object. */
export interface MultipartOptions {
	partSize?: number;
	queueSize?: number;
}

/** Opens a remote. The S3 client (the AWS SDK) is loaded only here, only for s3:// remotes. */
export async function openRemote(config: RemoteConfig, multipart: MultipartOptions = {}): Promise<RemoteStore> {
	if (config.kind === 'file') {
		const { FolderRemote } = await import('./folderRemote');
		return new FolderRemote(config);
	}
	// Bundled into its own file (dist/remotes.js) so the SDK costs nothing until an s3 remote is used.
	const { createS3Remote } = await import('./s3Remote');
	return createS3Remote(config, multipart);
}

/**
 * The bytes of a local file in 1 MiB chunks, hashed on the way; throws after the last chunk when
 * they do not hash to `expected`, so an upload consuming it fails before it completes.
 */
export async function* verifiedChunks(absPath: string, expected: string, onBytes?: (n: number) => void, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
	const handle = await open(absPath, 'r');
	try {
		const hash = createHash('sha256');
		for (;;) {
			if (signal?.aborted) throw cancelled('Transfer');
			// A fresh buffer per chunk: consumers (the S3 uploader) may hold on to it.
			const buffer = Buffer.allocUnsafe(CHUNK);
			const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
			if (bytesRead === 0) break;
			const chunk = buffer.subarray(0, bytesRead);
			hash.update(chunk);
			yield chunk;
			onBytes?.(bytesRead);
		}
		const actual = hash.digest('hex');
		if (actual !== expected) {
			throw new LedgerError({
				code: 'OBJECT_CORRUPT',
				message: `Local object ${expected.slice(0, 12)}… is corrupt (its content hashes to ${actual.slice(0, 12)}…); it was not pushed.`,
				fix: 'Run `model-ledger verify` to list the affected versions.',
				location: { file: absPath },
			});
		}
	} finally {
		await handle.close();
	}
}
