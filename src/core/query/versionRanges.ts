// Versions as ranges ("v4–v9"): what key history and used-by return instead of one entry per version,
// so a file held by 10,000 versions is answered with its few runs of equal content.
import type { Ledger } from '../ledger';
import { versionName } from '../store/versionName';
import type { PathVersion, VersionRef } from './versionsByPath';
import { acrossVersions, compare, KeptPerList, newestFirst, pathAliases, pathTimeline } from './versionsByPath';

/** Consecutive versions of one model, in its order among the versions holding a path: "v4–v9". */
export interface VersionRange {
	model: string;
	first: VersionRef;
	last: VersionRef;
	/** Versions in the range: fewer than the numbers span when versions between did not hold the path (or share a number). */
	count: number;
	/** The range's versions that have aliases (production, staging, …), oldest first. */
	aliased: VersionRef[];
}

/** One content a path held: its runs of versions, how many versions, the newest, first and last seen. */
export interface ContentRanges {
	sha256: string;
	/** Per model (models in name order), oldest range first. */
	ranges: VersionRange[];
	count: number;
	newest: VersionRef;
	/** createdAt of the oldest and newest of those versions. */
	firstSeen: string;
	lastSeen: string;
}

/**
 * Each content of a path with the ranges of versions holding it, from per-model timelines (oldest
 * first). Each model's part is made in one pass over its list and kept while the list is the same
 * (a new version replaces only its model's list), so after a snapshot one model is passed over and
 * the others' parts are merged: per content, not per version.
 */
export function contentRanges(timeline: ReadonlyMap<string, ReadonlyArray<PathVersion>>): Map<string, ContentRanges> {
	const out = new Map<string, ContentRanges>();
	// A content of one model is that model's part itself (read-only); one held by several is copied once, then merged into.
	const copied = new Set<string>();
	for (const model of [...timeline.keys()].sort(compare)) {
		for (const part of modelContentRanges(model, timeline.get(model)!).values()) {
			let entry = out.get(part.sha256);
			if (!entry) {
				out.set(part.sha256, part);
				continue;
			}
			if (!copied.has(part.sha256)) {
				out.set(part.sha256, (entry = { ...entry, ranges: [...entry.ranges] }));
				copied.add(part.sha256);
			}
			for (const r of part.ranges) entry.ranges.push(r);
			entry.count += part.count;
			if (part.firstSeen < entry.firstSeen) entry.firstSeen = part.firstSeen;
			if (part.lastSeen > entry.lastSeen) entry.lastSeen = part.lastSeen;
			if (newestFirst(part.newest, entry.newest) < 0) entry.newest = part.newest;
		}
	}
	return out;
}

const modelParts = new KeptPerList<Map<string, ContentRanges>>();

/** One model's contents and ranges (read-only: shared by every result made from the same list). */
function modelContentRanges(model: string, list: ReadonlyArray<PathVersion>): Map<string, ContentRanges> {
	return modelParts.get(list, () => computeModelContentRanges(model, list));
}

function computeModelContentRanges(model: string, list: ReadonlyArray<PathVersion>): Map<string, ContentRanges> {
	const out = new Map<string, ContentRanges>();
	let range: VersionRange | undefined;
	let rangeSha = '';
	for (const { sha, ref } of list) {
		let entry = out.get(sha);
		if (!entry) out.set(sha, (entry = { sha256: sha, ranges: [], count: 0, newest: ref, firstSeen: ref.createdAt, lastSeen: ref.createdAt }));
		entry.count++;
		if (ref.createdAt < entry.firstSeen) entry.firstSeen = ref.createdAt;
		if (ref.createdAt > entry.lastSeen) entry.lastSeen = ref.createdAt;
		if (newestFirst(ref, entry.newest) < 0) entry.newest = ref;
		if (range && rangeSha === sha) {
			range.last = ref;
			range.count++;
		} else {
			range = { model, first: ref, last: ref, count: 1, aliased: [] };
			rangeSha = sha;
			entry.ranges.push(range);
		}
		if (ref.aliases.length) range.aliased.push(ref);
	}
	return out;
}

