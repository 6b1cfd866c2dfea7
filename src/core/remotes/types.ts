// Where blobs travel beyond one machine: a remote holds the same content-addressed objects as the
// local store, under `<prefix>/objects/sha256/<2>/<62>`. Two kinds: S3-compatible storage and a
// shared folder. A remote never sees a credential from us: S3 uses the AWS SDK's default chain.
// This module is what every remote shares (the interface, the key layout); the implementations
// import it and openRemote.ts picks one, so nothing here imports an implementation.
import { LedgerError } from '../errors';
import type { RemoteConfig } from '../parse/workspaceConfig';

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
	/** Removes what killed transfers left on the remote (a folder remote's tmp files); optional. */
	cleanLeftovers?(): Promise<number>;
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

/** Multipart tuning for S3 uploads: parts of `partSize` bytes (≥ 5 MiB), `queueSize` in flight per object. */
export interface MultipartOptions {
	partSize?: number;
	queueSize?: number;
}
