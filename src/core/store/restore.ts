// Restore: write a version's artifacts back into the workspace, at their original paths and with
// their modes, one file at a time atomically (tmp next to the file → fsync → rename). Nothing is
// ever lost: a file about to be overwritten whose content is in no version is stored first, and
// every displaced content is listed in a journal under .model-ledger/cache/restores/ that gc keeps.
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, fchmodSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { cancelled, LedgerError } from '../errors';
import type { Ledger } from '../ledger';
import type { ArtifactRecord, VersionSummary } from '../model';
import { folderChanged, openCheckedFolder } from './checkedFolder';
import type { CheckedFolder } from './checkedFolder';
import { namesIn, removeRestoreLeftovers, restoreTmpName } from './leftovers';
import { currentHash } from '../snapshot/snapshot';
import { printablePath, unsafeArtifactPath } from './artifactPaths';
import type { ModelConfig } from '../parse/workspaceConfig';
import { collectModelFiles, confinedPath, modelMatcher } from '../snapshot/workspaceFiles';

const CHUNK = 4 * 1024 * 1024;
const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/** What restoring does to one file. */
export type RestoreAction =
	/** The file does not exist: it is created. */
	| 'create'
	/** The file holds other content: it is replaced (its content stored first when needed). */
	| 'overwrite'
	/** Same content, different permission bits: only the mode changes. */
	| 'mode'
	/** Already identical: nothing to do. */
	| 'unchanged'
	/** With `deleteExtra`: a file the model tracks now that the version lacks; removed (its content stored first). */
	| 'delete';

export interface RestoreFile {
	path: string;
	action: RestoreAction;
	sha256: string;
	size: number;
	mode: number;
	/**
	 * For `overwrite`: where the displaced content is kept. `inVersion` says a version of some model
	 * already holds it; otherwise it is unsaved work, stored by the restore (or, in a dry run, would be).
	 */
	displaced?: { sha256: string; objectPath: string; inVersion: boolean; stored: boolean };
}

export interface RestoreOptions {
	/** Overwrite files whose current content is in no version (it is stored first either way). */
	force?: boolean;
	/** Only report what would change. */
	dryRun?: boolean;
	/** Also remove files the model tracks now that the version lacks (content stored first, listed in the journal). */
	deleteExtra?: boolean;
	signal?: AbortSignal;
	now?: Date;
	/** Whether the workspace's file system folds case (macOS, Windows); probed when not given (tests set it). */
	foldsCase?: boolean;
	/** The platform whose naming rules apply (default: this one; tests set `win32`). */
	platform?: NodeJS.Platform;
}

export interface RestoreResult {
	version: VersionSummary;
	dryRun: boolean;
	files: RestoreFile[];
	/** Files the model tracks now that the version does not have: left in place, or with `deleteExtra` removed (`files` lists them as `delete`). */
	extra: string[];
	/** Dry run: files whose objects are not in the local store (a real restore pulls them from the remote, or fails). */
	notLocal: string[];
	/** The journal of displaced contents (absent in a dry run or when nothing was displaced). */
	journal?: string;
}

