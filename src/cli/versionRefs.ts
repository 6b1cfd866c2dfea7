// What the commands that read one version share: --at over alias refs, versions git holds only on
// other refs, and a version's JSON shape.
import { parseTime, resolveAt } from '../core/lifecycle/aliasTimeline';
import { LedgerError } from '../core/errors';
import type { Ledger } from '../core/ledger';
import type { VersionSummary } from '../core/model';
import { adoptOtherRefVersions } from '../core/index/otherRefs';

/** With --at, an alias ref becomes the digest of the version it pointed to then; without, the ref as given. */
export function refAtTime(ledger: Ledger, model: string, ref: string, at: string | undefined): string {
	if (at === undefined) return ref;
	return resolveAt(ledger, model, ref, parseTime(at)).digest;
}

/**
 * Runs a read of a version; when the version is not in this checkout, looks for it among the versions
 * git holds on other refs (branches, tags, stash; O(1) git processes) and reads it from there.
 */
export async function withOtherRefs<T>(l: Ledger, read: () => T | Promise<T>): Promise<T> {
	try {
		return await read();
	} catch (err) {
		if (!(err instanceof LedgerError) || err.code !== 'UNKNOWN_VERSION') throw err;
		const report = await adoptOtherRefVersions(l);
		if (report.versions.length === 0) throw err;
		return await read();
	}
}

export function versionJson(v: VersionSummary) {
	return {
		model: v.model,
		number: v.number,
		label: v.label,
		...(v.releaseLabel ? { releaseLabel: v.releaseLabel } : {}),
		digest: v.digest,
		createdAt: v.createdAt,
		author: v.author,
		message: v.message,
		aliases: v.aliases,
		git: v.git,
		artifactCount: v.artifactCount,
	};
}
