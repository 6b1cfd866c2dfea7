// Hybrid versioning, as the seed defines it: "semantic for production, timestamp for experiments".
// Snapshots of a hybrid model are experiments labelled by time; the version a release alias first
// points to gets the next semantic version as its release label, recorded as a `released` event.
import type { LedgerEvent } from './events';
import type { Bump } from '../model';
import { compareEvents } from './events';
import { parseSemver } from './versionLabels';

/** The first semantic release label of a model. */
export const FIRST_RELEASE = '1.0.0';

/** digest → release label, from the model's `released` events (the oldest wins when a merge brought two). */
export function releaseLabels(events: LedgerEvent[]): Map<string, string> {
	const labels = new Map<string, string>();
	for (const e of [...events].sort(compareEvents)) {
		if (e.type !== 'released' || e.unverified || !e.digest || typeof e.label !== 'string' || !parseSemver(e.label)) continue;
		if (!labels.has(e.digest)) labels.set(e.digest, e.label);
	}
	return labels;
}

/** The release label after the highest semantic version among `labels` (1.0.0 when there is none). */
export function nextReleaseLabel(labels: string[], bump: Bump): string {
	let highest: [number, number, number] | undefined;
	for (const label of labels) {
		const parsed = parseSemver(label);
		if (parsed && (!highest || compare(parsed, highest) > 0)) highest = parsed;
	}
	if (!highest) return FIRST_RELEASE;
	const [major, minor, patch] = highest;
	if (bump === 'major') return `${major + 1}.0.0`;
	if (bump === 'minor') return `${major}.${minor + 1}.0`;
	return `${major}.${minor}.${patch + 1}`;
}

function compare(a: [number, number, number], b: [number, number, number]): number {
	return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** How a version's label reads with its release label beside it: `1.3.0 · 2026-11-28T14.30`. */
export function displayLabel(version: { label: string; releaseLabel?: string }): string {
	return version.releaseLabel ? `${version.releaseLabel} · ${version.label}` : version.label;
}
