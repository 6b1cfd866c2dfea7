// "How did this config key change?": the value of one key path of a params/RAG/metrics file in every
// version, collapsed into runs ("256 in v1–v3, 512 since v4"), with the metric change of the version
// where it changed. Answered from index.db (a file's contents by path, their values by key), never from manifests.
import { concreteKeys } from './keyForms';
import type { Ledger } from '../ledger';
import type { Scalar } from '../model';
import { formatNumber } from '../numberText';
import { followPath } from './pathFollow';
import { normalizeRelPath, removedAfter } from './usedBy';
import { acrossVersions, contentsAddedSince, keptByDigest, listShas, memoized, pathContents, pathContentShas, pathTimeline, versionsEpoch, versionsStamp } from './versionsByPath';
import { pathShaRuns } from './versionRanges';
import type { ShaRun } from './versionRanges';
import { versionName } from '../store/versionName';
import type { PathVersion, VersionRef } from './versionsByPath';

/** A leaf's value, or for a mapping/list key the leaves under it (relative paths: `.top_k`, `[0]`). */
export type KeyValue = Scalar | { [subKey: string]: Scalar };

export interface MetricDelta {
	file: string;
	key: string;
	before: Scalar | undefined;
	after: Scalar | undefined;
	/** after − before when both are numbers. */
	delta: number | null;
	/** From the model's higher_is_better / lower_is_better; undefined when the direction is not declared. */
	better?: boolean;
}

export interface KeyChange {
	/** The last version of the previous run and its value. */
	from: VersionRef;
	previous: KeyValue | undefined;
	/** For a mapping/list key: the sub-keys whose value differs. */
	changedKeys?: string[];
	/** Metrics of the version where the value changed, compared with `from`. */
	metrics: MetricDelta[];
}

export interface KeyRun {
	/** undefined when the file had no such key in these versions. */
	value: KeyValue | undefined;
	present: boolean;
	/** The run's oldest and newest version, and how many versions it spans (those holding the file). */
	first: VersionRef;
	last: VersionRef;
	count: number;
	/** The run's versions that have aliases (production, staging, …), oldest first. */
	aliased: VersionRef[];
	/** The run reaches the model's newest version holding the file ("since v4"). */
	current: boolean;
	/** How the run began; absent for the first run. */
	change?: KeyChange;
	/**
	 * The file did not parse in these versions (invalid YAML committed): why, with file:line. Its keys
	 * are unknown there — not removed — and no metric change is attributed to it.
	 */
	unparseable?: string;
}

export interface KeyHistory {
	file: string;
	key: string;
	kind: 'param' | 'metric' | null;
	/** True when any version has the key (or keys under it). */
	found: boolean;
	/** True when the key names a mapping or list: values are the leaves under it. */
	subtree: boolean;
	/** One entry per model holding the file; runs oldest first, across the file's earlier names (`renames`, oldest first). */
	models: Array<{ model: string; runs: KeyRun[]; renames?: KeyRename[]; removed?: VersionRef }>;
}

/** The file was `from` up to `before` and `to` from `at` on. */
export interface KeyRename {
	from: string;
	to: string;
	before: VersionRef;
	at: VersionRef;
	similarity: number;
}

export interface KeyHistoryOptions {
	/** Compute metric deltas only for the newest N changes per model (a hover shows a few; the CLI all). */
	maxMetricChanges?: number;
}

/**
 * The value of a key path of a structured file in every version holding the file, as runs per model,
 * with metric deltas. Shared with later calls while index.db is unchanged: read-only.
 */
export function keyHistory(ledger: Ledger, relFile: string, keyPath: string, options: KeyHistoryOptions = {}): KeyHistory {
	const file = normalizeRelPath(relFile);
	const max = options.maxMetricChanges ?? Infinity;
	return memoized(ledger, `keyHistory\0${file}\0${keyPath}\0${max}`, () => computeKeyHistory(ledger, file, keyPath, max));
}

