// Snapshot: hash and store a model's files, read what they say (params, metrics, prompt variables,
// tensor headers, data references), record the code lineage, and write an immutable manifest —
// all or nothing. Objects are stored before the manifest that names them, so a crash leaves at
// worst unreferenced objects (reclaimed by gc), never a version pointing at missing data.
import { appendAll } from '../bulkArrays';
import { formatBytes } from '../byteSize';
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { dirname, join, relative, sep } from 'node:path';
import { isDvcFile, parseDvcFile, parseDvcLock } from './dataRefs';
import { cancelled, describeError, LedgerError } from '../errors';
import { formatMiB, MAX_MANIFEST_BYTES } from '../store/boundedRead';
import { readLineage, writePatch } from './gitLineage';
import type { ChangedFile, WorkspaceLineage } from './gitLineage';
import type { Ledger } from '../ledger';
import { findLockfiles } from './lockfiles';
import { setOwn } from '../ownKeys';
import { manifestDigest, MAX_VERSION_NUMBER, serializeManifest } from '../store/manifest';
import { assertLedgerFolder } from '../store/noFollow';
import type { ArtifactRecord, Bump, DataRef, FlatValues, PromptInfo, SafetensorsSummary, VersionManifest, VersionSummary, WorkingChanges } from '../model';
import { fsyncDir, hashFileSync, SMALL_FILE } from '../store/objectStore';
import type { CopiedFile } from '../store/objectStore';
import { extractPromptVariables, MAX_PROMPT_VARIABLES } from '../parse/promptVariables';
import { fileListDigest } from '../index/registryIndex';
import type { StatKey } from '../index/registryIndex';
import { readSafetensorsHeader } from '../parse/safetensors';
import { redactText, scanSnapshotLabels, withoutUrlCredentials } from '../secrets/secretLabels';
import { enforceSecretPolicy, scanPatch } from '../secrets/secretScan';
import type { SecretFinding } from '../secrets/secretRules';
import { isNeverText, scanFileAndValues, withSecretsRedacted } from '../secrets/secretValues';
import { flattenFile, isStructuredPath, ParsedFiles, parseStructured } from '../parse/structuredFiles';
import { decodeUtf8Text, looksBinary } from '../parse/textContent';
import { lfsPointer, MAX_LFS_POINTER_BYTES } from '../parse/lfsPointer';
import { isTrainingOutput, redactRunInfo, runEnvironment, trainingSummary } from './runMetadata';
import type { RunInfo } from './runMetadata';
import { nextLabel } from '../lifecycle/versionLabels';
import { CONFIG_FILE } from '../parse/workspaceConfig';
import type { ModelConfig } from '../parse/workspaceConfig';
import { collectModelFiles } from './workspaceFiles';
import type { ModelFile } from './workspaceFiles';
import { readRegularFileSync } from '../store/boundedRead';

/** Text files larger than this are hashed and stored but not parsed (a 5 GB "config" is not read into memory). */
const MAX_PARSE_BYTES = 16 * 1024 * 1024;

export interface SnapshotProgress {
	model: string;
	/** The file being hashed/stored, when there is one. */
	file?: string;
	bytesDone: number;
	bytesTotal: number;
	message: string;
}

export interface SnapshotOptions {
	/** Models to snapshot; all models of the config when omitted or empty. */
	models?: string[];
	message?: string;
	bump?: Bump;
	/** Refuse when tracked files have uncommitted changes (instead of storing the patch). */
	requireClean?: boolean;
	onProgress?: (progress: SnapshotProgress) => void;
	signal?: AbortSignal;
	now?: Date;
	/** Store files in which the secret scan found credentials (true: all; a list: those paths); recorded in the manifest. */
	allowSecrets?: boolean | string[];
	/** `--meta key=value`: recorded in the version (secrets in values redacted). */
	meta?: Record<string, string>;
	/** `--link URL`: the run's page (W&B, MLflow, a CI job), recorded in the version. */
	links?: string[];
	/** What the command already read for its preview (the extension's Snapshot…): not read again. */
	inputs?: SnapshotInputs;
}

/**
 * What a snapshot command reads once and shares between its preview and the write: each model's file
 * list and the git lineage (before, git ran twice and the files were collected twice per command).
 */
export interface SnapshotInputs {
	/** `collectModelFiles` of each model, by model name. */
	files?: Map<string, { files: ModelFile[]; warnings: string[] }>;
	/** `readLineage` of the workspace. The patch is taken against its commit, so the two always agree. */
	lineage?: WorkspaceLineage;
}

export interface SnapshotResult {
	created: VersionSummary[];
	unchanged: Array<{ model: string; matches: VersionSummary }>;
	warnings: string[];
}

interface HashedFile extends ModelFile {
	abs: string;
	sha256: string;
	size: number;
	mode: number;
	/** The stat the hash belongs to (absent when not known). */
	key?: StatKey;
}

