// Verify: is every version whole? Reads the manifests on disk (not the index, which skips the ones
// it cannot trust), checks each file's bytes still hash to its name, and re-hashes every object a
// manifest references: artifacts, the uncommitted-changes patch and lockfiles. `quick` checks only
// that each object exists with the recorded size. An object missing here but present on the
// configured remote is not a failure (a teammate's clone pulls on demand): it is reported as
// remote-only. Only what is nowhere fails. With `remote`, the remote's copies are checked too.
import { appendAll } from '../bulkArrays';
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cancelled, describeError, LedgerError } from '../errors';
import { LEDGER_DIR } from '../ledger';
import type { Ledger } from '../ledger';
import { manifestDigest, parseManifest } from './manifest';
import type { VersionManifest } from '../model';
import { openRemote, selectRemote } from '../remotes/openRemote';
import { describeRemote } from '../remotes/types';
import type { RemoteStore } from '../remotes/types';
import type { RemoteConfig } from '../parse/workspaceConfig';
import { MAX_MANIFEST_BYTES, readLedgerFile } from './boundedRead';
import { assertLedgerLayout, linkInLedger, modelFolders } from './noFollow';

const CHUNK = 4 * 1024 * 1024;
const DIGEST_FILE = /^([0-9a-f]{64})\.yaml$/;

export type ObjectKind = 'artifact' | 'patch' | 'lockfile';

export interface ObjectUse {
	model: string;
	digest: string;
	number: number | null;
	/** The artifact or lockfile path; `git.patch` for the patch. */
	path: string;
	kind: ObjectKind;
}

export interface ObjectProblem {
	sha256: string;
	objectPath: string;
	problem: 'missing' | 'corrupt' | 'wrong-size';
	/** For corrupt objects: what the bytes hash to now; for wrong-size: the size found. */
	actual?: string;
	usedBy: ObjectUse[];
}

export interface ManifestProblem {
	model: string;
	/** The digest in the file name. */
	digest: string;
	file: string;
	/** suspect: well-formed, hashes to its name, but names what Model Ledger never writes (a planted file). */
	problem: 'tampered' | 'unreadable' | 'suspect';
	message: string;
}

export interface BrokenVersion {
	model: string;
	digest: string;
	number: number | null;
	label: string | null;
	reasons: string[];
}

export interface VerifyProgress {
	done: number;
	total: number;
	bytesDone: number;
	bytesTotal: number;
	message: string;
}

export interface VerifyOptions {
	quick?: boolean;
	onProgress?: (progress: VerifyProgress) => void;
	signal?: AbortSignal;
	/**
	 * Also check the remote's copies (`true`: the default remote, or a remote's name): each needed
	 * object is there with its size and, unless quick, downloads and hashes to its name.
	 */
	remote?: string | true;
	/** Do not contact a remote for objects missing here: use its last listing (cache/remotes/) only. */
	offline?: boolean;
	/** An opened remote to use instead of opening the configured one. */
	store?: RemoteStore;
}

/** An object this machine lacks that the remote holds: restorable (cat, restore and pull fetch it). */
export interface RemoteOnlyObject {
	sha256: string;
	usedBy: ObjectUse[];
}

export interface RemoteCheck {
	name: string;
	url: string;
	/** False when the remote could not be listed (then `error` says why, and the last listing was used if any). */
	reachable: boolean;
	error?: string;
	/** When the listing used was made (now, or the cached one's time). */
	listedAt?: string;
	/** Whether the remote's copies were checked (`verify --remote`), or only consulted for missing objects. */
	checkedCopies: boolean;
	objectsChecked: number;
	bytesChecked: number;
	/** Remote copies that are damaged (wrong size or content): they fail verify. */
	problems: ObjectProblem[];
	/** Needed objects the remote does not have (only local: `push` uploads them); not a failure. */
	notOnRemote: number;
}

export interface VerifyReport {
	ok: boolean;
	quick: boolean;
	manifestsChecked: number;
	objectsChecked: number;
	bytesChecked: number;
	manifests: ManifestProblem[];
	objects: ObjectProblem[];
	brokenVersions: BrokenVersion[];
	/** Missing here, present on the remote: not failures. */
	remoteOnly: RemoteOnlyObject[];
	/** The remote consulted (for missing objects) or checked (`remote` option); absent when none was. */
	remote?: RemoteCheck;
	/** Not failures: malformed event lines (skipped when read) and the like. */
	warnings: string[];
	/**
	 * Events that break a rule the CLI enforces on write (a protected alias moved to an unapproved
	 * version, a time more than a day ahead) and malformed event lines: not applied; listed, not failures.
	 */
	unverifiedEvents: string[];
}

