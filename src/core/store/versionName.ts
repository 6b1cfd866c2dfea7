// How every command names a version. Two branches can each make "v2" of a model; after a merge both
// exist, and `list` tells them apart by digest: `v2 (fc78108)`. Every other message names them the
// same way, so "2 in v2, 5 in v2" or "latest v2" never leaves the reader guessing which.
import type { VersionSummary } from '../model';

export type Nameable = Pick<VersionSummary, 'number' | 'digest'> & { numberShared?: boolean };

/** `v3`, or `v3 (fc78108)` when another version of the model has the same number. */
export function versionName(v: Nameable): string {
	return v.numberShared ? `v${v.number} (${v.digest.slice(0, 7)})` : `v${v.number}`;
}

/** `v3 (0.3.0)`, or `v3 (fc78108, 0.3.0)` when the number is shared. */
export function versionNameWithLabel(v: Nameable & Pick<VersionSummary, 'label'>): string {
	return v.numberShared ? `v${v.number} (${v.digest.slice(0, 7)}, ${v.label})` : `v${v.number} (${v.label})`;
}