/** Snapshots the given models (all when none are named) of a ledger. */
export async function createSnapshot(ledger: Ledger, options: SnapshotOptions = {}): Promise<SnapshotResult> {
	const config = ledger.config;
	const models = options.models?.length ? options.models.map((name) => ledger.model(name)) : config.models;
	ledger.ensureLayout();
	ledger.store.cleanTmp();
	const result: SnapshotResult = { created: [], unchanged: [], warnings: [] };
	const collected = refuseEmptyModels(
		ledger,
		models.map((model) => ({ model, ...(options.inputs?.files?.get(model.name) ?? collectModelFiles(ledger.root, model)) })),
		result.warnings,
	);
	const caches = new SnapshotCaches(ledger);
	// Nothing changed since each model's latest version (every file's stat matches the stat cache, and
	// the hashes are the version's): answered from index.db alone — no git, no secret scan, no file read.
	if (!options.requireClean) {
		ledger.sync();
		const matches = collected.map(({ model, files }) => unchangedLatest(ledger, caches, model, files));
		if (matches.every((v) => v !== undefined)) {
			collected.forEach(({ model, warnings }, i) => {
				appendAll(result.warnings, warnings);
				result.unchanged.push({ model: model.name, matches: matches[i]! });
			});
			return result;
		}
	}
	const copies = new EarlyCopies(ledger, caches, collected, options);
	try {
		return await snapshotChanged(ledger, options, collected, caches, result, copies);
	} finally {
		await copies.discardRest();
	}
}

/** createSnapshot once something changed: lineage, patch and secret scan, then each model's files, description and version. */
async function snapshotChanged(
	ledger: Ledger,
	options: SnapshotOptions,
	collected: Array<{ model: ModelConfig; files: ModelFile[]; warnings: string[] }>,
	caches: SnapshotCaches,
	result: SnapshotResult,
	copies: EarlyCopies,
): Promise<SnapshotResult> {
	const lineage = options.inputs?.lineage ?? (await readLineage(ledger.root));
	if (lineage.refused) {
		// --require-clean promises a committed workspace: one git will not read cannot be shown to be.
		if (options.requireClean) throw new LedgerError({ code: 'GIT_FAILED', ...lineage.refused });
		result.warnings.push(`${lineage.refused.message} Fix: ${lineage.refused.fix}`);
	}
	if (options.requireClean && lineage.dirty) {
		throw new LedgerError({
			code: 'DIRTY',
			message: 'The workspace has uncommitted changes to tracked files.',
			fix: 'Commit them first, or snapshot without --require-clean to store the patch with the version.',
		});
	}
	// The uncommitted patch is streamed to a tmp file (it can be hundreds of MB), without binary files
	// and weights, which are artifacts already or cannot be re-applied usefully from a text patch.
	const patchFile = lineage.dirty && lineage.commit ? join(ledger.store.tmpDir, `${process.pid}-patch-${Date.now()}-${Math.random().toString(36).slice(2)}`) : undefined;
	// The message, branch name and file names go into the manifest too: scanned with the files.
	const labels = scanSnapshotLabels(options.message, lineage.branch, collected.flatMap((c) => c.files.map((f) => f.path)));
	let patchSha: string | undefined;
	let patchWarning: string | undefined;
	let lockfiles: Record<string, string>;
	let secrets: ReturnType<typeof checkSecrets>;
	try {
		if (patchFile) {
			const { exclude, warning } = patchExclusions(lineage.changedFiles, collected);
			mkdirSync(ledger.store.tmpDir, { recursive: true });
			// Against the recorded commit, not HEAD: a commit made since the lineage was read cannot split them.
			await writePatch(ledger.root, patchFile, exclude, lineage.commit ?? undefined);
			patchWarning = warning;
			if (warning) result.warnings.push(warning);
		}
		// Every model's files are scanned for secrets before anything is stored: a refusal leaves no trace.
		secrets = checkSecrets(ledger, caches, collected, patchFile, options.allowSecrets, labels);
		if (secrets.allowed.length) result.warnings.push(`stored secrets in ${secrets.allowed.join(', ')} because they were allowed; the versions record this (secretsAllowed).`);
		if (labels.some((f) => f.path === '-m message' || f.path === 'git branch')) result.warnings.push('the message or branch name held a secret: it is recorded as [redacted].');
		if (patchFile && statSync(patchFile).size > 0) patchSha = (await ledger.store.storeFile(patchFile)).sha256;
		lockfiles = await hashLockfiles(ledger, options.signal);
	} finally {
		if (patchFile) rmSync(patchFile, { force: true });
	}
	// --meta values and --link URLs go into the manifest (and git): never a secret in them.
	const userRun = redactRunInfo(options.meta ?? {}, options.links ?? []);
	if (userRun.redacted) result.warnings.push('a --meta value or --link held a secret: it is recorded as [redacted].');
	// Allowed or not, no secret of a message, branch name or remote URL is written into a manifest.
	options = { ...options, message: redactText(options.message) };
	const recordedLineage: WorkspaceLineage = { ...lineage, branch: redactText(lineage.branch), remote: withoutUrlCredentials(lineage.remote) };

	for (const { model, files, warnings } of collected) {
		appendAll(result.warnings, warnings);
		// Each file is described as soon as its hash is known, while the store still writes the others:
		// reading and parsing on this thread overlaps the file system's work on the other core.
		const early: Array<EarlyFacts | undefined> = [];
		const hashed = await storeFiles(ledger, caches, model, files, options, copies, (i, file) => {
			try {
				early[i] = describedEarly(file, caches);
			} catch {
				// Described again below.
			}
		});
		const details = describeFiles(ledger, hashed, result.warnings, secrets.clean, caches, early);
		// Kept in the version: what its patch does not hold.
		if (patchWarning) details.warnings.push(patchWarning);
		details.run = runInfoOf(hashed, userRun);
		const paths = new Set(files.map((f) => f.path));
		details.secretsAllowed = secrets.allowed.filter((p) => paths.has(p) || p.startsWith('git diff: '));
		const artifacts: ArtifactRecord[] = hashed.map((f) => ({ path: f.path, role: f.role, sha256: f.sha256, size: f.size, mode: f.mode }));
		const outcome = commitVersion(ledger, model, artifacts, details, recordedLineage, patchSha, lockfiles, options);
		if (outcome.created) result.created.push(outcome.version);
		else result.unchanged.push({ model: model.name, matches: outcome.version });
	}
	return result;
}