function computeKeyHistory(ledger: Ledger, file: string, keyPath: string, maxMetricChanges: number): KeyHistory {
	let kind: KeyHistory['kind'] = null;
	let subtree = false;
	let found = false;
	const models: KeyHistory['models'] = [];
	// Values per earlier name of the file: a rename does not break the history (`git log --follow`).
	const valuesByPath = new Map<string, KeyValues>();
	const valuesAt = (path: string): KeyValues => {
		let v = valuesByPath.get(path);
		if (!v) valuesByPath.set(path, (v = keyValues(ledger, path, keyPath)));
		return v;
	};
	for (const followed of followPath(ledger, file)) {
		const held: HeldSegment[] = [];
		for (const segment of followed.segments) {
			const v = valuesAt(segment.path);
			if (v.bySha.size > 0 || v.byDigest.size > 0) {
				found = true;
				kind = kind ?? v.kind;
				if (segment.path === file || !subtree) subtree = v.subtree;
			}
			// The path's runs of equal content (kept across index changes) when the segment is its whole timeline.
			const whole = pathTimeline(ledger, segment.path).get(followed.model) === segment.held;
			held.push({ held: segment.held, values: v, runs: whole ? pathShaRuns(ledger, segment.path).get(followed.model) : undefined });
		}
		const renames = followed.renames.map((r) => ({ from: r.from, to: r.to, before: r.before, at: r.at, similarity: r.similarity }));
		const broken = new Map<string, string>();
		for (const segment of followed.segments) for (const [digest, reason] of unparseableAt(ledger, segment.path, segment.held)) broken.set(digest, reason);
		const runs = collapseRuns(ledger, held, kind, maxMetricChanges, broken);
		const newest = runs.length ? runs[runs.length - 1].last : undefined;
		const removed = newest ? removedAfter(ledger, newest) : undefined;
		if (removed && runs.length) runs[runs.length - 1].current = false;
		models.push({ model: followed.model, runs, ...(renames.length ? { renames } : {}), ...(removed ? { removed } : {}) });
	}
	const own = valuesAt(file);
	if (own.bySha.size > 0 || own.byDigest.size > 0) {
		kind = own.kind;
		subtree = own.subtree;
	}
	models.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
	return { file, key: keyPath, kind, found, subtree, models };
}

interface KeyValues {
	/** Per content (sha256), the value as canonical JSON text: equal values compare equal without parsing. */
	bySha: Map<string, string>;
	/** Per version (digest), for a key naming a list item by identity (its position differs per version); checked before bySha. */
	byDigest: Map<string, string>;
	kind: KeyHistory['kind'];
	subtree: boolean;
}

/**
 * A key naming a list item by its `id`/`name` as diff prints it (`nodes[name="x"].lr`) is `nodes[3].lr`
 * in one version and `nodes[1].lr` in another: each positional reading is looked up, and kept for the
 * versions it holds in.
 */
function keyValues(ledger: Ledger, file: string, keyPath: string): KeyValues {
	const readings = concreteKeys(ledger.index, file, keyPath);
	if (readings.length === 1 && !readings[0].digests) return positionalKeyValues(ledger, file, keyPath);
	const merged: KeyValues = { bySha: new Map(), byDigest: new Map(), kind: null, subtree: false };
	let leaf = false;
	const contents = pathContents(ledger, file);
	for (const { key, digests } of readings) {
		const found = positionalKeyValues(ledger, file, key);
		let any = false;
		// Per version: the reading holds only in the versions where the item sits at this position.
		for (const { sha256, digests: holding } of contents) {
			const json = found.bySha.get(sha256);
			if (json === undefined) continue;
			for (const digest of holding) {
				if (digests && !digests.has(digest)) continue;
				merged.byDigest.set(digest, json);
				any = true;
			}
		}
		if (!any) continue;
		merged.kind = found.kind;
		if (found.subtree) merged.subtree = true;
		else leaf = true;
	}
	if (leaf) merged.subtree = false;
	return merged;
}

/** What content_values say of one key in one content: its own value, and the leaves under it. */
interface ContentKey {
	exact?: { json: string; kind: 'param' | 'metric' };
	nested?: { json: string; kind: 'param' | 'metric' };
}

