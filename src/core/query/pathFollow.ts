// Following a file back across renames, like `git log --follow`: where a model's first version holding
// a path comes right after a version that held another path instead (gone in the next version), with
// identical bytes or ≥ 50% similar text, that path is the same file under its old name. Answered from
// index.db (artifacts of two versions per hop); only a similarity check reads the two stored objects.
import type { Ledger } from '../ledger';
import { pairRenames } from '../compare/renames';
import type { RenameCandidate } from '../compare/renames';
import { decodeUtf8Text, looksBinary } from '../parse/textContent';
import { acrossVersions, aliasesSignature, memoized, modelOrder, modelStamp, pathTimeline } from './versionsByPath';
import type { PathVersion, VersionRef } from './versionsByPath';

/** Renames followed per file at most (a file renamed more often than this is followed this far). */
const MAX_HOPS = 32;

export interface PathRename {
	model: string;
	from: string;
	to: string;
	/** The last version holding `from` and the first holding `to`. */
	before: VersionRef;
	at: VersionRef;
	/** 100 for identical bytes, else percent of shared lines (see renames.ts). */
	similarity: number;
}

/** One name of a file and the model's versions that held it under that name (with the content each held), oldest first. */
export interface PathSegment {
	path: string;
	held: ReadonlyArray<PathVersion>;
}

export interface FollowedPath {
	model: string;
	/** Oldest name first; the last segment is the path asked about. */
	segments: PathSegment[];
	/** Oldest rename first. */
	renames: PathRename[];
}

/** Per model holding `path`: its versions under each earlier name, across renames. Read-only, memoized per index generation. */
export function followPath(ledger: Ledger, path: string): FollowedPath[] {
	// Renames are found from the versions and stored objects (immutable), the refs carry aliases: kept
	// across index changes while no version is added or removed and no alias moves.
	return memoized(ledger, `followPath\0${path}`, () => acrossVersions(ledger, `followPath\0${path}`, aliasesSignature(ledger), () => computeFollow(ledger, path)));
}

/**
 * The name `path` had in one version of `model`, following renames back (the version held the file
 * under an earlier name); undefined when that version holds no name of it. Lets "Diff with v3" open
 * v3's file when the working file has been renamed since.
 */
export function pathInVersion(ledger: Ledger, model: string, path: string, digest: string): string | undefined {
	const followed = followPath(ledger, path).find((f) => f.model === model);
	return followed?.segments.find((s) => s.held.some((v) => v.ref.digest === digest))?.path;
}

function computeFollow(ledger: Ledger, path: string): FollowedPath[] {
	const result: FollowedPath[] = [];
	const aliases = aliasesSignature(ledger);
	// Models in name order: a timeline brought up to date lists a model new to the path last, a fresh one in index order.
	for (const [model, held] of [...pathTimeline(ledger, path)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
		// One model's renames depend on its versions and the aliases alone, and end at its list: kept
		// while those are the same, so a snapshot of one model follows that model's file again, not all.
		const stamp = `${modelStamp(ledger, model)}\0${aliases}`;
		const kept = followedOf.get(held);
		if (kept && kept.stamp === stamp && kept.path === path) {
			result.push(kept.value);
			continue;
		}
		const value = followModel(ledger, path, model, held);
		followedOf.set(held, { stamp, path, value });
		result.push(value);
	}
	return result;
}

const followedOf = new WeakMap<ReadonlyArray<PathVersion>, { stamp: string; path: string; value: FollowedPath }>();

function followModel(ledger: Ledger, path: string, model: string, held: ReadonlyArray<PathVersion>): FollowedPath {
	const segments: PathSegment[] = [{ path, held }];
	const renames: PathRename[] = [];
	const seen = new Set([path]);
	let current = segments[0];
	for (let hop = 0; hop < MAX_HOPS; hop++) {
		const first = current.held[0].ref;
		const prev = previousVersion(ledger, model, first);
		if (!prev) break;
		const found = renamedFrom(ledger, prev, first, current.path);
		if (!found || seen.has(found.from)) break;
		seen.add(found.from);
		// The old name's versions up to the one before the rename (a later reuse of the old name is another file).
		const older = (pathTimeline(ledger, found.from).get(model) ?? []).filter((v) => modelOrder(v.ref, first) < 0);
		if (older.length === 0) break;
		renames.unshift({ model, from: found.from, to: current.path, before: prev, at: first, similarity: found.similarity });
		current = { path: found.from, held: older };
		segments.unshift(current);
	}
	return { model, segments, renames };
}

/**
 * The model's version right before `first` in that order: one seek of versions_by_model, instead of
 * listing every version of the model (a rename hop is asked on every hover after an index change).
 */
function previousVersion(ledger: Ledger, model: string, first: VersionRef): VersionRef | undefined {
	const digest = ledger.index
		.readStatement('SELECT digest FROM versions WHERE model = ? AND (number, created_at, digest) < (?, ?, ?) ORDER BY number DESC, created_at DESC, digest DESC LIMIT 1')
		.pluck()
		.get(model, first.number, first.createdAt, first.digest) as string | undefined;
	const v = digest === undefined ? undefined : ledger.index.versionByDigest(digest);
	return v && { model, digest: v.digest, number: v.number, label: v.label, createdAt: v.createdAt, author: v.author.name, aliases: v.aliases };
}

interface Row extends RenameCandidate {
	digest: string;
}

function artifactsOf(ledger: Ledger, digest: string): Row[] {
	const rows = ledger.index.readStatement('SELECT path, sha256, size FROM artifacts WHERE digest = ?').raw(true).all(digest) as Array<[string, string, number]>;
	return rows.map(([path, sha256, size]) => ({ digest, path, sha256, size }));
}

/** The path in `prev` that became `path` in `first`, when `prev` lacks `path` and it pairs as a rename. */
function renamedFrom(ledger: Ledger, prev: { digest: string }, first: VersionRef, path: string): { from: string; similarity: number } | undefined {
	const before = artifactsOf(ledger, prev.digest);
	if (before.some((r) => r.path === path)) return undefined;
	const after = artifactsOf(ledger, first.digest);
	const target = after.find((r) => r.path === path);
	if (!target) return undefined;
	const inAfter = new Set(after.map((r) => r.path));
	const inBefore = new Set(before.map((r) => r.path));
	const removed = before.filter((r) => !inAfter.has(r.path));
	// Every added file competes, so two files swapping names pair the way diff pairs them.
	const added = after.filter((r) => !inBefore.has(r.path));
	const pair = pairRenames(removed, added, (r) => storedText(ledger, r.sha256)).find((p) => p.to.path === path);
	return pair ? { from: pair.from.path, similarity: pair.similarity } : undefined;
}

function storedText(ledger: Ledger, sha256: string): string | undefined {
	try {
		const bytes = ledger.store.read(sha256);
		return looksBinary(bytes) ? undefined : decodeUtf8Text(bytes);
	} catch {
		// An object only on a remote (or gone): pair by identical content only.
		return undefined;
	}
}

/** "renamed from a in v4" for each rename of one model's file, oldest first. */
export function describeRenames(renames: PathRename[]): string[] {
	return renames.map((r) => `renamed from ${r.from} in v${r.at.number}${r.similarity < 100 ? ` (${r.similarity}% similar)` : ''}`);
}