/** The run information of one version: this machine, the user's meta and links, the Trainer outputs the model tracks. */
function runInfoOf(files: HashedFile[], user: { meta: Record<string, string>; links: string[] }): RunInfo {
	const training: Record<string, Record<string, number>> = {};
	for (const f of files) {
		if (!isTrainingOutput(f.path)) continue;
		const summary = trainingSummary(f.abs);
		if (summary) training[f.path] = summary;
	}
	return {
		environment: runEnvironment(),
		...(Object.keys(user.meta).length ? { meta: user.meta } : {}),
		...(user.links.length ? { links: user.links } : {}),
		...(Object.keys(training).length ? { training } : {}),
	};
}

/**
 * A model whose globs match no file gets no version: an empty version records nothing and hides the
 * mistake (an `init` config in an unfamiliar layout, a folder that does not exist at this commit).
 * When every model asked for is empty the snapshot is refused; otherwise the others are snapshotted
 * and each empty one is named in a warning.
 */
function refuseEmptyModels<T extends { model: ModelConfig; files: ModelFile[]; warnings: string[] }>(ledger: Ledger, collected: T[], warnings: string[]): T[] {
	const empty = collected.filter((c) => c.files.length === 0);
	if (empty.length === 0) return collected;
	const reasons = empty.map((c) => `\`${c.model.name}\` has no file to version, so no version was created: ${c.warnings.map((w) => w.replace(`${c.model.name}: `, '')).join(' ') || 'it has no globs.'}`);
	if (empty.length === collected.length) {
		throw new LedgerError({
			code: 'NO_FILES',
			message: reasons.join(' '),
			fix: `Edit the globs in ${CONFIG_FILE} so they match the model's files — paths relative to the workspace root ${ledger.root}, e.g. \`params: recipes/**/*.yaml\` — then snapshot again; \`model-ledger status\` shows what they match.`,
			location: { file: CONFIG_FILE },
		});
	}
	appendAll(warnings, reasons);
	return collected.filter((c) => c.files.length > 0);
}

/** What a snapshot of the model would change compared with its latest version (hashes only, stores nothing). */
export function workingChanges(ledger: Ledger, modelName: string, collected?: { files: ModelFile[]; warnings: string[] }): { latest: VersionSummary | undefined; changes: WorkingChanges; warnings: string[] } {
	const model = ledger.model(modelName);
	const { files, warnings } = collected ?? collectModelFiles(ledger.root, model);
	const latest = ledger.index.latestVersion(model.name);
	const current = new Map<string, string>();
	for (const file of files) {
		const abs = join(ledger.root, file.path);
		current.set(file.path, currentHash(ledger, file.path, abs));
	}
	const changes: WorkingChanges = { added: [], removed: [], modified: [] };
	// From index.db, not the manifest: a model with many keyed files has a manifest of megabytes, and status needs only its file list.
	const previous = new Map((latest ? indexedArtifacts(ledger, latest.digest) : []).map((a) => [a.path, a.sha256]));
	for (const [path, sha] of current) {
		const before = previous.get(path);
		if (before === undefined) changes.added.push(path);
		else if (before !== sha) changes.modified.push(path);
	}
	for (const path of previous.keys()) if (!current.has(path)) changes.removed.push(path);
	return { latest, changes, warnings };
}

/** What a snapshot of the model would record now, without storing anything (diffs against the working tree read it). */
export function describeWorkingTree(ledger: Ledger, modelName: string): Pick<VersionManifest, 'artifacts' | 'params' | 'metrics' | 'prompts' | 'weights' | 'data'> & { warnings: string[] } {
	const model = ledger.model(modelName);
	const { files, warnings } = collectModelFiles(ledger.root, model);
	const hashed: HashedFile[] = files.map((file) => {
		const abs = join(ledger.root, file.path);
		const s = statSync(abs);
		return { ...file, abs, sha256: currentHash(ledger, file.path, abs), size: s.size, mode: s.mode & 0o777 };
	});
	const details = describeFiles(ledger, hashed, warnings);
	const artifacts = hashed.map((f) => ({ path: f.path, role: f.role, sha256: f.sha256, size: f.size, mode: f.mode }));
	return { artifacts, params: details.params, metrics: details.metrics, prompts: details.prompts, weights: details.weights, data: details.data, warnings };
}

/** sha256 of a workspace file, from the stat cache when the file is unchanged. */
export function currentHash(ledger: Ledger, relPath: string, abs: string): string {
	const key = statKey(abs);
	const cached = ledger.index.cachedHash(relPath, key);
	if (cached) return cached;
	const { sha256 } = hashFileSync(abs);
	if (sameStat(key, statKey(abs))) ledger.index.rememberHash(relPath, key, sha256);
	return sha256;
}

/** The stat cache and the content facts, each read in one query per snapshot instead of one per file. */
class SnapshotCaches {
	private readonly hashes: Map<string, { key: StatKey; sha256: string }>;
	private facts: Map<string, string> | undefined;
	/** Contents the model's latest version holds: their objects are in the store (gc keeps them). */
	private readonly held = new Map<string, Set<string>>();
	/** Configs the secret scan parsed, for describeFiles to read their keys from. */
	readonly parsed = new ParsedFiles();

