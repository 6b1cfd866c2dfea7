// The versions that hold a path, read from index.db and remembered while it is unchanged: what
// used-by, key history and rename following (pathFollow.ts) all start from. Kept apart from usedBy.ts
// so pathFollow can use it without importing usedBy, which uses pathFollow.
import type { Ledger } from '../ledger';
import type { WorkspaceConfig } from '../parse/workspaceConfig';

/** A version as hovers and used-by lists name it. */
export interface VersionRef {
	model: string;
	number: number;
	label: string;
	digest: string;
	createdAt: string;
	author: string;
	aliases: string[];
	/** Another version of the model has the same number (two branches merged): name it `v2 (fc78108)`. */
	numberShared?: boolean;
}

/**
 * What a version row says besides its aliases: fixed by the digest (the manifest's hash), so it can be
 * kept across index changes. `ref` is the version without aliases, shared by results (read-only).
 */
interface VersionFacts {
	ref: VersionRef;
}

const facts = new WeakMap<Ledger, Map<string, VersionFacts>>();
/** Beyond this many remembered versions the memory is dropped and refilled (versions removed by gc linger until then). */
const MAX_FACTS = 200_000;
/** More unknown digests than this are read with one join over the path's rows instead of one lookup each. */
const BULK_LOOKUP = 64;

/** One version holding a path and the content (sha256) it holds there. */
export interface PathVersion {
	sha: string;
	ref: VersionRef;
}

/** Per model, the versions holding a path in the model's order (number, creation time, digest), oldest first. */
export type PathTimeline = ReadonlyMap<string, ReadonlyArray<PathVersion>>;

/**
 * Every version holding the path, per model in the model's order, each with the sha256 it holds there.
 * A version's facts never change under its digest, and which versions hold the path is read from the
 * path's artifact rows (one row per content), so the ordered timeline is rebuilt only when those rows
 * change: after an unrelated index change (another file's snapshot, a stat cache write) the first
 * query reads the path's content rows and the aliases, not every version. Aliases and shared numbers
 * are applied per query, since they move without a new version. Read-only, memoized per index generation.
 */
export function pathTimeline(ledger: Ledger, path: string): PathTimeline {
	return memoized(ledger, `pathTimeline\0${path}`, () => {
		const aliases = pathAliases(ledger, path);
		return acrossVersions(ledger, `pathTimeline\0${path}`, aliases.signature, () => withAliases(ledger, baseTimeline(ledger, path), aliases));
	});
}

/** Aliases of the versions holding the path (read per index generation: they move without a new version). */
export function pathAliases(ledger: Ledger, path: string): { byDigest: Map<string, string[]>; signature: string } {
	return memoized(ledger, `pathAliases\0${path}`, () => {
		// The aliases table is small (a few names per model): scan it and probe each alias's (digest, path) row.
		const rows = ledger.index
			.readStatement('SELECT al.digest, al.name FROM aliases al WHERE EXISTS (SELECT 1 FROM artifacts a WHERE a.digest = al.digest AND a.path = ?) ORDER BY al.digest, al.name')
			.raw(true)
			.all(path) as Array<[string, string]>;
		const byDigest = new Map<string, string[]>();
		for (const [digest, name] of rows) {
			const list = byDigest.get(digest);
			if (list) list.push(name);
			else byDigest.set(digest, [name]);
		}
		return { byDigest, signature: JSON.stringify(rows) };
	});
}

/** All aliases as one string (a small table): results that name aliases of many versions are kept while it is equal. */
export function aliasesSignature(ledger: Ledger): string {
	return memoized(ledger, 'aliasesSignature', () => (ledger.index.readStatement("SELECT group_concat(model || char(0) || name || char(0) || digest, char(1)) FROM aliases").pluck().get() as string | null) ?? '');
}

/** Base timelines per path with the versions stamp they are of (recently used last). */
const timelines = new WeakMap<Ledger, Map<string, { stamp: string; byModel: Map<string, PathVersion[]> }>>();
const MAX_TIMELINES = 128;
/** More versions added or removed than this since a timeline was built: it is built again instead. */
const MAX_REPLAY = 64;

/**
 * The timeline without aliases, numbers shared by two versions marked: it only changes with the
 * versions. When a few versions were added or removed since it was built (a snapshot), it is brought
 * up to date from the index's version log: one artifact probe per new version, not a read of every
 * version holding the path.
 */