/** Writes version `ref` of `model` back into the workspace (or, with dryRun, says what that would change). */
export async function restoreVersion(ledger: Ledger, model: string, ref: string, options: RestoreOptions = {}): Promise<RestoreResult> {
	const modelConfig = ledger.model(model);
	const version = ledger.resolve(model, ref);
	const manifest = ledger.readManifest(version);
	const realRoot = realpathSync(ledger.root);
	refuseUnownedPaths(modelConfig, version, manifest.artifacts.map((a) => a.path));
	if (options.foldsCase ?? fileSystemFoldsCase(realRoot)) refuseCaseTwins(modelConfig, version, manifest.artifacts.map((a) => a.path));
	if ((options.platform ?? process.platform) === 'win32') refuseWindowsNames(modelConfig, version, manifest.artifacts.map((a) => a.path));

	// Plan everything before writing anything: one unsafe path refuses the whole restore.
	const targets = manifest.artifacts.map((a) => ({ artifact: a, ...resolveTarget(ledger.root, realRoot, a.path) }));
	// Objects only on the configured remote are pulled (verified) first.
	await ledger.ensureObjects(manifest.artifacts.map((a) => a.sha256));
	const missing = manifest.artifacts.filter((a) => !ledger.store.has(a.sha256));
	if (missing.length && !options.dryRun) {
		throw new LedgerError({
			code: 'OBJECT_MISSING',
			message: `${model} v${version.number} cannot be restored: ${missing.length} of its files are missing from the store (${missing.map((a) => a.path).join(', ')}).`,
			fix: 'Pull the objects from a remote or run `model-ledger verify` to see what else is affected.',
		});
	}
	const versionedShas = knownContent(ledger);
	const files: RestoreFile[] = targets.map(({ artifact, abs }) => whilePreparing(artifact.path, () => planFile(ledger, artifact, abs, versionedShas)));
	const unsaved = files.filter((f) => f.displaced && !f.displaced.inVersion && !f.displaced.stored);
	const inVersion = new Set(manifest.artifacts.map((a) => a.path));
	const extra = collectModelFiles(ledger.root, modelConfig).files.map((f) => f.path).filter((p) => !inVersion.has(p));
	const extraTargets = options.deleteExtra ? extra.map((path) => ({ path, ...resolveTarget(ledger.root, realRoot, path) })) : [];
	for (const { path, abs } of extraTargets) files.push(whilePreparing(path, () => planDelete(ledger, path, abs, versionedShas)));
	const result: RestoreResult = { version, dryRun: options.dryRun === true, files, extra, notLocal: missing.map((a) => a.path) };
	if (options.dryRun) return result;

	if (unsaved.length && !options.force) {
		throw new LedgerError({
			code: 'UNSAVED_CHANGES',
			message: `Restoring ${model} v${version.number} would overwrite changes that are in no version: ${unsaved.map((f) => f.path).join(', ')}.`,
			fix: 'Snapshot them first, or restore with --force: their current content is then stored (and listed) before it is replaced.',
		});
	}

	// 1. Keep every displaced content in the store (whole, hash-checked) before touching the workspace.
	const targetOf = new Map<string, Target>([...targets.map((t) => [t.artifact.path, t] as const), ...extraTargets.map((t) => [t.path, t] as const)]);
	for (const file of files) {
		if ((file.action !== 'overwrite' && file.action !== 'delete') || !file.displaced) continue;
		if (options.signal?.aborted) throw cancelled('Restore');
		// Read through a descriptor checked to lie inside the workspace: a swapped link stores nothing from outside.
		const stored = await ledger.store.storeFile(targetOf.get(file.path)!.abs, undefined, undefined, realRoot).catch((err: unknown) => whilePreparing(file.path, () => {
			throw err;
		}));
		if (stored.sha256 !== file.displaced.sha256) {
			throw new LedgerError({ code: 'FILE_CHANGED', message: `${file.path} changed while the restore was preparing.`, fix: 'Wait until whatever writes it has finished, then restore again.', location: { file: file.path } });
		}
		file.displaced = { ...file.displaced, stored: true };
	}
	const displaced = files.filter((f) => f.displaced);
	if (displaced.length) result.journal = writeJournal(ledger, version, displaced, options.now ?? new Date());

	// 2. Write the version's files; remove the extra ones (their content is in the store and the journal).
	writeFiles(ledger, realRoot, files, targetOf, options.signal);
	return result;
}

/**
 * Step 2 of a restore: each file is written (or its mode changed, or removed) through its folder
 * opened and checked just now (checkedFolder.ts), never through the planned path alone.
 */
function writeFiles(ledger: Ledger, realRoot: string, files: RestoreFile[], targetOf: Map<string, Target>, signal?: AbortSignal): void {
	const cleaned = new Set<string>();
	for (const file of files) {
		if (signal?.aborted) throw cancelled('Restore');
		const target = targetOf.get(file.path)!;
		// An unchanged file's folder is still cleaned of leftovers (a killed restore may have been writing there).
		if (file.action === 'unchanged' && cleaned.has(folderOf(realRoot, target))) continue;
		const { folder, name } = openTargetFolder(realRoot, target, file.path, cleaned);
		try {
			if (file.action === 'unchanged') continue;
			if (file.action === 'delete') {
				folder.recheck();
				rmSync(folder.entry(name), { force: true });
				folder.sync();
				continue;
			}
			const written = file.action === 'mode' ? changeMode(folder, name, file.mode, file.path) : writeObjectAtomically(ledger, file.sha256, folder, name, file.mode);
			rememberRestored(ledger, file.path, written, file.sha256);
		} finally {
			folder.close();
		}
	}
}