	constructor(private readonly ledger: Ledger) {
		this.hashes = ledger.index.allCachedHashes();
	}

	hash(path: string, key: StatKey): string | undefined {
		const entry = this.hashes.get(path);
		return entry && sameStat(entry.key, key) ? entry.sha256 : undefined;
	}

	storedFacts(file: ModelFile, sha256: string): StoredFacts | undefined {
		if (!this.facts) this.facts = new Map(this.ledger.index.allFacts().map((r) => [`${r.path}\0${r.role}\0${r.sha256}`, r.facts]));
		const json = this.facts.get(`${file.path}\0${file.role}\0${sha256}`);
		if (!json) return undefined;
		const facts = JSON.parse(json) as StoredFacts;
		return facts.v === FACTS_VERSION ? facts : undefined;
	}

	heldByLatest(model: string): Set<string> {
		let set = this.held.get(model);
		if (!set) {
			const latest = this.ledger.index.latestVersion(model);
			set = new Set(latest ? indexedArtifacts(this.ledger, latest.digest).map((a) => a.sha256) : []);
			this.held.set(model, set);
		}
		return set;
	}
}

/**
 * Files the secret scan never reads (weights, archives, media: what checkSecrets skips) that the
 * store does not have yet are copied into tmp/ and hashed from the start of the snapshot, while git,
 * the patch, the lockfiles and the scan of the other files run: a first snapshot of a big weights
 * file waited for all of that before its copy began. Nothing is published before the scan has
 * passed: storeFiles links a copy into the store when it reaches its file, and whatever is not
 * used (a refusal, an error) is removed when the snapshot ends.
 */
class EarlyCopies {
	private readonly copies = new Map<string, { key: StatKey; copy: Promise<CopiedFile> }>();
	/** Stops the copies nobody took (a refusal must not wait for a big file's copy to finish). */
	private readonly stop = new AbortController();

	constructor(
		private readonly ledger: Ledger,
		caches: SnapshotCaches,
		collected: Array<{ model: ModelConfig; files: ModelFile[] }>,
		options: SnapshotOptions,
	) {
		let realRoot: string | undefined;
		const signal = options.signal ? AbortSignal.any([options.signal, this.stop.signal]) : this.stop.signal;
		for (const { model, files } of collected) {
			const held = caches.heldByLatest(model.name);
			for (const file of files) {
				if (file.role !== 'weights' && !isNeverText(file.path)) continue;
				const abs = join(ledger.root, file.path);
				const key = tryStatKey(abs);
				if (!key || key.size <= BigInt(SMALL_FILE) || this.copies.has(abs)) continue;
				const cached = caches.hash(file.path, key);
				if (cached && (held.has(cached) || ledger.store.has(cached))) continue;
				realRoot ??= realpathSync.native(ledger.root);
				const size = Number(key.size);
				let done = 0;
				const copy = ledger.store.copyFile(
					abs,
					(n) => {
						done += n;
						if (size > 8 * 1024 * 1024) options.onProgress?.({ model: model.name, file: file.path, bytesDone: done, bytesTotal: size, message: `Hashing ${file.path}` });
					},
					signal,
					realRoot,
				);
				// Awaited by take or discardRest; a failure is thrown where the file is stored.
				copy.catch(() => undefined);
				this.copies.set(abs, { key, copy });
			}
		}
	}

	/** The copy of `abs` begun when the file had the stat `key`, once; undefined when there is none (or the file changed since). */
	take(abs: string, key: StatKey): Promise<CopiedFile> | undefined {
		const entry = this.copies.get(abs);
		if (!entry) return undefined;
		this.copies.delete(abs);
		if (sameStat(entry.key, key)) return entry.copy;
		void this.discard(entry.copy);
		return undefined;
	}

	/** Removes the copies nobody took. */
	async discardRest(): Promise<void> {
		const rest = [...this.copies.values()];
		this.copies.clear();
		if (rest.length) this.stop.abort();
		await Promise.all(rest.map(({ copy }) => this.discard(copy)));
	}

	private async discard(copy: Promise<CopiedFile>): Promise<void> {
		await copy.then(
			(c) => this.ledger.store.discardCopy(c),
			() => undefined,
		);
	}
}

