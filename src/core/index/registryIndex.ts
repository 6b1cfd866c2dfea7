// index.db: a SQLite cache of the manifests and events (the truth lives in .model-ledger/versions and
// events), plus the stat cache that lets unchanged files skip re-hashing. It can always be deleted
// and rebuilt; a corrupt or outdated file is moved aside and rebuilt, never trusted.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { LedgerError } from '../errors';
import type { LedgerEvent } from '../lifecycle/events';
import type { Author, FlatValues, VersionManifest, VersionSummary } from '../model';
import { loadSqlite } from './sqlite';
import { recordCheck, unchangedSinceCheck } from './checkedStamp';

// 2: prompt_variables (hovers list which versions added or removed a template variable).
// 3: artifacts_by_path and keyed_values_by_key cover sha256 and value (hovers read only the asked path's and key's index entries).
// 4: what is derived from a file's content (flattened keys, prompt variables) is stored once per content
//    (content_values, content_variables), not once per version; keyed_values and prompt_variables are views.
// 5: release_labels (hybrid versioning: the semantic label a version got on its first release move).
// 6: index_meta's `epoch` (a new random value when the versions are rebuilt) and version_log (the
//    versions added or removed since, in order), so query results derived from the versions alone are
//    kept across index changes that add none, and brought up to date from the log when a few are added.
// 7: a version's files are spans, not one row per file: file_spans holds (model, path, role, sha256, size)
//    for a run of the model's versions (by `seq`, the order they were indexed in), so a version adds rows
//    only for the files that changed; `artifacts` is a view giving the old rows. versions.files names a
//    version's file list (sha256 of its paths, roles and contents), so "a version with exactly these files"
//    is one index lookup.
// 8: spans_by_model_path (one file of one version seeks its path's spans).
const SCHEMA_VERSION = 8;

// Secondary indexes, defined only here: the schema creates them, and a bulk load drops the ones on the
// version tables and recreates them (one sort per index instead of a B-tree insert per row).
const INDEXES: readonly { name: string; table: string; columns: string }[] = [
	{ name: 'versions_by_model', table: 'versions', columns: 'model, number DESC, created_at DESC' },
	{ name: 'versions_by_seq', table: 'versions', columns: 'model, seq' },
	{ name: 'versions_by_files', table: 'versions', columns: 'model, files' },
	// A version's files: the spans of its model that end at or after its seq and start at or before it.
	{ name: 'spans_by_model', table: 'file_spans', columns: 'model, last_seq, first_seq' },
	// One file of a version (a hover's probe of a new version): its path's few spans, not the model's thousands.
	{ name: 'spans_by_model_path', table: 'file_spans', columns: 'model, path, last_seq, first_seq' },
	{ name: 'spans_by_path', table: 'file_spans', columns: 'path, sha256' },
	{ name: 'spans_by_sha', table: 'file_spans', columns: 'sha256' },
	{ name: 'events_by_model', table: 'events', columns: 'model, at' },
];

/** Tables a version insert or delete writes; a bulk load drops and recreates their indexes. */
const VERSION_TABLES = new Set(['versions', 'file_spans']);

/** last_seq of a span that still holds at the model's newest indexed version. */
const OPEN = Number.MAX_SAFE_INTEGER;

function createIndexSql(index: { name: string; table: string; columns: string }): string {
	return `CREATE INDEX IF NOT EXISTS ${index.name} ON ${index.table} (${index.columns});`;
}

