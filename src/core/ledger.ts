// The Node API over one workspace's registry: the CLI and the extension both go through it.
// Manifests and events on disk are the truth; index.db is brought up to date from them on open
// and whenever `sync()` is called (after a git pull or checkout, or another process's snapshot).
import { execFileSync } from 'node:child_process';
import { readLedgerFile } from './store/boundedRead';
import { appendAll, maxOf } from './bulkArrays';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from './errors';
import { assertNoSecretsInEvent } from './secrets/secretLabels';
import { appendEvent, compareEvents, deriveAliases, newEventId, readEventsFile } from './lifecycle/events';
import type { EventType, LedgerEvent } from './lifecycle/events';
import { gitDisabledReason } from './snapshot/gitLineage';
import { readManifestFile } from './store/manifest';
import { evaluateGate, GateRefusedError, heldBefore } from './lifecycle/gates';
import type { Author, Bump, VersionDetail, VersionManifest, VersionSummary } from './model';
import { assertLedgerLayout, linkInLedger, modelFolders } from './store/noFollow';
import { nextReleaseLabel, releaseLabels } from './lifecycle/releaseLabels';
import { ObjectStore } from './store/objectStore';
import { RegistryIndex } from './index/registryIndex';
import { closestName } from './closestName';
import { ALIAS_NAME, CONFIG_FILE, loadWorkspaceConfig, modelsByName } from './parse/workspaceConfig';
import type { ModelConfig, WorkspaceConfig } from './parse/workspaceConfig';
import { confinedPath } from './snapshot/workspaceFiles';

export const LEDGER_DIR = '.model-ledger';
const GITIGNORE = '# Rebuilt from versions/ and events/; never committed (a file, folder or link named cache).\ncache\n';
/** What ensureLayout wrote before `cache/` became `cache`: replaced when found unchanged. */
const OLD_GITIGNORE = '# Rebuilt from versions/ and events/; never committed.\ncache/\n';
const DIGEST_FILE = /^([0-9a-f]{64})\.yaml$/;
/** Above this many new manifests in one sync, drop and recreate the indexes rather than update them per row. */
const BULK_LOAD_THRESHOLD = 500;

export interface SyncReport {
	added: number;
	removed: number;
	eventFilesRead: number;
	/** Manifests or event lines that could not be read: reported, skipped, never fatal. */
	problems: string[];
	/** Manifests that name what Model Ledger never writes (planted): never indexed, listed apart. */
	suspects: string[];
}

export interface SetAliasOptions {
	/** Move a gated alias even though the version fails its gate; `note` is the reason. */
	override?: boolean;
	/** Hybrid versioning: how the release label of a first release move is bumped (default minor). */
	bump?: Bump;
}

/** A version git holds only on other refs, adopted for reading (see Ledger.adoptOtherRefVersions). */
export interface OtherRefEntry {
	summary: VersionSummary;
	manifest: VersionManifest;
	/** Where git holds it: `feature`, `origin/main`, `stash@{0}`. */
	refs: string[];
}

export class Ledger {
	readonly ledgerDir: string;
	readonly versionsDir: string;
	readonly eventsDir: string;
	readonly cacheDir: string;
	readonly store: ObjectStore;
	private indexInstance: RegistryIndex | undefined;
	private configCache: WorkspaceConfig | undefined;
	/** Problems found by the last sync. */
	problems: string[] = [];
	/** Suspect manifests found by the last sync that read manifests (one line each, without the fix). */
	suspects: string[] = [];

	private constructor(readonly root: string) {
		this.ledgerDir = join(root, LEDGER_DIR);
		this.versionsDir = join(this.ledgerDir, 'versions');
		this.eventsDir = join(this.ledgerDir, 'events');
		this.cacheDir = join(this.ledgerDir, 'cache');
		this.store = new ObjectStore(this.cacheDir);
		this.store.guard = () => assertLedgerLayout(root);
	}

	/** A ledger for the workspace at `root`. Cheap: nothing is read until first use. */
	static at(root: string): Ledger {
		return new Ledger(root);
	}

	/** Creates `.model-ledger/` with its .gitignore and .gitattributes (idempotent). */
	ensureLayout(): void {
		// mkdir -p succeeds on a link to a folder: check before and after (a link may be planted between).
		assertLedgerLayout(this.root);
		mkdirSync(this.versionsDir, { recursive: true });
		mkdirSync(this.eventsDir, { recursive: true });
		mkdirSync(this.cacheDir, { recursive: true });
		assertLedgerLayout(this.root);
		// `cache`, not `cache/`: a folder pattern does not match a symlink named cache, which git would then commit.
		const gitignore = join(this.ledgerDir, '.gitignore');
		if (readIfExists(gitignore) === OLD_GITIGNORE) writeFileSync(gitignore, GITIGNORE);
		writeIfMissing(gitignore, GITIGNORE);
		writeIfMissing(join(this.ledgerDir, '.gitattributes'), '# Events are append-only: a union merge keeps both sides.\nevents/*.jsonl merge=union\n');
	}