async function storeFiles(
	ledger: Ledger,
	caches: SnapshotCaches,
	model: ModelConfig,
	files: ModelFile[],
	options: SnapshotOptions,
	copies?: EarlyCopies,
	onHashed?: (index: number, file: HashedFile) => void,
): Promise<HashedFile[]> {
	const held = caches.heldByLatest(model.name);
	// What is opened is checked to lie inside the workspace (objectStore.assertOpenedInside).
	const realRoot = realpathSync.native(ledger.root);
	const stats = files.map((f) => {
		const abs = join(ledger.root, f.path);
		const s = statSync(abs, { bigint: true });
		return { file: f, abs, key: { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs } as StatKey, mode: Number(s.mode & 0o777n) };
	});
	const bytesTotal = stats.reduce((n, s) => n + Number(s.key.size), 0);
	let bytesDone = 0;
	const report = (file: string | undefined, message: string) => options.onProgress?.({ model: model.name, file, bytesDone, bytesTotal, message });
	const hashed: HashedFile[] = new Array(stats.length);
	const remember: Array<[string, StatKey, string]> = [];
	const changedWhileStored = (path: string) =>
		new LedgerError({ code: 'FILE_CHANGED', message: `${path} changed while it was being stored.`, fix: 'Wait until whatever writes it has finished, then snapshot again.', location: { file: path } });
	/** New or changed small files: stored together after the loop. */
	const small: number[] = [];
	for (const [i, { file, abs, key, mode }] of stats.entries()) {
		if (options.signal?.aborted) throw cancelled('Snapshot');
		const cached = caches.hash(file.path, key);
		if (cached && (held.has(cached) || ledger.store.has(cached))) {
			bytesDone += Number(key.size);
			hashed[i] = { ...file, abs, sha256: cached, size: Number(key.size), mode, key };
			onHashed?.(i, hashed[i]);
			continue;
		}
		if (key.size <= BigInt(SMALL_FILE)) {
			small.push(i);
			continue;
		}
		report(file.path, `Hashing ${file.path}`);
		const early = copies?.take(abs, key);
		const stored = early
			? await ledger.store.publishCopy(await early)
			: await ledger.store.storeFile(abs, (n) => {
					bytesDone += n;
					if (Number(key.size) > 8 * 1024 * 1024) report(file.path, `Hashing ${file.path}`);
				}, options.signal, realRoot);
		if (early) bytesDone += stored.size;
		if (!sameStat(key, statKey(abs))) throw changedWhileStored(file.path);
		remember.push([file.path, key, stored.sha256]);
		hashed[i] = { ...file, abs, sha256: stored.sha256, size: stored.size, mode, key };
		onHashed?.(i, hashed[i]);
	}
	if (small.length) {
		report(small.length === 1 ? stats[small[0]].file.path : undefined, small.length === 1 ? `Hashing ${stats[small[0]].file.path}` : `Hashing ${small.length} files`);
		const stored = await ledger.store.storeSmallFiles(
			small.map((i) => stats[i].abs),
			options.signal,
			realRoot,
			onHashed &&
				((k, sha256, size) => {
					const { file, abs, key, mode } = stats[small[k]];
					onHashed(small[k], { ...file, abs, sha256, size, mode, key });
				}),
		);
		small.forEach((i, k) => {
			const { file, abs, key, mode } = stats[i];
			if (!sameStat(key, statKey(abs))) throw changedWhileStored(file.path);
			remember.push([file.path, key, stored[k].sha256]);
			hashed[i] = { ...file, abs, sha256: stored[k].sha256, size: stored[k].size, mode, key };
			bytesDone += stored[k].size;
		});
	}
	if (remember.length) ledger.index.batch(() => remember.forEach(([p, k, s]) => ledger.index.rememberHash(p, k, s)));
	report(undefined, 'Stored');
	return hashed;
}

interface FileDetails {
	params: Record<string, FlatValues>;
	metrics: Record<string, FlatValues>;
	prompts: Record<string, PromptInfo>;
	weights: Record<string, SafetensorsSummary>;
	data: DataRef[];
	warnings: string[];
	/** Paths with secrets the user allowed (set by createSnapshot). */
	secretsAllowed?: string[];
	/** Where and how the version was made (set by createSnapshot). */
	run?: RunInfo;
}

/**
 * Bump when what describeFile or the secret scan produce for a content changes: cached facts of
 * another version are then ignored and files are read again.
 */
// 2: secrets (issue 14); 3: prompt variables inside statement-only Jinja keywords (`{% for i, c in context %}`), YAML duplicate keys;
// 4: `}}` inside a Jinja string literal, Git LFS pointer files.
const FACTS_VERSION = 4;

/** What one file says (its part of the manifest), cached per path, role and content in index.db. */
interface FileFacts {
	params?: FlatValues;
	metrics?: FlatValues;
	prompt?: PromptInfo;
	weights?: SafetensorsSummary;
	data?: DataRef[];
	warnings?: string[];
}

interface StoredFacts {
	v: number;
	/** The secret scan found nothing in this content. */
	clean?: boolean;
	file?: FileFacts;
}

function readFacts(ledger: Ledger, file: ModelFile, sha256: string): StoredFacts | undefined {
	const json = ledger.index.cachedFacts(file.path, file.role, sha256);
	if (!json) return undefined;
	const facts = JSON.parse(json) as StoredFacts;
	return facts.v === FACTS_VERSION ? facts : undefined;
}

/** A file's facts read while the snapshot was still storing (for the content with this hash). */
interface EarlyFacts {
	sha256: string;
	stored: StoredFacts | undefined;
	facts: FileFacts;
}

function describedEarly(file: HashedFile, caches: SnapshotCaches): EarlyFacts {
	const stored = caches.storedFacts(file, file.sha256);
	return { sha256: file.sha256, stored, facts: stored?.file ?? describeFile(file, caches.parsed) };
}

/**
 * Reads what each file says; an unchanged file's facts come from the cache instead of being parsed
 * again, and those read during the store (`early`, by index) are not read twice. A file that does
 * not parse is kept as an opaque artifact with a warning.
 */
