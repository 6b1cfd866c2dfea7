// Content-addressed blob store: `objects/sha256/ab/cdef…`. An object is written once, in one pass
// (hash while copying) into tmp/, fsynced, then renamed into place read-only: it is whole or absent.
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, rmSync, statSync } from 'node:fs';
import { chmod, copyFile, link, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { cancelled, LedgerError } from '../errors';
import { openRegularFile, openRegularFileSync } from './boundedRead';
import { assertLedgerFolder } from './noFollow';

const CHUNK = 4 * 1024 * 1024;
/** While copying a big file, its written part is flushed every this many bytes, so the disk writes while we hash. */
const FLUSH_EVERY = 256 * 1024 * 1024;
/** Files up to this size are stored in batches by storeSmallFiles. */
export const SMALL_FILE = 1024 * 1024;
/** Small files read, written or fsynced at the same time (the libuv threadpool runs them). */
const SMALL_FILE_CONCURRENCY = 16;
const SHA256 = /^[0-9a-f]{64}$/;

export interface StoredObject {
	sha256: string;
	size: number;
	/** False when the store already had it (nothing was written). */
	written: boolean;
}

/** A file copied into tmp/ and hashed by ObjectStore.copyFile, not yet published. */
export interface CopiedFile {
	sha256: string;
	size: number;
	tmp: string;
}

export interface CopyProgress {
	(bytes: number): void;
}

export class ObjectStore {
	readonly objectsDir: string;
	readonly tmpDir: string;

	/**
	 * Checks, once, that the cache folders are real folders and not links (set by Ledger: a planted
	 * `cache → /elsewhere` must not receive objects, nor have its files read or removed).
	 */
	guard: (() => void) | undefined;
	private guarded = false;

	private checkLayout(): void {
		if (this.guarded || !this.guard) return;
		this.guard();
		this.guarded = true;
	}

	constructor(readonly cacheDir: string) {
		this.objectsDir = join(cacheDir, 'objects', 'sha256');
		this.tmpDir = join(cacheDir, 'tmp');
	}

	/** Where the object with this hash lives (whether or not it exists). */
	objectPath(sha256: string): string {
		this.checkLayout();
		if (!SHA256.test(sha256)) throw new LedgerError({ code: 'LEDGER_ERROR', message: `Not a sha256: \`${sha256}\`.` });
		const fan = sha256.slice(0, 2);
		// The 256 fan-out folders are checked like the cache's own (once each per process, when guarded):
		// `objects/sha256/ab` → a folder outside would receive, and serve, every object starting `ab`.
		if (this.guard && !this.checkedFans.has(fan)) {
			assertLedgerFolder(join(this.objectsDir, fan), `.model-ledger/cache/objects/sha256/${fan}`);
			this.checkedFans.add(fan);
		}
		return join(this.objectsDir, fan, sha256.slice(2));
	}

	private readonly checkedFans = new Set<string>();

	has(sha256: string): boolean {
		return existsSync(this.objectPath(sha256));
	}

	/**
	 * Copies a file into the store and hashes the copy: on Linux the kernel copies (copy_file_range,
	 * through the already-open descriptor) while this thread hashes the tmp file as it grows, so the
	 * time is the slower of hashing and writing, not their sum; elsewhere one read feeds both. Either
	 * way the hash is of the bytes that were written, and the tmp file is fsynced once before it is
	 * published. Aborting removes the partial copy.
	 */
	async storeFile(absPath: string, onBytes?: CopyProgress, signal?: AbortSignal, inside?: string): Promise<StoredObject> {
		return this.publishCopy(await this.copyFile(absPath, onBytes, signal, inside));
	}

	/**
	 * The first half of storeFile: the file copied into tmp/, hashed and fsynced, not yet in the
	 * store. Publish it with publishCopy or remove it with discardCopy; until then it is a tmp file
	 * like any other (the next snapshot removes it once this process is gone).
	 */
	async copyFile(absPath: string, onBytes?: CopyProgress, signal?: AbortSignal, inside?: string): Promise<CopiedFile> {
		this.checkLayout();
		mkdirSync(this.tmpDir, { recursive: true });
		const tmp = join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
		let source: FileHandle | undefined;
		try {
			source = await openRegularFile(absPath);
			if (inside !== undefined) assertOpenedInside(source.fd, absPath, inside);
			const copy = kernelCopyAvailable() ? kernelCopyHashing : userspaceCopyHashing;
			const { sha256, size } = await copy(source, tmp, onBytes, signal);
			return { sha256, size, tmp };
		} catch (err) {
			await rm(tmp, { force: true }).catch(() => undefined);
			throw err;
		} finally {
			await source?.close().catch(() => undefined);
		}
	}

	/** The second half of storeFile: a copy made by copyFile linked into the store (or dropped when the store has it). */
	async publishCopy(copy: CopiedFile): Promise<StoredObject> {
		const { sha256, size, tmp } = copy;
		try {
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
			await rm(tmp, { force: true }).catch(() => undefined);
			throw err;
		}
	}

	/** Removes a copy made by copyFile that will not be published. */
	async discardCopy(copy: CopiedFile): Promise<void> {
		await rm(copy.tmp, { force: true }).catch(() => undefined);
	}

	/**
	 * Stores many small files (up to SMALL_FILE each) at once, with storeFile's guarantees: each is read
	 * whole and hashed, new contents are written to tmp/ and fsynced concurrently (the journal commits
	 * them in a few groups instead of once per file), then linked into place, and each object folder is
	 * fsynced once. Results are in the order of `absPaths`. `onHashed` hears each file's hash as soon
	 * as it is known, while the others are still being written (the caller's work on it overlaps the I/O).
	 */
	async storeSmallFiles(absPaths: string[], signal?: AbortSignal, inside?: string, onHashed?: (index: number, sha256: string, size: number) => void): Promise<StoredObject[]> {
		this.checkLayout();
		mkdirSync(this.tmpDir, { recursive: true });
		const results: StoredObject[] = new Array(absPaths.length);
		const fresh = new Map<string, string>(); // sha256 → tmp path
		const first = new Map<string, number>(); // sha256 → index of its first file
		try {
			await inParallel(absPaths.length, async (i) => {
				if (signal?.aborted) throw cancelled('Snapshot');
				const data = await readOpened(absPaths[i], inside);
				if (data.length > SMALL_FILE) throw new LedgerError({ code: 'FILE_CHANGED', message: `${absPaths[i]} grew past ${SMALL_FILE} bytes while it was being stored.`, fix: 'Snapshot again.', location: { file: absPaths[i] } });
				const sha256 = createHash('sha256').update(data).digest('hex');
				results[i] = { sha256, size: data.length, written: false };
				onHashed?.(i, sha256, data.length);
				if (first.has(sha256) || existsSync(this.objectPath(sha256))) return;
				first.set(sha256, i);
				const tmp = join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
				fresh.set(sha256, tmp);
				const handle = await open(tmp, 'wx', 0o444);
				try {
					await handle.writeFile(data);
					await handle.datasync();
				} finally {
					await handle.close();
				}
			});
			const entries = [...fresh];
			const dirs = new Set(entries.map(([sha]) => dirname(this.objectPath(sha))));
			for (const dir of dirs) mkdirSync(dir, { recursive: true });
			await inParallel(entries.length, async (k) => {
				const [sha, tmp] = entries[k];
				await publish(tmp, this.objectPath(sha));
				results[first.get(sha)!].written = true;
			});
			// Concurrently: the first folder fsync commits the journal with every link in it, the others find theirs done.
			const folders = [...dirs];
			await inParallel(folders.length, async (k) => {
				const handle = await open(folders[k], 'r');
				try {
					await handle.sync();
				} catch {
					// Some filesystems refuse fsync on directories (as in fsyncDir); the data is synced already.
				} finally {
					await handle.close();
				}
			});
			return results;
		} catch (err) {
			await Promise.all([...fresh.values()].map((tmp) => rm(tmp, { force: true }).catch(() => undefined)));
			throw err;
		}
	}

	/** Stores bytes held in memory (patches, small generated files). */
	async storeBuffer(data: Buffer): Promise<StoredObject> {
		this.checkLayout();
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
	 * OBJECT_CORRUPT naming `source`: bad bytes never land in the store. With `expectedSize` (what the
	 * manifest says), the transfer stops as soon as more bytes arrive: a remote object replaced by a
	 * link to /dev/zero would otherwise be written until the disk is full.
	 */
	async storeStream(expected: string, chunks: AsyncIterable<Uint8Array>, source: string, onBytes?: CopyProgress, signal?: AbortSignal, expectedSize?: number): Promise<StoredObject> {
		this.checkLayout();
		const finalPath = this.objectPath(expected);
		mkdirSync(this.tmpDir, { recursive: true });
		const tmp = join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
		const hash = createHash('sha256');
		let target: FileHandle | undefined;
		let size = 0;
		try {
			target = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
			for await (const chunk of chunks) {
				if (signal?.aborted) throw cancelled('Transfer');
				if (expectedSize !== undefined && size + chunk.length > expectedSize) {
					throw new LedgerError({
						code: 'OBJECT_CORRUPT',
						message: `Object ${expected.slice(0, 12)}… from ${source} is corrupt: it is longer than the ${expectedSize} bytes its manifest gives; the transfer was stopped and nothing was stored.`,
						fix: 'The copy on the remote is damaged or replaced: push it again from a machine that has it intact (`model-ledger push`), or delete it on the remote.',
					});
				}
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
				throw new LedgerError({
					code: 'OBJECT_CORRUPT',
					message: `Object ${expected.slice(0, 12)}… from ${source} is corrupt (its content hashes to ${actual.slice(0, 12)}…); it was not stored.`,
					fix: 'The copy on the remote is damaged: push it again from a machine that has it intact (`model-ledger push`), or delete it on the remote.',
				});
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
			throw new LedgerError({
				code: 'OBJECT_MISSING',
				message: `Object ${sha256.slice(0, 12)}… is missing from the store.`,
				fix: 'Pull it from a remote, or restore the file from git history; `model-ledger verify` lists what else is affected.',
				location: { file: path },
			});
		}
		const actual = createHash('sha256').update(data).digest('hex');
		if (actual !== sha256) {
			throw new LedgerError({
				code: 'OBJECT_CORRUPT',
				message: `Object ${sha256.slice(0, 12)}… is corrupt (its content hashes to ${actual.slice(0, 12)}…).`,
				fix: 'Run `model-ledger verify` to list affected versions; delete the object and snapshot the file again if you still have it.',
				location: { file: path },
			});
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
		this.checkLayout();
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

let procFd: boolean | undefined;

/** Linux with /proc mounted: a copy can be made from an open descriptor by the kernel. */
function kernelCopyAvailable(): boolean {
	procFd ??= process.platform === 'linux' && existsSync('/proc/self/fd');
	return procFd;
}

interface HashedCopy {
	sha256: string;
	size: number;
}

/**
 * The kernel copies `source` into `tmp` (fs.copyFile: copy_file_range, or sendfile; page cache to
 * page cache, no round trip through JavaScript) while this thread reads `tmp` up to where the copy
 * has got and hashes it. Reading /proc/self/fd/N reopens the file that is already open, so a path
 * swapped since it was opened is not followed. The tmp file is fsynced once, at the end.
 */
async function kernelCopyHashing(source: FileHandle, tmp: string, onBytes?: CopyProgress, signal?: AbortSignal): Promise<HashedCopy> {
	const created = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
	await created.close();
	let copied = false;
	let copyError: unknown;
	// Never rejects: a failure is kept in copyError and thrown by the hashing loop.
	const copying = copyFile(`/proc/self/fd/${source.fd}`, tmp).then(
		() => void (copied = true),
		(err: unknown) => void (copyError = err),
	);
	const reader = await open(tmp, 'r');
	// The flush to disk starts as soon as the kernel has copied the last byte, while the hash catches
	// up, instead of after it: the time is the slower of the two plus nothing. Until then, what has
	// been hashed is flushed every FLUSH_EVERY bytes (one flush at a time), so the disk writes while
	// the copy goes on rather than all at the end. Either way the final sync covers every byte.
	const flushed = copying.then(() => (copyError ? undefined : reader.sync()));
	flushed.catch(() => undefined);
	let early: Promise<unknown> | undefined;
	let unflushed = 0;
	const hash = createHash('sha256');
	// Two buffers: the next chunk is read (a threadpool thread copying from the page cache) while this
	// one is hashed. Read then hash in turn put ~0.7 ms per 4 MiB of copying on the hashing thread's
	// critical path: ~0.35 s of a 2 GiB snapshot, on top of the hash.
	const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
	let which = 0;
	let size = 0;
	let finished = false;
	// Whether the copy had finished when the pending read was issued: only then does reading nothing mean the end.
	let copyDoneAtRead = copied;
	let pending: Promise<{ bytesRead: number }> | undefined = reader.read(buffers[which], 0, CHUNK, 0);
	try {
		for (;;) {
			if (signal?.aborted) throw cancelled('Snapshot');
			const copyDone = copyDoneAtRead;
			const { bytesRead }: { bytesRead: number } = await pending!;
			pending = undefined;
			if (bytesRead > 0) {
				const chunk = buffers[which].subarray(0, bytesRead);
				which ^= 1;
				copyDoneAtRead = copied;
				pending = reader.read(buffers[which], 0, CHUNK, size + bytesRead);
				hash.update(chunk);
				size += bytesRead;
				unflushed += bytesRead;
				if (unflushed >= FLUSH_EVERY && !early && !copied) {
					unflushed = 0;
					early = reader.datasync().then(
						() => void (early = undefined),
						() => void (early = undefined),
					);
				}
				onBytes?.(bytesRead);
				continue;
			}
			// Nothing new: either the copy is done (and everything is read), or it has not got further yet.
			if (copyDone) break;
			if (copyError) throw copyError;
			await Promise.race([copying, new Promise((resolve) => setTimeout(resolve, 1))]);
			copyDoneAtRead = copied;
			pending = reader.read(buffers[which], 0, CHUNK, size);
		}
		if (copyError) throw copyError;
		await flushed;
		await early;
		finished = true;
		return { sha256: hash.digest('hex'), size };
	} finally {
		// A read still in flight (hashing stopped early) ends before its file is closed.
		await pending?.catch(() => undefined);
		await reader.close().catch(() => undefined);
		// If hashing stopped early (abort, read error), the copy still ends on its own: remove what it wrote then.
		if (!finished) void copying.then(() => rm(tmp, { force: true }).catch(() => undefined));
	}
}

/**
 * Reads `source` once with two alternating buffers: each chunk's write is issued before it is hashed,
 * so writing and hashing overlap; the written part is flushed every FLUSH_EVERY bytes so the disk
 * works while hashing goes on, and the tmp file is fsynced at the end.
 */
async function userspaceCopyHashing(source: FileHandle, tmp: string, onBytes?: CopyProgress, signal?: AbortSignal): Promise<HashedCopy> {
	const target = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
	const hash = createHash('sha256');
	let size = 0;
	try {
		const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
		let which = 0;
		let pending = source.read(buffers[which], 0, CHUNK, null);
		let pendingWrite: Promise<unknown> = Promise.resolve();
		let flushing: Promise<unknown> | undefined;
		let unflushed = 0;
		for (;;) {
			const { bytesRead } = await pending;
			if (bytesRead === 0) break;
			if (signal?.aborted) throw cancelled('Snapshot');
			const chunk = buffers[which].subarray(0, bytesRead);
			// The other buffer is free once its write has finished.
			await pendingWrite;
			which ^= 1;
			pending = source.read(buffers[which], 0, CHUNK, null);
			pendingWrite = target.write(chunk, 0, bytesRead);
			hash.update(chunk);
			size += bytesRead;
			unflushed += bytesRead;
			if (unflushed >= FLUSH_EVERY && !flushing) {
				unflushed = 0;
				flushing = pendingWrite.then(() => target.datasync()).finally(() => (flushing = undefined));
			}
			onBytes?.(bytesRead);
		}
		await pendingWrite;
		await flushing;
		await target.sync();
		return { sha256: hash.digest('hex'), size };
	} finally {
		await target.close().catch(() => undefined);
	}
}

/** sha256 of a file, read once with one reused buffer (no copy). */
export function hashFileSync(absPath: string): { sha256: string; size: number } {
	const fd = openRegularFileSync(absPath);
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

/** Runs task(0…count-1) with at most SMALL_FILE_CONCURRENCY in flight; the first failure rejects. */
async function inParallel(count: number, task: (i: number) => Promise<void>): Promise<void> {
	let next = 0;
	let failure: { error: unknown } | undefined;
	// After a failure no new task starts, and this returns only when the running ones have ended, so
	// the caller's clean-up sees every tmp file they wrote (Promise.all alone rejects at once).
	const worker = async (): Promise<void> => {
		while (!failure && next < count) {
			try {
				await task(next++);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(SMALL_FILE_CONCURRENCY, count) }, worker));
	if (failure) throw failure.error;
}

/** A file's bytes, checked on the open descriptor to lie inside `inside` (when given) before a byte is read. */
async function readOpened(absPath: string, inside: string | undefined): Promise<Buffer> {
	const handle = await openRegularFile(absPath);
	if (inside === undefined) {
		try {
			return await handle.readFile();
		} finally {
			await handle.close();
		}
	}
	try {
		assertOpenedInside(handle.fd, absPath, inside);
		return await handle.readFile();
	} finally {
		await handle.close();
	}
}

/**
 * Refuses a descriptor whose file lies outside the real folder `inside`. The snapshot checked the
 * path when it listed the model's files; a path swapped for a link to an outside file after that
 * check opens the outside file, so the check is repeated on what was opened: its path as the kernel
 * names it (Linux: /proc/self/fd), elsewhere the real path of the name, required to be the same file.
 */
export function assertOpenedInside(fd: number, absPath: string, inside: string): void {
	let real: string | undefined;
	try {
		real = readlinkSync(`/proc/self/fd/${fd}`);
	} catch {
		// No /proc: below.
	}
	if (real === undefined || !isAbsolute(real)) {
		const opened = fstatSync(fd);
		real = realpathSync.native(absPath);
		const named = statSync(real);
		if (named.dev !== opened.dev || named.ino !== opened.ino) {
			throw new LedgerError({ code: 'FILE_CHANGED', message: `${absPath} changed while it was being stored.`, fix: 'Wait until whatever writes it has finished, then snapshot again.', location: { file: absPath } });
		}
	}
	const rel = relative(inside, real);
	if (rel.startsWith('..') || isAbsolute(rel)) {
		throw new LedgerError({
			code: 'OUTSIDE_WORKSPACE',
			message: `${absPath} now resolves to ${real}, outside the workspace; nothing of it was stored.`,
			fix: 'A link on this path was changed during the snapshot. Check what replaced it, then snapshot again.',
			location: { file: absPath },
		});
	}
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