/** Per file and key: each content's rows for the key, with the versions stamp they were read at. */
const contentKeys = new WeakMap<Ledger, Map<string, { stamp: string; byContent: Map<string, ContentKey | null> }>>();
const MAX_CONTENT_KEYS = 256;

/**
 * The key's value per distinct content of `file` (not per version). A content's rows are written
 * when a version first brings it and removed only when the index is rebuilt (a new epoch), so after
 * a snapshot only the contents the new versions hold are looked up again; the rest are kept.
 */
function positionalKeyValues(ledger: Ledger, file: string, keyPath: string): KeyValues {
	return acrossVersions(ledger, `keyValues\0${file}\0${keyPath}`, '', () => {
		const shas = pathContentShas(ledger, file);
		let all = contentKeys.get(ledger);
		if (!all) contentKeys.set(ledger, (all = new Map()));
		const id = `${file}\0${keyPath}`;
		const kept = all.get(id);
		const added = kept && contentsAddedSince(ledger, kept.stamp);
		const byContent = kept && added ? kept.byContent : new Map<string, ContentKey | null>();
		const todo = shas.filter((sha) => !byContent.has(sha) || added?.has(sha));
		if (todo.length > 0) lookUpContentKeys(ledger, keyPath, todo, byContent);
		all.delete(id);
		all.set(id, { stamp: versionsStamp(ledger), byContent });
		if (all.size > MAX_CONTENT_KEYS) all.delete(all.keys().next().value!);
		return keyValuesOf(shas, byContent);
	});
}

/** Reads the key's rows of the given contents into `byContent` (null: the content has none). */
function lookUpContentKeys(ledger: Ledger, keyPath: string, shas: string[], byContent: Map<string, ContentKey | null>): void {
	const index = ledger.index;
	const found = new Map<string, ContentKey>();
	const entry = (sha: string) => {
		let e = found.get(sha);
		if (!e) found.set(sha, (e = {}));
		return e;
	};
	// The contents are looked up by primary key: a key in 10,000 versions with ~100 contents is ~100 index seeks.
	const list = JSON.stringify(shas);
	if (keyPath !== '') {
		// Keys under a mapping start with `key.` or `key[`: per content, two range scans of its (sha256, key)
		// rows (a UNION, since an OR of two ranges scans every key), folded into one JSON object.
		const nested = index
			.readStatement(
				`SELECT n.sha256, min(n.kind), json_group_object(substr(n.key, @from), json(n.value) ORDER BY n.key) FROM (
				   SELECT c.sha256, c.kind, c.key, c.value FROM json_each(@shas) s JOIN content_values c ON c.sha256 = s.value AND c.key >= @dot AND c.key < @dotEnd
				   UNION ALL
				   SELECT c.sha256, c.kind, c.key, c.value FROM json_each(@shas) s JOIN content_values c ON c.sha256 = s.value AND c.key >= @bracket AND c.key < @bracketEnd
				 ) n GROUP BY n.sha256`,
			)
			.raw(true)
			.all({ from: keyPath.length + 1, shas: list, dot: `${keyPath}.`, dotEnd: `${keyPath}/`, bracket: `${keyPath}[`, bracketEnd: `${keyPath}\\` }) as Array<[string, 'param' | 'metric', string]>;
		for (const [sha256, kind, json] of nested) entry(sha256).nested = { json, kind };
	}
	// An empty mapping/list is recorded as a leaf ("{}"); a filled one as leaves under it.
	const exact = index
		.readStatement('SELECT c.sha256, min(c.kind), c.value FROM json_each(?) s JOIN content_values c ON c.sha256 = s.value AND c.key = ? GROUP BY c.sha256')
		.raw(true)
		.all(list, keyPath) as Array<[string, 'param' | 'metric', string]>;
	for (const [sha256, kind, json] of exact) entry(sha256).exact = { json, kind };
	for (const sha of shas) byContent.set(sha, found.get(sha) ?? null);
}

