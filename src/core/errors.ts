// Errors a user can meet: each says what happened, to which file (and where in it), and what to do next.

export interface ErrorLocation {
	/** Path as the user would type it (workspace-relative when inside the workspace). */
	file: string;
	/** 1-based. */
	line?: number;
	/** 1-based. */
	column?: number;
}

/**
 * Every code a LedgerError carries: shells and tests branch on these (`err.code === 'CANCELLED'`), the
 * CLI prints them in `--json` errors, so a new failure gets a new member here rather than a free string.
 */
export type LedgerErrorCode =
	| 'AMBIGUOUS_VERSION'
	| 'BAD_ALIAS'
	| 'BAD_ARGUMENT'
	| 'BAD_SELECTION'
	| 'BAD_TAG'
	| 'BAD_TIME'
	| 'BUSY'
	| 'CANCELLED'
	| 'DIRTY'
	| 'DIRTY_EDITORS'
	| 'DISK_FULL'
	| 'EMPTY_NOTE'
	| 'FILE_CHANGED'
	| 'FILE_TOO_LARGE'
	| 'GATE_FAILED'
	| 'GIT_FAILED'
	| 'GC_INCOMPLETE'
	| 'LEDGER_ERROR'
	| 'LINK_IN_LEDGER'
	| 'MANIFEST_MISSING'
	| 'MANIFEST_TAMPERED'
	| 'MISSING_ARGUMENT'
	| 'NOTHING_TO_ROLL_BACK'
	| 'NOT_AN_ALIAS'
	| 'NOT_APPROVED'
	| 'NOT_A_FILE'
	| 'NOT_MODEL_FILE'
	| 'CASE_COLLISION'
	| 'NO_CONFIG'
	| 'NO_DEFAULT_REMOTE'
	| 'NO_FILES'
	| 'NO_FOLDER'
	| 'NO_GATE'
	| 'NO_PARENT'
	| 'NO_PREVIOUS'
	| 'NO_REMOTE'
	| 'NO_SELECTION'
	| 'NO_VERSIONS'
	| 'NO_VERSION_AT'
	| 'OBJECT_CORRUPT'
	| 'OBJECT_MISSING'
	| 'OUTSIDE_WORKSPACE'
	| 'PARSE_ERROR'
	| 'REMOTE_AUTH'
	| 'REMOTE_CONFIG'
	| 'REMOTE_ERROR'
	| 'REMOTE_NOT_FOUND'
	| 'REMOTE_UNREACHABLE'
	| 'SECRET_FOUND'
	| 'SUSPECT_MANIFEST'
	| 'UNCONFIGURED_MODEL'
	| 'UNKNOWN_ALIAS'
	| 'UNKNOWN_ARTIFACT'
	| 'UNKNOWN_FILE'
	| 'UNKNOWN_KEY'
	| 'UNKNOWN_METRIC'
	| 'UNKNOWN_MODEL'
	| 'UNKNOWN_REMOTE'
	| 'UNKNOWN_ROOT'
	| 'UNKNOWN_VERSION'
	| 'UNSAVED_CHANGES'
	| 'UNTRACKED'
	| 'UNTRUSTED_WORKSPACE'
	| 'VERSION_NUMBER_LIMIT';

export interface LedgerErrorInit {
	code: LedgerErrorCode;
	message: string;
	/** What the user should do next, one sentence. */
	fix?: string;
	location?: ErrorLocation;
}

export class LedgerError extends Error {
	readonly code: LedgerErrorCode;
	/** What the user should do next, one sentence. */
	readonly fix?: string;
	readonly location?: ErrorLocation;

	constructor({ code, message, fix, location }: LedgerErrorInit) {
		super(message);
		this.name = 'LedgerError';
		this.code = code;
		this.fix = fix;
		this.location = location;
	}

	/** One line for a terminal or a notification: `file:line:col: message. Fix: …` */
	toString(): string {
		const where = this.location ? `${formatLocation(this.location)}: ` : '';
		return `${where}${this.message}${this.fix ? ` Fix: ${this.fix}` : ''}`;
	}
}

/** A file that does not parse as what its name says (YAML, JSON, TOML, safetensors, …). */
export class ParseError extends LedgerError {
	constructor(message: string, location: ErrorLocation, fix?: string) {
		super({ code: 'PARSE_ERROR', message, fix, location });
		this.name = 'ParseError';
	}
}

/**
 * The one way to say "stopped on request" (an aborted signal, a dismissed question): `runReporting`
 * in the extension ends quietly on it, the CLI prints `<what> cancelled.`.
 */
export function cancelled(what: string, fix?: string): LedgerError {
	return new LedgerError({ code: 'CANCELLED', message: `${what} cancelled.`, fix });
}

export function isCancelled(err: unknown): boolean {
	return err instanceof LedgerError && err.code === 'CANCELLED';
}

export function formatLocation(loc: ErrorLocation): string {
	let text = loc.file;
	if (loc.line !== undefined) text += `:${loc.line}`;
	if (loc.line !== undefined && loc.column !== undefined) text += `:${loc.column}`;
	return text;
}

/** The message of any thrown value, using LedgerError's full form when it is one. */
export function describeError(err: unknown): string {
	if (err instanceof LedgerError) return err.toString();
	const full = diskFull(err);
	if (full) return full.toString();
	if (err instanceof Error) return err.message;
	return String(err);
}

/**
 * A full disk, as Node (ENOSPC) or SQLite (SQLITE_FULL, "database or disk is full") reports it, as an
 * error that says what to free and where; undefined for any other error. Nothing is lost when this
 * happens (objects and manifests are published whole or not at all), so the fix is only to make room.
 */
export function diskFull(err: unknown): LedgerError | undefined {
	const e = err as { code?: unknown; message?: unknown; path?: unknown } | null;
	if (!e || typeof e !== 'object') return undefined;
	const message = typeof e.message === 'string' ? e.message : '';
	if (e.code !== 'ENOSPC' && e.code !== 'SQLITE_FULL' && !/database or disk is full|ENOSPC/.test(message)) return undefined;
	const where = typeof e.path === 'string' ? e.path : e.code === 'SQLITE_FULL' || /database/.test(message) ? '.model-ledger/cache/index.db' : undefined;
	return new LedgerError(
		{
		code: 'DISK_FULL',
		message: `The disk is full${where ? ` (writing ${where})` : ''}; the registry stays consistent (objects and manifests are written whole or not at all).`,
		fix: `Free space on the disk that holds ${where ?? "the workspace's .model-ledger/cache/ (or the folder remote being written)"} (\`df -h\` shows it): \`model-ledger gc --dry-run\` lists stored objects no version needs (\`gc --yes\` removes them), and big files the models do not track can go; then run the command again.`,
	});
}
