// Content-addressed blob store: `objects/sha256/ab/cdef…`. An object is written once, in one pass
// (hash while copying) into tmp/, fsynced, then renamed into place read-only: it is whole or absent.
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { chmod, link, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LedgerError } from './errors';

const CHUNK = 4 * 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;

export interface StoredObject {
	sha256: string;
	size: number;
	/** False when the store already had it (nothing was written). */
	written: boolean;
}

export interface CopyProgress {
	(bytes: number): void;
}

export class ObjectStore {
	readonly objectsDir: string;
	readonly tmpDir: string;

	constructor(readonly cacheDir: string) {
		this.objectsDir = join(cacheDir, 'objects', 'sha256');
		this.tmpDir = join(cacheDir, 'tmp');
	}

	/** Where the object with this hash lives (whether or not it exists). */
	objectPath(sha256: string): string {
		if (!SHA256.test(sha256)) throw new LedgerError(`Not a sha256: \`${sha256}\`.`);
		return join(this.objectsDir, sha256.slice(0, 2), sha256.slice(2));
	}

	has(sha256: string): boolean {
		return existsSync(this.objectPath(sha256));
	}

	/**
	 * Copies a file into the store while hashing it, reading it once. Reads of the next chunk overlap
	 * hashing and writing of the current one. Aborting removes the partial copy.
	 */
	async storeFile(absPath: string, onBytes?: CopyProgress, signal?: AbortSignal): Promise<StoredObject> {
		mkdirSync(this.tmpDir, { recursive: true });
		const tmp = join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
		const hash = createHash('sha256');
		let source: FileHandle | undefined;
		let target: FileHandle | undefined;
		let size = 0;
		try {
			source = await open(absPath, 'r');
			target = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
			const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
			let which = 0;
			let pending = source.read(buffers[which], 0, CHUNK, null);
			let pendingWrite: Promise<unknown> = Promise.resolve();
			for (;;) {
				const { bytesRead } = await pending;
				if (bytesRead === 0) break;
				if (signal?.aborted) throw cancelled();
				const chunk = buffers[which].subarray(0, bytesRead);
				// The other buffer is free once its write has finished.
				await pendingWrite;
				which ^= 1;
				pending = source.read(buffers[which], 0, CHUNK, null);
				hash.update(chunk);
				pendingWrite = target.write(chunk, 0, bytesRead);
				size += bytesRead;
				onBytes?.(bytesRead);
			}
			await pendingWrite;
			await target.sync();
			await target.close();
			target = undefined;
			const sha256 = hash.digest('hex');
			const finalPath = this.objectPath(sha256);
			if (existsSync(finalPath)) {
				await rm(tmp, { force: true });
				return { sha256, size, written: false };
			}
			mkdirSync(dirname(finalPath), { recursive: true });
			await chmod(tmp, 0o444);
			await publish(tmp, finalPath);
			fsyncDir(dirname(finalPath));
			return { sha256, size, written: true };
		} catch (err) {
			await target?.close().catch(() => undefined);
			await rm(tmp, { force: true }).catch(() => undefined);
			throw err;
		} finally {
			await source?.close().catch(() => undefined);
		}
	}

	/** Stores bytes held in memory (patches, small generated files). */
	async storeBuffer(data: Buffer): Promise<StoredObject> {
		const sha256 = createHash('sha256').update(data).digest('hex');
		const finalPath = this.objectPath(sha256);
		if (existsSync(finalPath)) return { sha256, size: data.length, written: false };
		mkdirSync(this.tmpDir, { recursive: true });
		const tmp = join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
		const handle = await open(tmp, 'wx', 0o444);
		try {
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}
		mkdirSync(dirname(finalPath), { recursive: true });
		await publish(tmp, finalPath);
		fsyncDir(dirname(finalPath));
		return { sha256, size: data.length, written: true };
	}

	/**
	 * Stores bytes arriving from elsewhere (a pull) only if they hash to `expected`: they are written to
	 * tmp/ while hashing, fsynced, checked, and only then published. A mismatch deletes them and throws
	 * OBJECT_CORRUPT naming `source`: bad bytes never land in the store.
	 */
	async storeStream(expected: string, chunks: AsyncIterable<Uint8Array>, source: string, onBytes?: CopyProgress, signal?: AbortSignal): Promise<StoredObject> {
		const finalPath = this.objectPath(expected);
		mkdirSync(this.tmpDir, { recursive: true });
		const tmp = join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
		const hash = createHash('sha256');
		let target: FileHandle | undefined;
		let size = 0;
		try {
			target = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
			for await (const chunk of chunks) {
				if (signal?.aborted) throw new LedgerError('Transfer cancelled.', undefined, undefined, 'CANCELLED');
				hash.update(chunk);
				await target.write(chunk);
				size += chunk.length;
				onBytes?.(chunk.length);
			}
			await target.sync();
			await target.close();
			target = undefined;
			const actual = hash.digest('hex');
			if (actual !== expected) {
				throw new LedgerError(
					`Object ${expected.slice(0, 12)}… from ${source} is corrupt (its content hashes to ${actual.slice(0, 12)}…); it was not stored.`,
					'The copy on the remote is damaged: push it again from a machine that has it intact (`model-ledger push`), or delete it on the remote.',
					undefined,
					'OBJECT_CORRUPT',
				);
			}
			if (existsSync(finalPath)) {
				await rm(tmp, { force: true });
				return { sha256: expected, size, written: false };
			}
			mkdirSync(dirname(finalPath), { recursive: true });
			await chmod(tmp, 0o444);
			await publish(tmp, finalPath);
			fsyncDir(dirname(finalPath));
			return { sha256: expected, size, written: true };
		} catch (err) {
			await target?.close().catch(() => undefined);
			await rm(tmp, { force: true }).catch(() => undefined);
			throw err;
		}
	}