/** The key's values of the path's contents: a content's own value wins over leaves under it; leaves make it a subtree only where no content has a value. */
function keyValuesOf(shas: string[], byContent: Map<string, ContentKey | null>): KeyValues {
	const bySha = new Map<string, string>();
	let exactKind: KeyHistory['kind'] = null;
	let nestedKind: KeyHistory['kind'] = null;
	// 'metric' < 'param': one kind whatever order the contents come in (a file is nearly always one kind).
	const first = (a: KeyHistory['kind'], b: 'param' | 'metric') => (a === null || b < a ? b : a);
	for (const sha of shas) {
		const e = byContent.get(sha);
		if (!e) continue;
		if (e.exact) {
			bySha.set(sha, e.exact.json);
			exactKind = first(exactKind, e.exact.kind);
		} else if (e.nested) bySha.set(sha, e.nested.json);
		if (e.nested) nestedKind = first(nestedKind, e.nested.kind);
	}
	return { bySha, byDigest: new Map(), kind: exactKind ?? nestedKind, subtree: exactKind === null && nestedKind !== null };
}

/** Versions (of those given) in which `file` did not parse, with the snapshot's warning as the reason. */
function unparseableAt(ledger: Ledger, file: string, held: ReadonlyArray<PathVersion>): ReadonlyMap<string, string> {
	// Contents with keyed values keep them (rows are only added within an epoch): only contents not
	// known to have any are asked about, so after a snapshot this is a pass over the list's contents.
	const shas = listShas(held);
	const epoch = versionsEpoch(ledger);
	let known = keyedContents.get(ledger);
	if (!known || known.epoch !== epoch || known.shas.size > 200_000) keyedContents.set(ledger, (known = { epoch, shas: new Set() }));
	const unknown = shas.filter((sha) => !known.shas.has(sha));
	if (unknown.length === 0) return NONE;
	const keyed = ledger.index
		.readStatement('SELECT s.value FROM json_each(?) s WHERE EXISTS (SELECT 1 FROM content_values c WHERE c.sha256 = s.value)')
		.pluck()
		.all(JSON.stringify(unknown)) as string[];
	for (const sha of keyed) known.shas.add(sha);
	if (keyed.length === unknown.length) return NONE;
	const empty = new Set(unknown.filter((sha) => !known.shas.has(sha)));
	// A version whose file has no keyed values at all either holds an empty file or one that did not
	// parse; only those manifests are read (bounded: the newest 200), to tell which.
	const warnings = keptByDigest<string | null>(ledger, 'parseWarning');
	if (warnings.size > 50_000) warnings.clear();
	const result = new Map<string, string>();
	for (const ref of held.filter((v) => empty.has(v.sha)).slice(-200).map((v) => v.ref)) {
		const id = `${ref.digest}\0${file}`;
		let reason = warnings.get(id);
		if (reason === undefined) {
			reason = parseWarning(ledger, ref, file);
			warnings.set(id, reason);
		}
		if (reason !== null) result.set(ref.digest, reason);
	}
	return result;
}

const NONE: ReadonlyMap<string, string> = new Map();
const keyedContents = new WeakMap<Ledger, { epoch: string; shas: Set<string> }>();

/** The snapshot's warning that `file` did not parse in this version, from its manifest (fixed by its digest). */
function parseWarning(ledger: Ledger, ref: VersionRef, file: string): string | null {
	try {
		const warning = (ledger.readManifest(ref).warnings ?? []).find((w) => w.includes(`(${file} is stored as an opaque file)`) || w.startsWith(`${file}:`));
		return warning ? warning.replace(` (${file} is stored as an opaque file)`, '').replace(/; stored as an opaque file\.$/, '') : null;
	} catch {
		// An unreadable manifest: the version is not indexed for long (sync drops it); nothing to say.
		return null;
	}
}

/** The versions that held the file under one name, and the key's values under that name. */
interface HeldSegment {
	held: ReadonlyArray<PathVersion>;
	values: KeyValues;
	/** The same versions as runs of equal content, when known. */
	runs?: ShaRun[];
}