function baseTimeline(ledger: Ledger, path: string): Map<string, PathVersion[]> {
	const stamp = versionsStamp(ledger);
	let cache = timelines.get(ledger);
	if (!cache) timelines.set(ledger, (cache = new Map()));
	const kept = cache.get(path);
	if (kept && kept.stamp === stamp) return kept.byModel;
	const byModel = (kept && replayVersionLog(ledger, path, kept.stamp, stamp, kept.byModel)) ?? computeBaseTimeline(ledger, path);
	cache.delete(path);
	cache.set(path, { stamp, byModel });
	if (cache.size > MAX_TIMELINES) cache.delete(cache.keys().next().value!);
	return byModel;
}

/** The versions stamp (RegistryIndex.versionsStamp), read once per index generation. */
export function versionsStamp(ledger: Ledger): string {
	return memoized(ledger, 'versionsStamp', () => ledger.index.versionsStamp());
}

/** `before` brought to stamp `now` from the version log; undefined when the log cannot say (a rebuild, too many changes). */
function replayVersionLog(ledger: Ledger, path: string, then: string, now: string, before: Map<string, PathVersion[]>): Map<string, PathVersion[]> | undefined {
	const a = splitStamp(then);
	const b = splitStamp(now);
	if (a.epoch !== b.epoch || !(b.seq > a.seq)) return undefined;
	const changes = ledger.index.versionChangesSince(a.seq, MAX_REPLAY);
	if (!changes) return undefined;
	// Copy on write: earlier results share the old lists and stay as they were.
	const byModel = new Map(before);
	const copied = new Set<string>();
	const listOf = (model: string): PathVersion[] => {
		if (!copied.has(model)) {
			byModel.set(model, [...(byModel.get(model) ?? [])]);
			copied.add(model);
		}
		return byModel.get(model)!;
	};
	const touched = new Map<string, Set<number>>();
	const shaAt = ledger.index.readStatement('SELECT sha256 FROM artifacts WHERE digest = ? AND path = ?').pluck();
	for (const { digest, added } of changes) {
		// A version's facts never change under its digest; a removed one's are still remembered (or it was never listed).
		const f = versionFacts(ledger, [digest]).get(digest) ?? facts.get(ledger)?.get(digest);
		if (!f) continue;
		const model = f.ref.model;
		if (byModel.has(model) || added) {
			const list = listOf(model);
			const at = list.findIndex((e) => e.ref.digest === digest);
			if (at >= 0) list.splice(at, 1);
			const sha = added ? (shaAt.get(digest, path) as string | undefined) : undefined;
			if (sha !== undefined) list.splice(insertionPoint(list, f.ref), 0, { sha, ref: f.ref });
			if (list.length === 0) byModel.delete(model);
			touched.set(model, (touched.get(model) ?? new Set()).add(f.ref.number));
		}
	}
	// A version added or removed can make its number shared by two versions, or no longer.
	const count = ledger.index.readStatement('SELECT count(*) FROM versions WHERE model = ? AND number = ?').pluck();
	for (const [model, numbers] of touched) {
		const list = byModel.get(model);
		if (!list) continue;
		for (const number of numbers) {
			const shared = (count.get(model, number) as number) > 1;
			for (let k = 0; k < list.length; k++) {
				const e = list[k];
				if (e.ref.number !== number || (e.ref.numberShared ?? false) === shared) continue;
				const { numberShared: _, ...ref } = e.ref;
				list[k] = { sha: e.sha, ref: shared ? { ...ref, numberShared: true } : ref };
			}
		}
	}
	return byModel;
}

function splitStamp(stamp: string): { epoch: string; seq: number } {
	const at = stamp.lastIndexOf(':');
	return { epoch: stamp.slice(0, at), seq: Number(stamp.slice(at + 1)) };
}

interface ModelStamps {
	stamp: string;
	epoch: string;
	seq: number;
	/** A new number whenever the log cannot say which models changed: every model's stamp changes. */
	generation: number;
	/** Per model, the log entry of its last version added or removed since `generation` began. */
	byModel: Map<string, number>;
}

const modelStamps = new WeakMap<Ledger, ModelStamps>();
let stampGenerations = 0;

/**
 * Names the versions of one model: equal while none of that model's versions is added or removed,
 * whatever other models gain. What depends on one model's versions alone (the version after a
 * file's last, renames followed within the model) is kept across other models' snapshots by it.
 */
