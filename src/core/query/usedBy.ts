// "Which versions use this file?": answered from index.db alone (artifacts by path and by sha256),
// with the file's current hash from the stat cache, so a hover can ask on every mouse move.
import { statSync } from 'node:fs';
import type { Ledger } from '../ledger';
import { resolveInWorkspace } from '../ledger';
import type { Role } from '../model';
import { followPath } from './pathFollow';
import type { PathRename } from './pathFollow';
import type { StatKey } from '../index/registryIndex';
import { currentHash } from '../snapshot/snapshot';
import { versionName } from '../store/versionName';
import type { WorkspaceConfig } from '../parse/workspaceConfig';
import { modelMatcher } from '../snapshot/workspaceFiles';
import { acrossVersions, compare, keptWhile, memoized, modelStamp, newestFirst, pathAliases, pathTimeline, versionRefs } from './versionsByPath';
import type { PathVersion, VersionRef } from './versionsByPath';
import { contentRanges } from './versionRanges';
import type { ContentRanges, VersionRange } from './versionRanges';

/**
 * One content the path had: the ranges of versions holding it (per model, oldest first), how many
 * versions, the newest of them, and when it was first and last seen.
 */
export interface ContentHistoryEntry extends ContentRanges {
	/** The file's earlier name when these versions held it under another path (it was renamed since). */
	path?: string;
}

export interface UsedBy {
	/** Workspace-relative, forward slashes. */
	path: string;
	/** sha256 of the file now; null when it is gone, or when it is too large to hash here and its stat changed. */
	sha256: string | null;
	exists: boolean;
	/** True when a version holds the path or a model's globs match it. */
	tracked: boolean;
	/** Models whose globs in model-ledger.yaml match the path now. */
	models: string[];
	/** The role the newest version holding the path gave it. */
	role: Role | null;
	/** Versions whose artifact at this path has exactly the current content, as ranges per model (oldest first). */
	current: VersionRange[];
	/** Versions holding the current content under another path (a rename, a copy), newest first. */
	sameContentElsewhere: Array<VersionRef & { path: string }>;
	/** Each content the path had in some version, newest first (by the newest version holding it). */
	history: ContentHistoryEntry[];
	/** The version where the path took the content the newest version holding it has: "last changed in v7". */
	lastChanged: VersionRef | null;
	/** The newest version holding the path, whatever its content. */
	newest: VersionRef | null;
	/** The file exists, a version holds the path, and the current content is in none of them. */
	modified: boolean;
	/** The first version of the newest holding version's model that no longer holds the path (`git rm` then snapshot): "removed in v30". */
	removedIn: VersionRef | null;
	/** Where the file was renamed (oldest first); `history` continues under the earlier names. */
	renames: PathRename[];
}

export interface UsedByOptions {
	/** Files larger than this whose stat changed since they were last hashed are not hashed (a hover must not read gigabytes). */
	maxHashBytes?: number;
}

/** Copies of one content across the registry beyond this are not listed (an empty file is everywhere). */
const MAX_ELSEWHERE = 200;

/**
 * Which versions hold a workspace file's current content, and which contents it had before, across all
 * models. The result is shared with later calls while index.db and the file are unchanged: read-only.
 */
export function usedBy(ledger: Ledger, relPath: string, options: UsedByOptions = {}): UsedBy {
	const path = normalizeRelPath(relPath);
	const abs = resolveInWorkspace(ledger.root, path);
	const { sha256, exists } = contentHash(ledger, path, abs, options.maxHashBytes);
	return memoized(ledger, `usedBy\0${path}\0${sha256}\0${exists}`, () => computeUsedBy(ledger, path, sha256, exists));
}