/**
 * Refuses the whole restore when the manifest names a path the model's current globs do not track
 * (a manifest cannot widen what a model owns) or one that is never a model's file (`.git/…` at any
 * depth, `model-ledger.yaml`, `.vscode/`, `.env*`, control characters: see artifactPaths.ts).
 */
function refuseUnownedPaths(model: ModelConfig, version: VersionSummary, paths: string[]): void {
	const owns = modelMatcher(model);
	const refused = paths.filter((p) => !owns(p));
	if (refused.length === 0) return;
	const named = refused.slice(0, 20).map((p) => {
		const why = unsafeArtifactPath(p);
		return `${printablePath(p)} (${why ?? `not tracked by ${model.name}'s globs`})`;
	});
	throw new LedgerError({
		code: 'NOT_MODEL_FILE',
		message: `Refusing to restore ${model.name} v${version.number}: its manifest names ${refused.length} file(s) that are not ${model.name}'s: ${named.join(', ')}${refused.length > 20 ? ` and ${refused.length - 20} more` : ''}. Nothing was written.`,
		fix: `A manifest cannot widen what a model owns. If these files belong to ${model.name}, add globs for them to model-ledger.yaml; otherwise the manifest was planted: run \`model-ledger verify\` and delete it.`,
	});
}

/**
 * Whether the file system of the workspace treats `A` and `a` as one name (APFS and NTFS by
 * default): `.model-ledger` is looked up as `.MODEL-LEDGER` and compared by device and inode.
 */
export function fileSystemFoldsCase(realRoot: string): boolean {
	try {
		const a = lstatSync(join(realRoot, '.model-ledger'), { bigint: true });
		const b = lstatSync(join(realRoot, '.MODEL-LEDGER'), { bigint: true });
		return a.dev === b.dev && a.ino === b.ino;
	} catch {
		return false;
	}
}

/**
 * On a file system that folds case, two paths of a manifest that differ only in case (and Unicode
 * form: APFS also folds NFC/NFD) are one file: the second write would replace the first. A Linux
 * snapshot can hold both (`Prompt.md` and `prompt.md`); restoring it there cannot, so it is refused
 * before anything is written, naming both.
 */
function refuseCaseTwins(model: ModelConfig, version: VersionSummary, paths: string[]): void {
	const seen = new Map<string, string>();
	const twins: string[] = [];
	for (const path of paths) {
		const key = path.normalize('NFC').toLowerCase();
		const first = seen.get(key);
		if (first === undefined) seen.set(key, path);
		else twins.push(`${printablePath(first)} and ${printablePath(path)}`);
	}
	if (twins.length === 0) return;
	throw new LedgerError({
		code: 'CASE_COLLISION',
		message: `Refusing to restore ${model.name} v${version.number}: this file system does not tell names apart by case, and the version holds ${twins.length} pair(s) of files that differ only in case: ${twins.slice(0, 10).join('; ')}${twins.length > 10 ? ` and ${twins.length - 10} more` : ''}. Nothing was written.`,
		fix: 'Restore it on a case-sensitive file system (Linux, or a case-sensitive APFS volume), or read each file with `model-ledger cat`.',
	});
}

// Names Windows gives another meaning: devices (`CON`, `nul.txt`: any extension), a trailing dot or
// space (dropped: `x.md.` is `x.md`), and `:` (`system.md:x` writes an alternate data stream of
// system.md, hidden from every listing), plus the characters Windows refuses.
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?$/i;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;