export function modelStamp(ledger: Ledger, model: string): string {
	const stamp = versionsStamp(ledger);
	let s = modelStamps.get(ledger);
	if (!s || s.stamp !== stamp) {
		s = advanceModelStamps(ledger, s, stamp);
		modelStamps.set(ledger, s);
	}
	return `${s.generation}:${s.byModel.get(model) ?? 0}`;
}

function advanceModelStamps(ledger: Ledger, before: ModelStamps | undefined, stamp: string): ModelStamps {
	const { epoch, seq } = splitStamp(stamp);
	if (before && before.epoch === epoch && seq > before.seq) {
		const changes = ledger.index.versionChangesSince(before.seq, MAX_REPLAY);
		if (changes) {
			const byModel = new Map(before.byModel);
			let known = true;
			for (const { digest } of changes) {
				// A removed version's row is gone: its facts are remembered, or its model is unknown.
				const model = versionFacts(ledger, [digest]).get(digest)?.ref.model;
				if (model === undefined) {
					known = false;
					break;
				}
				byModel.set(model, seq);
			}
			if (known) return { stamp, epoch, seq, generation: before.generation, byModel };
		}
	}
	return { stamp, epoch, seq, generation: ++stampGenerations, byModel: new Map() };
}

/**
 * The contents (sha256) held by versions added since versions stamp `then`, at any path: the only
 * contents whose derived rows (content_values, content_indexed) can have changed since, since those
 * rows are written when a version first brings a content and removed only with a new epoch.
 * Undefined when the log cannot say (another epoch, too many changes).
 */
export function contentsAddedSince(ledger: Ledger, then: string): Set<string> | undefined {
	const now = versionsStamp(ledger);
	return memoized(ledger, `contentsAddedSince\0${then}`, () => {
		const a = splitStamp(then);
		const b = splitStamp(now);
		if (a.epoch !== b.epoch || b.seq < a.seq) return undefined;
		const changes = ledger.index.versionChangesSince(a.seq, MAX_REPLAY);
		if (!changes) return undefined;
		const shas = ledger.index.readStatement('SELECT sha256 FROM artifacts WHERE digest = ?').pluck();
		const added = new Set<string>();
		// A version added then removed since has no rows left; what it brought stays, and must be looked up again.
		for (const { digest, added: isAdded } of changes) {
			if (!isAdded) continue;
			const rows = shas.all(digest) as string[];
			if (rows.length === 0) return undefined;
			for (const sha of rows) added.add(sha);
		}
		return added;
	});
}

/** The epoch part of the versions stamp (a new one when the versions are rebuilt: derived rows start over). */
export function versionsEpoch(ledger: Ledger): string {
	return splitStamp(versionsStamp(ledger)).epoch;
}

/**
 * What is derived from one model's list (its contents, runs, ranges), kept by the list's identity:
 * lists are replaced when their model's versions change, never changed. Kept from the second time a
 * list is asked about: a list asked about once (the model that just got a version, whose list is
 * replaced again by its next one) would only keep garbage alive, and keeping it measured slower than
 * recomputing (objects that survive a scavenge are copied).
 */
export class KeptPerList<V> {
	private readonly kept = new WeakMap<object, V>();
	private readonly seen = new WeakSet<object>();

	get(list: object, compute: () => V): V {
		const hit = this.kept.get(list);
		if (hit !== undefined) return hit;
		const value = compute();
		if (this.seen.has(list)) this.kept.set(list, value);
		else this.seen.add(list);
		return value;
	}
}

const listShaCache = new KeptPerList<string[]>();

/** The distinct contents of one model's list, in order of first appearance (read-only). */
export function listShas(list: ReadonlyArray<PathVersion>): string[] {
	return listShaCache.get(list, () => [...new Set(list.map((v) => v.sha))]);
}

/** The path's distinct contents across models: from each model's kept list, not a pass over every version. */
export function pathContentShas(ledger: Ledger, path: string): string[] {
	return memoized(ledger, `pathContentShas\0${path}`, () => {
		const seen = new Set<string>();
		for (const list of baseTimeline(ledger, path).values()) for (const sha of listShas(list)) seen.add(sha);
		return [...seen];
	});
}

