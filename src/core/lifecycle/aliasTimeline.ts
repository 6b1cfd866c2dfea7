// What an alias pointed to over time: its moves, newest first, and its target at a given moment
// (`show support-bot@production --at 2026-11-01T12:00:00Z`). Replayed from the event trail with the
// same rules as the current aliases (deriveAliases), cut at the asked time.
import { LedgerError } from '../errors';
import { compareEvents, deriveAliases } from './events';
import type { LedgerEvent } from './events';
import type { Ledger } from '../ledger';
import type { Author, VersionSummary } from '../model';

export interface AliasMove {
	at: string;
	by: Author;
	/** Digest the alias pointed to before (absent for its first move). */
	from?: string;
	/** Digest it points to after; absent when the move removed the alias. */
	to?: string;
	note?: string;
	/** The move failed the alias's gate and was made anyway. */
	override: boolean;
	rollback: boolean;
	removed: boolean;
	/** The failed rules of an overridden move (from its `override` event). */
	overriddenRules?: string[];
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date or time: `2026-11-01` (00:00 UTC that day), `2026-11-01T12:00Z`,
 * `2026-11-01T12:00:00+01:00`; a time without an offset is read as UTC (so CI and laptops agree).
 */
export function parseTime(text: string): Date {
	const m = ISO_TIME.exec(text.trim());
	const bad = (): never => {
		throw new LedgerError({
			code: 'BAD_TIME',
			message: `\`${text}\` is not an ISO 8601 date or time.`,
			fix: 'Write e.g. 2026-11-01 (midnight UTC), 2026-11-01T12:00:00Z or 2026-11-01T13:00:00+01:00.',
		});
	};
	if (!m) return bad();
	const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
	const offset = zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
	const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
	if (Number.isNaN(date.getTime())) return bad();
	// `new Date` rolls 2026-02-30 over to March: a date that does not exist is refused instead.
	const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
	if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return bad();
	return date;
}

/** Every move of `alias`, newest first, from the model's events (any order). */
export function aliasMoves(events: LedgerEvent[], alias: string): AliasMove[] {
	const sorted = [...events].sort(compareEvents);
	const moves: AliasMove[] = [];
	let pendingOverride: LedgerEvent | undefined;
	for (const e of sorted) {
		// Unverified events (events and verify list them) are not moves: --at never resolves through one.
		if (e.alias !== alias || e.unverified) continue;
		if (e.type === 'override') {
			pendingOverride = e;
		} else if (e.type === 'alias.set' || e.type === 'alias.removed') {
			const override = e.type === 'alias.set' && e.override === true;
			const overrideEvent = override && pendingOverride && pendingOverride.digest === e.digest ? pendingOverride : undefined;
			const rules = overrideEvent ? (overrideEvent.rules ?? []).map((r) => `${r.rule}: ${r.detail}`) : undefined;
			moves.push({
				at: e.at,
				by: e.by,
				...(e.from ? { from: e.from } : {}),
				...(e.type === 'alias.set' && e.digest ? { to: e.digest } : {}),
				...(e.note ? { note: e.note } : {}),
				override,
				rollback: e.rollback === true,
				removed: e.type === 'alias.removed',
				...(rules ? { overriddenRules: rules } : {}),
			});
			pendingOverride = undefined;
		}
	}
	return moves.reverse();
}

/** Where each alias of `model` pointed at `time` (events dated after it are not replayed). */
export function aliasesAt(ledger: Ledger, model: string, time: Date): Map<string, string> {
	const cut = time.getTime();
	const events = ledger.index
		.events(model)
		.filter((e) => {
			const at = Date.parse(e.at);
			return !Number.isNaN(at) && at <= cut;
		})
		.sort(compareEvents);
	return deriveAliases(events, ledger.index.digestsOf(model));
}

/**
 * The version an alias ref pointed to at `time`. Only aliases move over time: any other ref (a number,
 * label or digest) names the same version at every moment, so `--at` with it is refused as a mistake.
 */
export function resolveAt(ledger: Ledger, model: string, ref: string, time: Date): VersionSummary {
	ledger.model(model);
	const known = new Set(ledger.index.events(model).filter((e) => e.alias).map((e) => e.alias!));
	if (!known.has(ref)) {
		throw new LedgerError({
			code: 'NOT_AN_ALIAS',
			message: `\`--at\` applies to alias refs: \`${ref}\` is not an alias of \`${model}\`${ref === 'latest' ? ' (latest is computed, not moved)' : ''}.`,
			fix: known.size ? `Use one of its aliases: ${[...known].sort().join(', ')}.` : `\`${model}\` has no aliases yet.`,
		});
	}
	const digest = aliasesAt(ledger, model, time).get(ref);
	if (!digest) {
		const first = aliasMoves(ledger.index.events(model), ref).at(-1);
		throw new LedgerError({
			code: 'NO_VERSION_AT',
			message: `\`${model}@${ref}\` pointed to no version at ${time.toISOString()}.`,
			fix: first ? `Its first move was at ${first.at}; see \`model-ledger alias history ${model} ${ref}\`.` : `See \`model-ledger alias history ${model} ${ref}\`.`,
		});
	}
	return ledger.index.versionByDigest(digest)!;
}
