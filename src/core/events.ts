// The append-only event trail of a model: `.model-ledger/events/<model>.jsonl`, one JSON object per
// line, merged by git with `merge=union`. Aliases are derived by replaying it in time order.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Author } from './model';
import { appendNoFollow, readFileNoFollow } from './noFollow';

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

/** Parses an events file's text; lines that are not valid events are reported by line number. */
export function parseEvents(text: string, model: string): ReadEvents {
	const events: LedgerEvent[] = [];
	const problems: EventFileProblem[] = [];
	const seen = new Set<string>();
	text.split('\n').forEach((raw, index) => {
		const line = raw.trim();
		if (line === '') return;
		let value: Partial<LedgerEvent>;
		try {
			value = JSON.parse(line) as Partial<LedgerEvent>;
		} catch (err) {
			problems.push({ line: index + 1, message: `not valid JSON (${(err as Error).message})` });
			return;
		}
		if (!value || typeof value !== 'object' || typeof value.id !== 'string' || !EVENT_TYPES.has(value.type as EventType) || typeof value.at !== 'string') {
			problems.push({ line: index + 1, message: 'not a Model Ledger event (needs id, type and at)' });
			return;
		}
		// A union merge can duplicate a line that both sides had.
		if (seen.has(value.id)) return;
		seen.add(value.id);
		events.push({ ...value, model } as LedgerEvent);
	});
	events.sort(compareEvents);
	return { events, problems };
}

/** Reads a model's events file; a missing file has no events. */
export function readEventsFile(path: string, model: string): ReadEvents {
	// Never through a link: a planted `events/m.jsonl → ~/.bashrc` is an error with the fix, not read.
	const bytes = readFileNoFollow(path, eventsRel(model));
	if (!bytes) return { events: [], problems: [] };
	return parseEvents(bytes.toString('utf8'), model);
}

/** Oldest first: by time, then id, so every clone replays merged events in the same order. */
export function compareEvents(a: LedgerEvent, b: LedgerEvent): number {
	return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Where each alias points after replaying the events (oldest first). Aliases to unknown versions are dropped. */
export function deriveAliases(events: LedgerEvent[], knownDigests: Set<string>): Map<string, string> {
	const aliases = new Map<string, string>();
	for (const e of events) {
		if (!e.alias) continue;
		if (e.type === 'alias.set' && e.digest) aliases.set(e.alias, e.digest);
		else if (e.type === 'alias.removed') aliases.delete(e.alias);
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