function collapseRuns(ledger: Ledger, segments: HeldSegment[], kind: KeyHistory['kind'], maxMetricChanges: number, broken = new Map<string, string>()): KeyRun[] {
	const runs: Array<KeyRun & { json: string | undefined }> = [];
	// Adds versions first…last (count of them, `aliased` among them) holding one value to the runs.
	const add = (json: string | undefined, reason: string | undefined, first: VersionRef, last: VersionRef, count: number, aliased: VersionRef[]) => {
		const run = runs[runs.length - 1];
		if (run && run.json === json) {
			run.last = last;
			run.count += count;
			for (const v of aliased) run.aliased.push(v);
			return;
		}
		const value = json === undefined || reason !== undefined ? undefined : (JSON.parse(json) as KeyValue);
		const next: KeyRun & { json: string | undefined } = {
			json,
			value,
			present: json !== undefined && reason === undefined,
			first,
			last,
			count,
			aliased: [...aliased],
			current: false,
			...(reason !== undefined ? { unparseable: reason } : {}),
		};
		if (run) {
			next.change = {
				from: run.last,
				previous: run.value,
				...(isSubtree(run.value) || isSubtree(value) ? { changedKeys: changedSubKeys(run.value, value) } : {}),
				metrics: [],
			};
		}
		runs.push(next);
	};
	for (const { held, values, runs: contentRuns } of segments) {
		if (contentRuns && values.byDigest.size === 0 && broken.size === 0) {
			// One step per run of equal content, not per version: the same content holds the same value.
			for (const r of contentRuns) add(values.bySha.get(r.sha), undefined, r.first, r.last, r.count, r.aliased);
			continue;
		}
		for (const { sha, ref } of held) {
			const reason = broken.get(ref.digest);
			// Unparseable versions collapse into their own run per reason, never into "(absent)".
			const json = reason !== undefined ? `\u0000${reason}` : (values.byDigest.get(ref.digest) ?? values.bySha.get(sha));
			add(json, reason, ref, ref, 1, ref.aliases.length ? [ref] : []);
		}
	}
	if (runs.length) runs[runs.length - 1].current = true;
	// A metrics file's own keys are the metrics: comparing them with themselves says nothing new.
	if (kind !== 'metric') {
		// Only the versions on either side of a change, their metrics read in one query.
		// A run that did not parse is no change of the key: no metric change is attributed to it.
		const changed = runs.slice(Math.max(1, runs.length - maxMetricChanges)).filter((run) => run.unparseable === undefined);
		const direction = changed.length > 0 ? metricsDirection(ledger, changed[0].first.model) : undefined;
		// The deltas of one pair of versions never change (for one direction of the metrics).
		const deltas = keptByDigest<MetricDelta[]>(ledger, 'metricDeltas');
		const directionKey = JSON.stringify(direction ?? null);
		const pairKey = (run: KeyRun) => `${run.change!.from.digest}\0${run.first.digest}\0${directionKey}`;
		const todo = changed.filter((run) => !deltas.has(pairKey(run)));
		if (deltas.size + todo.length > 50_000) deltas.clear();
		const metrics = metricsOf(ledger, todo.flatMap((run) => [run.change!.from.digest, run.first.digest]));
		for (const run of todo) deltas.set(pairKey(run), deltasBetween(metrics.get(run.change!.from.digest), metrics.get(run.first.digest), direction));
		for (const run of changed) run.change!.metrics = deltas.get(pairKey(run)) ?? deltasBetween(metrics.get(run.change!.from.digest), metrics.get(run.first.digest), direction);
	}
	return runs.map(({ json: _json, ...run }) => run);
}

function isSubtree(value: KeyValue | undefined): value is { [subKey: string]: Scalar } {
	return value !== null && typeof value === 'object';
}

function changedSubKeys(before: KeyValue | undefined, after: KeyValue | undefined): string[] {
	const a = isSubtree(before) ? before : {};
	const b = isSubtree(after) ? after : {};
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
	return [...keys].filter((k) => !(k in a) || !(k in b) || stableJson(a[k]) !== stableJson(b[k])).sort();
}

type Metrics = Map<string, Scalar>;

