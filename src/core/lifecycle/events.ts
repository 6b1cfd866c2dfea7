// The append-only event trail of a model: `.model-ledger/events/<model>.jsonl`, one JSON object per
// line, merged by git with `merge=union`. Aliases are derived by replaying it in time order.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_EVENT_LINE_BYTES, MAX_EVENTS_FILE_BYTES, readBoundedFile } from '../store/boundedRead';
import { LedgerError } from '../errors';
import type { Author } from '../model';
import { appendNoFollow } from '../store/noFollow';

/** `created` is never written to the file: it is synthesized from the manifests (see Ledger.events). */
export type EventType = 'created' | 'alias.set' | 'alias.removed' | 'approved' | 'tagged' | 'noted' | 'override' | 'released';

/** A gate rule that failed when a move was overridden (kept in the `override` event). */
export interface OverriddenRule {
	rule: string;
	actual: string | number | boolean | null;
	expected: string;
	detail: string;
}

export interface LedgerEvent {
	id: string;
	type: EventType;
	model: string;
	at: string;
	by: Author;
	/** The version the event is about (for alias.set: the new target). */
	digest?: string;
	alias?: string;
	/** For alias moves: where the alias pointed before. */
	from?: string;
	tag?: string;
	note?: string;
	/** On alias.set: the move undid the alias's previous move (`model-ledger rollback`). */
	rollback?: boolean;
	/** On alias.set: the move failed the alias's gate and was made anyway (an `override` event precedes it). */
	override?: boolean;
	/** On override: the gate rules the version failed. */
	rules?: OverriddenRule[];
	/** On released (hybrid versioning): the semantic release label the version got. */
	label?: string;
	/**
	 * Set on replay (never written to the file) when the event breaks a rule the CLI enforces on
	 * write: why it is not applied ("line 7: dated … more than a day ahead"). Shown by `events` and `verify`.
	 */
	unverified?: string;
}

export interface EventFileProblem {
	line: number;
	message: string;
}

export interface ReadEvents {
	events: LedgerEvent[];
	/** Malformed lines (a bad merge, a truncated write): reported and skipped, never fatal. */
	problems: EventFileProblem[];
}

// `created` is absent on purpose: a version's creation is its manifest, not a line in this file.
const EVENT_TYPES = new Set<EventType>(['alias.set', 'alias.removed', 'approved', 'tagged', 'noted', 'override', 'released']);

/** An event may be dated at most this far ahead of the reader's clock (clocks of clones differ a little). */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * Parses an events file's text. Lines that are not well-formed events (bad JSON, a missing or
 * mistyped field, a time that is not an ISO date, a line over MAX_EVENT_LINE_BYTES) are reported by
 * line number and skipped; an event dated more than a day after `now` is kept but marked unverified
 * (it is not applied and cannot move the clock). Times are normalized to UTC ISO strings, so
 * ordering compares instants, not spellings.
 */