function describeFiles(ledger: Ledger, files: HashedFile[], warnings: string[], scannedClean?: Map<string, StatKey>, caches?: SnapshotCaches, early?: Array<EarlyFacts | undefined>): FileDetails {
	const details: FileDetails = { params: {}, metrics: {}, prompts: {}, weights: {}, data: [], warnings: [] };
	const remember: Array<[HashedFile, StoredFacts]> = [];
	for (const [i, file] of files.entries()) {
		const earlier = early?.[i];
		const pre = earlier?.sha256 === file.sha256 ? earlier : undefined;
		const stored = pre ? pre.stored : caches ? caches.storedFacts(file, file.sha256) : readFacts(ledger, file, file.sha256);
		const facts = pre ? pre.facts : (stored?.file ?? describeFile(file, caches?.parsed));
		const scanKey = scannedClean?.get(file.path);
		const clean = stored?.clean === true || (scanKey !== undefined && file.key !== undefined && sameStat(scanKey, file.key));
		// Only facts of the content that was hashed are cached: the file must not have changed since.
		if ((!stored?.file || clean !== (stored.clean === true)) && file.key && sameStat(file.key, tryStatKey(file.abs))) {
			remember.push([file, { v: FACTS_VERSION, ...(clean ? { clean: true } : {}), file: facts }]);
		}
		// A file may be named `__proto__`: setOwn keeps it an entry.
		if (facts.params) setOwn(details.params, file.path, facts.params);
		if (facts.metrics) setOwn(details.metrics, file.path, facts.metrics);
		if (facts.prompt) setOwn(details.prompts, file.path, facts.prompt);
		if (facts.weights) setOwn(details.weights, file.path, facts.weights);
		if (facts.data) appendAll(details.data, facts.data);
		for (const text of facts.warnings ?? []) {
			details.warnings.push(text);
			warnings.push(text);
		}
	}
	if (remember.length) ledger.index.batch(() => remember.forEach(([f, facts]) => ledger.index.rememberFacts(f.path, f.role, f.sha256, JSON.stringify(facts))));
	return details;
}

/** Reads what one file says: parameters, metrics, prompt variables, a tensor header or data references. */
function describeFile(file: HashedFile, parsedFiles?: ParsedFiles): FileFacts {
	const facts: FileFacts = {};
	const warn = (text: string) => (facts.warnings ??= []).push(text);
	try {
		// A file small enough to be a Git LFS pointer is read once, here, and parsed from these bytes below.
		const small = file.size < MAX_LFS_POINTER_BYTES ? readRegularFileSync(file.abs, file.path) : undefined;
		const pointer = small && lfsPointer(small);
		if (pointer) {
			warn(`${file.path} is a Git LFS pointer (object ${pointer.oid.slice(0, 12)}, ${formatBytes(pointer.size)}), not the file's content: this version records the pointer. To version the content, fetch it first: git lfs pull --include "${file.path}"`);
			return facts;
		}
		if (file.path.endsWith('.safetensors')) {
			facts.weights = readSafetensorsHeader(file.abs, file.path);
			if (facts.weights.metadata) {
				const { values, findings } = withSecretsRedacted(facts.weights.metadata);
				if (findings.length) {
					facts.weights.metadata = values as Record<string, string>;
					warn(`${file.path}: ${findings.length} metadata value(s) look like secrets (${[...new Set(findings.map((f) => f.kind))].join(', ')}); recorded as [redacted] (the stored file keeps them).`);
				}
			}
			return facts;
		}
		const wantsText = file.role === 'prompt' || isStructuredPath(file.path) || isDvcFile(file.path);
		if (!wantsText) return facts;
		if (file.size > MAX_PARSE_BYTES) {
			warn(`${file.path}: ${formatBytes(file.size)} is too large to parse as text; stored as an opaque file (its whole text was scanned for secrets).`);
			return facts;
		}
		const bytes = small ?? readRegularFileSync(file.abs, file.path);
		if (looksBinary(bytes)) {
			warn(`${file.path}: binary content in a ${file.role} file; stored as an opaque file.`);
			return facts;
		}
		const text = decodeUtf8Text(bytes);
		if (isDvcFile(file.path)) {
			facts.data = file.path.endsWith('dvc.lock') ? parseDvcLock(file.path, text) : parseDvcFile(file.path, text);
		} else if (isStructuredPath(file.path) && file.role !== 'prompt') {
			// The huge-file rule keeps a summary of a file with too many keys; a value holding a secret is never
			// written into a manifest: redacted (the snapshot refused it unless allowed).
			const parseWarnings: string[] = [];
			const parsed = parsedFiles ? parsedFiles.parse(file.path, text, parseWarnings) : parseStructured(file.path, text, undefined, parseWarnings);
			const flat = flattenFile(file.path, parsed);
			for (const w of parseWarnings) warn(w);
			if (flat.warning) warn(flat.warning);
			const { values, findings } = withSecretsRedacted(flat.values);
			if (findings.length) warn(`${file.path}: ${findings.length} value(s) look like secrets (${[...new Set(findings.map((f) => f.kind))].join(', ')}); recorded as [redacted] (the stored file keeps them).`);
			if (file.role === 'metrics') facts.metrics = values;
			else facts.params = values;
		}
		if (file.role === 'prompt') {
			const variables = extractPromptVariables(text);
			if (variables.length >= MAX_PROMPT_VARIABLES) warn(`${file.path}: more than ${MAX_PROMPT_VARIABLES.toLocaleString('en-US')} template variables; the first ${MAX_PROMPT_VARIABLES.toLocaleString('en-US')} found are recorded (the file is stored whole).`);
			facts.prompt = { variables };
		}
	} catch (err) {
		warn(`${describeError(err)} (${file.path} is stored as an opaque file)`);
	}
	return facts;
}

/**
 * Scans the text files of every model (and the uncommitted patch) and refuses unless allowed. A
 * content the scan found clean before (cached with the file's facts) is not read again; a content
 * with findings always is, so the policy applies to every snapshot that stores it.
 */
