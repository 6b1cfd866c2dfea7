// "How did this config key change?": the value of one key path of a params/RAG/metrics file in every
// version, collapsed into runs ("256 in v1–v3, 512 since v4"), with the metric change of the version
// where it changed. Answered from index.db (keyed_values by (file, key)), never from manifests.
import type { Ledger } from './ledger';
import type { Scalar } from './model';
import { aliasLookup, newestFirst, normalizeRelPath, toVersionRef, VERSION_COLUMNS } from './usedBy';
import type { VersionRef } from './usedBy';

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
	/** Versions of the run, oldest first. */
	versions: VersionRef[];
	first: VersionRef;
	last: VersionRef;
	/** The run reaches the model's newest version holding the file ("since v4"). */
	current: boolean;
	/** How the run began; absent for the first run. */
	change?: KeyChange;
}

export interface KeyHistory {
	file: string;
	key: string;
	kind: 'param' | 'metric' | null;
	/** True when any version has the key (or keys under it). */
	found: boolean;
	/** True when the key names a mapping or list: values are the leaves under it. */
	subtree: boolean;
	/** One entry per model holding the file; runs oldest first. */
	models: Array<{ model: string; runs: KeyRun[] }>;
}

interface VersionRow {
	digest: string;
	model: string;
	number: number;
	label: string;
	created_at: string;
	author_name: string;
}

interface ValueRow {
	digest: string;
	kind: 'param' | 'metric';
	key: string;
	value: string;
}

/** The value of a key path of a structured file in every version holding the file, as runs per model, with metric deltas. */
export function keyHistory(ledger: Ledger, relFile: string, keyPath: string): KeyHistory {
	const file = normalizeRelPath(relFile);
	const index = ledger.index;
	const versions = index.readStatement(`SELECT ${VERSION_COLUMNS} FROM artifacts a JOIN versions v ON v.digest = a.digest WHERE a.path = ?`).all(file) as VersionRow[];
	const exact = index.readStatement('SELECT digest, kind, key, value FROM keyed_values WHERE file = ? AND key = ?').all(file, keyPath) as ValueRow[];
	// Keys under a mapping start with `key.` or `key[`: two range scans on the (file, key) index.
	const nested =
		keyPath === ''
			? []
			: (index
					.readStatement('SELECT digest, kind, key, value FROM keyed_values WHERE file = ? AND ((key >= ? AND key < ?) OR (key >= ? AND key < ?))')
					.all(file, `${keyPath}.`, `${keyPath}/`, `${keyPath}[`, `${keyPath}\\`) as ValueRow[]);

	const values = new Map<string, KeyValue>();
	for (const row of nested) {
		const current = values.get(row.digest);
		const sub = current !== null && typeof current === 'object' ? current : {};
		sub[row.key.slice(keyPath.length)] = JSON.parse(row.value) as Scalar;
		values.set(row.digest, sub);
	}
	// An empty mapping/list is recorded as a leaf ("{}"); a filled one as leaves under it. Leaves win.
	for (const row of exact) values.set(row.digest, JSON.parse(row.value) as Scalar);
	const kind = exact[0]?.kind ?? nested[0]?.kind ?? null;
	const subtree = exact.length === 0 && nested.length > 0;

	const aliases = aliasLookup(ledger);
	const byModel = new Map<string, VersionRow[]>();
	for (const row of versions.sort(newestFirst).reverse()) {
		const list = byModel.get(row.model);
		if (list) list.push(row);
		else byModel.set(row.model, [row]);
	}
	const models = [...byModel].map(([model, rows]) => {
		rows.sort((a, b) => a.number - b.number || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
		return { model, runs: collapseRuns(ledger, rows, values, aliases, kind) };
	});
	return { file, key: keyPath, kind, found: values.size > 0, subtree, models };
}

function collapseRuns(ledger: Ledger, rows: VersionRow[], values: Map<string, KeyValue>, aliases: Map<string, string[]>, kind: KeyHistory['kind']): KeyRun[] {
	const runs: KeyRun[] = [];
	let previousKey: string | undefined;
	let previousRow: VersionRow | undefined;
	for (const row of rows) {
		const value = values.get(row.digest);
		const key = value === undefined ? '\0absent' : stableJson(value);
		const ref = toVersionRef(row, aliases);
		const run = runs[runs.length - 1];
		if (run && key === previousKey) {
			run.versions.push(ref);
			run.last = ref;
		} else {
			const next: KeyRun = { value, present: value !== undefined, versions: [ref], first: ref, last: ref, current: false };
			if (run && previousRow) {
				next.change = {
					from: run.last,
					previous: run.value,
					...(isSubtree(run.value) || isSubtree(value) ? { changedKeys: changedSubKeys(run.value, value) } : {}),
					// A metrics file's own keys are the metrics: comparing them with themselves says nothing new.
					metrics: kind === 'metric' ? [] : metricDeltas(ledger, row.model, previousRow.digest, row.digest),
				};
			}
			runs.push(next);
		}
		previousKey = key;
		previousRow = row;
	}
	if (runs.length) runs[runs.length - 1].current = true;
	return runs;
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

/** Metrics that differ between two versions of a model, numeric deltas first. */
export function metricDeltas(ledger: Ledger, model: string, beforeDigest: string, afterDigest: string): MetricDelta[] {
	const statement = ledger.index.readStatement("SELECT file, key, value FROM keyed_values WHERE digest = ? AND kind = 'metric'");
	const read = (digest: string) => new Map((statement.all(digest) as Array<{ file: string; key: string; value: string }>).map((r) => [`${r.file}\0${r.key}`, JSON.parse(r.value) as Scalar]));
	const before = read(beforeDigest);
	const after = read(afterDigest);
	const direction = metricsDirection(ledger, model);
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
	return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** "256 in v1–v3, 512 since v4" for one model's runs. */
export function describeRuns(runs: KeyRun[]): string {
	return runs
		.map((run) => {
			const value = formatKeyValue(run.value);
			if (run.current && runs.length > 1) return `${value} since v${run.first.number}`;
			if (run.first === run.last) return `${value} in v${run.first.number}`;
			return `${value} in v${run.first.number}–v${run.last.number}`;
		})
		.join(', ');
}

/** "+0.04 faithfulness" style text of a metric delta. */
export function formatMetricDelta(d: MetricDelta): string {
	if (d.delta !== null) return `${d.key} ${d.delta > 0 ? '+' : ''}${d.delta} (${String(d.before)} → ${String(d.after)})`;
	return `${d.key} ${d.before === undefined ? '(absent)' : JSON.stringify(d.before)} → ${d.after === undefined ? '(absent)' : JSON.stringify(d.after)}`;
}