/** Where `ref` goes in a list in the model's order (binary search). */
function insertionPoint(list: PathVersion[], ref: VersionRef): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (modelOrder(list[mid].ref, ref) < 0) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function computeBaseTimeline(ledger: Ledger, path: string): Map<string, PathVersion[]> {
	const contents = (ledger.index.readStatement('SELECT sha256, group_concat(digest) FROM artifacts WHERE path = ? GROUP BY sha256').raw(true).all(path) as Array<[string, string]>).map(
		([sha256, list]) => ({ sha256, digests: list.split(',') }),
	);
	const digests: string[] = [];
	const shaOf: string[] = [];
	for (const { sha256: sha, digests: list } of contents) {
		for (const digest of list) {
			digests.push(digest);
			shaOf.push(sha);
		}
	}
	const known = versionFacts(ledger, digests, path);
	const byModel = new Map<string, PathVersion[]>();
	digests.forEach((digest, i) => {
		const f = known.get(digest);
		if (!f) return;
		const list = byModel.get(f.ref.model);
		const entry = { sha: shaOf[i], ref: f.ref };
		if (list) list.push(entry);
		else byModel.set(f.ref.model, [entry]);
	});
	for (const [model, list] of byModel) {
		list.sort((a, b) => modelOrder(a.ref, b.ref));
		// Named like `list` names them (`v2 (fc78108)`); the remembered facts stay unmarked, since a later merge can share a number.
		const shared = sharedNumbers(ledger, model);
		if (shared) byModel.set(model, list.map((e) => (shared.has(e.ref.number) ? { sha: e.sha, ref: { ...e.ref, numberShared: true } } : e)));
	}
	return byModel;
}

/** Copies of the timeline's entries whose version has aliases; the rest are shared. */
function withAliases(ledger: Ledger, base: Map<string, PathVersion[]>, aliases: { byDigest: Map<string, string[]>; signature: string }): Map<string, PathVersion[]> {
	if (aliases.byDigest.size === 0) return base;
	// Only the lists of models with an aliased version are copied, once per list and aliases: a list
	// keeps its identity while neither changes, so what is derived per list (runs, ranges) is kept too.
	const known = versionFacts(ledger, [...aliases.byDigest.keys()]);
	const models = new Set<string>();
	for (const digest of aliases.byDigest.keys()) {
		const model = known.get(digest)?.ref.model;
		if (model !== undefined) models.add(model);
	}
	const result = new Map<string, PathVersion[]>();
	for (const [model, list] of base) {
		if (!models.has(model)) {
			result.set(model, list);
			continue;
		}
		const hit = aliasedLists.get(list);
		if (hit && hit.signature === aliases.signature) {
			result.set(model, hit.list);
			continue;
		}
		const copy = list.map((entry) => {
			const names = aliases.byDigest.get(entry.ref.digest);
			return names ? { sha: entry.sha, ref: { ...entry.ref, aliases: names } } : entry;
		});
		aliasedLists.set(list, { signature: aliases.signature, list: copy });
		result.set(model, copy);
	}
	return result;
}

const aliasedLists = new WeakMap<PathVersion[], { signature: string; list: PathVersion[] }>();

/** Numbers two versions of the model share (two branches merged); undefined when none. */
function sharedNumbers(ledger: Ledger, model: string): Set<number> | undefined {
	// One scan of versions_by_model for all models, kept while no version is added or removed.
	const all = acrossVersions(ledger, 'sharedNumbers', '', () => {
		const byModel = new Map<string, Set<number>>();
		for (const [m, number] of ledger.index.readStatement('SELECT model, number FROM versions GROUP BY model, number HAVING count(*) > 1').raw(true).all() as Array<[string, number]>) {
			const set = byModel.get(m);
			if (set) set.add(number);
			else byModel.set(m, new Set([number]));
		}
		return byModel;
	});
	return all.get(model);
}

/** The order of a model's versions key history and ranges use: number, then creation time, then digest. */
export function modelOrder(a: VersionRef, b: VersionRef): number {
	return a.number - b.number || compare(a.createdAt, b.createdAt) || compare(a.digest, b.digest);
}

/** Digests of the model's versions that hold the path, from the index's artifact rows (no manifest is read). */
export function modelVersionsHoldingPath(ledger: Ledger, model: string, path: string): string[] {
	return ledger.index.readStatement('SELECT a.digest FROM artifacts a JOIN versions v ON v.digest = a.digest WHERE v.model = ? AND a.path = ?').pluck().all(model, path) as string[];
}