const SCHEMA = `
-- seq: the order versions were indexed in (never reused: AUTOINCREMENT), which file_spans count in.
CREATE TABLE IF NOT EXISTS versions (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	digest TEXT NOT NULL UNIQUE,
	model TEXT NOT NULL,
	number INTEGER NOT NULL,
	label TEXT NOT NULL,
	created_at TEXT NOT NULL,
	author_name TEXT NOT NULL,
	author_email TEXT,
	message TEXT NOT NULL,
	git_commit TEXT,
	git_branch TEXT,
	git_dirty INTEGER NOT NULL,
	artifact_count INTEGER NOT NULL,
	files TEXT NOT NULL
);
-- A file (path, role, content) held by every version of the model whose seq is in [first_seq, last_seq]
-- (versions deleted since just do not join). A new version closes the spans of the files it changed or
-- dropped and opens spans for its new ones; unchanged files cost nothing.
CREATE TABLE IF NOT EXISTS file_spans (
	model TEXT NOT NULL,
	path TEXT NOT NULL,
	role TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	first_seq INTEGER NOT NULL,
	last_seq INTEGER NOT NULL
);
-- One row per version and file, as queries read them.
CREATE VIEW IF NOT EXISTS artifacts AS
	SELECT v.digest AS digest, s.path AS path, s.role AS role, s.sha256 AS sha256, s.size AS size
	FROM file_spans s JOIN versions v ON v.model = s.model AND v.seq BETWEEN s.first_seq AND s.last_seq;
-- Derived from a file's content, so stored once per sha256 whatever number of versions hold it;
-- content_indexed says which facets of a content are recorded (a config may have no keys at all).
CREATE TABLE IF NOT EXISTS content_values (
	sha256 TEXT NOT NULL,
	key TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (sha256, key, kind)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS content_variables (
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (sha256, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS content_indexed (
	sha256 TEXT NOT NULL,
	facet TEXT NOT NULL,
	PRIMARY KEY (sha256, facet)
) WITHOUT ROWID;
-- Per version and file, as queries read them: a version's artifacts joined with their contents.
CREATE VIEW IF NOT EXISTS keyed_values AS
	SELECT a.digest AS digest, c.kind AS kind, a.path AS file, c.key AS key, c.value AS value
	FROM artifacts a JOIN content_values c ON c.sha256 = a.sha256;
CREATE VIEW IF NOT EXISTS prompt_variables AS
	SELECT a.digest AS digest, a.path AS path, c.name AS name
	FROM artifacts a JOIN content_variables c ON c.sha256 = a.sha256;
CREATE TABLE IF NOT EXISTS events (
	id TEXT PRIMARY KEY,
	model TEXT NOT NULL,
	type TEXT NOT NULL,
	at TEXT NOT NULL,
	body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
	model TEXT NOT NULL,
	name TEXT NOT NULL,
	digest TEXT NOT NULL,
	PRIMARY KEY (model, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS release_labels (
	digest TEXT PRIMARY KEY,
	model TEXT NOT NULL,
	label TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_files (
	model TEXT PRIMARY KEY,
	stamp TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_meta (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS version_log (
	seq INTEGER PRIMARY KEY,
	digest TEXT NOT NULL,
	added INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stat_cache (
	path TEXT PRIMARY KEY,
	dev TEXT NOT NULL,
	ino TEXT NOT NULL,
	size INTEGER NOT NULL,
	mtime_ns TEXT NOT NULL,
	sha256 TEXT NOT NULL
) WITHOUT ROWID;
${INDEXES.map(createIndexSql).join('\n')}
`;

export interface StatKey {
	dev: bigint;
	ino: bigint;
	size: bigint;
	mtimeNs: bigint;
}

interface VersionRow {
	digest: string;
	model: string;
	number: number;
	label: string;
	created_at: string;
	author_name: string;
	author_email: string | null;
	message: string;
	git_commit: string | null;
	git_branch: string | null;
	git_dirty: number;
	artifact_count: number;
	aliases: string | null;
	release_label: string | null;
	shared: number;
}

export class RegistryIndex {
	private readonly db: Database;
	private readonly statements = new Map<string, Statement>();
	/** Write transactions begun, and the one that started a new epoch (versions rebuilt). */
	private transactions = 0;
	private rebuiltIn = -1;
	/** True when the file was missing, corrupt or of an older schema and was created anew (needs a full sync). */
	readonly fresh: boolean;

	private constructor(db: Database, fresh: boolean) {
		this.db = db;
		this.fresh = fresh;
	}