	get config(): WorkspaceConfig {
		if (!this.configCache) this.configCache = loadWorkspaceConfig(this.root);
		return this.configCache;
	}

	/** Forgets the parsed config (after model-ledger.yaml changed). */
	reloadConfig(): void {
		this.configCache = undefined;
	}

	/**
	 * A configured model, for everything that needs its config (snapshot, status, aliases, restore).
	 * A model removed or renamed in model-ledger.yaml is refused with a message saying so; a typo with
	 * the closest name.
	 */
	model(name: string): ModelConfig {
		const found = modelsByName(this.config).get(name);
		if (found) return found;
		throw this.unknownModel(name);
	}

	/**
	 * A model whose versions can be read (list, show, cat, diff, events, history): a configured one, or
	 * one that is no longer configured but still has versions (returned as undefined: it has no config).
	 * Anything else is an unknown model, with the closest name.
	 */
	readableModel(name: string): ModelConfig | undefined {
		const found = modelsByName(this.config).get(name);
		if (found) return found;
		if (this.index.digestsOf(name).size > 0) return undefined;
		throw this.unknownModel(name);
	}

	/** Models that have versions but are no longer in model-ledger.yaml (removed or renamed), sorted. */
	unconfiguredModels(): string[] {
		const configured = new Set(this.config.models.map((m) => m.name));
		return this.index
			.indexedModels()
			.filter((m) => !configured.has(m))
			.sort();
	}

