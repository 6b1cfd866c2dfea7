// Human labels for versions, per the model's versioning strategy. The digest stays the identity;
// a label only has to be readable and unique within its model.
import type { Bump, VersioningStrategy } from '../model';

export const FIRST_SEMVER = '0.1.0';

export interface LabelInput {
	strategy: VersioningStrategy;
	bump: Bump;
	/** Labels the model's versions already carry. */
	existing: string[];
	commit: string | null;
	dirty: boolean;
	now: Date;
}

/** The label a new version gets. */
export function nextLabel(input: LabelInput): string {
	const base = baseLabel(input);
	return uniqueLabel(base, new Set(input.existing));
}

function baseLabel({ strategy, bump, existing, commit, dirty, now }: LabelInput): string {
	const shortCommit = commit ? commit.slice(0, 7) : 'nocommit';
	switch (strategy) {
		case 'semver':
			return nextSemver(existing, bump);
		case 'timestamp':
			return timestampLabel(now);
		case 'git':
			return dirty ? `${shortCommit}-dirty` : shortCommit;
		case 'hybrid':
			// Experiments are labelled by time; the semantic label comes with the first release move
			// (src/core/lifecycle/releaseLabels.ts). Manifests from before keep their `0.1.1+20261128.abc1234` labels.
			return timestampLabel(now);
	}
}

/** The next semantic version after the highest one among `labels`. */
export function nextSemver(labels: string[], bump: Bump): string {
	let highest: [number, number, number] | undefined;
	for (const label of labels) {
		const parsed = parseSemver(label);
		if (parsed && (!highest || compareSemver(parsed, highest) > 0)) highest = parsed;
	}
	if (!highest) return FIRST_SEMVER;
	const [major, minor, patch] = highest;
	if (bump === 'major') return `${major + 1}.0.0`;
	if (bump === 'minor') return `${major}.${minor + 1}.0`;
	return `${major}.${minor}.${patch + 1}`;
}

export function parseSemver(label: string): [number, number, number] | undefined {
	const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+.].*)?$/.exec(label);
	return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareSemver(a: [number, number, number], b: [number, number, number]): number {
	return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** `2026-11-28T14.30` in UTC: sortable, and safe in file names and refs (no colons). */
export function timestampLabel(now: Date): string {
	const iso = now.toISOString();
	return `${iso.slice(0, 10)}T${iso.slice(11, 13)}.${iso.slice(14, 16)}`;
}

/** Appends `.2`, `.3`, … when the label is already taken (two snapshots in one minute, or of one commit). */
function uniqueLabel(base: string, taken: Set<string>): string {
	if (!taken.has(base)) return base;
	for (let n = 2; ; n++) {
		const candidate = `${base}.${n}`;
		if (!taken.has(candidate)) return candidate;
	}
}