	/** Opens (or creates) the index; a corrupt or outdated file is moved aside and started over. */
	static open(dbPath: string): RegistryIndex {
		const Sqlite = loadSqlite();
		mkdirSync(dirname(dbPath), { recursive: true });
		const existed = existsSync(dbPath);
		const tryOpen = (): { db: Database; fresh: boolean } => {
			const unchanged = unchangedSinceCheck(dbPath);
			const db = new Sqlite(dbPath, { timeout: 15_000 });
			try {
				db.pragma('journal_mode = WAL');
				db.pragma('synchronous = NORMAL');
				const version = db.pragma('user_version', { simple: true }) as number;
				if (version !== SCHEMA_VERSION) {
					if (version !== 0) dropAll(db);
					db.exec(SCHEMA);
					db.pragma(`user_version = ${SCHEMA_VERSION}`);
					return { db, fresh: true };
				}
				// Catches garbage bytes and torn pages before any query trusts the file; skipped while the
				// file is the one a passed check saw (checkedStamp.ts), since the check reads every page.
				if (!unchanged) {
					const check = db.pragma('quick_check', { simple: true });
					if (check !== 'ok') throw new Error(`quick_check: ${String(check)}`);
					recordCheck(dbPath);
				}
				return { db, fresh: !existed };
			} catch (err) {
				db.close();
				throw err;
			}
		};
		try {
			const { db, fresh } = tryOpen();
			return new RegistryIndex(db, fresh);
		} catch (err) {
			if (isBusy(err)) throw busyError(dbPath);
			// The index is only a cache: keep the broken file for inspection and rebuild.
			const aside = `${dbPath}.corrupt-${Date.now()}`;
			for (const suffix of ['', '-wal', '-shm']) {
				if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, aside + suffix);
			}
			const { db } = tryOpen();
			return new RegistryIndex(db, true);
		}
	}

	close(): void {
		this.db.close();
	}

	/**
	 * Runs fn in one write transaction that holds the database's write lock (other writers wait). Never
	 * nested: better-sqlite3 would quietly turn the inner one into a savepoint, so code already under the
	 * lock calls the `…Locked` variants (`Ledger.syncLocked`, `syncModelLocked`) instead.
	 */
	exclusive<T>(fn: () => T): T {
		if (this.db.inTransaction) throw new Error('RegistryIndex.exclusive/batch inside a write transaction: call the …Locked variant under the lock.');
		const run = this.db.transaction(fn);
		this.transactions++;
		try {
			const result = run.immediate();
			this.claimedNow = [];
			return result;
		} catch (err) {
			// Rolled back: what it claimed is not in the table.
			for (const key of this.claimedNow) this.claimed.delete(key);
			this.claimedNow = [];
			if (isBusy(err)) throw busyError(this.db.name);
			throw err;
		}
	}

	private prepare(sql: string): Statement {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	/**
	 * A cached prepared statement for a read-only query that lives next to its feature (src/core/query/usedBy.ts,
	 * keyHistory.ts): the SQL stays with the code that needs it, and nothing outside this class can write.
	 */
	readStatement(sql: string): Statement {
		const statement = this.prepare(sql);
		if (!statement.readonly || !statement.reader) throw new Error(`readStatement is for read-only queries that return rows: ${sql.trim().split('\n')[0]}`);
		return statement;
	}

	// --- versions -------------------------------------------------------------------------------

	digestsOf(model: string): Set<string> {
		const rows = this.prepare('SELECT digest FROM versions WHERE model = ?').pluck().all(model) as string[];
		return new Set(rows);
	}

	indexedModels(): string[] {
		return this.prepare('SELECT DISTINCT model FROM versions').pluck().all() as string[];
	}

	/**
	 * Names the current set of versions: `epoch:seq`, where the epoch changes (to a new random value)
	 * when the versions are rebuilt and seq is the last entry of version_log (one per version added or
	 * removed since). Equal stamps, equal versions, whatever else was written (the stat cache, aliases,
	 * events); what is derived from the versions alone stays valid while it is equal.
	 */
	versionsStamp(): string {
		const epoch = (this.prepare("SELECT value FROM index_meta WHERE name = 'epoch'").pluck().get() as string | undefined) ?? '';
		const seq = (this.prepare('SELECT max(seq) FROM version_log').pluck().get() as number | null) ?? 0;
		return `${epoch}:${seq}`;
	}

	/** Versions added (true) or removed (false) after log entry `seq`, oldest first; undefined when more than `max`. */
	versionChangesSince(seq: number, max: number): Array<{ digest: string; added: boolean }> | undefined {
		const rows = this.prepare('SELECT digest, added FROM version_log WHERE seq > ? ORDER BY seq LIMIT ?').raw(true).all(seq, max + 1) as Array<[string, number]>;
		if (rows.length > max) return undefined;
		return rows.map(([digest, added]) => ({ digest, added: added === 1 }));
	}

	/** Entries kept in version_log: readers further behind rebuild what they derived. */
	private static readonly LOG_KEEP = 1000;

	/** Records a version added or removed, unless the versions are being rebuilt (a new epoch says it all). */
	private logVersion(digest: string, added: boolean): void {
		if (this.db.inTransaction && this.rebuiltIn === this.transactions) return;
		const { lastInsertRowid } = this.prepare('INSERT INTO version_log (digest, added) VALUES (?, ?)').run(digest, added ? 1 : 0);
		if (Number(lastInsertRowid) % 100 === 0) this.prepare('DELETE FROM version_log WHERE seq <= ?').run(Number(lastInsertRowid) - RegistryIndex.LOG_KEEP);
	}

	/** A new epoch and an empty log: everything derived from the versions is rebuilt. The rest of this transaction logs nothing. */
	private newEpoch(): void {
		const epoch = randomUUID();
		this.prepare("INSERT OR REPLACE INTO index_meta (name, value) VALUES ('epoch', ?)").run(epoch);
		this.claimed.clear();
		this.claimedEpoch = epoch;
		this.claimedCheckedIn = this.transactions;
		this.prepare('DELETE FROM version_log').run();
		this.rebuiltIn = this.transactions;
	}

	insertVersion(digest: string, m: VersionManifest): void {
		refuseUnindexable(m);
		this.insertContents(m);
		if (this.pending) {
			// A bulk load: versions get their seq in the model's order when it ends (flushPending), so
			// consecutive seqs are consecutive versions and a file unchanged across them stays one span.
			this.pending.push({ digest, m: slimManifest(m) });
			this.pendingFiles += m.artifacts.length;
			if (this.pendingFiles > RegistryIndex.PENDING_FILES_MAX) this.flushPending();
			return;
		}
		this.logVersion(digest, true);
		this.appendVersion(digest, m, this.openSpansOf(m.model));
	}

	/** The seq this version got; spans of its files are closed, kept or opened against the model's open spans. */
	private appendVersion(digest: string, m: SlimManifest, open: Map<string, OpenSpan>): void {
		const files = fileListDigest(m.artifacts);
		const { lastInsertRowid } = this.prepare(
			`INSERT OR REPLACE INTO versions (digest, model, number, label, created_at, author_name, author_email, message, git_commit, git_branch, git_dirty, artifact_count, files)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		).run(digest, m.model, m.number, m.label, m.createdAt, m.author.name, m.author.email ?? null, m.message, m.git.commit, m.git.branch, m.git.dirty ? 1 : 0, m.artifacts.length, files);
		const seq = Number(lastInsertRowid);
		const close = this.prepare('UPDATE file_spans SET last_seq = ? WHERE rowid = ?');
		const start = this.prepare('INSERT INTO file_spans (model, path, role, sha256, size, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?)');
		const seen = new Set<string>();
		for (const a of m.artifacts) {
			if (seen.has(a.path)) continue; // a manifest lists a path once; the old primary key kept the first
			seen.add(a.path);
			const span = open.get(a.path);
			if (span && span.role === a.role && span.sha256 === a.sha256 && span.size === a.size) continue;
			if (span) close.run(seq - 1, span.rowid);
			const row = start.run(m.model, a.path, a.role, a.sha256, a.size, seq, OPEN);
			open.set(a.path, { rowid: Number(row.lastInsertRowid), role: a.role, sha256: a.sha256, size: a.size });
		}
		for (const [path, span] of open) {
			if (seen.has(path)) continue;
			close.run(seq - 1, span.rowid);
			open.delete(path);
		}
	}

	/** The spans still open for a model: the files of the version indexed last. */
	private openSpansOf(model: string): Map<string, OpenSpan> {
		const rows = this.prepare('SELECT rowid, path, role, sha256, size FROM file_spans WHERE model = ? AND last_seq = ?').raw(true).all(model, OPEN) as Array<[number, string, string, string, number]>;
		return new Map(rows.map(([rowid, path, role, sha256, size]) => [path, { rowid, role, sha256, size }]));
	}

	/** Values and variables are recorded the first time a content is seen: an unchanged file adds no rows. */
	private insertContents(m: VersionManifest): void {
		const shaOf = new Map(m.artifacts.map((a) => [a.path, a.sha256]));
		const claimed = this.claimedContents();
		const claim = this.prepare('INSERT OR IGNORE INTO content_indexed (sha256, facet) VALUES (?, ?)');
		// True when this content's facet was not recorded yet. A claim known to be in the table (made by this
		// process, same epoch) costs no statement: a snapshot of 2,000 files claims only what changed.
		const claimNew = (sha256: string, facet: string): boolean => {
			const key = `${facet}\0${sha256}`;
			if (claimed.has(key)) return false;
			claimed.add(key);
			this.claimedNow.push(key);
			return claim.run(sha256, facet).changes > 0;
		};
		const keyed = this.prepare('INSERT OR IGNORE INTO content_values (sha256, key, kind, value) VALUES (?, ?, ?, ?)');
		const insertValues = (kind: 'param' | 'metric', files: Record<string, FlatValues>) => {
			for (const [file, values] of Object.entries(files)) {
				const sha256 = shaOf.get(file);
				if (sha256 === undefined || !claimNew(sha256, kind)) continue;
				for (const [key, value] of Object.entries(values)) keyed.run(sha256, key, kind, JSON.stringify(value));
			}
		};
		insertValues('param', m.params);
		insertValues('metric', m.metrics);
		const variable = this.prepare('INSERT OR IGNORE INTO content_variables (sha256, name) VALUES (?, ?)');
		for (const [path, info] of Object.entries(m.prompts ?? {})) {
			const sha256 = shaOf.get(path);
			if (sha256 === undefined || !claimNew(sha256, 'prompt')) continue;
			for (const name of info.variables) variable.run(sha256, name);
		}
	}

	/**
	 * content_indexed rows this process knows exist (`facet\0sha256`). Content rows are only removed by a
	 * rebuild, which starts a new epoch, so the set is kept while the epoch is the one it was filled in
	 * (checked once per transaction); claims of a transaction that rolls back are taken out again.
	 */
	private claimed = new Set<string>();
	private claimedEpoch: string | undefined;
	private claimedCheckedIn = -1;
	private claimedNow: string[] = [];
	private static readonly CLAIMED_MAX = 200_000;

	private claimedContents(): Set<string> {
		if (this.claimedCheckedIn !== this.transactions) {
			this.claimedCheckedIn = this.transactions;
			const epoch = this.prepare("SELECT value FROM index_meta WHERE name = 'epoch'").pluck().get() as string | undefined;
			if (epoch !== this.claimedEpoch || this.claimed.size > RegistryIndex.CLAIMED_MAX) {
				this.claimed.clear();
				this.claimedEpoch = epoch;
			}
		}
		return this.claimed;
	}

	/** Versions a bulk load has read but not written yet (undefined outside a bulk load), and their files. */
	private pending: Array<{ digest: string; m: SlimManifest }> | undefined;
	private pendingFiles = 0;
	/** Open spans per model during a bulk load (the span indexes are dropped then). */
	private bulkOpen: Map<string, Map<string, OpenSpan>> | undefined;
	/** Files held back before a bulk load writes what it has (bounds its memory on huge registries). */
	private static readonly PENDING_FILES_MAX = 1_000_000;

	/** Writes the pending versions in each model's order (number, time, digest), seq by seq. */
	private flushPending(): void {
		const pending = this.pending;
		if (!pending || pending.length === 0) return;
		this.pending = [];
		this.pendingFiles = 0;
		pending.sort((a, b) => compareText(a.m.model, b.m.model) || a.m.number - b.m.number || compareText(a.m.createdAt, b.m.createdAt) || compareText(a.digest, b.digest));
		const open = this.bulkOpen!;
		for (const { digest, m } of pending) {
			let spans = open.get(m.model);
			if (!spans) open.set(m.model, (spans = new Map()));
			this.appendVersion(digest, m, spans);
		}
	}

	deleteVersion(digest: string): void {
		this.flushPending();
		this.logVersion(digest, false);
		const row = this.prepare('SELECT model, seq FROM versions WHERE digest = ?').raw(true).get(digest) as [string, number] | undefined;
		if (!row) return;
		this.prepare('DELETE FROM versions WHERE digest = ?').run(digest);
		// Spans of this version alone go with it; a span it shares with other versions stays (a deleted seq
		// just joins no version). Content rows stay: they describe a content, not a version.
		const [model, seq] = row;
		this.prepare('DELETE FROM file_spans WHERE model = ? AND first_seq = ? AND last_seq = ?').run(model, seq, seq);
	}

	/** The sha256 of a version's file list (paths, roles, contents), as fileListDigest computes it. */
	fileListOf(digest: string): string | undefined {
		return this.prepare('SELECT files FROM versions WHERE digest = ?').pluck().get(digest) as string | undefined;
	}

	/** Versions of a model whose file list has this digest (fileListDigest), newest first. */
	versionsWithFiles(model: string, files: string): VersionSummary[] {
		return this.listWhere('v.model = ? AND v.files = ? ORDER BY v.number DESC, v.created_at DESC', model, files);
	}

	/** Versions newest first (by number, then time), with aliases; all models when model is omitted. */
	listVersions(model?: string): VersionSummary[] {
		const sql = `
			SELECT v.*, (SELECT group_concat(a.name, ',') FROM aliases a WHERE a.model = v.model AND a.digest = v.digest) AS aliases,
			       (SELECT r.label FROM release_labels r WHERE r.digest = v.digest) AS release_label,
			       (SELECT count(*) FROM versions w WHERE w.model = v.model AND w.number = v.number) > 1 AS shared
			FROM versions v ${model === undefined ? '' : 'WHERE v.model = ?'}
			ORDER BY v.model, v.number DESC, v.created_at DESC, v.digest`;
		const rows = (model === undefined ? this.prepare(sql).all() : this.prepare(sql).all(model)) as VersionRow[];
		return rows.map(toSummary);
	}

	versionByDigest(digest: string): VersionSummary | undefined {
		return this.listWhere('v.digest = ?', digest)[0];
	}

	/** Versions of a model whose digest starts with the prefix. */
	versionsByDigestPrefix(model: string, prefix: string): VersionSummary[] {
		return this.listWhere("v.model = ? AND v.digest >= ? AND v.digest < ? || 'g'", model, prefix, prefix);
	}

	/** Versions of a model made at this git commit (full id), newest first. */
	versionsByCommit(model: string, commit: string): VersionSummary[] {
		return this.listWhere('v.model = ? AND v.git_commit = ? ORDER BY v.number DESC, v.created_at DESC', model, commit);
	}

	versionsByNumber(model: string, number: number): VersionSummary[] {
		return this.listWhere('v.model = ? AND v.number = ?', model, number);
	}

	/** Versions of a model with this label or (hybrid versioning) this release label. */
	versionsByLabel(model: string, label: string): VersionSummary[] {
		return this.listWhere('v.model = ? AND (v.label = ? OR v.digest IN (SELECT digest FROM release_labels WHERE model = ? AND label = ?))', model, label, model, label);
	}

	latestVersion(model: string): VersionSummary | undefined {
		return this.listWhere('v.model = ? ORDER BY v.number DESC, v.created_at DESC LIMIT 1', model)[0];
	}

	labelsOf(model: string): string[] {
		return this.prepare('SELECT label FROM versions WHERE model = ?').pluck().all(model) as string[];
	}

	maxNumber(model: string): number {
		return (this.prepare('SELECT coalesce(max(number), 0) FROM versions WHERE model = ?').pluck().get(model) as number) ?? 0;
	}

	private listWhere(where: string, ...params: unknown[]): VersionSummary[] {
		const sql = `
			SELECT v.*, (SELECT group_concat(a.name, ',') FROM aliases a WHERE a.model = v.model AND a.digest = v.digest) AS aliases,
			       (SELECT r.label FROM release_labels r WHERE r.digest = v.digest) AS release_label,
			       (SELECT count(*) FROM versions w WHERE w.model = v.model AND w.number = v.number) > 1 AS shared
			FROM versions v WHERE ${where}`;
		// eslint-disable-next-line no-restricted-syntax -- one or two query parameters
		return (this.prepare(sql).all(...params) as VersionRow[]).map(toSummary);
	}

	// --- events and aliases -----------------------------------------------------------------------

	eventFileStamp(model: string): string | undefined {
		return this.prepare('SELECT stamp FROM event_files WHERE model = ?').pluck().get(model) as string | undefined;
	}

	eventFileModels(): string[] {
		return this.prepare('SELECT model FROM event_files').pluck().all() as string[];
	}

	/** Replaces a model's events and derived aliases with what its events file now says. */
	replaceEvents(model: string, events: LedgerEvent[], aliases: Map<string, string>, stamp: string | undefined): void {
		this.prepare('DELETE FROM events WHERE model = ?').run(model);
		this.prepare('DELETE FROM aliases WHERE model = ?').run(model);
		const insertEvent = this.prepare('INSERT OR IGNORE INTO events (id, model, type, at, body) VALUES (?, ?, ?, ?, ?)');
		for (const e of events) insertEvent.run(e.id, model, e.type, e.at, JSON.stringify(e));
		const insertAlias = this.prepare('INSERT INTO aliases (model, name, digest) VALUES (?, ?, ?)');
		for (const [name, digest] of aliases) insertAlias.run(model, name, digest);
		if (stamp === undefined) this.prepare('DELETE FROM event_files WHERE model = ?').run(model);
		else this.prepare('INSERT OR REPLACE INTO event_files (model, stamp) VALUES (?, ?)').run(model, stamp);
	}

	/** Replaces a model's release labels (derived from its `released` events). */
	replaceReleaseLabels(model: string, labels: Map<string, string>): void {
		this.prepare('DELETE FROM release_labels WHERE model = ?').run(model);
		const insert = this.prepare('INSERT OR REPLACE INTO release_labels (digest, model, label) VALUES (?, ?, ?)');
		for (const [digest, label] of labels) insert.run(digest, model, label);
	}

	aliasesOf(model: string): Map<string, string> {
		const rows = this.prepare('SELECT name, digest FROM aliases WHERE model = ? ORDER BY name').all(model) as Array<{ name: string; digest: string }>;
		return new Map(rows.map((r) => [r.name, r.digest]));
	}

	events(model: string): LedgerEvent[] {
		const rows = this.prepare('SELECT body FROM events WHERE model = ? ORDER BY at DESC, id DESC').pluck().all(model) as string[];
		return rows.map((body) => JSON.parse(body) as LedgerEvent);
	}

	// --- stat cache -------------------------------------------------------------------------------

	cachedHash(path: string, key: StatKey): string | undefined {
		const row = this.prepare('SELECT dev, ino, size, mtime_ns, sha256 FROM stat_cache WHERE path = ?').get(path) as
			| { dev: string; ino: string; size: number; mtime_ns: string; sha256: string }
			| undefined;
		if (!row) return undefined;
		if (row.dev !== String(key.dev) || row.ino !== String(key.ino) || row.size !== Number(key.size) || row.mtime_ns !== String(key.mtimeNs)) return undefined;
		return row.sha256;
	}

	rememberHash(path: string, key: StatKey, sha256: string): void {
		this.prepare('INSERT OR REPLACE INTO stat_cache (path, dev, ino, size, mtime_ns, sha256) VALUES (?, ?, ?, ?, ?, ?)').run(
			path,
			String(key.dev),
			String(key.ino),
			Number(key.size),
			String(key.mtimeNs),
			sha256,
		);
	}

	// --- content facts (snapshot's per-content cache) ---------------------------------------------

	/**
	 * What a snapshot derived from one content of a file (parse results, secret-scan verdict), as JSON,
	 * keyed by path, role and sha256: unchanged files are not re-read. Like the stat cache, it survives a rebuild.
	 */
	cachedFacts(path: string, role: string, sha256: string): string | undefined {
		this.ensureFactsTable();
		return this.prepare('SELECT facts FROM content_facts WHERE path = ? AND role = ? AND sha256 = ?').pluck().get(path, role, sha256) as string | undefined;
	}

	rememberFacts(path: string, role: string, sha256: string, facts: string): void {
		this.ensureFactsTable();
		this.prepare('INSERT OR REPLACE INTO content_facts (path, role, sha256, facts) VALUES (?, ?, ?, ?)').run(path, role, sha256, facts);
	}

	/** Every cached content fact (a snapshot reads them in one query instead of one per file). */
	allFacts(): Array<{ path: string; role: string; sha256: string; facts: string }> {
		this.ensureFactsTable();
		return this.prepare('SELECT path, role, sha256, facts FROM content_facts').all() as Array<{ path: string; role: string; sha256: string; facts: string }>;
	}

	/** The whole stat cache, path → stat and hash (one query for a snapshot of thousands of files). */
	allCachedHashes(): Map<string, { key: StatKey; sha256: string }> {
		const rows = this.prepare('SELECT path, dev, ino, size, mtime_ns, sha256 FROM stat_cache').raw(true).all() as Array<[string, string, string, number, string, string]>;
		return new Map(rows.map(([path, dev, ino, size, mtimeNs, sha256]) => [path, { key: { dev: BigInt(dev), ino: BigInt(ino), size: BigInt(size), mtimeNs: BigInt(mtimeNs) }, sha256 }]));
	}

	private factsTable = false;

	/** Created on first use (not in SCHEMA), so an index.db made before the table existed gains it without a rebuild. */
	private ensureFactsTable(): void {
		if (this.factsTable) return;
		this.db.exec('CREATE TABLE IF NOT EXISTS content_facts (path TEXT NOT NULL, role TEXT NOT NULL, sha256 TEXT NOT NULL, facts TEXT NOT NULL, PRIMARY KEY (path, role, sha256)) WITHOUT ROWID');
		this.factsTable = true;
	}

	/**
	 * Runs fn in one write transaction: many small writes, one commit. It takes the write lock up
	 * front, because a WAL reader that later upgrades to a writer gets SQLITE_BUSY without waiting.
	 */
	batch<T>(fn: () => T): T {
		return this.exclusive(fn);
	}

	/**
	 * Runs fn (many version inserts) with the version tables' secondary indexes dropped, then recreates
	 * them: sorting once beats a B-tree insert per row. Only inside batch(), so no reader ever sees the
	 * index-less state committed; if fn throws, the rollback brings the indexes back.
	 */
	bulkLoad<T>(fn: () => T): T {
		if (!this.db.inTransaction) throw new Error('RegistryIndex.bulkLoad must run inside batch().');
		// Many versions at once: readers rebuild what they derived instead of replaying a long log.
		this.newEpoch();
		// Open spans of the models already indexed, read while their index still exists.
		this.bulkOpen = new Map();
		const rows = this.prepare('SELECT rowid, model, path, role, sha256, size FROM file_spans WHERE last_seq = ?').raw(true).all(OPEN) as Array<[number, string, string, string, string, number]>;
		for (const [rowid, model, path, role, sha256, size] of rows) {
			let spans = this.bulkOpen.get(model);
			if (!spans) this.bulkOpen.set(model, (spans = new Map()));
			spans.set(path, { rowid, role, sha256, size });
		}
		const dropped = INDEXES.filter((index) => VERSION_TABLES.has(index.table));
		for (const index of dropped) this.db.exec(`DROP INDEX IF EXISTS ${index.name}`);
		this.pending = [];
		// A page cache that holds the load (64 MiB instead of 2): fewer dirty pages spilled to the WAL mid-transaction.
		// Reindex of 10,000 manifests, alternating with and without (load ~5): CPU 2.8–3.1 s -> 2.56–2.64 s.
		const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
		this.db.pragma('cache_size = -65536');
		try {
			const result = fn();
			this.flushPending();
			for (const index of dropped) this.db.exec(createIndexSql(index));
			return result;
		} finally {
			this.db.pragma(`cache_size = ${Math.trunc(cacheSize)}`);
			this.pending = undefined;
			this.pendingFiles = 0;
			this.bulkOpen = undefined;
		}
	}

	/** Empties every table except the stat cache (which stays valid across a rebuild). */
	clearRegistry(): void {
		this.newEpoch();
		for (const table of ['versions', 'file_spans', 'content_values', 'content_variables', 'content_indexed', 'events', 'aliases', 'release_labels', 'event_files']) this.db.exec(`DELETE FROM ${table}`);
	}
}

/** What SQLite can store: better-sqlite3 refuses booleans and objects (undefined is stored as NULL). */
function bindable(value: unknown): boolean {
	return value === undefined || value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
}

/**
 * Refuses, before anything is written, a manifest whose version row or file spans SQLite would refuse
 * (readManifestFile checks what queries rely on, not every column): a bulk load writes its versions
 * at the end, where one planted manifest would fail the whole load instead of being reported alone.
 */
function refuseUnindexable(m: VersionManifest): void {
	const text = (value: unknown) => typeof value === 'string' || typeof value === 'number';
	const git = (m.git ?? {}) as Partial<VersionManifest['git']>;
	const ok =
		text(m.author?.name) &&
		bindable(m.author.email) &&
		text(m.message) &&
		bindable(git.commit) &&
		bindable(git.branch) &&
		m.artifacts.every((a) => text(a.role));
	if (!ok) throw new Error("a field Model Ledger writes as text (the author's name or email, the message, the git commit or branch, or a file's role) is missing or not text. Restore the manifest from git; manifests are written by Model Ledger only.");
}

interface OpenSpan {
	rowid: number;
	role: string;
	sha256: string;
	size: number;
}

/** What indexing a version needs of its manifest (a bulk load holds thousands until it writes them). */
type SlimManifest = Pick<VersionManifest, 'model' | 'number' | 'label' | 'createdAt' | 'author' | 'message' | 'git' | 'artifacts'>;

function slimManifest(m: VersionManifest): SlimManifest {
	return { model: m.model, number: m.number, label: m.label, createdAt: m.createdAt, author: m.author, message: m.message, git: m.git, artifacts: m.artifacts };
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Names a file list: sha256 of its (path, role, sha256) entries in path order. Two versions with equal
 * names hold exactly the same files (what a snapshot calls "unchanged"); sizes follow from the contents.
 */
export function fileListDigest(artifacts: ReadonlyArray<{ path: string; role: string; sha256: string }>): string {
	const lines = artifacts.map((a) => `${a.path}\0${a.role}\0${a.sha256}\n`);
	// Manifests list their files by path already: sort only when they are not.
	if (lines.some((line, i) => i > 0 && lines[i - 1] > line)) lines.sort();
	const hash = createHash('sha256');
	for (const line of lines) hash.update(line);
	return hash.digest('hex');
}

function toSummary(row: VersionRow): VersionSummary {
	const author: Author = row.author_email ? { name: row.author_name, email: row.author_email } : { name: row.author_name };
	return {
		model: row.model,
		number: row.number,
		label: row.label,
		...(row.release_label ? { releaseLabel: row.release_label } : {}),
		digest: row.digest,
		createdAt: row.created_at,
		author,
		message: row.message,
		aliases: row.aliases ? row.aliases.split(',').sort() : [],
		git: { commit: row.git_commit, branch: row.git_branch, dirty: row.git_dirty === 1 },
		artifactCount: row.artifact_count,
		numberShared: row.shared === 1,
	};
}

function dropAll(db: Database): void {
	const views = db.prepare("SELECT name FROM sqlite_master WHERE type = 'view'").pluck().all() as string[];
	for (const v of views) db.exec(`DROP VIEW IF EXISTS "${v}"`);
	const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
	for (const t of tables) db.exec(`DROP TABLE IF EXISTS "${t}"`);
}

function isBusy(err: unknown): boolean {
	const code = (err as { code?: string }).code;
	return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function busyError(dbPath: string): LedgerError {
	return new LedgerError({
		code: 'BUSY',
		message: 'The registry index is busy: another Model Ledger process has held it for more than 15 seconds.',
		fix: 'Wait for the other snapshot to finish and try again.',
		location: { file: dbPath },
	});
}
