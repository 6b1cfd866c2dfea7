// When index.db's integrity check may be skipped at open. `PRAGMA quick_check` reads every page, so
// its cost grows with the whole index (40 MB of another model's keys: ~120 ms warm, more cold), which
// made `status` and `show` of a small model pay for a big one. The check is there to catch bytes
// changed outside SQLite (garbage, a damaged page, a file copied over); SQLite's own writes, even
// interrupted, are undone from the WAL. So after a check passes, the file's identity is written
// beside it, and the next open skips the check while index.db is byte-for-byte the file that was
// checked: same device, inode, size, mtime and ctime (a write through the file system moves ctime,
// which no user call can set back), and no WAL holding pages the check did not see.
import { readFileSync, statSync, writeFileSync } from 'node:fs';

/**
 * A file's ctime is kept at the granularity of the file system's clock (a few ms on ext4, 2 s on
 * FAT): a write in the same tick as the check would keep it. A file changed less than this long
 * before its check is not stamped (checked again next time), as git treats a "racily clean" index.
 */
const RACY_MS = 3_000;

/** The stamp file of an index.db. */
export function checkedStampPath(dbPath: string): string {
	return `${dbPath}.checked`;
}

function identity(dbPath: string): string | undefined {
	try {
		const s = statSync(dbPath, { bigint: true });
		return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
	} catch {
		return undefined;
	}
}

/** No WAL, or an empty one: every page a reader sees is in index.db itself. */
function walEmpty(dbPath: string): boolean {
	try {
		return statSync(`${dbPath}-wal`).size === 0;
	} catch {
		return true;
	}
}

/** True when index.db is the very file a passed check saw (call before opening it: the open creates the WAL). */
export function unchangedSinceCheck(dbPath: string): boolean {
	if (!walEmpty(dbPath)) return false;
	const now = identity(dbPath);
	if (now === undefined) return false;
	try {
		return readFileSync(checkedStampPath(dbPath), 'utf8') === now;
	} catch {
		return false;
	}
}

/** Records that the check passed on index.db as it is now (nothing when a WAL holds pages, or the file changed within `racyMs`). */
export function recordCheck(dbPath: string, racyMs = RACY_MS): void {
	if (!walEmpty(dbPath)) return;
	try {
		const s = statSync(dbPath, { bigint: true });
		if (Date.now() - Number(s.ctimeNs / 1_000_000n) < racyMs) return;
		// A lost or torn stamp only means one more check: no fsync, no tmp file.
		writeFileSync(checkedStampPath(dbPath), `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`);
	} catch {
		// A read-only cache folder: the check runs every time, as before.
	}
}