	private unknownModel(name: string): LedgerError {
		const configured = this.config.models.map((m) => m.name);
		const versions = this.index.digestsOf(name).size;
		if (versions > 0) {
			return new LedgerError({
				code: 'UNCONFIGURED_MODEL',
				message: `Model \`${name}\` is no longer configured in ${CONFIG_FILE} (it has ${versions} version${versions === 1 ? '' : 's'}).`,
				fix: `Its versions stay readable (\`model-ledger list ${name}\`, \`show ${name}@REF\`, \`cat\`, \`diff\`); add it back to ${CONFIG_FILE} to snapshot it or change its aliases.`,
			});
		}
		const unconfigured = this.unconfiguredModels();
		const suggestion = closestName(name, [...configured, ...unconfigured]);
		const listed = `Models in ${CONFIG_FILE}: ${configured.join(', ') || '(none)'}${unconfigured.length ? `; no longer configured, with versions: ${unconfigured.join(', ')}` : ''}.`;
		return new LedgerError({ code: 'UNKNOWN_MODEL', message: `Unknown model \`${name}\`${suggestion ? ` — did you mean \`${suggestion}\`?` : '.'}`, fix: listed });
	}

	/** The index, opened and synced on first use. */
	get index(): RegistryIndex {
		if (!this.indexInstance) {
			// index.db and the objects live in cache/: a planted `cache → /elsewhere` link must not be written through.
			assertLedgerLayout(this.root);
			const index = RegistryIndex.open(join(this.cacheDir, 'index.db'));
			this.indexInstance = index;
			this.sync();
		}
		return this.indexInstance;
	}

	close(): void {
		this.indexInstance?.close();
		this.indexInstance = undefined;
	}

	/** Brings index.db up to date with the manifests and event files on disk. */
	sync(): SyncReport {
		const index = this.indexInstance ?? this.index;
		const report: SyncReport = { added: 0, removed: 0, eventFilesRead: 0, problems: [], suspects: [] };
		// Readers check without the write lock; only a real change takes it (and re-checks under it).
		if (!this.isBehind(index)) return report;
		index.batch(() => this.syncInto(index, report));
		this.problems = report.problems;
		this.suspects = report.suspects;
		return report;
	}

	/** `sync()` for code that already holds `index.exclusive` (rollback): no transaction of its own. */
	syncLocked(): SyncReport {
		const index = this.indexInstance ?? this.index;
		const report: SyncReport = { added: 0, removed: 0, eventFilesRead: 0, problems: [], suspects: [] };
		if (!this.isBehind(index)) return report;
		this.syncInto(index, report);
		this.problems = report.problems;
		this.suspects = report.suspects;
		return report;
	}

	/**
	 * Brings one model's versions and events up to date, for a caller that holds `index.exclusive` (a
	 * snapshot's write lock re-reads only the model it numbers: a full sync per model made snapshots of
	 * many models quadratic).
	 */
	syncModelLocked(model: string): SyncReport {
		const index = this.indexInstance ?? this.index;
		const report: SyncReport = { added: 0, removed: 0, eventFilesRead: 0, problems: [], suspects: [] };
		const known = index.digestsOf(model);
		// A linked model folder is never listed through: syncInto reports it.
		const linked = modelFolders(this.versionsDir, model).links.length > 0;
		const present = linked ? [] : listDir(join(this.versionsDir, model)).filter((f) => DIGEST_FILE.test(f));
		const behind = linked || present.length !== known.size || present.some((f) => !known.has(f.slice(0, 64))) || eventStamp(this.eventsPath(model), this.protectedAliasesOf(model)) !== index.eventFileStamp(model);
		if (!behind) return report;
		this.syncInto(index, report, model);
		return report;
	}

	/** Whether manifests or event files on disk differ from what the index holds. */
	private isBehind(index: RegistryIndex): boolean {
		const { models: onDisk, links } = modelFolders(this.versionsDir);
		// A linked model folder is reported by every sync (syncInto), never read through.
		if (links.length) return true;
		const indexed = new Set(index.indexedModels());
		for (const model of onDisk) {
			const known = index.digestsOf(model);
			const present = listDir(join(this.versionsDir, model)).filter((f) => DIGEST_FILE.test(f));
			if (present.length !== known.size || present.some((f) => !known.has(f.slice(0, 64)))) return true;
			indexed.delete(model);
			if (eventStamp(this.eventsPath(model), this.protectedAliasesOf(model)) !== index.eventFileStamp(model)) return true;
		}
		if (indexed.size > 0) return true;
		return listDir(this.eventsDir).some((f) => f.endsWith('.jsonl') && eventStamp(join(this.eventsDir, f), this.protectedAliasesOf(f.slice(0, -'.jsonl'.length))) !== index.eventFileStamp(f.slice(0, -'.jsonl'.length)));
	}

	/** Rebuilds index.db from scratch from the manifests and events. */
	reindex(): SyncReport {
		const index = this.index;
		const report: SyncReport = { added: 0, removed: 0, eventFilesRead: 0, problems: [], suspects: [] };
		index.batch(() => {
			index.clearRegistry();
			this.syncInto(index, report);
		});
		this.problems = report.problems;
		this.suspects = report.suspects;
		return report;
	}

	private syncInto(index: RegistryIndex, report: SyncReport, only?: string): void {
		// Plan first (reads that use the indexes), then write: many new manifests load with the indexes dropped.
		const onDisk = new Set<string>();
		const toAdd: { model: string; dir: string; file: string; digest: string }[] = [];
		const toRemove: string[] = [];
		const folders = modelFolders(this.versionsDir, only);
		for (const link of folders.links) {
			const err = linkInLedger(`${LEDGER_DIR}/versions/${link}`, 'a symlink');
			report.problems.push(err.toString());
			report.suspects.push(err.message);
		}
		for (const model of folders.models) {
			const dir = join(this.versionsDir, model);
			onDisk.add(model);
			const known = index.digestsOf(model);
			const present = new Set<string>();
			for (const file of listDir(dir)) {
				const digest = DIGEST_FILE.exec(file)?.[1];
				if (!digest) continue;
				present.add(digest);
				if (!known.has(digest)) toAdd.push({ model, dir, file, digest });
			}
			for (const digest of known) if (!present.has(digest)) toRemove.push(digest);
		}
		for (const model of only === undefined ? index.indexedModels() : [only]) {
			if (!onDisk.has(model)) appendAll(toRemove, index.digestsOf(model));
		}
		// In digest order across models, every primary-key insert appends to the B-trees instead of splitting pages mid-tree.
		toAdd.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
		const writeVersions = (): void => {
			for (const { model, dir, file, digest } of toAdd) {
				const rel = `${LEDGER_DIR}/versions/${model}/${file}`;
				try {
					const manifest = readManifestFile(join(dir, file), rel, digest);
					if (manifest.model !== model) throw new LedgerError({ code: 'LEDGER_ERROR', message: `manifest ${rel} names model \`${manifest.model}\` but lies in the folder of \`${model}\`.` });
					index.insertVersion(digest, manifest);
					report.added++;
				} catch (err) {
					if (err instanceof LedgerError && SUSPECT_CODES.has(err.code)) report.suspects.push(err.message);
					report.problems.push(err instanceof LedgerError ? err.toString() : `${rel}: ${(err as Error).message}`);
				}
			}
			for (const digest of toRemove) {
				index.deleteVersion(digest);
				report.removed++;
			}
		};
		if (toAdd.length > BULK_LOAD_THRESHOLD) index.bulkLoad(writeVersions);
		else writeVersions();
		// Events: re-read a model's file when its size or mtime moved, or its versions changed.
		const eventModels = only !== undefined ? new Set([only]) : new Set([...onDisk, ...index.eventFileModels(), ...listDir(this.eventsDir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length))]);
		const versionsChanged = report.added + report.removed > 0;
		for (const model of eventModels) {
			const path = this.eventsPath(model);
			const protectedAliases = this.protectedAliasesOf(model);
			const stamp = eventStamp(path, protectedAliases);
			if (!versionsChanged && stamp === index.eventFileStamp(model)) continue;
			const rel = `${LEDGER_DIR}/events/${model}.jsonl`;
			const { events, problems } = readEventsFile(path, model, rel);
			for (const p of problems) report.problems.push(p.line > 0 ? `${rel}:${p.line}: ${p.message}; the line was skipped.` : `${p.message} Its events are not applied.`);
			const aliases = deriveAliases(events, index.digestsOf(model), protectedAliases);
			for (const e of events) if (e.unverified) report.problems.push(`${rel}: unverified ${e.type} event ${e.id}: ${e.unverified}.`);
			index.replaceEvents(model, events, aliases, stamp);
			index.replaceReleaseLabels(model, releaseLabels(events));
			report.eventFilesRead++;
		}
	}

	/** The protected aliases the config gives a model (none when the config cannot be read or lacks the model). */
	private protectedAliasesOf(model: string): string[] {
		try {
			return modelsByName(this.config).get(model)?.protectedAliases ?? [];
		} catch {
			return [];
		}
	}

	/**
	 * Every events file read again by the replay rules: its malformed lines and its unverified events
	 * (not applied), one message each, for `verify`.
	 */
	eventFindings(): string[] {
		const findings: string[] = [];
		for (const file of listDir(this.eventsDir).filter((f) => f.endsWith('.jsonl'))) {
			const model = file.slice(0, -'.jsonl'.length);
			const rel = `${LEDGER_DIR}/events/${file}`;
			const { events, problems } = readEventsFile(join(this.eventsDir, file), model, rel);
			for (const p of problems) findings.push(p.line > 0 ? `${rel}:${p.line}: ${p.message}; the line is skipped.` : p.message);
			deriveAliases(events, this.index.digestsOf(model), this.protectedAliasesOf(model));
			for (const e of events) if (e.unverified) findings.push(`${rel}: unverified ${e.type}${e.alias ? ` of ${e.alias}` : ''} by ${e.by.name} (${e.id}): ${e.unverified}.`);
		}
		return findings;
	}

	eventsPath(model: string): string {
		return join(this.eventsDir, `${model}.jsonl`);
	}

	manifestPath(model: string, digest: string): string {
		return join(this.versionsDir, model, `${digest}.yaml`);
	}

	// --- queries ----------------------------------------------------------------------------------

	/** Versions newest first; one model or all. */
	listVersions(model?: string): VersionSummary[] {
		return this.index.listVersions(model);
	}

	/**
	 * Resolves a version reference: `latest`, a number (`3`, `v3`), a label, an alias, a digest
	 * prefix of at least 7 hex characters, or a git commit-ish (`a1b2c3d`, `main`, `HEAD~2`, a tag):
	 * the version made at that commit. Tried in that order; the first that names something wins.
	 */
	resolve(model: string, ref: string): VersionSummary {
		const index = this.index;
		const notFound = (): never => {
			const known = index.listVersions(model);
			// "No versions yet" only for a model that exists: a typo is an unknown model, with the closest name.
			if (known.length === 0) this.model(model);
			const planted = this.suspects.filter((s) => s.includes(`/versions/${model}/`));
			const suspectNote = planted.length ? ` ${planted.length} suspect manifest(s) of \`${model}\` are not versions: ${planted[0]}` : '';
			throw new LedgerError({
				code: 'UNKNOWN_VERSION',
				message: (known.length === 0 ? `Model \`${model}\` has no versions yet.` : `No version \`${ref}\` of \`${model}\`.`) + suspectNote,
				fix: known.length === 0
					? 'Run `model-ledger snapshot` to create one.'
					: `Use latest, a number (v1…v${maxOf(known.map((v) => v.number))}), a label, an alias${aliasHint(known)}, a digest prefix, or a git commit.`,
			});
		};
		const pick = (found: VersionSummary[], what: string): VersionSummary | undefined => {
			if (found.length <= 1) return found[0];
			throw new LedgerError({
				code: 'AMBIGUOUS_VERSION',
				message: `\`${model}@${ref}\` is ambiguous: ${found.length} versions have ${what} (made on different branches).`,
				fix: `Use a digest prefix instead: ${found.map((v) => v.digest.slice(0, 10)).join(', ')}.`,
			});
		};
		if (ref === 'latest') return index.latestVersion(model) ?? notFound();
		const byLabel = pick(index.versionsByLabel(model, ref), `the label ${ref}`);
		if (byLabel) return byLabel;
		const number = /^v?(\d+)$/.exec(ref);
		if (number) {
			const found = pick(index.versionsByNumber(model, Number(number[1])), `the number v${number[1]}`);
			if (found) return found;
		}
		const aliased = index.aliasesOf(model).get(ref);
		if (aliased) return index.versionByDigest(aliased) ?? notFound();
		if (/^[0-9a-f]{7,64}$/.test(ref)) {
			const found = pick(index.versionsByDigestPrefix(model, ref), `digests starting with ${ref}`);
			if (found) return found;
		}
		const commit = resolveCommit(this.root, ref);
		if (commit) {
			const atCommit = index.versionsByCommit(model, commit);
			if (atCommit.length === 1) return atCommit[0];
			if (atCommit.length > 1) {
				const shared = new Set(atCommit.filter((v) => v.numberShared).map((v) => v.digest));
				throw new LedgerError({
					code: 'AMBIGUOUS_VERSION',
					message: `\`${model}@${ref}\` is ambiguous: ${atCommit.length} versions were made at commit ${commit.slice(0, 7)}: ${atCommit
						.map((v) => `${shared.has(v.digest) ? `v${v.number} (${v.digest.slice(0, 7)})` : `v${v.number}`} (${v.label}${v.git.dirty ? ', with uncommitted changes' : ''})`)
						.join(', ')}.`,
					fix: `Use one of them: ${atCommit.map((v) => `${model}@${v.numberShared ? v.digest.slice(0, 10) : `v${v.number}`}`).join(', ')}.`,
				});
			}
			throw new LedgerError({
				code: 'UNKNOWN_VERSION',
				message: `No version of \`${model}\` was made at commit ${commit.slice(0, 7)}${commit.startsWith(ref) ? '' : ` (${ref})`}.`,
				fix: '`model-ledger list` shows each version\'s commit; snapshot at that commit to make one.',
			});
		}
		return notFound();
	}

	/** A version with its whole manifest (a version only on another git ref too, once adopted: read-only). */
	show(model: string, ref: string): VersionDetail {
		const summary = this.resolveReadable(model, ref);
		return { ...summary, manifest: this.readManifest(summary) };
	}

	/**
	 * Versions whose manifests git holds only on other refs (otherRefs.ts adopts them for readers:
	 * `show`/`cat`/`diff`, the Registry's "Other branches"). Only reads see them: {@link resolve} and
	 * every write (alias, approve, tag, restore) do not, so they stay read-only.
	 */
	private readonly otherRefs = new Map<string, OtherRefEntry>();

	private otherRefsAdopted = false;

	adoptOtherRefVersions(entries: OtherRefEntry[]): void {
		this.otherRefs.clear();
		for (const e of entries) this.otherRefs.set(e.summary.digest, e);
		this.otherRefsAdopted = true;
	}

	/** Whether git's other refs were scanned for this ledger yet (the Registry does it once it shows a model). */
	get hasAdoptedOtherRefs(): boolean {
		return this.otherRefsAdopted;
	}

	/** The adopted versions of `model` that only other git refs hold (none in this checkout), newest first. */
	otherRefVersionsOf(model: string): OtherRefEntry[] {
		return [...this.otherRefs.values()]
			.filter((e) => e.summary.model === model && this.otherRefOf(e.summary.digest))
			.sort((a, b) => b.summary.number - a.summary.number || b.summary.createdAt.localeCompare(a.summary.createdAt));
	}

	/** Where git holds a version that is not in this checkout (`feature`, `stash@{0}`); undefined for a local one. */
	otherRefOf(digest: string): OtherRefEntry | undefined {
		const entry = this.otherRefs.get(digest);
		return entry && !pathPresent(this.manifestPath(entry.summary.model, digest)) ? entry : undefined;
	}

	/**
	 * {@link resolve}, then the adopted other-ref versions: by number, label or digest prefix, or as
	 * `<git ref>:<version>` (`feature:v2`, `stash@{0}:v5`, `origin/main:1.4.0`; the ref as the
	 * Registry's "Other branches" names it) when the same number exists here and on another ref.
	 */
	resolveReadable(model: string, ref: string): VersionSummary {
		try {
			return this.resolve(model, ref);
		} catch (err) {
			if (!(err instanceof LedgerError) || err.code !== 'UNKNOWN_VERSION' || this.otherRefs.size === 0) throw err;
			const onRef = /^(.+):([^:]+)$/.exec(ref);
			const gitRef = onRef?.[1];
			const versionRef = onRef ? onRef[2] : ref;
			const candidates = [...this.otherRefs.values()].filter((e) => e.summary.model === model && (gitRef === undefined || e.refs.includes(gitRef)));
			const number = /^v?(\d+)$/.exec(versionRef);
			const found = candidates.filter(({ summary: v }) =>
				number ? v.number === Number(number[1]) : v.label === versionRef || (/^[0-9a-f]{7,64}$/.test(versionRef) && v.digest.startsWith(versionRef)),
			);
			if (found.length === 1) return found[0].summary;
			if (found.length > 1) {
				throw new LedgerError({
					code: 'AMBIGUOUS_VERSION',
					message: `\`${model}@${ref}\` is ambiguous: ${found.length} versions on other git refs match (${found.map((f) => `${f.summary.digest.slice(0, 10)} on ${f.refs.join(', ')}`).join('; ')}).`,
					fix: `Name the ref (\`${found[0].refs[0]}:${versionRef}\`) or use a digest prefix.`,
				});
			}
			if (gitRef !== undefined) {
				const there = candidates.map((e) => `v${e.summary.number}`);
				throw new LedgerError({
					code: 'UNKNOWN_VERSION',
					message: there.length
						? `No version \`${versionRef}\` of ${model} is held only on git ref \`${gitRef}\` (it holds ${there.join(', ')} that this checkout does not).`
						: `Git ref \`${gitRef}\` holds no version of ${model} that this checkout does not.`,
					fix: 'A version that is also in this checkout is named without the ref. `model-ledger list --all-refs` shows where each version is.',
				});
			}
			throw err;
		}
	}

	readManifest(version: Pick<VersionSummary, 'model' | 'digest'>): VersionDetail['manifest'] {
		const rel = `${LEDGER_DIR}/versions/${version.model}/${version.digest}.yaml`;
		const path = this.manifestPath(version.model, version.digest);
		const other = this.otherRefs.get(version.digest);
		// Checked against its digest when it was read from git (otherRefs.ts).
		if (other && other.summary.model === version.model && !pathPresent(path)) return other.manifest;
		return readManifestFile(path, rel, version.digest);
	}

	/** The stored bytes of one artifact of a version (hash-checked). */
	readArtifact(version: Pick<VersionSummary, 'model' | 'digest' | 'label' | 'number'>, path: string): Buffer {
		return this.store.read(this.findArtifact(version, path).sha256);
	}

	/** Like readArtifact, but first pulls the object from the remote when it is missing locally. */
	async fetchArtifact(version: Pick<VersionSummary, 'model' | 'digest' | 'label' | 'number'>, path: string): Promise<Buffer> {
		const artifact = this.findArtifact(version, path);
		await this.ensureObjects([artifact.sha256]);
		return this.store.read(artifact.sha256);
	}

	/**
	 * How missing objects are fetched on demand (restore, cat, opening a stored file), given by the
	 * shell: the CLI passes `remoteFetcher(ledger)` (remotes/remoteTransfer.ts), the extension the same
	 * pull inside a progress notification. Unset or null: never (the core does not reach for the
	 * network, nor import the transfer code, on its own).
	 */
	fetchMissing: ((shas: string[]) => Promise<void>) | null | undefined;

	/** Makes sure these objects are in the local store, pulling missing ones (verified); returns those still missing. */
	async ensureObjects(shas: string[]): Promise<string[]> {
		const missing = [...new Set(shas)].filter((sha) => !this.store.has(sha));
		if (missing.length === 0 || !this.fetchMissing) return missing;
		await this.fetchMissing(missing);
		return missing.filter((sha) => !this.store.has(sha));
	}

	private findArtifact(version: Pick<VersionSummary, 'model' | 'digest' | 'label' | 'number'>, path: string) {
		const manifest = this.readManifest(version);
		const artifact = manifest.artifacts.find((a) => a.path === path) ?? manifest.artifacts.find((a) => a.path === path.replace(/^\.\//, ''));
		if (!artifact) {
			throw new LedgerError({
				code: 'UNKNOWN_ARTIFACT',
				message: `${version.model} v${version.number} has no file \`${path}\`.`,
				fix: `Its files: ${manifest.artifacts.map((a) => a.path).join(', ') || '(none)'}.`,
			});
		}
		return artifact;
	}

	// --- events and aliases -----------------------------------------------------------------------

	/**
	 * The model's trail, newest first: the recorded events plus one `created` event per version,
	 * synthesized from its manifest (creation is not written to the events file).
	 */
	events(model: string): LedgerEvent[] {
		this.readableModel(model);
		const created: LedgerEvent[] = this.index.listVersions(model).map((v) => ({
			id: `created-${v.digest}`,
			type: 'created',
			model,
			at: v.createdAt,
			by: v.author,
			digest: v.digest,
			...(v.message ? { note: v.message } : {}),
		}));
		return [...this.index.events(model), ...created].sort((a, b) => compareEvents(b, a));
	}

	/**
	 * Points an alias at a version (recording from → to); `latest` is computed and cannot be set.
	 * A gated alias refuses a version that fails its gate (GateRefusedError) unless `override` is
	 * given with a reason, which records an `override` event first; a version that held the alias
	 * before (a rollback) is not gated again. For hybrid versioning, the first move of the release
	 * alias to a version records its semantic release label (a `released` event).
	 */
	setAlias(model: string, ref: string, alias: string, by: Author, note?: string, options: SetAliasOptions = {}): LedgerEvent {
		validateAlias(alias);
		const modelConfig = this.model(model);
		if (options.override && !note?.trim()) {
			throw new LedgerError({ code: 'EMPTY_NOTE', message: 'An override needs a reason.', fix: 'Pass it with -m "why this version goes out despite the gate".' });
		}
		return this.index.exclusive(() => {
			this.syncInto(this.index, { added: 0, removed: 0, eventFilesRead: 0, problems: [], suspects: [] }, model);
			const target = this.resolve(model, ref);
			if (modelConfig.protectedAliases.includes(alias)) {
				const approved = this.index.events(model).some((e) => e.type === 'approved' && !e.unverified && e.digest === target.digest);
				if (!approved) {
					throw new LedgerError({
						code: 'NOT_APPROVED',
						message: `\`${alias}\` is a protected alias: ${model} v${target.number} has not been approved.`,
						fix: `Approve it first: \`model-ledger approve ${model}@${target.number} -m "why"\`.`,
					});
				}
			}
			const from = this.index.aliasesOf(model).get(alias);
			const gate = modelConfig.gates.find((g) => g.alias === alias);
			let overridden = false;
			if (gate && !heldBefore(this.index.events(model), alias, target.digest)) {
				const result = evaluateGate(this, gate, target, this.readManifest(target));
				if (!result.pass) {
					if (!options.override) throw new GateRefusedError(result);
					const rules = result.rules.filter((r) => !r.pass).map(({ rule, actual, expected, detail }) => ({ rule, actual, expected, detail }));
					this.recordEvent({ type: 'override', model, by, digest: target.digest, alias, from, note, rules });
					overridden = true;
				}
			}
			const event = this.recordEvent({ type: 'alias.set', model, by, digest: target.digest, alias, from, note, ...(overridden ? { override: true } : {}) });
			if (modelConfig.versioning === 'hybrid' && alias === modelConfig.releaseAlias) this.recordRelease(model, target.digest, by, options.bump ?? 'minor');
			return event;
		});
	}

	/** Hybrid versioning: gives a version its next semantic release label, once (a `released` event). */
	private recordRelease(model: string, digest: string, by: Author, bump: Bump): void {
		const released = releaseLabels(this.index.events(model));
		if (released.has(digest)) return;
		// Old hybrid labels (`0.1.1+20261128.abc1234`) carry a semantic part: new releases continue above it.
		const label = nextReleaseLabel([...released.values(), ...this.index.labelsOf(model)], bump);
		this.recordEvent({ type: 'released', model, by, digest, label });
	}

	removeAlias(model: string, alias: string, by: Author, note?: string): LedgerEvent {
		this.model(model);
		return this.index.exclusive(() => {
			const from = this.index.aliasesOf(model).get(alias);
			if (!from) throw new LedgerError({ code: 'UNKNOWN_ALIAS', message: `\`${model}\` has no alias \`${alias}\`.`, fix: 'See `model-ledger alias list`.' });
			return this.recordEvent({ type: 'alias.removed', model, by, alias, from, note });
		});
	}

	/** Records an approval of a version. */
	approve(model: string, ref: string, by: Author, note?: string): LedgerEvent {
		this.model(model);
		return this.index.exclusive(() => {
			const target = this.resolve(model, ref);
			return this.recordEvent({ type: 'approved', model, by, digest: target.digest, note });
		});
	}

	/** Tags a version (a free-form label such as `candidate` or `exp-42`); recorded as an event. */
	tag(model: string, ref: string, tag: string, by: Author, note?: string): LedgerEvent {
		this.model(model);
		if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(tag)) {
			throw new LedgerError({ code: 'BAD_TAG', message: `\`${tag}\` is not a valid tag.`, fix: 'Tags are letters, digits, `.`, `_` and `-`, starting with a letter or digit.' });
		}
		return this.index.exclusive(() => {
			const target = this.resolve(model, ref);
			return this.recordEvent({ type: 'tagged', model, by, digest: target.digest, tag, note });
		});
	}

	/** Attaches a note to a version (or to the model when ref is undefined). */
	note(model: string, ref: string | undefined, note: string, by: Author): LedgerEvent {
		this.model(model);
		if (!note.trim()) throw new LedgerError({ code: 'EMPTY_NOTE', message: 'A note needs text.', fix: 'Pass it with -m "…".' });
		return this.index.exclusive(() => {
			const digest = ref === undefined ? undefined : this.resolve(model, ref).digest;
			return this.recordEvent({ type: 'noted', model, by, digest, note });
		});
	}

	/**
	 * Appends an event to the model's file and re-derives its aliases. Callers that decide from the
	 * current aliases (rollback) run inside `index.exclusive` so no other writer interleaves.
	 */
	recordEvent(fields: { type: EventType; model: string; by: Author } & Partial<LedgerEvent>): LedgerEvent {
		// Replay order is time order: an event must sort after the model's newest one, even when both
		// fall in the same millisecond or another clone's clock ran ahead.
		// An event dated more than a day ahead (unverified) does not move the clock.
		const newest = this.index.events(fields.model).find((e) => !e.unverified?.includes('more than a day after now'));
		const now = newest && Date.parse(newest.at) >= Date.now() ? new Date(Date.parse(newest.at) + 1) : new Date();
		// Events are committed and never edited: a note or tag holding a secret is refused.
		assertNoSecretsInEvent(fields);
		const event: LedgerEvent = { ...fields, id: newEventId(now), at: now.toISOString() } as LedgerEvent;
		for (const key of Object.keys(event) as Array<keyof LedgerEvent>) if (event[key] === undefined) delete event[key];
		this.ensureLayout();
		appendEvent(this.eventsPath(fields.model), event);
		// Re-derive this model's aliases from its file (the file is the truth).
		this.syncInto(this.index, { added: 0, removed: 0, eventFilesRead: 0, problems: [], suspects: [] }, fields.model);
		return event;
	}
}

