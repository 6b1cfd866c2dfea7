// Rollback of a deployment: move an alias back to where it pointed before its last move. The
// alias's history is replayed from the event trail as a stack, so rolling back twice goes two
// steps back (v7 → v6 → v5) instead of flipping between the last two targets.
import { LedgerError } from '../errors';
import { compareEvents } from './events';
import type { LedgerEvent } from './events';
import type { Ledger } from '../ledger';
import type { Author, VersionSummary } from '../model';

export interface AliasState {
	/** Where the alias points now (undefined when removed or never set). */
	current: string | undefined;
	/** Earlier targets, oldest first; the last one is where a rollback goes. */
	previous: string[];
}

/** Replays one alias's events (any order in; sorted oldest first here) into its current target and history stack. */
export function aliasHistory(events: LedgerEvent[], alias: string): AliasState {
	let current: string | undefined;
	const previous: string[] = [];
	for (const e of [...events].sort(compareEvents)) {
		if (e.alias !== alias) continue;
		if (e.type === 'alias.set' && e.digest) {
			if (e.rollback) {
				// Undo the last move: drop the entry the rollback went to (a union merge may have
				// interleaved other moves, so drop the newest matching one rather than blindly the top).
				const at = previous.lastIndexOf(e.digest);
				if (at >= 0) previous.splice(at);
				else previous.pop();
			} else if (current !== undefined && current !== e.digest) {
				previous.push(current);
			}
			current = e.digest;
		} else if (e.type === 'alias.removed') {
			if (current !== undefined) previous.push(current);
			current = undefined;
		}
	}
	return { current, previous };
}

export interface RollbackResult {
	event: LedgerEvent;
	from: VersionSummary | undefined;
	to: VersionSummary;
}

/**
 * Moves `alias` of `model` back to the version it pointed to before its last move, recording an
 * `alias.set` event marked `rollback`. A protected alias needs no new approval here: the target
 * already held this alias, and an incident is no time to wait for a sign-off.
 */
export function rollback(ledger: Ledger, model: string, alias = 'production', by: Author, note?: string): RollbackResult {
	ledger.model(model);
	const index = ledger.index;
	return index.exclusive(() => {
		ledger.syncLocked();
		const known = index.digestsOf(model);
		const { current, previous } = aliasHistory(index.events(model), alias);
		// Skip targets whose manifests are gone (deleted on this branch): they cannot be served.
		let target: string | undefined;
		while (previous.length) {
			const candidate = previous.pop()!;
			if (known.has(candidate) && candidate !== current) {
				target = candidate;
				break;
			}
		}
		if (!target) {
			throw new LedgerError({
				code: 'NOTHING_TO_ROLL_BACK',
				message: current === undefined && previous.length === 0
					? `\`${model}\` has no alias \`${alias}\` to roll back.`
					: `\`${alias}\` of \`${model}\` has no earlier target left to roll back to (every earlier move has been rolled back or its version is gone).`,
				fix: `See its trail with \`model-ledger events ${model}\`, or move it explicitly with \`model-ledger alias set ${model}@REF ${alias}\`.`,
			});
		}
		const event = ledger.recordEvent({ type: 'alias.set', model, by, digest: target, alias, from: current, note, rollback: true });
		return { event, from: current ? index.versionByDigest(current) : undefined, to: index.versionByDigest(target)! };
	});
}
