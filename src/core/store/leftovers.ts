// Tmp files of writers that were killed (kill -9, power loss) before they renamed or removed them.
// A restore writes `.<name>.model-ledger-<pid>-<random>.tmp` next to the user's file; a killed restore
// leaves it there. The next restore removes, in each folder it writes, exactly the names of that
// pattern whose writer is gone (or that are older than a day, in case the pid was reused), and only
// regular files: never a link, a folder, or any other name.
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** A day: older tmp files are leftovers whatever their pid says (pids are reused). */
export const LEFTOVER_AGE_MS = 24 * 60 * 60 * 1000;

const RESTORE_TMP = /^\..+\.model-ledger-(\d+)-[0-9a-z]+\.tmp$/;

/** The tmp name restore writes `name` through: at most 255 bytes, as file systems allow (the name is shortened for it). */
export function restoreTmpName(name: string): string {
	const suffix = `.model-ledger-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
	// A legitimate 230-byte name would otherwise give a tmp name over the limit (ENAMETOOLONG).
	const room = MAX_NAME_BYTES - 1 - Buffer.byteLength(suffix);
	let kept = name;
	while (Buffer.byteLength(kept) > room) kept = kept.slice(0, -1);
	// A cut between a surrogate pair's halves would leave a lone one: drop it too.
	if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
	return `.${kept}.model-ledger-${suffix.slice('.model-ledger-'.length)}`;
}

/** The longest file name (one path segment) in bytes that Linux, macOS and Windows file systems hold. */
export const MAX_NAME_BYTES = 255;

/** True when no process `pid` exists on this machine (EPERM: it exists, someone else's). */
export function pidIsGone(pid: number): boolean {
	if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
	try {
		process.kill(pid, 0);
		return false;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

/**
 * Removes restore leftovers in one folder (`entry` maps a name in it to the path to use, e.g. through
 * a checked folder descriptor); returns the names removed.
 */
export function removeRestoreLeftovers(names: string[], entry: (name: string) => string, now = Date.now()): string[] {
	const removed: string[] = [];
	for (const name of names) {
		const pid = RESTORE_TMP.exec(name)?.[1];
		if (pid === undefined) continue;
		const path = entry(name);
		try {
			const s = lstatSync(path);
			if (!s.isFile()) continue;
			if (!pidIsGone(Number(pid)) && now - s.mtimeMs <= LEFTOVER_AGE_MS) continue;
			unlinkSync(path);
			removed.push(name);
		} catch {
			// Removed by another process meanwhile: nothing to do.
		}
	}
	return removed;
}

/** Lists a folder's names, or none when it cannot be read. */
export function namesIn(dir: string): string[] {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
}

/** This machine's name as it goes into a shared folder remote's tmp names (no '-' or '.': the name is split on '-'). */
export function hostTag(): string {
	return (hostname().replace(/[^A-Za-z0-9]/g, '') || 'host').slice(0, 40);
}

const REMOTE_TMP = /^[0-9a-f]{16}-([A-Za-z0-9]+)-(\d+)-[0-9a-z]+$/;

/** The tmp name a push to a folder remote writes `sha256` through: host and pid say whose it is. */
export function remoteTmpName(sha256: string): string {
	return `${sha256.slice(0, 16)}-${hostTag()}-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Whether a tmp file of a folder remote (shared by machines) is a leftover: written on this machine
 * by a process that is gone, or (any machine, any name) not modified for LEFTOVER_AGE_MS.
 */
export function remoteTmpIsLeftover(name: string, mtimeMs: number, now = Date.now()): boolean {
	if (now - mtimeMs > LEFTOVER_AGE_MS) return true;
	const m = REMOTE_TMP.exec(name);
	return m !== null && m[1] === hostTag() && pidIsGone(Number(m[2]));
}