function computeUsedBy(ledger: Ledger, path: string, sha256: string | null, exists: boolean): UsedBy {
	const index = ledger.index;
	// Per model, the versions holding the path in order; contents and their ranges in one pass over it.
	const timeline = pathTimeline(ledger, path);
	// Kept while no version is added or removed and the path's aliases stay where they are.
	const contents = acrossVersions(ledger, `contentRanges\0${path}`, pathAliases(ledger, path).signature, () => contentRanges(timeline));
	const current = sha256 === null ? [] : (contents.get(sha256)?.ranges ?? []);
	let elsewhere: Array<{ path: string; version: VersionRef }> = [];
	if (sha256 !== null) {
		const found = index.readStatement(`SELECT path, digest FROM artifacts WHERE sha256 = ? AND path <> ? LIMIT ${MAX_ELSEWHERE}`).raw(true).all(sha256, path) as Array<[string, string]>;
		const refs = versionRefs(ledger, found.map(([, digest]) => digest));
		elsewhere = found.flatMap(([otherPath, digest]) => {
			const version = refs.get(digest);
			return version ? [{ path: otherPath, version }] : [];
		});
		elsewhere.sort((a, b) => newestFirst(a.version, b.version) || compare(a.path, b.path));
	}
	// Newest first, by the newest version holding each content.
	const history: ContentHistoryEntry[] = [...contents.values()].sort((a, b) => newestFirst(a.newest, b.newest));

	// Like `git log --follow`: the contents it had under earlier names, after the ones under this name.
	const followed = contents.size > 0 ? followPath(ledger, path) : [];
	for (const { model, segments } of followed) {
		for (const segment of segments.slice(0, -1)) {
			const earlier = [...contentRanges(new Map([[model, segment.held]])).values()].sort((a, b) => newestFirst(a.newest, b.newest));
			for (const entry of earlier) history.push({ ...entry, path: segment.path });
		}
	}
	const models = modelsMatching(ledger, path);
	// The newest version holding the path is the newest of its contents' newest versions.
	let newest: PathVersion | undefined;
	for (const entry of contents.values()) if (!newest || newestFirst(entry.newest, newest.ref) < 0) newest = { sha: entry.sha256, ref: entry.newest };
	const ofModel = newest ? timeline.get(newest.ref.model)! : [];
	const role = newest ? ((index.readStatement('SELECT role FROM artifacts WHERE digest = ? AND path = ?').pluck().get(newest.ref.digest, path) as Role | undefined) ?? null) : null;
	return {
		path,
		sha256,
		exists,
		tracked: contents.size > 0 || models.length > 0,
		models,
		role,
		current,
		sameContentElsewhere: elsewhere.map((r) => ({ ...r.version, path: r.path })),
		history,
		lastChanged: newest ? lastChange(ofModel, newest.sha) : null,
		newest: newest ? newest.ref : null,
		modified: exists && contents.size > 0 && current.length === 0,
		removedIn: newest ? (removedAfter(ledger, ofModel[ofModel.length - 1].ref) ?? null) : null,
		renames: followed.flatMap((f) => f.renames),
	};
}

/** The model's first version after `last` (by number, then time) when it no longer holds the file: "removed in v30". */
export function removedAfter(ledger: Ledger, last: VersionRef): VersionRef | undefined {
	// Depends on the model's versions alone: kept while none of them is added or removed.
	return keptWhile(ledger, `removedAfter\0${last.model}\0${last.number}`, modelStamp(ledger, last.model), () => computeRemovedAfter(ledger, last));
}

function computeRemovedAfter(ledger: Ledger, last: VersionRef): VersionRef | undefined {
	const row = ledger.index
		.readStatement('SELECT digest, number, label, created_at, author_name FROM versions WHERE model = ? AND number > ? ORDER BY number, created_at LIMIT 1')
		.raw(true)
		.get(last.model, last.number) as [string, number, string, string, string] | undefined;
	if (!row) return undefined;
	const [digest, number, label, createdAt, author] = row;
	const shared = (ledger.index.readStatement('SELECT count(*) FROM versions WHERE model = ? AND number = ?').pluck().get(last.model, number) as number) > 1;
	return { model: last.model, digest, number, label, createdAt, author, aliases: [], ...(shared ? { numberShared: true } : {}) };
}

/** The first version of the model's newest run holding `sha` (the timeline is oldest first): "last changed in v7". */
function lastChange(ofModel: ReadonlyArray<PathVersion>, sha: string): VersionRef {
	let k = ofModel.length - 1;
	while (k > 0 && ofModel[k - 1].sha === sha && ofModel[k].sha === sha) k--;
	return ofModel[k].ref;
}

