// Opening files under `.model-ledger/` without following symlinks. Manifests and events come with
// git, and a clone can hold a symlink where a folder or file of the ledger should be (`events/m.jsonl`
// → `~/.bashrc`, `cache` → a folder elsewhere, a manifest → `/dev/zero`). Nothing there is ever a
// link, so a link is an error with the fix, and every file is opened with O_NOFOLLOW and checked on
// the open descriptor (a regular file) before a byte is read or written. Reads go through
// readBoundedFile/readLedgerFile (boundedRead.ts): O_NOFOLLOW, fstat, then a read that stops at the limit.
import { closeSync, constants as fsConstants, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { LedgerError } from '../errors';

const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/** The error for a symlink (or other non-regular entry) where the ledger keeps its own files and folders. */
export function linkInLedger(rel: string, what: string): LedgerError {
	return new LedgerError({
		code: 'LINK_IN_LEDGER',
		message:
			what === 'a symlink'
				? `${rel} is a symlink; Model Ledger never follows links inside .model-ledger/ (a planted link would read or write outside the workspace).`
				: what === 'not a folder'
					? `${rel} is not a folder, where Model Ledger keeps one; it is neither read nor written.`
					: `${rel} is ${what} but a pipe, device, socket or other special file, where Model Ledger keeps its own files; it is neither read nor written (reading one could wait forever or never end).`,
		fix: `Remove it (\`rm ${rel}\`) and run \`model-ledger reindex\`; if it came with a commit, check who added it (\`git log -- ${rel}\`).`,
		location: { file: rel },
	});
}

/** Throws when `abs` exists and is a symlink or not what the ledger keeps there; a missing entry is fine. */
function assertReal(abs: string, rel: string, kind: 'folder' | 'file'): void {
	let s: Stats;
	try {
		s = lstatSync(abs);
	} catch {
		return;
	}
	if (s.isSymbolicLink()) throw linkInLedger(rel, 'a symlink');
	if (kind === 'folder' ? !s.isDirectory() : !s.isFile()) throw linkInLedger(rel, kind === 'folder' ? 'not a folder' : 'not a regular file');
}

/**
 * The folders of the ledger (`.model-ledger/`, `versions/`, `events/`, `cache/` and the cache's
 * folders and index files): each must be what it says, never a link. Cheap (a dozen lstat calls).
 */
export function assertLedgerLayout(root: string): void {
	const ledger = join(root, '.model-ledger');
	const cache = join(ledger, 'cache');
	for (const dir of [ledger, join(ledger, 'versions'), join(ledger, 'events'), cache, join(cache, 'objects'), join(cache, 'objects', 'sha256'), join(cache, 'tmp'), join(cache, 'restores')]) {
		assertReal(dir, relative(root, dir), 'folder');
	}
	for (const file of ['index.db', 'index.db-wal', 'index.db-shm', 'index.db-journal']) assertReal(join(cache, file), relative(root, join(cache, file)), 'file');
}

/** Throws when the ledger folder `abs` exists and is a symlink or not a folder (a missing one is fine). */
export function assertLedgerFolder(abs: string, rel: string): void {
	assertReal(abs, rel, 'folder');
}

/**
 * The model folders of `versions/` (every caller lists them through this: index sync, verify, gc,
 * status), and apart the links among its entries: a linked model folder is never listed through
 * (its manifests would be read from, and a snapshot's written to, wherever it points). Entries that
 * are neither (a file, a FIFO) are not model folders and are skipped.
 */
export function modelFolders(versionsDir: string, only?: string): { models: string[]; links: string[] } {
	const models: string[] = [];
	const links: string[] = [];
	let names: string[];
	try {
		names = only === undefined ? readdirSync(versionsDir).sort() : [only];
	} catch {
		names = [];
	}
	for (const name of names) {
		try {
			const s = lstatSync(join(versionsDir, name));
			if (s.isDirectory()) models.push(name);
			else if (s.isSymbolicLink()) links.push(name);
		} catch {
			// Removed while listing (or `only` has no folder yet).
		}
	}
	return { models, links };
}

/** Appends to a ledger file durably (write, fsync) without following a link: a dangling link would otherwise create its target. */
export function appendNoFollow(abs: string, rel: string, text: string): void {
	let fd: number;
	try {
		// O_NONBLOCK: a FIFO in the file's place would make the open wait for a reader (now ENXIO, refused below).
		fd = openSync(abs, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | O_NOFOLLOW | (fsConstants.O_NONBLOCK ?? 0), 0o644);
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		if (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE') throw linkInLedger(rel, 'a symlink');
		if (code === 'ENXIO') throw linkInLedger(rel, 'not a regular file');
		throw err;
	}
	try {
		if (!fstatSync(fd).isFile()) throw linkInLedger(rel, 'not a regular file');
		writeSync(fd, text);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}