interface ReadManifest {
	model: string;
	digest: string;
	file: string;
	manifest?: VersionManifest;
}

/** Checks every manifest and every object they reference; `ok` is false when anything is missing, corrupt or tampered. */
export async function verifyStore(ledger: Ledger, options: VerifyOptions = {}): Promise<VerifyReport> {
	const quick = options.quick === true;
	const report: VerifyReport = { ok: true, quick, manifestsChecked: 0, objectsChecked: 0, bytesChecked: 0, manifests: [], objects: [], brokenVersions: [], remoteOnly: [], warnings: [], unverifiedEvents: [] };
	assertLedgerLayout(ledger.root);
	const manifests = await readAllManifests(ledger, report);

	const uses = objectUses(manifests);

	const entries = [...uses].sort(([a], [b]) => (a < b ? -1 : 1));
	const missingHere: Array<[string, { size?: number; usedBy: ObjectUse[] }]> = [];
	const bytesTotal = entries.reduce((n, [, e]) => n + (quick ? 0 : (e.size ?? 0)), 0);
	let done = 0;
	for (const [sha, entry] of entries) {
		if (options.signal?.aborted) throw cancelled('Verify');
		const objectPath = ledger.store.objectPath(sha);
		options.onProgress?.({ done, total: entries.length, bytesDone: report.bytesChecked, bytesTotal, message: `${entry.usedBy[0].path} (${sha.slice(0, 12)})` });
		let size: number;
		try {
			size = (await stat(objectPath)).size;
		} catch {
			missingHere.push([sha, entry]);
			done++;
			continue;
		}
		if (entry.size !== undefined && size !== entry.size) {
			report.objects.push({ sha256: sha, objectPath, problem: 'wrong-size', actual: String(size), usedBy: entry.usedBy });
		} else if (!quick) {
			const actual = await hashFile(objectPath, options.signal);
			report.bytesChecked += size;
			if (actual !== sha) report.objects.push({ sha256: sha, objectPath, problem: 'corrupt', actual, usedBy: entry.usedBy });
		}
		report.objectsChecked++;
		done++;
	}
	options.onProgress?.({ done, total: entries.length, bytesDone: report.bytesChecked, bytesTotal, message: 'Done' });

	// Objects missing here: on the remote (fine, fetched on demand) or nowhere (broken).
	const config = remoteToUse(ledger, options, missingHere.length > 0);
	let onRemote: Map<string, number> | undefined;
	if (config) {
		await withRemote(config, options, async (remote) => {
			const check: RemoteCheck = { name: config.name, url: config.url, reachable: false, checkedCopies: options.remote !== undefined, objectsChecked: 0, bytesChecked: 0, problems: [], notOnRemote: 0 };
			report.remote = check;
			if (remote && !(options.offline && options.remote === undefined)) {
				try {
					onRemote = await remote.list(options.signal);
					check.reachable = true;
					check.listedAt = new Date().toISOString();
				} catch (err) {
					if (options.signal?.aborted) throw err;
					check.error = describeError(err);
				}
			}
			if (!onRemote) {
				const { readRemoteListing } = await import('../remotes/remoteTransfer');
				const cached = readRemoteListing(ledger, config.name, config.url);
				if (cached) {
					onRemote = new Map(Object.entries(cached.objects));
					check.listedAt = cached.listedAt;
				}
			}
			if (remote && check.reachable && options.remote !== undefined) await checkRemoteCopies(remote, entries, onRemote!, check, options);
		});
	}
	for (const [sha, entry] of missingHere) {
		const remoteSize = onRemote?.get(sha);
		if (remoteSize !== undefined && (entry.size === undefined || remoteSize === entry.size)) report.remoteOnly.push({ sha256: sha, usedBy: entry.usedBy });
		else report.objects.push({ sha256: sha, objectPath: ledger.store.objectPath(sha), problem: 'missing', usedBy: entry.usedBy });
	}

	report.brokenVersions = brokenVersions(report, manifests);
	report.ok = report.manifests.length === 0 && report.objects.length === 0 && (report.remote?.problems.length ?? 0) === 0;
	try {
		const sync = ledger.sync();
		appendAll(report.warnings, sync.problems.filter((p) => !p.includes(`${LEDGER_DIR}/versions/`) && !p.includes(`${LEDGER_DIR}/events/`)));
		report.unverifiedEvents = ledger.eventFindings();
	} catch (err) {
		report.warnings.push(`the index could not be synced: ${describeError(err)}`);
	}
	return report;
}