/** One content a path had: its sha256 and the digests of the versions holding it there. */
export interface PathContent {
	sha256: string;
	digests: string[];
}

/**
 * The path's contents, each with the versions holding it: one row per content, not per version (a file
 * held by 10,000 versions is ~100 rows to decode). Shared by used-by, key history and rename following
 * while index.db is unchanged, so one hover or key-history reads the path's rows once.
 */
export function pathContents(ledger: Ledger, path: string): PathContent[] {
	// From the kept timeline (brought up to date from the version log), not from the path's artifact rows.
	return acrossVersions(ledger, `pathContents\0${path}`, '', () => {
		const bySha = new Map<string, string[]>();
		for (const list of baseTimeline(ledger, path).values()) {
			for (const { sha, ref } of list) {
				const digests = bySha.get(sha);
				if (digests) digests.push(ref.digest);
				else bySha.set(sha, [ref.digest]);
			}
		}
		return [...bySha].map(([sha256, digests]) => ({ sha256, digests }));
	});
}


/**
 * Marks refs whose number another version of the model also has (two branches merged), so they are
 * named like `list` names them: `v2 (fc78108)`. Copies: the cached facts stay unmarked, since a
 * later merge can make a number shared.
 */
function markShared(ledger: Ledger, refs: VersionRef[]): VersionRef[] {
	const shared = ledger.index.readStatement('SELECT number FROM versions WHERE model = ? GROUP BY number HAVING count(*) > 1').pluck();
	const byModel = new Map<string, Set<number>>();
	for (const model of new Set(refs.map((r) => r.model))) {
		const numbers = shared.all(model) as number[];
		if (numbers.length) byModel.set(model, new Set(numbers));
	}
	if (byModel.size === 0) return refs;
	return refs.map((r) => (byModel.get(r.model)?.has(r.number) ? { ...r, numberShared: true } : r));
}

/** Versions by digest with their aliases (for a few digests: same-content copies). */
export function versionRefs(ledger: Ledger, digests: string[]): Map<string, VersionRef> {
	const known = versionFacts(ledger, digests);
	const aliases = new Map<string, string[]>();
	const aliasRows = ledger.index.readStatement('SELECT digest, name FROM aliases WHERE digest IN (SELECT value FROM json_each(?)) ORDER BY name').raw(true).all(JSON.stringify(digests)) as Array<[string, string]>;
	for (const [digest, name] of aliasRows) aliases.set(digest, [...(aliases.get(digest) ?? []), name]);
	const refs = new Map<string, VersionRef>();
	for (const digest of digests) {
		const f = known.get(digest);
		if (f && !refs.has(digest)) refs.set(digest, { ...f.ref, aliases: aliases.get(digest) ?? [] });
	}
	return new Map(markShared(ledger, [...refs.values()]).map((r) => [r.digest, r]));
}

/** Newest first: creation time, then number, model, digest (a total order, so results are stable). */
export function newestFirst(a: VersionRef, b: VersionRef): number {
	return compare(b.createdAt, a.createdAt) || b.number - a.number || compare(a.model, b.model) || compare(a.digest, b.digest);
}

/** Facts of versions by digest (digests read from artifacts); rows not remembered yet are read, by path in bulk when given. */
function versionFacts(ledger: Ledger, digests: string[], path?: string): Map<string, VersionFacts> {
	let cache = facts.get(ledger);
	if (!cache || cache.size > MAX_FACTS) {
		cache = new Map();
		facts.set(ledger, cache);
	}
	const missing = digests.filter((d) => !cache.has(d));
	type Row = [string, string, number, string, string, string];
	const remember = ([digest, model, number, label, createdAt, author]: Row) => cache.set(digest, { ref: { model, number, label, digest, createdAt, author, aliases: [] } });
	const columns = 'v.digest, v.model, v.number, v.label, v.created_at, v.author_name';
	if (path !== undefined && missing.length > BULK_LOOKUP) {
		for (const row of ledger.index.readStatement(`SELECT ${columns} FROM artifacts a JOIN versions v ON v.digest = a.digest WHERE a.path = ?`).raw(true).all(path) as Row[]) remember(row);
	} else if (missing.length > 0) {
		const one = ledger.index.readStatement(`SELECT ${columns} FROM versions v WHERE v.digest = ?`).raw(true);
		for (const digest of missing) {
			const row = one.get(digest) as Row | undefined;
			if (row) remember(row);
		}
	}
	// A remembered digest that index.db no longer holds has no artifact rows either (both go in one
	// transaction), so digests read from artifacts never reach a stale entry.
	return cache;
}

