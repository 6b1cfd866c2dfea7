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
	if (err instanceof Error) return err.message;
	return String(err);
}