/** Object sha → how it is used (one object may serve many versions) and the size to expect. */
function objectUses(manifests: ReadManifest[]): Map<string, { size?: number; usedBy: ObjectUse[] }> {
	const uses = new Map<string, { size?: number; usedBy: ObjectUse[] }>();
	const use = (sha: string, size: number | undefined, u: ObjectUse) => {
		const entry = uses.get(sha) ?? { size, usedBy: [] };
		if (entry.size === undefined) entry.size = size;
		entry.usedBy.push(u);
		uses.set(sha, entry);
	};
	for (const m of manifests) {
		if (!m.manifest) continue;
		const base = { model: m.model, digest: m.digest, number: m.manifest.number };
		for (const a of m.manifest.artifacts) use(a.sha256, a.size, { ...base, path: a.path, kind: 'artifact' });
		if (m.manifest.git.patch && /^[0-9a-f]{64}$/.test(m.manifest.git.patch)) use(m.manifest.git.patch, undefined, { ...base, path: 'git.patch', kind: 'patch' });
		for (const [path, sha] of Object.entries(m.manifest.lockfiles)) if (/^[0-9a-f]{64}$/.test(sha)) use(sha, undefined, { ...base, path, kind: 'lockfile' });
	}
	return uses;
}

/** Which versions are broken, and why: unreadable, modified or suspect manifests, and objects missing or damaged. */
function brokenVersions(report: VerifyReport, manifests: ReadManifest[]): BrokenVersion[] {
	const broken = new Map<string, BrokenVersion>();
	const byDigest = new Map(manifests.map((m) => [m.digest, m]));
	const mark = (model: string, digest: string, reason: string) => {
		const m = byDigest.get(digest);
		const entry = broken.get(digest) ?? { model, digest, number: m?.manifest?.number ?? null, label: m?.manifest?.label ?? null, reasons: [] };
		entry.reasons.push(reason);
		broken.set(digest, entry);
	};
	const reasons = { tampered: () => 'manifest modified after it was written', unreadable: (p: ManifestProblem) => `manifest unreadable: ${p.message}`, suspect: () => 'suspect manifest (never restored)' };
	for (const p of report.manifests) mark(p.model, p.digest, reasons[p.problem](p));
	for (const o of report.objects) {
		for (const u of o.usedBy) mark(u.model, u.digest, `${u.path}: object ${o.problem === 'wrong-size' ? 'has the wrong size' : o.problem}`);
	}
	return [...broken.values()].sort((a, b) => (a.model === b.model ? (b.number ?? 0) - (a.number ?? 0) : a.model < b.model ? -1 : 1));
}

/** The remote to consult: the one asked for (must exist), else the configured default when objects are missing here. */
function remoteToUse(ledger: Ledger, options: VerifyOptions, needed: boolean): RemoteConfig | undefined {
	if (options.store) return options.store.config;
	if (options.remote !== undefined) return selectRemote(ledger.config, options.remote === true ? undefined : options.remote);
	if (!needed || ledger.config.remotes.length === 0) return undefined;
	try {
		return selectRemote(ledger.config);
	} catch {
		return undefined; // several remotes and no default: missing objects stay missing (the report says so)
	}
}

async function withRemote(config: RemoteConfig, options: VerifyOptions, run: (remote: RemoteStore | undefined) => Promise<void>): Promise<void> {
	if (options.store) return run(options.store);
	if (options.offline && options.remote === undefined) return run(undefined);
	let remote: RemoteStore | undefined;
	try {
		remote = await openRemote(config);
	} catch (err) {
		if (options.remote !== undefined) throw err;
		return run(undefined);
	}
	try {
		await run(remote);
	} finally {
		remote.close();
	}
}