/**
 * Metrics (file\0key → value) of the given versions. A version's metrics never change under its
 * digest: remembered while no version is added or removed, and the rest read in one query over their
 * primary-key ranges.
 */
function metricsOf(ledger: Ledger, digests: string[]): Map<string, Metrics> {
	const known = keptByDigest<Metrics>(ledger, 'metricsOf');
	const missing = [...new Set(digests)].filter((d) => !known.has(d));
	if (missing.length > 0) {
		// A bound on what is remembered: a registry's metrics for every version are not kept.
		if (known.size + missing.length > 50_000) known.clear();
		for (const [digest, metrics] of readMetrics(ledger, missing)) known.set(digest, metrics);
		for (const digest of missing) if (!known.has(digest)) known.set(digest, new Map());
	}
	return known;
}

function readMetrics(ledger: Ledger, digests: string[]): Map<string, Metrics> {
	const out = new Map<string, Metrics>();
	const rows = ledger.index
		// Only contents recorded as metrics (content_indexed) are scanned for their keys, not every params file's.
		.readStatement(
			`SELECT a.digest, a.path, c.key, c.value FROM json_each(?) d JOIN artifacts a ON a.digest = d.value
			 JOIN content_indexed i ON i.sha256 = a.sha256 AND i.facet = 'metric' JOIN content_values c ON c.sha256 = a.sha256 AND c.kind = 'metric'`,
		)
		.raw(true)
		.all(JSON.stringify(digests)) as Array<[string, string, string, string]>;
	for (const [digest, file, key, value] of rows) {
		let metrics = out.get(digest);
		if (!metrics) out.set(digest, (metrics = new Map()));
		metrics.set(`${file}\0${key}`, JSON.parse(value) as Scalar);
	}
	return out;
}

function deltasBetween(before: Metrics = new Map(), after: Metrics = new Map(), direction: ReturnType<typeof metricsDirection>): MetricDelta[] {
	const deltas: MetricDelta[] = [];
	for (const id of new Set([...before.keys(), ...after.keys()])) {
		const b = before.get(id);
		const a = after.get(id);
		if (b !== undefined && a !== undefined && stableJson(a) === stableJson(b)) continue;
		const [file, key] = id.split('\0');
		const delta = typeof a === 'number' && typeof b === 'number' ? roundDelta(a - b) : null;
		const leaf = key.replace(/^.*[.\]]/, '');
		const higher = direction?.higherIsBetter.includes(key) || direction?.higherIsBetter.includes(leaf);
		const lower = direction?.lowerIsBetter.includes(key) || direction?.lowerIsBetter.includes(leaf);
		const better = delta === null || delta === 0 || (!higher && !lower) ? undefined : higher ? delta > 0 : delta < 0;
		deltas.push({ file, key, before: b, after: a, delta, ...(better === undefined ? {} : { better }) });
	}
	return deltas.sort((x, y) => Number(y.delta !== null) - Number(x.delta !== null) || (x.file + x.key < y.file + y.key ? -1 : 1));
}

function metricsDirection(ledger: Ledger, model: string) {
	try {
		return ledger.model(model).metricsDirection;
	} catch {
		return undefined;
	}
}

/** Removes float noise (0.87 − 0.82 = 0.04999999…) without hiding real precision. */
function roundDelta(value: number): number {
	return Number.parseFloat(value.toPrecision(12));
}

function stableJson(value: unknown): string {
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'undefined';
}

/** A value for one line of text: strings quoted, a mapping/list key as its number of leaves. */
export function formatKeyValue(value: KeyValue | undefined): string {
	if (value === undefined) return '(absent)';
	if (isSubtree(value)) {
		const n = Object.keys(value).length;
		return `{${n} ${n === 1 ? 'key' : 'keys'}}`;
	}
	return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? formatNumber(value) : String(value);
}