/** A range of consecutive versions holding the same content. */
export interface ShaRun extends VersionRange {
	sha: string;
}

const runsOfList = new KeptPerList<ShaRun[]>();

/** A model's versions holding a path (oldest first) as runs of equal content; kept per list (read-only). */
export function shaRuns(model: string, held: ReadonlyArray<PathVersion>): ShaRun[] {
	return runsOfList.get(held, () => computeShaRuns(model, held));
}

function computeShaRuns(model: string, held: ReadonlyArray<PathVersion>): ShaRun[] {
	const runs: ShaRun[] = [];
	let run: ShaRun | undefined;
	for (const { sha, ref } of held) {
		if (run && run.sha === sha) {
			run.last = ref;
			run.count++;
		} else {
			run = { sha, model, first: ref, last: ref, count: 1, aliased: [] };
			runs.push(run);
		}
		if (ref.aliases.length) run.aliased.push(ref);
	}
	return runs;
}

/**
 * Per model, the path's versions as runs of equal content: what key history walks instead of every
 * version. Kept while no version is added or removed and the path's aliases stay where they are.
 */
export function pathShaRuns(ledger: Ledger, path: string): ReadonlyMap<string, ShaRun[]> {
	const timeline = pathTimeline(ledger, path);
	return acrossVersions(ledger, `shaRuns\0${path}`, pathAliases(ledger, path).signature, () => new Map([...timeline].map(([model, held]) => [model, shaRuns(model, held)])));
}

/** One range: `v4`, `v1, v2`, `v1–v3`, or `v5–v9 (4 versions)` when versions between did not hold the path. */
export function rangeText(r: Pick<VersionRange, 'first' | 'last' | 'count'>): string {
	if (r.first === r.last || r.first.digest === r.last.digest) return versionName(r.first);
	const span = `${versionName(r.first)}–${versionName(r.last)}`;
	if (r.count === 2 && r.last.number === r.first.number + 1) return `${versionName(r.first)}, ${versionName(r.last)}`;
	return r.count === r.last.number - r.first.number + 1 ? span : `${span} (${r.count} versions)`;
}

export interface DescribeRangesOptions {
	/** Name the model even when all ranges are of one model. */
	withModel?: boolean;
	/** How a range's aliased versions are written after it; default ` [production v7]`. */
	aliases?: (aliased: VersionRef[], single: boolean) => string;
	/** Escapes a model name (Markdown). */
	escape?: (text: string) => string;
}

/** "v1–v3, v5" (one model) or "support-bot v1–v3 · reranker v2": ranges per model, oldest first. */
export function describeRanges(ranges: VersionRange[], options: DescribeRangesOptions = {}): string {
	const escape = options.escape ?? ((t: string) => t);
	const aliasText = options.aliases ?? ((aliased: VersionRef[], single: boolean) => (aliased.length ? ` [${aliased.map((v) => `${v.aliases.join(', ')}${single ? '' : ` ${versionName(v)}`}`).join('; ')}]` : ''));
	const byModel = new Map<string, VersionRange[]>();
	for (const r of ranges) {
		const list = byModel.get(r.model);
		if (list) list.push(r);
		else byModel.set(r.model, [r]);
	}
	return [...byModel]
		.sort(([a], [b]) => compare(a, b))
		.map(([model, list]) => {
			const text = [...list]
				.sort((a, b) => a.first.number - b.first.number || compare(a.first.createdAt, b.first.createdAt))
				.map((r) => rangeText(r) + aliasText(r.aliased, r.count === 1))
				.join(', ');
			return byModel.size > 1 || options.withModel ? `${escape(model)} ${text}` : text;
		})
		.join(' · ');
}

/** Versions in all ranges. */
export function rangesCount(ranges: VersionRange[]): number {
	let n = 0;
	for (const r of ranges) n += r.count;
	return n;
}