/** Why Windows cannot hold `path` as the file it names, or undefined. */
export function windowsNameProblem(path: string): string | undefined {
	for (const segment of path.split('/')) {
		if (WINDOWS_DEVICE.test(segment)) return `\`${segment}\` is a device name on Windows`;
		if (/[. ]$/.test(segment)) return `Windows drops the trailing dot or space of \`${segment}\``;
		const bad = WINDOWS_FORBIDDEN.exec(segment);
		if (bad) return bad[0] === ':' ? `\`:\` names an alternate data stream on Windows` : `Windows does not allow \`${bad[0]}\` in a name`;
	}
	return undefined;
}

/** On Windows, a version (made elsewhere) naming such a path is refused before anything is written. */
function refuseWindowsNames(model: ModelConfig, version: VersionSummary, paths: string[]): void {
	const refused = paths.flatMap((p) => {
		const why = windowsNameProblem(p);
		return why ? [`${printablePath(p)} (${why})`] : [];
	});
	if (refused.length === 0) return;
	throw new LedgerError({
		code: 'NOT_MODEL_FILE',
		message: `Refusing to restore ${model.name} v${version.number} on Windows: ${refused.length} of its file names mean something else there: ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ` and ${refused.length - 10} more` : ''}. Nothing was written.`,
		fix: 'Restore it on Linux or macOS, or read each file with `model-ledger cat`; rename the files where the version was made if it must restore on Windows.',
	});
}

/** Runs `step` of the plan for `path`, turning a file that vanished or became a link meanwhile into a clear refusal. */
function whilePreparing<T>(path: string, step: () => T): T {
	try {
		return step();
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		// The store's own refusal of a swapped link speaks of a snapshot; say it in the restore's words.
		const swapped = err instanceof LedgerError && err.code === 'OUTSIDE_WORKSPACE';
		if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP' && !swapped) throw err;
		throw new LedgerError({
			code: 'FILE_CHANGED',
			message: `\`${printablePath(path)}\` changed while the restore was preparing: it (or a folder on its path) was removed, moved or replaced by a link${swapped ? ' to a place outside the workspace' : ''}. Nothing was written.`,
			fix: 'Something is changing the workspace while the restore runs; wait until it has finished (or find what swaps the folder), then restore again.',
			location: { file: path },
		});
	}
}

/** Every sha256 that some version (of any model) records as an artifact. */
function knownContent(ledger: Ledger): Set<string> {
	const shas = new Set<string>();
	for (const v of ledger.listVersions()) {
		try {
			for (const a of ledger.readManifest(v).artifacts) shas.add(a.sha256);
		} catch {
			// A tampered manifest is verify's business; its content does not count as saved.
		}
	}
	return shas;
}

function planFile(ledger: Ledger, artifact: ArtifactRecord, abs: string, versionedShas: Set<string>): RestoreFile {
	const mode = typeof artifact.mode === 'number' ? artifact.mode & 0o777 : 0o644;
	const base: RestoreFile = { path: artifact.path, action: 'create', sha256: artifact.sha256, size: artifact.size, mode };
	let stat;
	try {
		stat = statSync(abs);
	} catch {
		return base;
	}
	if (!stat.isFile()) {
		throw new LedgerError({ code: 'NOT_A_FILE', message: `${artifact.path} is not a regular file in the workspace (a folder or device is in its place).`, fix: 'Move it aside, then restore again.', location: { file: artifact.path } });
	}
	const sha = currentHash(ledger, artifact.path, abs);
	if (sha === artifact.sha256) return { ...base, action: (stat.mode & 0o777) === mode ? 'unchanged' : 'mode' };
	return {
		...base,
		action: 'overwrite',
		displaced: { sha256: sha, objectPath: ledger.store.objectPath(sha), inVersion: versionedShas.has(sha), stored: ledger.store.has(sha) },
	};
}

/** A file to remove: its current content, kept in the store before it goes (stored even when a version has it). */
function planDelete(ledger: Ledger, path: string, abs: string, versionedShas: Set<string>): RestoreFile {
	const stat = statSync(abs);
	const sha = currentHash(ledger, path, abs);
	return {
		path,
		action: 'delete',
		sha256: sha,
		size: stat.size,
		mode: stat.mode & 0o777,
		displaced: { sha256: sha, objectPath: ledger.store.objectPath(sha), inVersion: versionedShas.has(sha), stored: ledger.store.has(sha) },
	};
}

