// Snapshot: hash and store a model's files, read what they say (params, metrics, prompt variables,
// tensor headers, data references), record the code lineage, and write an immutable manifest —
// all or nothing. Objects are stored before the manifest that names them, so a crash leaves at
// worst unreferenced objects (reclaimed by gc), never a version pointing at missing data.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDvcFile, parseDvcFile, parseDvcLock } from './dataRefs';
import { describeError, LedgerError } from './errors';
import { readLineage } from './gitLineage';
import type { WorkspaceLineage } from './gitLineage';
import type { Ledger } from './ledger';
import { findLockfiles } from './lockfiles';
import { manifestDigest, serializeManifest } from './manifest';
import type { ArtifactRecord, Bump, DataRef, FlatValues, PromptInfo, SafetensorsSummary, VersionManifest, VersionSummary, WorkingChanges } from './model';
import { fsyncDir, hashFileSync } from './objectStore';
import { extractPromptVariables } from './promptVariables';
import type { StatKey } from './registryIndex';
import { readSafetensorsHeader } from './safetensors';
import { enforceSecretPolicy, scanFile, scanPatch } from './secretScan';
import type { SecretFinding } from './secretScan';
import { flattenValues, isStructuredPath, parseStructured } from './structuredFiles';
import { decodeUtf8Text, looksBinary } from './textContent';
import { nextLabel } from './versionLabels';
import type { ModelConfig } from './workspaceConfig';
import { collectModelFiles } from './workspaceFiles';
import type { ModelFile } from './workspaceFiles';

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
}

/** Snapshots the given models (all when none are named) of a ledger. */
export async function createSnapshot(ledger: Ledger, options: SnapshotOptions = {}): Promise<SnapshotResult> {
	const config = ledger.config;
	const models = options.models?.length ? options.models.map((name) => ledger.model(name)) : config.models;
	ledger.ensureLayout();
	ledger.store.cleanTmp();
	const lineage = await readLineage(ledger.root);
	if (options.requireClean && lineage.dirty) {
		throw new LedgerError(
			'The workspace has uncommitted changes to tracked files.',
			'Commit them first, or snapshot without --require-clean to store the patch with the version.',
			undefined,
			'DIRTY',
		);
	}
	const result: SnapshotResult = { created: [], unchanged: [], warnings: [] };
	// Every model's files are scanned for secrets before anything is stored: a refusal leaves no trace.
	const collected = models.map((model) => ({ model, ...collectModelFiles(ledger.root, model) }));
	const secrets = checkSecrets(ledger.root, collected, lineage.dirty ? lineage.patch : undefined, options.allowSecrets);
	if (secrets.allowed.length) result.warnings.push(`stored secrets in ${secrets.allowed.join(', ')} because they were allowed; the versions record this (secretsAllowed).`);
	let patchSha: string | undefined;
	if (lineage.dirty && lineage.patch) patchSha = (await ledger.store.storeBuffer(Buffer.from(lineage.patch, 'utf8'))).sha256;
	const lockfiles = await hashLockfiles(ledger, options.signal);

	for (const { model, files, warnings } of collected) {
		result.warnings.push(...warnings);
		const hashed = await storeFiles(ledger, model, files, options);
		const details = describeFiles(hashed, result.warnings);
		const paths = new Set(files.map((f) => f.path));
		details.secretsAllowed = secrets.allowed.filter((p) => paths.has(p) || p.startsWith('git diff: '));
		const artifacts: ArtifactRecord[] = hashed.map((f) => ({ path: f.path, role: f.role, sha256: f.sha256, size: f.size, mode: f.mode }));
		const outcome = commitVersion(ledger, model, artifacts, details, lineage, patchSha, lockfiles, options);
		if (outcome.created) result.created.push(outcome.version);
		else result.unchanged.push({ model: model.name, matches: outcome.version });
	}
	return result;
}