/** Cheap "should a hover say anything?": a version holds the path, or a model's globs match it. */
export function isTracked(ledger: Ledger, relPath: string): boolean {
	return isInAnyVersion(ledger, relPath) || modelsMatching(ledger, normalizeRelPath(relPath)).length > 0;
}

/** Whether any version holds a file at this workspace path. */
export function isInAnyVersion(ledger: Ledger, relPath: string): boolean {
	return ledger.index.readStatement('SELECT 1 FROM artifacts WHERE path = ? LIMIT 1').pluck().get(normalizeRelPath(relPath)) !== undefined;
}

/** Workspace paths in the index use forward slashes and no `./`. */
export function normalizeRelPath(relPath: string): string {
	return relPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function contentHash(ledger: Ledger, path: string, abs: string, maxHashBytes: number | undefined): { sha256: string | null; exists: boolean } {
	let stat;
	try {
		stat = statSync(abs, { bigint: true });
	} catch {
		return { sha256: null, exists: false };
	}
	if (!stat.isFile()) return { sha256: null, exists: false };
	if (maxHashBytes !== undefined && stat.size > BigInt(maxHashBytes)) {
		const key: StatKey = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs };
		return { sha256: ledger.index.cachedHash(path, key) ?? null, exists: true };
	}
	return { sha256: currentHash(ledger, path, abs), exists: true };
}

const matchers = new WeakMap<WorkspaceConfig, { list: Array<{ model: string; isMatch: (path: string) => boolean }>; byPath: Map<string, string[]> }>();

/**
 * Models whose globs match the path (compiled once per parsed config, answered once per path: every
 * model's globs per hover measured ~15% of a used-by after a new version). A broken config matches nothing.
 */
export function modelsMatching(ledger: Ledger, path: string): string[] {
	let config: WorkspaceConfig;
	try {
		config = ledger.config;
	} catch {
		return [];
	}
	let m = matchers.get(config);
	if (!m) matchers.set(config, (m = { list: config.models.map((c) => ({ model: c.name, isMatch: modelMatcher(c) })), byPath: new Map() }));
	let found = m.byPath.get(path);
	if (!found) {
		found = m.list.filter((c) => c.isMatch(path)).map((c) => c.model);
		if (m.byPath.size >= 10_000) m.byPath.clear();
		m.byPath.set(path, found);
	}
	return [...found];
}

/**
 * Version numbers as short ranges per model: "v1–v3, v5" (one model) or "support-bot v1–v3 · reranker v2".
 * `withModel` forces the model name even when only one model is involved.
 */
export function describeVersions(versions: Array<Pick<VersionRef, 'model' | 'number'> & Partial<Pick<VersionRef, 'digest' | 'numberShared'>>>, withModel = false): string {
	const byModel = new Map<string, { numbers: number[]; shared: string[] }>();
	for (const v of versions) {
		let entry = byModel.get(v.model);
		if (!entry) byModel.set(v.model, (entry = { numbers: [], shared: [] }));
		// A number two versions share is named one by one (`v2 (fc78108)`), never folded into a range.
		if (v.numberShared && v.digest) entry.shared.push(versionName({ number: v.number, digest: v.digest, numberShared: true }));
		else entry.numbers.push(v.number);
	}
	const parts = [...byModel].map(([model, { numbers, shared }]) => {
		const ranges = [numberRanges([...new Set(numbers)].sort((a, b) => a - b)), ...[...new Set(shared)].sort()].filter(Boolean).join(', ');
		return byModel.size > 1 || withModel ? `${model} ${ranges}` : ranges;
	});
	return parts.join(' · ');
}

function numberRanges(sorted: number[]): string {
	const out: string[] = [];
	for (let i = 0; i < sorted.length; ) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
		out.push(j === i ? `v${sorted[i]}` : j === i + 1 ? `v${sorted[i]}, v${sorted[j]}` : `v${sorted[i]}–v${sorted[j]}`);
		i = j + 1;
	}
	return out.join(', ');
}