function validateAlias(alias: string): void {
	if (alias === 'latest') throw new LedgerError({ code: 'BAD_ALIAS', message: '`latest` is computed (the newest version) and cannot be set.', fix: 'Pick another alias name, e.g. production or staging.' });
	if (!ALIAS_NAME.test(alias)) {
		throw new LedgerError({ code: 'BAD_ALIAS', message: `\`${alias}\` is not a valid alias name.`, fix: 'Alias names are lower-case letters, digits and `-`, starting with a letter (e.g. production).' });
	}
}

/**
 * The full commit id a git commit-ish names in the workspace's repository, or undefined (not a
 * repository, git turned off in an untrusted workspace, or no such commit). Never treats the ref
 * as an option (`--end-of-options`).
 */
function resolveCommit(root: string, ref: string): string | undefined {
	if (gitDisabledReason() || !ref || /[\s\0]/.test(ref)) return undefined;
	try {
		const out = execFileSync('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
		const id = out.trim();
		return /^[0-9a-f]{40,64}$/.test(id) ? id : undefined;
	} catch {
		return undefined;
	}
}

function aliasHint(versions: VersionSummary[]): string {
	const names = [...new Set(versions.flatMap((v) => v.aliases))];
	return names.length ? ` (${names.join(', ')})` : '';
}

/** What an events file's replay depends on: the file, and the protected aliases of the config. */
function eventStamp(path: string, protectedAliases: string[]): string | undefined {
	const stamp = fileStamp(path);
	return stamp === undefined && protectedAliases.length === 0 ? undefined : `${stamp ?? '-'}|${protectedAliases.join(',')}`;
}

function listDir(dir: string): string[] {
	try {
		return readdirSync(dir).sort();
	} catch {
		return [];
	}
}

/**
 * Manifests that Model Ledger never wrote: planted or edited (SUSPECT_MANIFEST), a link (LINK_IN_LEDGER),
 * over the size limit (FILE_TOO_LARGE) or a device/FIFO (NOT_A_FILE). Listed as suspect by `list`, never indexed.
 */
const SUSPECT_CODES = new Set(['SUSPECT_MANIFEST', 'LINK_IN_LEDGER', 'FILE_TOO_LARGE', 'NOT_A_FILE']);

function fileStamp(path: string): string | undefined {
	try {
		// lstat: a planted link's own stamp (reading it then refuses the link).
		const s = lstatSync(path, { bigint: true });
		return `${s.size}:${s.mtimeNs}:${s.ino}`;
	} catch {
		return undefined;
	}
}

/** The ledger's own .gitignore, to compare with the old default: never through a link, never past 64 KiB. */
function readIfExists(path: string): string | undefined {
	try {
		return readLedgerFile(path, `${LEDGER_DIR}/.gitignore`, 64 * 1024, 'the ledger .gitignore')?.toString('utf8');
	} catch {
		return undefined;
	}
}

function writeIfMissing(path: string, content: string): void {
	// 'wx' (O_CREAT | O_EXCL): never through a link, even a dangling one (which existsSync calls missing and a plain write would create outside).
	try {
		writeFileSync(path, content, { flag: 'wx' });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
	}
}

/** Workspace-relative path → absolute, refusing paths that leave the workspace. */
export function resolveInWorkspace(root: string, relPath: string): string {
	const abs = confinedPath(root, relPath);
	if (!abs) {
		throw new LedgerError({ code: 'OUTSIDE_WORKSPACE', message: `\`${relPath}\` is outside the workspace.`, fix: 'Use a path relative to the workspace root, without `..`.', location: { file: relPath } });
	}
	return abs;
}

/** Whether anything is at `path`, a link included (not followed): a planted link is there, and refused when read. */
function pathPresent(path: string): boolean {
	try {
		lstatSync(path);
		return true;
	} catch {
		return false;
	}
}
