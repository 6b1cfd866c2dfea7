// Reading files that came with the repository without trusting their size: a manifest or events
// file planted as 1 GB, or a path that turns out to be /dev/zero or a FIFO, must not be read to the
// end. Each kind of file has a limit chosen from real sizes (README "Limits", SECURITY.md); over it,
// the read is refused with a clear message before anything is allocated.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { LedgerError } from '../errors';
import { linkInLedger } from './noFollow';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

const MiB = 1024 * 1024;

/**
 * A manifest. Measured (README "Repository content is untrusted"): a snapshot of 2,000 prompt files
 * writes 0.46 MB, of 2,000 params files with 20 keys each 1.1 MB; one params file at the huge-file
 * rule's 10,000 keys adds 0.3 MB, a 10,000-tensor safetensors header 0.87 MB; 30 such configs in one
 * model make ~10 MB. Reading a canonical manifest costs about 25 MB of memory per MB (`show` of a
 * 17.9 MB one peaked at 629 MB, of a 31 MB one at 972 MB), so 16 MiB keeps any manifest well under 1 GB.
 * A snapshot refuses to write a bigger one.
 */
export const MAX_MANIFEST_BYTES = 16 * MiB;
/**
 * A manifest not in the canonical form Model Ledger writes (hand-edited or planted) is read by the
 * full YAML parser, which costs about 200 MB of memory per MB of text (a 1.1 MB one: 296 MB peak).
 */
export const MAX_NONCANONICAL_MANIFEST_BYTES = 1 * MiB;
/** A model's events file: ~250 bytes per event, so ~130,000 events. */
export const MAX_EVENTS_FILE_BYTES = 32 * MiB;
/** One line of an events file (an event with a long note is under 2 KB). */
export const MAX_EVENT_LINE_BYTES = 64 * 1024;
/**
 * model-ledger.yaml: 20,000 models with two globs each is 1.7 MB. Measured on such configs, `status`
 * for all models peaks at 483 MB (20,000 models), 590 MB (3 MB, 35,000) and 1.24 GB (8 MB, 95,000):
 * memory grows with the models, so the limit keeps any config well under 1 GB.
 */
export const MAX_CONFIG_BYTES = 3 * MiB;

/**
 * Reads a regular file of at most `limit` bytes (`what`, with its article: "a manifest"). Refuses (LedgerError FILE_TOO_LARGE / NOT_A_FILE)
 * a bigger file, a device, a FIFO or a folder without reading it; never reads past `limit`.
 * With `noFollow` (the ledger's own files under `.model-ledger/`) this is the one open path: O_NOFOLLOW,
 * then fstat on the descriptor (a regular file), then the bounded read — a link is refused with
 * LINK_IN_LEDGER and nothing is read through it. A missing file throws ENOENT (callers decide).
 */
export function readBoundedFile(absPath: string, relPath: string, limit: number, what: string, options: { noFollow?: boolean } = {}): Buffer {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
	let fd: number;
	try {
		fd = openSync(absPath, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? O_NOFOLLOW : 0));
	} catch (err) {
		// Linux says ELOOP for a link under O_NOFOLLOW; some systems say EMLINK or EFTYPE.
		const code = (err as NodeJS.ErrnoException).code;
		if (options.noFollow && (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE')) throw linkInLedger(relPath, 'a symlink');
		throw err;
	}
	try {
		const stat = fstatSync(fd);
		if (!stat.isFile()) {
			if (options.noFollow) throw linkInLedger(relPath, 'not a regular file');
			throw notAFile(relPath, `as ${what}`);
		}
		if (stat.size > limit) throw tooLarge(relPath, stat.size, limit, what);
		// The file may grow after fstat: read at most limit + 1 bytes, and refuse if that many came.
		const buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
		let length = 0;
		while (length < buffer.length) {
			const n = readSync(fd, buffer, length, buffer.length - length, null);
			if (n === 0) break;
			length += n;
		}
		if (length > limit) throw tooLarge(relPath, length, limit, what);
		return buffer.subarray(0, length);
	} finally {
		closeSync(fd);
	}
}

/** A file of the ledger (`.model-ledger/…`) through the one open path (no link, regular file, bounded); undefined when it does not exist. */
export function readLedgerFile(absPath: string, relPath: string, limit: number, what: string): Buffer | undefined {
	try {
		return readBoundedFile(absPath, relPath, limit, what, { noFollow: true });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw err;
	}
}

function tooLarge(relPath: string, size: number, limit: number, what: string): LedgerError {
	return new LedgerError({
		code: 'FILE_TOO_LARGE',
		message: `${relPath} is ${formatMiB(size)}, more than the ${formatMiB(limit)} ${what} may have; it was not read.`,
		fix: `${what[0].toUpperCase()}${what.slice(1)} this big was not written by Model Ledger: remove it, or restore it from git (\`git checkout -- ${relPath}\`).`,
		location: { file: relPath },
	});
}

export function formatMiB(bytes: number): string {
	return bytes >= MiB ? `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MiB` : `${bytes} bytes`;
}

function notAFile(relPath: string, how: string): LedgerError {
	return new LedgerError({ code: 'NOT_A_FILE', message: `${relPath} is not a regular file (a device, pipe, socket or folder), so it is not read ${how}.`, fix: `Remove it, or restore it from git: \`git checkout -- ${relPath}\`.`, location: { file: relPath } });
}

// Workspace files are listed as regular files, then opened: a FIFO put in a file's place in between
// (or a character device) would make a plain open wait for a writer forever, or read without end.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Opens a workspace file to read it: never waits on a FIFO (O_NONBLOCK, no effect on a regular
 * file's reads), and refuses, on the open descriptor, anything but a regular file (NOT_A_FILE).
 */
export function openRegularFileSync(absPath: string, relPath: string = absPath): number {
	const fd = openSync(absPath, OPEN_FLAGS);
	try {
		if (!fstatSync(fd).isFile()) throw notAFile(relPath, 'as a file of a model');
	} catch (err) {
		closeSync(fd);
		throw err;
	}
	return fd;
}

/** {@link openRegularFileSync} as a FileHandle. */
export async function openRegularFile(absPath: string, relPath: string = absPath): Promise<FileHandle> {
	const handle = await open(absPath, OPEN_FLAGS);
	try {
		if (!(await handle.stat()).isFile()) throw notAFile(relPath, 'as a file of a model');
	} catch (err) {
		await handle.close();
		throw err;
	}
	return handle;
}

/** A whole workspace file through {@link openRegularFileSync} (for files already known to be small). */
export function readRegularFileSync(absPath: string, relPath: string = absPath): Buffer {
	const fd = openRegularFileSync(absPath, relPath);
	try {
		const size = fstatSync(fd).size;
		const buffer = Buffer.alloc(size);
		let length = 0;
		while (length < size) {
			const n = readSync(fd, buffer, length, size - length, null);
			if (n === 0) break;
			length += n;
		}
		return buffer.subarray(0, length);
	} finally {
		closeSync(fd);
	}
}
