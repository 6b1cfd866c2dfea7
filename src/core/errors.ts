// Errors a user can meet: each says what happened, to which file (and where in it), and what to do next.

export interface ErrorLocation {
	/** Path as the user would type it (workspace-relative when inside the workspace). */
	file: string;
	/** 1-based. */
	line?: number;
	/** 1-based. */
	column?: number;
}

export class LedgerError extends Error {
	constructor(
		message: string,
		/** What the user should do next, one sentence. */
		readonly fix?: string,
		readonly location?: ErrorLocation,
		readonly code: string = 'LEDGER_ERROR',
	) {
		super(message);
		this.name = 'LedgerError';
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
		super(message, fix, location, 'PARSE_ERROR');
		this.name = 'ParseError';
	}
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
		`The disk is full${where ? ` (writing ${where})` : ''}; the registry stays consistent (objects and manifests are written whole or not at all).`,
		`Free space on the disk that holds ${where ?? "the workspace's .model-ledger/cache/ (or the folder remote being written)"} (\`df -h\` shows it): \`model-ledger gc --dry-run\` lists stored objects no version needs (\`gc --yes\` removes them), and big files the models do not track can go; then run the command again.`,
		undefined,
		'DISK_FULL',
	);
}