/**
 * Changes whenever index.db may hold other rows: `data_version` moves when another connection (the
 * CLI, another window) commits, `total_changes()` when this one writes.
 */
export function indexGeneration(ledger: Ledger): string {
	const index = ledger.index;
	const dataVersion = index.readStatement('PRAGMA data_version').pluck().get() as number;
	const ownChanges = index.readStatement('SELECT total_changes()').pluck().get() as number;
	return `${dataVersion}:${ownChanges}`;
}

/**
 * A map kept for the ledger's lifetime, for facts fixed by digests (the metrics of a version, the
 * deltas between two versions): a digest's manifest never changes. Bounded by the caller.
 */
export function keptByDigest<V>(ledger: Ledger, name: string): Map<string, V> {
	let all = byDigestMaps.get(ledger);
	if (!all) byDigestMaps.set(ledger, (all = new Map()));
	let map = all.get(name);
	if (!map) all.set(name, (map = new Map()));
	return map as Map<string, V>;
}

const byDigestMaps = new WeakMap<Ledger, Map<string, Map<string, unknown>>>();

const kept = new WeakMap<Ledger, Map<string, { stamp: string; value: unknown }>>();
const MAX_KEPT = 256;

/**
 * Remembers a result derived from the versions alone (which versions hold a path, in which order,
 * with which content; the values of a content) across index changes that add or remove no version
 * (the versions stamp, see RegistryIndex.versionsStamp), plus whatever `extra` says it also depends
 * on. Recently used results are kept; results are read-only.
 */
export function acrossVersions<T>(ledger: Ledger, key: string, extra: string, compute: () => T): T {
	return keptWhile(ledger, key, `${versionsStamp(ledger)}\0${extra}`, compute);
}

/** Remembers a result while `stamp` is equal (recently used kept, MAX_KEPT in all); read-only results. */
export function keptWhile<T>(ledger: Ledger, key: string, stamp: string, compute: () => T): T {
	let cache = kept.get(ledger);
	if (!cache) kept.set(ledger, (cache = new Map()));
	const hit = cache.get(key);
	if (hit && hit.stamp === stamp) {
		// Most recently used last, so the oldest goes first when the map is full.
		cache.delete(key);
		cache.set(key, hit);
		return hit.value as T;
	}
	const value = compute();
	cache.delete(key);
	cache.set(key, { stamp, value });
	if (cache.size > MAX_KEPT) cache.delete(cache.keys().next().value!);
	return value;
}

interface Memo {
	generation: string;
	config: WorkspaceConfig | undefined;
	results: Map<string, unknown>;
}

const memos = new WeakMap<Ledger, Memo>();
const MAX_MEMO_ENTRIES = 256;

/**
 * Remembers a query's result until index.db or the parsed config changes: a hover asks again on every
 * mouse rest over the same file, and the answer only moves when a version, alias or file hash does.
 */
export function memoized<T>(ledger: Ledger, key: string, compute: () => T): T {
	// Inside a query being computed, its parts use the same memo: one generation check per query, not per part.
	const memo = computing?.ledger === ledger ? computing.memo : currentMemo(ledger);
	if (memo.results.has(key)) return memo.results.get(key) as T;
	const outer = computing;
	computing = { ledger, memo };
	let value: T;
	try {
		value = compute();
	} finally {
		computing = outer;
	}
	memo.results.set(key, value);
	return value;
}

/** The query being computed (queries are synchronous, so nested calls are its parts). */
let computing: { ledger: Ledger; memo: Memo } | undefined;

function currentMemo(ledger: Ledger): Memo {
	const generation = indexGeneration(ledger);
	let config: WorkspaceConfig | undefined;
	try {
		config = ledger.config;
	} catch {
		config = undefined;
	}
	let memo = memos.get(ledger);
	if (!memo || memo.generation !== generation || memo.config !== config || memo.results.size >= MAX_MEMO_ENTRIES) {
		memo = { generation, config, results: new Map() };
		memos.set(ledger, memo);
	}
	return memo;
}

/** Plain string order (UTF-16 code units), not the locale's: results stay the same on every machine. */
export function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