/** `verify --remote`: every needed object on the remote has its size and (unless quick) hashes to its name. */
async function checkRemoteCopies(
	remote: RemoteStore,
	entries: Array<[string, { size?: number; usedBy: ObjectUse[] }]>,
	onRemote: Map<string, number>,
	check: RemoteCheck,
	options: VerifyOptions,
): Promise<void> {
	for (const [sha, entry] of entries) {
		if (options.signal?.aborted) throw cancelled('Verify');
		const size = onRemote.get(sha);
		if (size === undefined) {
			check.notOnRemote++;
			continue;
		}
		const where = `${describeRemote(remote.config)}: ${sha.slice(0, 2)}/${sha.slice(2)}`;
		check.objectsChecked++;
		if (entry.size !== undefined && size !== entry.size) {
			check.problems.push({ sha256: sha, objectPath: where, problem: 'wrong-size', actual: String(size), usedBy: entry.usedBy });
			continue;
		}
		if (options.quick) continue;
		options.onProgress?.({ done: check.objectsChecked, total: entries.length, bytesDone: check.bytesChecked, bytesTotal: 0, message: `remote copy of ${entry.usedBy[0].path} (${sha.slice(0, 12)})` });
		const body = await remote.download(sha, options.signal);
		if (!body) {
			check.problems.push({ sha256: sha, objectPath: where, problem: 'missing', usedBy: entry.usedBy });
			continue;
		}
		const hash = createHash('sha256');
		for await (const chunk of body) {
			hash.update(chunk);
			check.bytesChecked += chunk.length;
		}
		const actual = hash.digest('hex');
		if (actual !== sha) check.problems.push({ sha256: sha, objectPath: where, problem: 'corrupt', actual, usedBy: entry.usedBy });
	}
}

async function readAllManifests(ledger: Ledger, report: VerifyReport): Promise<ReadManifest[]> {
	const result: ReadManifest[] = [];
	const folders = modelFolders(ledger.versionsDir);
	for (const link of folders.links) {
		// Never listed through: its manifests would be read from wherever it points.
		const file = `${LEDGER_DIR}/versions/${link}`;
		report.manifests.push({ model: link, digest: '', file, problem: 'suspect', message: linkInLedger(file, 'a symlink').toString() });
	}
	for (const model of folders.models) {
		for (const name of await listDir(join(ledger.versionsDir, model))) {
			const digest = DIGEST_FILE.exec(name)?.[1];
			if (!digest) continue;
			const file = `${LEDGER_DIR}/versions/${model}/${name}`;
			const entry: ReadManifest = { model, digest, file };
			result.push(entry);
			report.manifestsChecked++;
			let bytes: Buffer;
			try {
				// Never through a link (a planted manifest → a file outside, or /dev/zero).
				const read = readLedgerFile(join(ledger.versionsDir, model, name), file, MAX_MANIFEST_BYTES, 'a manifest');
				if (!read) continue;
				bytes = read;
			} catch (err) {
				report.manifests.push({ model, digest, file, problem: 'unreadable', message: describeError(err) });
				continue;
			}
			const actual = manifestDigest(bytes);
			if (actual !== digest) {
				report.manifests.push({ model, digest, file, problem: 'tampered', message: `its content hashes to ${actual.slice(0, 12)}…, not to its name` });
			}
			try {
				// Even a tampered manifest's objects are checked: they say what else may be wrong.
				entry.manifest = parseManifest(bytes.toString('utf8'), file);
			} catch (err) {
				const planted = err instanceof LedgerError && err.code === 'SUSPECT_MANIFEST';
				if (actual === digest) report.manifests.push({ model, digest, file, problem: planted ? 'suspect' : 'unreadable', message: describeError(err) });
			}
		}
	}
	return result;
}

async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
	const handle = await open(path, 'r');
	try {
		const hash = createHash('sha256');
		const buffer = Buffer.allocUnsafe(CHUNK);
		for (;;) {
			if (signal?.aborted) throw cancelled('Verify');
			const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
			if (bytesRead === 0) break;
			hash.update(buffer.subarray(0, bytesRead));
		}
		return hash.digest('hex');
	} finally {
		await handle.close();
	}
}

async function listDir(dir: string): Promise<string[]> {
	try {
		return (await readdir(dir)).sort();
	} catch {
		return [];
	}
}