/** What a snapshot of the model would change compared with its latest version (hashes only, stores nothing). */
export function workingChanges(ledger: Ledger, modelName: string): { latest: VersionSummary | undefined; changes: WorkingChanges; warnings: string[] } {
	const model = ledger.model(modelName);
	const { files, warnings } = collectModelFiles(ledger.root, model);
	const latest = ledger.index.latestVersion(model.name);
	const current = new Map<string, string>();
	for (const file of files) {
		const abs = join(ledger.root, file.path);
		current.set(file.path, currentHash(ledger, file.path, abs));
	}
	const changes: WorkingChanges = { added: [], removed: [], modified: [] };
	const previous = new Map((latest ? ledger.readManifest(latest).artifacts : []).map((a) => [a.path, a.sha256]));
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
	const details = describeFiles(hashed, warnings);
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

async function storeFiles(ledger: Ledger, model: ModelConfig, files: ModelFile[], options: SnapshotOptions): Promise<HashedFile[]> {
	const index = ledger.index;
	const stats = files.map((f) => {
		const abs = join(ledger.root, f.path);
		const s = statSync(abs, { bigint: true });
		return { file: f, abs, key: { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs } as StatKey, mode: Number(s.mode & 0o777n) };
	});
	const bytesTotal = stats.reduce((n, s) => n + Number(s.key.size), 0);
	let bytesDone = 0;
	const report = (file: string | undefined, message: string) => options.onProgress?.({ model: model.name, file, bytesDone, bytesTotal, message });
	const hashed: HashedFile[] = [];
	const remember: Array<[string, StatKey, string]> = [];
	for (const { file, abs, key, mode } of stats) {
		if (options.signal?.aborted) throw new LedgerError('Snapshot cancelled.', undefined, undefined, 'CANCELLED');
		const cached = index.cachedHash(file.path, key);
		if (cached && ledger.store.has(cached)) {
			bytesDone += Number(key.size);
			hashed.push({ ...file, abs, sha256: cached, size: Number(key.size), mode });
			continue;
		}
		report(file.path, `Hashing ${file.path}`);
		const stored = await ledger.store.storeFile(abs, (n) => {
			bytesDone += n;
			if (Number(key.size) > 8 * 1024 * 1024) report(file.path, `Hashing ${file.path}`);
		}, options.signal);
		const after = statKey(abs);
		if (!sameStat(key, after)) {
			throw new LedgerError(`${file.path} changed while it was being stored.`, 'Wait until whatever writes it has finished, then snapshot again.', { file: file.path }, 'FILE_CHANGED');
		}
		remember.push([file.path, key, stored.sha256]);
		hashed.push({ ...file, abs, sha256: stored.sha256, size: stored.size, mode });
	}
	if (remember.length) index.batch(() => remember.forEach(([p, k, s]) => index.rememberHash(p, k, s)));
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
}

/** Reads what each file says. A file that does not parse is kept as an opaque artifact with a warning. */
function describeFiles(files: HashedFile[], warnings: string[]): FileDetails {
	const details: FileDetails = { params: {}, metrics: {}, prompts: {}, weights: {}, data: [], warnings: [] };
	const warn = (text: string) => {
		details.warnings.push(text);
		warnings.push(text);
	};
	for (const file of files) {
		try {
			if (file.path.endsWith('.safetensors')) {
				details.weights[file.path] = readSafetensorsHeader(file.abs, file.path);
				continue;
			}
			const wantsText = file.role === 'prompt' || isStructuredPath(file.path) || isDvcFile(file.path);
			if (!wantsText) continue;
			if (file.size > MAX_PARSE_BYTES) {
				warn(`${file.path}: ${(file.size / 1e6).toFixed(0)} MB is too large to parse as text; stored as an opaque file.`);
				continue;
			}
			const bytes = readFileSync(file.abs);
			if (looksBinary(bytes)) {
				warn(`${file.path}: binary content in a ${file.role} file; stored as an opaque file.`);
				continue;
			}
			const text = decodeUtf8Text(bytes);
			if (isDvcFile(file.path)) {
				details.data.push(...(file.path.endsWith('dvc.lock') ? parseDvcLock(file.path, text) : parseDvcFile(file.path, text)));
			} else if (isStructuredPath(file.path) && file.role !== 'prompt') {
				const values = flattenValues(parseStructured(file.path, text));
				if (file.role === 'metrics') details.metrics[file.path] = values;
				else details.params[file.path] = values;
			}
			if (file.role === 'prompt') details.prompts[file.path] = { variables: extractPromptVariables(text) };
		} catch (err) {
			warn(`${describeError(err)} (${file.path} is stored as an opaque file)`);
		}
	}
	return details;
}

// Never text, and often large: not worth reading for the secret scan.
const BINARY_EXTENSION = /\.(?:safetensors|bin|pt|pth|ckpt|onnx|gguf|ggml|npy|npz|h5|hdf5|pkl|pickle|joblib|parquet|arrow|feather|tflite|pb|png|jpe?g|gif|webp|pdf|zip|gz|tgz|bz2|xz|zst|tar|7z)$/i;

/** Scans the text files of every model (and the uncommitted patch) and refuses unless allowed. */
function checkSecrets(root: string, collected: Array<{ files: ModelFile[] }>, patch: string | undefined, allow: SnapshotOptions['allowSecrets']): { allowed: string[] } {
	const findings: SecretFinding[] = [];
	const seen = new Set<string>();
	for (const { files } of collected) {
		for (const file of files) {
			if (seen.has(file.path) || file.role === 'weights' || BINARY_EXTENSION.test(file.path)) continue;
			seen.add(file.path);
			findings.push(...scanFile(join(root, file.path), file.path));
		}
	}
	if (patch) findings.push(...scanPatch(patch));
	return enforceSecretPolicy(findings, allow);
}

async function hashLockfiles(ledger: Ledger, signal?: AbortSignal): Promise<Record<string, string>> {
	const found = findLockfiles(ledger.root);
	const result: Record<string, string> = {};
	for (const path of found) {
		if (signal?.aborted) throw new LedgerError('Snapshot cancelled.', undefined, undefined, 'CANCELLED');
		const abs = join(ledger.root, path);
		const sha = currentHash(ledger, path, abs);
		if (!ledger.store.has(sha)) await ledger.store.storeFile(abs);
		result[path] = sha;
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
		// Another process may have added versions since we started: read them first.
		ledger.sync();
		const latest = ledger.index.latestVersion(model.name);
		if (latest) {
			const previous = ledger.readManifest(latest);
			if (sameArtifacts(previous.artifacts, artifacts)) return { created: false, version: latest };
		}
		const now = options.now ?? new Date();
		const number = ledger.index.maxNumber(model.name) + 1;
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
		};
		const text = serializeManifest(manifest);
		const digest = manifestDigest(text);
		writeManifestAtomically(ledger, ledger.manifestPath(model.name, digest), text);
		ledger.index.insertVersion(digest, manifest);
		return { created: true, version: ledger.index.versionByDigest(digest)! };
	});
}

function sameArtifacts(a: ArtifactRecord[], b: ArtifactRecord[]): boolean {
	if (a.length !== b.length) return false;
	const key = (x: ArtifactRecord) => `${x.path}\0${x.role}\0${x.sha256}`;
	const left = new Set(a.map(key));
	return b.every((x) => left.has(key(x)));
}

/** tmp file → fsync → rename → fsync the folder: the manifest is either whole or absent. */
function writeManifestAtomically(ledger: Ledger, finalPath: string, text: string): void {
	const tmp = join(ledger.store.tmpDir, `manifest-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
	mkdirSync(dirname(tmp), { recursive: true });
	mkdirSync(dirname(finalPath), { recursive: true });
	const fd = openSync(tmp, 'wx', 0o444);
	try {
		writeSync(fd, text);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	try {
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

function sameStat(a: StatKey, b: StatKey): boolean {
	return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