export function parseEvents(text: string, model: string, now: Date = new Date()): ReadEvents {
	const events: LedgerEvent[] = [];
	const problems: EventFileProblem[] = [];
	const seen = new Set<string>();
	// A 32 MiB file of `{}` lines is 11 million bad lines: each is counted, only the first ones are
	// kept with their message (all of them cost 3 GB and broke `verify` with "Invalid string length").
	let unreported = 0;
	let firstUnreported = 0;
	const report = (problem: EventFileProblem) => {
		if (problems.length < MAX_REPORTED_EVENT_PROBLEMS) return void problems.push(problem);
		if (unreported++ === 0) firstUnreported = problem.line;
	};
	// Walked line by line, not split: a split of 11 million lines holds them all at once.
	for (let index = 0, start = 0; start <= text.length; index++) {
		const end = text.indexOf('\n', start);
		const stop = end < 0 ? text.length : end;
		const length = stop - start;
		// A line far over the limit is not even copied out of the text.
		const line = length > MAX_EVENT_LINE_BYTES + 1024 ? undefined : text.slice(start, stop).trim();
		start = stop + 1;
		if (line === '') continue;
		if (line === undefined || line.length > MAX_EVENT_LINE_BYTES) {
			report({ line: index + 1, message: `the line is ${line?.length ?? length} characters long, more than the ${MAX_EVENT_LINE_BYTES} an event may have` });
			continue;
		}
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (err) {
			report({ line: index + 1, message: `not valid JSON (${(err as Error).message})` });
			continue;
		}
		const checked = checkEvent(value);
		if (typeof checked === 'string') {
			report({ line: index + 1, message: checked });
			continue;
		}
		// A union merge can duplicate a line that both sides had.
		if (seen.has(checked.id)) continue;
		seen.add(checked.id);
		const event: LedgerEvent = { ...checked, model };
		if (Date.parse(event.at) - now.getTime() > MAX_CLOCK_SKEW_MS) {
			event.unverified = `line ${index + 1}: dated ${event.at}, more than a day after now; not applied, and later events are not dated after it`;
		}
		events.push(event);
	}
	if (unreported) problems.push({ line: firstUnreported, message: `and ${unreported.toLocaleString('en-US')} more lines from here on that are not events (not listed one by one)` });
	events.sort(compareEvents);
	return { events, problems };
}

/** Malformed lines of one events file listed one by one; the rest are counted in one last problem. */
export const MAX_REPORTED_EVENT_PROBLEMS = 100;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DIGEST = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// workspaceConfig's ALIAS_NAME, not imported: that would pull yaml into the extension's activation bundle.
const ALIAS_NAME = /^[a-z][a-z0-9-]*$/;

/** The event a parsed line holds, with its time normalized, or why it is not one. */
function checkEvent(value: unknown): Omit<LedgerEvent, 'model'> | string {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a Model Ledger event (a JSON object with id, type, at and by)';
	const e = value as Record<string, unknown>;
	const bad = (field: string, want: string) => `not a Model Ledger event: \`${field}\` must be ${want}`;
	if (typeof e.id !== 'string' || e.id === '' || e.id.length > 200) return bad('id', 'a non-empty string');
	if (!EVENT_TYPES.has(e.type as EventType)) return bad('type', `one of ${[...EVENT_TYPES].join(', ')}`);
	const time = typeof e.at === 'string' && ISO_TIME.test(e.at) ? Date.parse(e.at) : Number.NaN;
	if (!Number.isFinite(time) || time < 0) return bad('at', 'an ISO 8601 date and time after 1970 (2026-01-31T12:00:00.000Z)');
	const by = e.by as Record<string, unknown> | null | undefined;
	if (!by || typeof by !== 'object' || Array.isArray(by) || typeof by.name !== 'string' || (by.email !== undefined && typeof by.email !== 'string')) return bad('by', 'an object with a string `name`');
	for (const field of ['digest', 'from'] as const) if (e[field] !== undefined && !(typeof e[field] === 'string' && DIGEST.test(e[field] as string))) return bad(field, 'a 64-character sha256 digest');
	if (e.alias !== undefined && !(typeof e.alias === 'string' && ALIAS_NAME.test(e.alias))) return bad('alias', 'an alias name (lower-case letters, digits and -)');
	if (e.tag !== undefined && !(typeof e.tag === 'string' && NAME.test(e.tag))) return bad('tag', 'a tag (letters, digits, ., _ and -)');
	if (e.note !== undefined && typeof e.note !== 'string') return bad('note', 'a string');
	if (e.rollback !== undefined && typeof e.rollback !== 'boolean') return bad('rollback', 'true or false');
	if (e.override !== undefined && typeof e.override !== 'boolean') return bad('override', 'true or false');
	if (e.label !== undefined && !(typeof e.label === 'string' && e.label.length <= 200)) return bad('label', 'a string');
	if (e.rules !== undefined && !(Array.isArray(e.rules) && e.rules.every((r) => r && typeof r === 'object' && typeof (r as { rule?: unknown }).rule === 'string'))) return bad('rules', 'a list of gate rules');
	if ((e.type === 'alias.set' || e.type === 'approved' || e.type === 'tagged') && e.digest === undefined) return bad('digest', `present on ${e.type as string}`);
	if ((e.type === 'alias.set' || e.type === 'alias.removed') && e.alias === undefined) return bad('alias', `present on ${e.type as string}`);
	if (e.type === 'tagged' && e.tag === undefined) return bad('tag', 'present on tagged');
	const event: Omit<LedgerEvent, 'model'> = { id: e.id, type: e.type as EventType, at: new Date(time).toISOString(), by: by.email === undefined ? { name: by.name } : { name: by.name, email: by.email as string } };
	for (const field of ['digest', 'alias', 'from', 'tag', 'note', 'rollback', 'override', 'rules', 'label'] as const) if (e[field] !== undefined) (event as unknown as Record<string, unknown>)[field] = e[field];
	return event;
}