	/** Reads an object and checks its hash: a corrupt object is an error, never served. */
	read(sha256: string): Buffer {
		const path = this.objectPath(sha256);
		let data: Buffer;
		try {
			data = readFileSync(path);
		} catch {
			throw new LedgerError(
				`Object ${sha256.slice(0, 12)}… is missing from the store.`,
				'Pull it from a remote, or restore the file from git history; `model-ledger verify` lists what else is affected.',
				{ file: path },
				'OBJECT_MISSING',
			);
		}
		const actual = createHash('sha256').update(data).digest('hex');
		if (actual !== sha256) {
			throw new LedgerError(
				`Object ${sha256.slice(0, 12)}… is corrupt (its content hashes to ${actual.slice(0, 12)}…).`,
				'Run `model-ledger verify` to list affected versions; delete the object and snapshot the file again if you still have it.',
				{ file: path },
				'OBJECT_CORRUPT',
			);
		}
		return data;
	}

	/** Size of a stored object, or undefined when absent. */
	sizeOf(sha256: string): number | undefined {
		try {
			return statSync(this.objectPath(sha256)).size;
		} catch {
			return undefined;
		}
	}

	/**
	 * Removes leftovers of interrupted writes: those whose writer process (the pid in the name) is
	 * gone, and any older than a minute. A live writer's files are never touched.
	 */
	cleanTmp(olderThanMs = 60_000): number {
		let removed = 0;
		let names: string[];
		try {
			names = readdirSync(this.tmpDir);
		} catch {
			return 0;
		}
		const now = Date.now();
		for (const name of names) {
			const path = join(this.tmpDir, name);
			try {
				if (writerIsGone(name) || now - statSync(path).mtimeMs > olderThanMs) {
					rmSync(path, { force: true, recursive: true });
					removed++;
				}
			} catch {
				// Raced with another process's cleanup: nothing to do.
			}
		}
		return removed;
	}
}

/** sha256 of a file, read once with one reused buffer (no copy). */
export function hashFileSync(absPath: string): { sha256: string; size: number } {
	const fd = openSync(absPath, 'r');
	try {
		const hash = createHash('sha256');
		const buffer = Buffer.allocUnsafe(CHUNK);
		let size = 0;
		for (;;) {
			const n = readSync(fd, buffer, 0, CHUNK, null);
			if (n === 0) break;
			hash.update(buffer.subarray(0, n));
			size += n;
		}
		return { sha256: hash.digest('hex'), size };
	} finally {
		closeSync(fd);
	}
}

/** sha256 of bytes in memory. */
export function sha256Hex(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

/** Tmp names start with the writer's pid (`1234-…`, `manifest-1234-…`): true when that process no longer exists. */
function writerIsGone(name: string): boolean {
	const pid = Number(/^(?:manifest-)?(\d+)-/.exec(name)?.[1]);
	if (!pid || pid === process.pid) return false;
	try {
		process.kill(pid, 0);
		return false;
	} catch (err) {
		// EPERM: the process exists but belongs to someone else.
		return (err as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

function cancelled(): LedgerError {
	return new LedgerError('Snapshot cancelled.', undefined, undefined, 'CANCELLED');
}

/** Moves tmp to its final name without ever replacing an existing object (link fails if it exists). */
async function publish(tmp: string, finalPath: string): Promise<void> {
	try {
		await link(tmp, finalPath);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
			// Filesystems without hard links: rename, which is still atomic.
			if ((err as NodeJS.ErrnoException).code === 'EPERM' || (err as NodeJS.ErrnoException).code === 'ENOTSUP') {
				if (!existsSync(finalPath)) await rename(tmp, finalPath);
				return;
			}
			throw err;
		}
	}
	await rm(tmp, { force: true });
	await stat(finalPath);
}

/** Makes a rename durable: the directory entry reaches the disk too. */
export function fsyncDir(dir: string): void {
	let fd: number | undefined;
	try {
		fd = openSync(dir, 'r');
		fsyncSync(fd);
	} catch {
		// Some filesystems refuse fsync on directories; the data itself is already synced.
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}