/**
 * The absolute path to write `rel` to, refusing anything outside the workspace: `..`, absolute
 * paths, and paths that reach outside through a symlinked folder or file. A symlink to a file
 * inside the workspace is followed, so the link stays and its target gets the content.
 */
export function targetPath(root: string, realRoot: string, rel: string): string {
	return resolveTarget(root, realRoot, rel).abs;
}

/** Where a restore writes one file: its real path, and how many of its folders did not exist when planned. */
interface Target {
	abs: string;
	newFolders: number;
}

function resolveTarget(root: string, realRoot: string, rel: string): Target {
	const outside = (why: string): never => {
		throw new LedgerError({ code: 'OUTSIDE_WORKSPACE', message: `Refusing to restore \`${printablePath(rel)}\`: ${why}.`, fix: 'Restore only writes inside the workspace; check the manifest and the symlinks on this path.', location: { file: rel } });
	};
	const abs = confinedPath(root, rel);
	if (!abs) return outside('the path leaves the workspace');
	// The deepest part of the path that exists decides where the write really lands.
	let existing = abs;
	const rest: string[] = [];
	for (;;) {
		try {
			lstatSync(existing);
			break;
		} catch {
			rest.unshift(basename(existing));
			existing = dirname(existing);
		}
	}
	let real: string;
	try {
		real = realpathSync(existing);
	} catch {
		return outside('it goes through a broken symlink');
	}
	const inside = relative(realRoot, real);
	if (inside.startsWith('..') || isAbsolute(inside)) return outside(`it resolves to ${real}, outside the workspace`);
	// Through a link inside the workspace, the real place must pass the same rules as the path itself.
	const landing = [...inside.split(/[\\/]/), ...rest].filter((p) => p !== '').join('/');
	if (landing !== '' && unsafeArtifactPath(landing)) return outside(`it lands in ${printablePath(landing)}: ${unsafeArtifactPath(landing)}`);
	// eslint-disable-next-line no-restricted-syntax -- path segments: bounded by the path's length
	return { abs: rest.length ? join(real, ...rest) : real, newFolders: Math.max(0, rest.length - 1) };
}

/** The workspace-relative folder a target is written in ('' for the root). */
function folderOf(realRoot: string, target: Target): string {
	return relative(realRoot, dirname(target.abs)).split(sep).join('/');
}

/**
 * Opens the folder of a planned target through checkedFolder.ts (so a folder swapped for a link
 * since the plan is refused, not followed) and removes restore leftovers in it once per restore.
 */
function openTargetFolder(realRoot: string, target: Target, file: string, cleaned: Set<string>): { folder: CheckedFolder; name: string } {
	const relDir = folderOf(realRoot, target);
	const depth = relDir === '' ? 0 : relDir.split('/').length;
	const folder = openCheckedFolder(realRoot, relDir, depth - target.newFolders, file);
	if (!cleaned.has(relDir)) {
		cleaned.add(relDir);
		removeRestoreLeftovers(namesIn(folder.entry('.')), folder.entry);
	}
	return { folder, name: basename(target.abs) };
}

/**
 * Copies an object to `name` in a checked folder through a tmp file beside it, checking its hash on
 * the way; the folder is re-checked right before the rename. Returns the written file's stat.
 */