/** "256 in v1–v3, 512 since v4" for one model's runs; ", removed in v30" when the file is gone. */
export function describeRuns(runs: KeyRun[], removed?: VersionRef): string {
	const parts = runs.map((run) => {
		if (run.unparseable !== undefined) return `unparseable in ${runSpan(run)} (${run.unparseable})`;
		const value = formatKeyValue(run.value);
		if (run.current && runs.length > 1) return `${value} since ${versionName(run.first)}`;
		return `${value} in ${runSpan(run)}`;
	});
	if (removed) parts.push(`file removed in ${versionName(removed)}`);
	return parts.join(', ');
}

/** A run's versions: `v4`, `v1–v3`, or `v1–v9 (5 versions)` when versions between did not hold the file. */
export function runSpan(run: Pick<KeyRun, 'first' | 'last' | 'count'>): string {
	if (run.first === run.last) return versionName(run.first);
	const span = `${versionName(run.first)}–${versionName(run.last)}`;
	return run.count === run.last.number - run.first.number + 1 ? span : `${span} (${run.count} versions)`;
}

/** "+0.04 faithfulness" style text of a metric delta. */
export function formatMetricDelta(d: MetricDelta): string {
	const text = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v));
	if (d.delta !== null) return `${d.key} ${d.delta > 0 ? '+' : ''}${formatNumber(d.delta)} (${text(d.before)} → ${text(d.after)})`;
	return `${d.key} ${d.before === undefined ? '(absent)' : JSON.stringify(d.before)} → ${d.after === undefined ? '(absent)' : JSON.stringify(d.after)}`;
}

export interface VariableChange {
	version: VersionRef;
	/** The version it is compared with (the previous one of the model holding the file). */
	from: VersionRef;
	added: string[];
	removed: string[];
}

export interface VariableHistory {
	path: string;
	/** Per model holding the prompt: its variables in the newest version, and each change, newest first. */
	models: Array<{ model: string; newest: VersionRef; variables: string[]; changes: VariableChange[]; renames?: KeyRename[] }>;
}

/** Template variables of a prompt file across versions (from index.db): which version added or removed which. Read-only result. */
export function variableHistory(ledger: Ledger, relPath: string): VariableHistory {
	const path = normalizeRelPath(relPath);
	return memoized(ledger, `variableHistory\0${path}`, () => computeVariableHistory(ledger, path));
}

function computeVariableHistory(ledger: Ledger, path: string): VariableHistory {
	const index = ledger.index;
	// Per content, not per version: a prompt held by 1,000 versions has a few dozen contents.
	const setsOf = (file: string): Map<string, string[]> => {
		const sets = new Map<string, string[]>();
		const shas = JSON.stringify(pathContentShas(ledger, file));
		const rows = index
			.readStatement('SELECT c.sha256, group_concat(c.name, char(10) ORDER BY c.name) FROM json_each(?) s JOIN content_variables c ON c.sha256 = s.value GROUP BY c.sha256')
			.raw(true)
			.all(shas) as Array<[string, string]>;
		for (const [sha256, names] of rows) sets.set(sha256, names.split('\n'));
		return sets;
	};
	// Across renames: each earlier name's versions read that name's variables.
	const models = followPath(ledger, path).map(({ model, segments, renames }) => {
		const changes: VariableChange[] = [];
		let previous: { ref: VersionRef; names: string[]; sha: string; sets: Map<string, string[]> } | undefined;
		for (const segment of segments) {
			const sets = setsOf(segment.path);
			for (const { sha, ref } of segment.held) {
				const names = sets.get(sha) ?? [];
				if (previous && (previous.sha !== sha || previous.sets !== sets)) {
					const before = new Set(previous.names);
					const after = new Set(names);
					const added = [...after].filter((n) => !before.has(n));
					const removed = [...before].filter((n) => !after.has(n));
					if (added.length || removed.length) changes.push({ version: ref, from: previous.ref, added, removed });
				}
				previous = { ref, names, sha, sets };
			}
		}
		const renamed = renames.map((r) => ({ from: r.from, to: r.to, before: r.before, at: r.at, similarity: r.similarity }));
		return { model, newest: previous!.ref, variables: previous!.names, changes: changes.reverse(), ...(renamed.length ? { renames: renamed } : {}) };
	});
	return { path, models: models.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0)) };
}