function checkSecrets(
	ledger: Ledger,
	caches: SnapshotCaches,
	collected: Array<{ files: ModelFile[] }>,
	patchFile: string | undefined,
	allow: SnapshotOptions['allowSecrets'],
	labels: SecretFinding[] = [],
): { allowed: string[]; clean: Map<string, StatKey> } {
	const findings: SecretFinding[] = [...labels];
	const seen = new Set<string>();
	/** Files scanned clean now, with the stat they had before the scan. */
	const clean = new Map<string, StatKey>();
	for (const { files } of collected) {
		for (const file of files) {
			if (seen.has(file.path) || file.role === 'weights' || isNeverText(file.path)) continue;
			seen.add(file.path);
			const abs = join(ledger.root, file.path);
			const key = tryStatKey(abs);
			const sha = key && caches.hash(file.path, key);
			if (sha && caches.storedFacts(file, sha)?.clean) continue;
			// Every text file is streamed whatever its size; structured ones are also parsed and their values scanned.
			const found = scanFileAndValues(abs, file.path, caches.parsed).findings;
			appendAll(findings, found);
			if (found.length === 0 && key) clean.set(file.path, key);
		}
	}
	if (patchFile) appendAll(findings, scanPatch(readLines(patchFile)));
	return { ...enforceSecretPolicy(findings, allow), clean };
}

/** Model-file extensions: left out of the uncommitted patch even when git does not call them binary. */
const BINARY_EXTENSION = /\.(?:safetensors|bin|pt|pth|ckpt|onnx|gguf|ggml|npy|npz|h5|hdf5|pkl|pickle|joblib|parquet|arrow|feather|tflite|pb|png|jpe?g|gif|webp|pdf|zip|gz|tgz|bz2|xz|zst|tar|7z)$/i;

/**
 * Which changed tracked files stay out of the uncommitted patch: binary files (git's own verdict or a
 * model-file extension) and weights. A weights file of a snapshotted model is an artifact already; any
 * other left-out file is named in the warning, since its change is then recorded nowhere.
 */
function patchExclusions(changed: ChangedFile[], collected: Array<{ model: ModelConfig; files: ModelFile[] }>): { exclude: string[]; warning?: string } {
	const artifactOf = new Map<string, { model: string; role: string }>();
	for (const { model, files } of collected) for (const f of files) if (!artifactOf.has(f.path)) artifactOf.set(f.path, { model: model.name, role: f.role });
	const exclude = changed.filter((f) => f.binary || BINARY_EXTENSION.test(f.path) || artifactOf.get(f.path)?.role === 'weights').map((f) => f.path);
	if (exclude.length === 0) return { exclude };
	const stored = exclude.filter((p) => artifactOf.has(p));
	const notStored = exclude.filter((p) => !artifactOf.has(p));
	const parts = [
		stored.length ? `${stored.join(', ')} (stored as ${stored.length === 1 ? 'an artifact' : 'artifacts'} of the version)` : '',
		notStored.length ? `${notStored.join(', ')} (binary, in no model: ${notStored.length === 1 ? 'its' : 'their'} uncommitted change is not recorded; add ${notStored.length === 1 ? 'it' : 'them'} to a model to version ${notStored.length === 1 ? 'it' : 'them'})` : '',
	].filter(Boolean);
	return { exclude, warning: `uncommitted patch: left out ${parts.join('; ')}.` };
}

/** The lines of a text file, read in 1 MiB chunks: a patch of any size is scanned in bounded memory. */
function* readLines(path: string): Generator<string> {
	const fd = openSync(path, 'r');
	const buffer = Buffer.allocUnsafe(1 << 20);
	const decoder = new StringDecoder('utf8');
	let rest = '';
	try {
		for (;;) {
			const n = readSync(fd, buffer, 0, buffer.length, null);
			if (n === 0) break;
			const lines = (rest + decoder.write(buffer.subarray(0, n))).split('\n');
			rest = lines.pop() ?? '';
			yield* lines;
		}
		rest += decoder.end();
		if (rest) yield rest;
	} finally {
		closeSync(fd);
	}
}

async function hashLockfiles(ledger: Ledger, signal?: AbortSignal): Promise<Record<string, string>> {
	const found = findLockfiles(ledger.root);
	const result: Record<string, string> = {};
	for (const path of found) {
		if (signal?.aborted) throw cancelled('Snapshot');
		const abs = join(ledger.root, path);
		const sha = currentHash(ledger, path, abs);
		if (!ledger.store.has(sha)) await ledger.store.storeFile(abs);
		setOwn(result, path, sha);
	}
	return result;
}

