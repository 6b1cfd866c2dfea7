// "Which versions use this file?": answered from index.db alone (artifacts by path and by sha256),
// with the file's current hash from the stat cache, so a hover can ask on every mouse move.
import { statSync } from 'node:fs';
import type { Ledger } from './ledger';
import { resolveInWorkspace } from './ledger';
import type { Role } from './model';
import type { StatKey } from './registryIndex';
import { currentHash } from './snapshot';
import type { WorkspaceConfig } from './workspaceConfig';
import { modelMatcher } from './workspaceFiles';

/** A version as hovers and used-by lists name it. */
export interface VersionRef {
	model: string;
	number: number;
	label: string;
	digest: string;
	createdAt: string;
	author: string;
	aliases: string[];
}

export interface ContentHistoryEntry {
	sha256: string;
	/** Versions that held this content at the path, newest first. */
	versions: VersionRef[];
	/** createdAt of the oldest and newest of those versions. */
	firstSeen: string;
	lastSeen: string;
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
	/** Versions whose artifact at this path has exactly the current content, newest first. */
	current: VersionRef[];
	/** Versions holding the current content under another path (a rename, a copy), newest first. */
	sameContentElsewhere: Array<VersionRef & { path: string }>;
	/** Each content the path had in some version, newest first (by the newest version holding it). */
	history: ContentHistoryEntry[];
	/** The version where the path took the content the newest version holding it has: "last changed in v7". */
	lastChanged: VersionRef | null;
	/** The newest version holding the path, whatever its content. */
	newest: VersionRef | null;
	/** A version holds the path, and the current content is in none of them. */
	modified: boolean;
}

export interface UsedByOptions {
	/** Files larger than this whose stat changed since they were last hashed are not hashed (a hover must not read gigabytes). */
	maxHashBytes?: number;
}

interface VersionRow {
	digest: string;
	model: string;
	number: number;
	label: string;
	created_at: string;
	author_name: string;
}

interface PathRow extends VersionRow {
	sha256: string;
	role: Role;
}

interface ShaRow extends VersionRow {
	path: string;
}

/** Copies of one content across the registry beyond this are not listed (an empty file is everywhere). */
const MAX_ELSEWHERE = 200;

export const VERSION_COLUMNS = 'v.digest, v.model, v.number, v.label, v.created_at, v.author_name';

/** Which versions hold a workspace file's current content, and which contents it had before, across all models. */
export function usedBy(ledger: Ledger, relPath: string, options: UsedByOptions = {}): UsedBy {
	const path = normalizeRelPath(relPath);
	const abs = resolveInWorkspace(ledger.root, path);
	const index = ledger.index;
	const { sha256, exists } = contentHash(ledger, path, abs, options.maxHashBytes);
	const aliases = aliasLookup(ledger);
	const ref = (row: VersionRow): VersionRef => toVersionRef(row, aliases);

	const rows = index
		.readStatement(`SELECT a.sha256, a.role, ${VERSION_COLUMNS} FROM artifacts a JOIN versions v ON v.digest = a.digest WHERE a.path = ?`)
		.all(path) as PathRow[];
	rows.sort(newestFirst);

	const current = sha256 === null ? [] : rows.filter((r) => r.sha256 === sha256).map(ref);
	const elsewhere =
		sha256 === null
			? []
			: (index
					.readStatement(`SELECT a.path, ${VERSION_COLUMNS} FROM artifacts a JOIN versions v ON v.digest = a.digest WHERE a.sha256 = ? AND a.path <> ? LIMIT ${MAX_ELSEWHERE}`)
					.all(sha256, path) as ShaRow[]);
	elsewhere.sort(newestFirst);

	const bySha = new Map<string, PathRow[]>();
	for (const row of rows) {
		const list = bySha.get(row.sha256);
		if (list) list.push(row);
		else bySha.set(row.sha256, [row]);
	}
	// rows are newest first, so Map insertion order is already "newest version holding it" first.
	const history: ContentHistoryEntry[] = [...bySha].map(([sha, list]) => ({
		sha256: sha,
		versions: list.map(ref),
		firstSeen: list[list.length - 1].created_at,
		lastSeen: list[0].created_at,
	}));

	const models = modelsMatching(ledger, path);
	const newest = rows[0];
	return {
		path,
		sha256,
		exists,
		tracked: rows.length > 0 || models.length > 0,
		models,
		role: newest?.role ?? null,
		current,
		sameContentElsewhere: elsewhere.map((r) => ({ ...ref(r), path: r.path })),
		history,
		lastChanged: newest ? ref(lastChange(rows, newest)) : null,
		newest: newest ? ref(newest) : null,
		modified: rows.length > 0 && current.length === 0,
	};
}

/** The first version of the newest run of equal content in the newest row's model (rows newest first). */
function lastChange(rows: PathRow[], newest: PathRow): PathRow {
	const sameModel = rows.filter((r) => r.model === newest.model).sort((a, b) => b.number - a.number || compare(b.created_at, a.created_at));
	let start = sameModel[0];
	for (const row of sameModel) {
		if (row.sha256 !== newest.sha256) break;
		start = row;
	}
	return start;
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

/** Aliases per digest; the aliases table holds a handful of rows per model, so one read beats a join per row. */
export function aliasLookup(ledger: Ledger): Map<string, string[]> {
	const rows = ledger.index.readStatement('SELECT digest, name FROM aliases ORDER BY name').all() as Array<{ digest: string; name: string }>;
	const map = new Map<string, string[]>();
	for (const { digest, name } of rows) {
		const list = map.get(digest);
		if (list) list.push(name);
		else map.set(digest, [name]);
	}
	return map;
}

export function toVersionRef(row: VersionRow, aliases: Map<string, string[]>): VersionRef {
	return { model: row.model, number: row.number, label: row.label, digest: row.digest, createdAt: row.created_at, author: row.author_name, aliases: aliases.get(row.digest) ?? [] };
}

function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first: by creation time, then number, then model, then digest (stable across runs). */
export function newestFirst(a: VersionRow, b: VersionRow): number {
	return compare(b.created_at, a.created_at) || b.number - a.number || compare(a.model, b.model) || compare(a.digest, b.digest);
}

const matchers = new WeakMap<WorkspaceConfig, Array<{ model: string; isMatch: (path: string) => boolean }>>();

/** Models whose globs match the path (compiled once per parsed config). A broken config matches nothing. */
export function modelsMatching(ledger: Ledger, path: string): string[] {
	let config: WorkspaceConfig;
	try {
		config = ledger.config;
	} catch {
		return [];
	}
	let list = matchers.get(config);
	if (!list) {
		list = config.models.map((m) => ({ model: m.name, isMatch: modelMatcher(m) }));
		matchers.set(config, list);
	}
	return list.filter((m) => m.isMatch(path)).map((m) => m.model);
}

/**
 * Version numbers as short ranges per model: "v1–v3, v5" (one model) or "support-bot v1–v3 · reranker v2".
 * `withModel` forces the model name even when only one model is involved.
 */
export function describeVersions(versions: Array<Pick<VersionRef, 'model' | 'number'>>, withModel = false): string {
	const byModel = new Map<string, number[]>();
	for (const v of versions) {
		const list = byModel.get(v.model);
		if (list) list.push(v.number);
		else byModel.set(v.model, [v.number]);
	}
	const parts = [...byModel].map(([model, numbers]) => {
		const ranges = numberRanges([...new Set(numbers)].sort((a, b) => a - b));
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
