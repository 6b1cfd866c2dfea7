// Writing into the workspace through folders that were opened and checked, not through paths.
// Restore checks each target's real path when it plans; a folder swapped for a link to an outside
// folder between that check and the write would otherwise make mkdir, the tmp file and the rename
// land outside. On Linux each folder is opened one segment at a time from the workspace root with
// O_DIRECTORY | O_NOFOLLOW (a link is refused, never followed), its place is checked on the open
// descriptor (/proc/self/fd/N), and names are created and renamed as `/proc/self/fd/N/<name>`: the
// kernel resolves that to the opened folder wherever its path now points. Elsewhere each segment is
// lstat-checked and the folder's real path re-checked right before every rename.
import { closeSync, constants as fsConstants, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { LedgerError } from '../errors';
import { printablePath } from './artifactPaths';
import { fsyncDir } from './objectStore';

const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = fsConstants.O_DIRECTORY ?? 0;

let procFd: boolean | undefined;
function procFdAvailable(): boolean {
	procFd ??= process.platform === 'linux' && existsSync('/proc/self/fd');
	return procFd;
}

/** A folder of the workspace, opened and checked to lie inside it. */
export interface CheckedFolder {
	/** Workspace-relative path of the folder ('' for the root), for messages. */
	readonly rel: string;
	/** The name to use for `name` in this folder: through the open descriptor on Linux, else the real path. */
	entry(name: string): string;
	/** Throws when the folder no longer lies inside the workspace; called right before each rename or unlink. */
	recheck(): void;
	/** fsyncs the folder (a rename or unlink in it becomes durable). */
	sync(): void;
	close(): void;
}

/** The refusal for a restore target whose folder changed after the restore checked it. */
export function folderChanged(file: string, folder: string, why: string): LedgerError {
	return new LedgerError({
		code: 'OUTSIDE_WORKSPACE',
		message: `Refusing to restore \`${printablePath(file)}\`: \`${printablePath(folder)}\` ${why} after the restore checked it; nothing was written there.`,
		fix: 'Something replaced a folder of the workspace while the restore ran (a link to another place would make the write land outside). Check what changed it, then restore again: files restored before this one are in place, and any content they replaced is listed in the journal under .model-ledger/cache/restores/.',
		location: { file },
	});
}

/**
 * Opens the folder `relDir` (real, workspace-relative: as restore planned it) under the real root
 * `realRoot` for writing `file`. The first `existing` segments existed when the restore planned: one
 * missing now is refused (it was moved away); segments after them are created one at a time.
 */
export function openCheckedFolder(realRoot: string, relDir: string, existing: number, file: string): CheckedFolder {
	const segments = relDir.split('/').filter((s) => s !== '');
	return procFdAvailable() ? openThroughProc(realRoot, segments, existing, file) : openByPath(realRoot, segments, existing, file);
}

function openThroughProc(realRoot: string, segments: string[], existing: number, file: string): CheckedFolder {
	let fd = openSync(realRoot, fsConstants.O_RDONLY | O_DIRECTORY);
	try {
		for (let i = 0; i < segments.length; i++) {
			const sofar = segments.slice(0, i + 1).join('/');
			const next = `/proc/self/fd/${fd}/${segments[i]}`;
			let child: number;
			try {
				child = openSync(next, fsConstants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			} catch (err) {
				const code = (err as NodeJS.ErrnoException).code;
				if (code === 'ELOOP' || code === 'ENOTDIR') throw folderChanged(file, sofar, 'became a symlink or a file');
				if (code !== 'ENOENT') throw err;
				if (i < existing) throw folderChanged(file, sofar, 'was removed or moved');
				try {
					mkdirSync(next);
				} catch (mkErr) {
					if ((mkErr as NodeJS.ErrnoException).code !== 'EEXIST') throw mkErr;
				}
				try {
					child = openSync(next, fsConstants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
				} catch {
					throw folderChanged(file, sofar, 'was replaced while it was created');
				}
			}
			closeSync(fd);
			fd = child;
		}
	} catch (err) {
		closeSync(fd);
		throw err;
	}
	const rel = segments.join('/');
	const opened = fd;
	const recheck = (): void => {
		const real = readlinkSync(`/proc/self/fd/${opened}`);
		const inside = relative(realRoot, real);
		if (inside.startsWith('..') || isAbsolute(inside) || real.endsWith(' (deleted)')) throw folderChanged(file, rel || '.', `was moved to ${real}`);
	};
	try {
		recheck();
	} catch (err) {
		closeSync(opened);
		throw err;
	}
	return {
		rel,
		entry: (name) => `/proc/self/fd/${opened}/${name}`,
		recheck,
		sync: () => fsyncQuietly(opened),
		close: () => closeSync(opened),
	};
}

/** The fallback without /proc (macOS, Windows): lstat per segment, real path re-checked before each rename. Exported for its test on Linux. */
export function openByPath(realRoot: string, segments: string[], existing: number, file: string): CheckedFolder {
	const rel = segments.join('/');
	// eslint-disable-next-line no-restricted-syntax -- path segments: bounded by the path's length
	const dir = join(realRoot, ...segments);
	const recheck = (): void => {
		for (let i = 0; i < segments.length; i++) {
			const sofar = segments.slice(0, i + 1).join('/');
			let isDir = false;
			try {
				isDir = lstatSync(join(realRoot, sofar)).isDirectory();
			} catch {
				throw folderChanged(file, sofar, 'was removed or moved');
			}
			if (!isDir) throw folderChanged(file, sofar, 'became a symlink or a file');
		}
		if (realpathSync(dir) !== dir) throw folderChanged(file, rel || '.', `now resolves to ${realpathSync(dir)}`);
	};
	for (let i = 0; i < segments.length; i++) {
		const sofar = join(realRoot, segments.slice(0, i + 1).join('/'));
		let s;
		try {
			s = lstatSync(sofar);
		} catch {
			if (i < existing) throw folderChanged(file, segments.slice(0, i + 1).join('/'), 'was removed or moved');
			mkdirSync(sofar);
			continue;
		}
		if (!s.isDirectory()) throw folderChanged(file, segments.slice(0, i + 1).join('/'), 'became a symlink or a file');
	}
	recheck();
	return {
		rel,
		entry: (name) => join(dir, name),
		recheck,
		sync: () => fsyncDir(dir),
		close: () => undefined,
	};
}

function fsyncQuietly(fd: number): void {
	try {
		fsyncSync(fd);
	} catch {
		// Some filesystems refuse fsync on directories; the data itself is already synced.
	}
}