/** Under the index's write lock: compare with the latest version, number, label, write and index. */
function commitVersion(
	ledger: Ledger,
	model: ModelConfig,
	artifacts: ArtifactRecord[],
	details: FileDetails,
	lineage: WorkspaceLineage,
	patchSha: string | undefined,
	lockfiles: Record<string, string>,
	options: SnapshotOptions,
): { created: boolean; version: VersionSummary } {
	return ledger.index.exclusive(() => {
		// Another process may have added versions of this model since we started: read them first.
		ledger.syncModelLocked(model.name);
		const latest = ledger.index.latestVersion(model.name);
		const files = fileListDigest(artifacts);
		if (latest && ledger.index.fileListOf(latest.digest) === files) return { created: false, version: latest };
		// Unchanged is judged against every version, not only the newest: after a merge brought two
		// "v2"s, content equal to the other branch's v2 is that version, not a new v3. One index lookup
		// by the file list's digest (reading every earlier version's files grew with history).
		const earlier = ledger.index.versionsWithFiles(model.name, files)[0];
		if (earlier) return { created: false, version: earlier };
		const now = options.now ?? new Date();
		const number = ledger.index.maxNumber(model.name) + 1;
		if (number > MAX_VERSION_NUMBER) {
			const highest = ledger.index.versionsByNumber(model.name, number - 1)[0];
			throw new LedgerError({
				code: 'VERSION_NUMBER_LIMIT',
				message: `${model.name} cannot get a version number above ${MAX_VERSION_NUMBER}: v${number - 1} is taken${highest ? ` (manifest ${highest.digest.slice(0, 12)}…)` : ''}.`,
				fix: 'A number this high was most likely planted: check who added that manifest (`git log -- .model-ledger/versions/' + model.name + '/`) and delete it.',
			});
		}
		const manifest: VersionManifest = {
			schema: 1,
			model: model.name,
			number,
			label: nextLabel({ strategy: model.versioning, bump: options.bump ?? 'patch', existing: ledger.index.labelsOf(model.name), commit: lineage.commit, dirty: lineage.dirty, now }),
			versioning: model.versioning,
			createdAt: now.toISOString(),
			author: lineage.author,
			message: options.message ?? '',
			...(latest ? { parent: latest.digest } : {}),
			artifacts,
			params: details.params,
			metrics: details.metrics,
			prompts: details.prompts,
			weights: details.weights,
			lockfiles,
			data: details.data,
			git: { commit: lineage.commit, branch: lineage.branch, remote: lineage.remote, dirty: lineage.dirty, ...(patchSha ? { patch: patchSha } : {}) },
			...(details.warnings.length ? { warnings: details.warnings } : {}),
			...(details.secretsAllowed?.length ? { secretsAllowed: details.secretsAllowed } : {}),
			...details.run,
		};
		const text = serializeManifest(manifest);
		refuseOversizedManifest(model.name, text, artifacts.length);
		const digest = manifestDigest(text);
		writeManifestAtomically(ledger, ledger.manifestPath(model.name, digest), text);
		ledger.index.insertVersion(digest, manifest);
		return { created: true, version: ledger.index.versionByDigest(digest)! };
	});
}

/**
 * A manifest over MAX_MANIFEST_BYTES would be refused by every later read, so it is never written:
 * the snapshot stops (the objects already stored are unreferenced; gc removes them).
 */
export function refuseOversizedManifest(model: string, text: string, files: number): void {
	const bytes = Buffer.byteLength(text);
	if (bytes <= MAX_MANIFEST_BYTES) return;
	throw new LedgerError({
		code: 'FILE_TOO_LARGE',
		message: `${model}'s manifest would be ${formatMiB(bytes)} (${files.toLocaleString('en-US')} files and their recorded keys), more than the ${formatMiB(MAX_MANIFEST_BYTES)} a manifest may have; no version was created.`,
		fix: `Split ${model} into smaller models in model-ledger.yaml, or narrow its globs to the files that make the model (a params or metrics file with more than 10,000 keys is recorded by its summary only).`,
	});
}

type ArtifactKey = Pick<ArtifactRecord, 'path' | 'role' | 'sha256'>;

/** A version's files as index.db holds them (no manifest parse: a big manifest takes long to read). */
function indexedArtifacts(ledger: Ledger, digest: string): ArtifactKey[] {
	return ledger.index.readStatement('SELECT path, role, sha256 FROM artifacts WHERE digest = ?').all(digest) as ArtifactKey[];
}

/** The model's latest version when its files are exactly that version's and unchanged on disk per the stat cache. */
function unchangedLatest(ledger: Ledger, caches: SnapshotCaches, model: ModelConfig, files: ModelFile[]): VersionSummary | undefined {
	const latest = ledger.index.latestVersion(model.name);
	if (!latest) return undefined;
	const recorded = new Map(indexedArtifacts(ledger, latest.digest).map((a) => [a.path, a]));
	if (recorded.size !== files.length) return undefined;
	for (const file of files) {
		const artifact = recorded.get(file.path);
		if (!artifact || artifact.role !== file.role) return undefined;
		const key = tryStatKey(join(ledger.root, file.path));
		// The version's objects are in the store: gc keeps them, and `verify` reports any lost otherwise.
		if (!key || caches.hash(file.path, key) !== artifact.sha256) return undefined;
	}
	return latest;
}

/** tmp file → fsync → rename → fsync the folder: the manifest is either whole or absent. */
function writeManifestAtomically(ledger: Ledger, finalPath: string, text: string): void {
	const tmp = join(ledger.store.tmpDir, `manifest-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
	mkdirSync(dirname(tmp), { recursive: true });
	// The model's folder came with git: a planted link there would put the manifest wherever it points.
	const folderRel = relative(ledger.root, dirname(finalPath)).split(sep).join('/');
	assertLedgerFolder(dirname(finalPath), folderRel);
	mkdirSync(dirname(finalPath), { recursive: true });
	const fd = openSync(tmp, 'wx', 0o444);
	try {
		writeSync(fd, text);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	try {
		assertLedgerFolder(dirname(finalPath), folderRel);
		renameSync(tmp, finalPath);
	} catch (err) {
		rmSync(tmp, { force: true });
		throw err;
	}
	fsyncDir(dirname(finalPath));
}

function statKey(abs: string): StatKey {
	const s = statSync(abs, { bigint: true });
	return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs };
}

function tryStatKey(abs: string): StatKey | undefined {
	try {
		return statKey(abs);
	} catch {
		return undefined;
	}
}

function sameStat(a: StatKey, b: StatKey | undefined): boolean {
	if (!b) return false;
	return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