/** Reads a model's events file (at most MAX_EVENTS_FILE_BYTES); a missing file has no events. */
export function readEventsFile(path: string, model: string, relPath: string = path, now?: Date): ReadEvents {
	let bytes: Buffer;
	try {
		// One open path: never through a link (a planted `events/m.jsonl → ~/.bashrc` is refused, not read), never past the limit.
		bytes = readBoundedFile(path, relPath, MAX_EVENTS_FILE_BYTES, 'an events file', { noFollow: true });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], problems: [] };
		// A link is an error with the fix (as on write); a too-big or non-regular file is reported and its events not applied.
		if (err instanceof LedgerError && err.code !== 'LINK_IN_LEDGER') return { events: [], problems: [{ line: 0, message: err.message }] };
		throw err;
	}
	return parseEvents(bytes.toString('utf8'), model, now);
}

/** Oldest first: by time, then id, so every clone replays merged events in the same order. */
export function compareEvents(a: LedgerEvent, b: LedgerEvent): number {
	return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Where each alias points after replaying the events (oldest first), by the rules `alias set`
 * enforces on write: a protected alias moves only to a version approved by an earlier event; an
 * event that breaks a rule is marked `unverified` (in place) and not applied. Aliases to unknown
 * versions are dropped.
 */
export function deriveAliases(events: LedgerEvent[], knownDigests: Set<string>, protectedAliases: readonly string[] = []): Map<string, string> {
	const aliases = new Map<string, string>();
	const approved = new Set<string>();
	for (const e of events) {
		if (e.unverified) continue;
		if (e.type === 'approved' && e.digest) approved.add(e.digest);
		if (!e.alias) continue;
		if (e.type === 'alias.set' && e.digest) {
			if (protectedAliases.includes(e.alias) && !approved.has(e.digest)) {
				e.unverified = `\`${e.alias}\` is protected and no earlier event approves ${e.digest.slice(0, 12)}; not applied`;
				continue;
			}
			aliases.set(e.alias, e.digest);
		} else if (e.type === 'alias.removed') aliases.delete(e.alias);
	}
	for (const [name, digest] of aliases) if (!knownDigests.has(digest)) aliases.delete(name);
	return aliases;
}

/** Appends one event durably (O_APPEND write of a single line, then fsync). */
export function appendEvent(path: string, event: LedgerEvent): void {
	mkdirSync(dirname(path), { recursive: true });
	const { model: _model, ...stored } = event;
	// O_NOFOLLOW: a planted link (even a dangling one, which would create its target) is refused.
	appendNoFollow(path, eventsRel(event.model), JSON.stringify(stored) + '\n');
}

function eventsRel(model: string): string {
	return `.model-ledger/events/${model}.jsonl`;
}

/** A new event id: time-ordered prefix plus randomness, unique across clones. */
export function newEventId(now: Date): string {
	return `${now.getTime().toString(36)}-${randomBytes(6).toString('hex')}`;
}