function writeObjectAtomically(ledger: Ledger, sha256: string, folder: CheckedFolder, name: string, mode: number): BigIntStats {
	const tmp = folder.entry(restoreTmpName(name));
	const source = openSync(ledger.store.objectPath(sha256), 'r');
	let target: number | undefined;
	try {
		target = openSync(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | O_NOFOLLOW, 0o600);
		const hash = createHash('sha256');
		const buffer = Buffer.allocUnsafe(CHUNK);
		for (;;) {
			const n = readSync(source, buffer, 0, CHUNK, null);
			if (n === 0) break;
			hash.update(buffer.subarray(0, n));
			writeSync(target, buffer, 0, n);
		}
		const actual = hash.digest('hex');
		if (actual !== sha256) {
			throw new LedgerError({
				code: 'OBJECT_CORRUPT',
				message: `Object ${sha256.slice(0, 12)}… is corrupt (its content hashes to ${actual.slice(0, 12)}…); ${folder.rel ? `${folder.rel}/` : ''}${name} was left as it was.`,
				fix: 'Run `model-ledger verify` to list the affected versions.',
				location: { file: ledger.store.objectPath(sha256) },
			});
		}
		fsyncSync(target);
		fchmodSync(target, mode);
		const written = fstatSync(target, { bigint: true });
		closeSync(target);
		target = undefined;
		folder.recheck();
		renameSync(tmp, folder.entry(name));
		folder.sync();
		return written;
	} catch (err) {
		if (target !== undefined) closeSync(target);
		rmSync(tmp, { force: true });
		throw err;
	} finally {
		closeSync(source);
	}
}

/** Changes only the mode of `name` in a checked folder, on the file opened without following a link. */
function changeMode(folder: CheckedFolder, name: string, mode: number, file: string): BigIntStats {
	let fd: number;
	try {
		fd = openSync(folder.entry(name), fsConstants.O_RDONLY | O_NOFOLLOW);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw folderChanged(file, file, 'became a symlink');
		throw err;
	}
	try {
		if (!fstatSync(fd).isFile()) throw folderChanged(file, file, 'is no longer a regular file');
		fchmodSync(fd, mode);
		return fstatSync(fd, { bigint: true });
	} finally {
		closeSync(fd);
	}
}

/** Records the restored file's hash in the stat cache, so status reads "matches vN" without re-hashing. */
function rememberRestored(ledger: Ledger, rel: string, s: BigIntStats, sha256: string): void {
	ledger.index.rememberHash(rel, { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs }, sha256);
}

/** Folder of restore journals; gc keeps every object a journal lists. */
export function restoresDir(ledger: Ledger): string {
	return join(ledger.cacheDir, 'restores');
}

function writeJournal(ledger: Ledger, version: VersionSummary, displaced: RestoreFile[], now: Date): string {
	const dir = restoresDir(ledger);
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}-${version.model}-v${version.number}-${Math.random().toString(36).slice(2, 8)}.json`);
	const body = {
		restoredAt: now.toISOString(),
		model: version.model,
		version: { number: version.number, label: version.label, digest: version.digest },
		displaced: displaced.map((f) => ({ path: f.path, action: f.action === 'delete' ? 'deleted' : 'replaced', sha256: f.displaced!.sha256, objectPath: f.displaced!.objectPath, inVersion: f.displaced!.inVersion })),
	};
	writeFileSync(path, JSON.stringify(body, null, 2) + '\n', { flag: 'wx' });
	return path;
}

/**
 * The version of `model` whose files the workspace holds exactly now (same paths, same content),
 * newest first; undefined when none does. Hashes come from the stat cache, candidates from the index.
 */
export function versionMatchingWorkingTree(ledger: Ledger, model: string): VersionSummary | undefined {
	const { files } = collectModelFiles(ledger.root, ledger.model(model));
	if (files.length === 0) return undefined;
	const current = new Map(files.map((f) => [f.path, currentHash(ledger, f.path, join(ledger.root, f.path))]));
	const [firstPath, firstSha] = [...current][0];
	const index = ledger.index;
	const candidates = index
		.readStatement('SELECT v.digest FROM versions v JOIN artifacts a ON a.digest = v.digest WHERE v.model = ? AND v.artifact_count = ? AND a.path = ? AND a.sha256 = ? ORDER BY v.number DESC, v.created_at DESC')
		.pluck()
		.all(model, current.size, firstPath, firstSha) as string[];
	const artifactsOf = index.readStatement('SELECT path, sha256 FROM artifacts WHERE digest = ?');
	for (const digest of candidates) {
		const rows = artifactsOf.all(digest) as Array<{ path: string; sha256: string }>;
		if (rows.length === current.size && rows.every((r) => current.get(r.path) === r.sha256)) return index.versionByDigest(digest);
	}
	return undefined;
}
