// Push and pull: which objects the chosen versions need (artifacts, the uncommitted-changes patch,
// lockfiles), which of them the remote or the local store lacks, and moving exactly those. Every
// object is whole or absent on both sides, so an interrupted push or pull re-run moves only the rest.
// What a remote held at its last listing is kept in cache/remotes/<name>.json, so the tree can show
// "on the remote" without listing a bucket on every refresh.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cancelled, LedgerError } from '../errors';
import type { Ledger } from '../ledger';
import type { VersionManifest, VersionSummary } from '../model';
import type { RemoteConfig } from '../parse/workspaceConfig';
import { openRemote, selectRemote } from './openRemote';
import { describeRemote } from './types';
import type { MultipartOptions, RemoteStore } from './types';
import { verifiedChunks } from './verifiedChunks';

export type ObjectKind = 'artifact' | 'patch' | 'lockfile';

export interface ObjectUse {
	model: string;
	digest: string;
	number: number;
	/** Artifact or lockfile path; `git.patch` for the patch. */
	path: string;
	kind: ObjectKind;
}

export interface NeededObject {
	sha256: string;
	/** Known for artifacts (from the manifest); for patches and lockfiles only when local. */
	size?: number;
	usedBy: ObjectUse[];
}

export interface TransferProgress {
	objectsDone: number;
	objectsTotal: number;
	bytesDone: number;
	bytesTotal: number;
	/** Average since the transfer started. */
	bytesPerSecond: number;
	/** The path of an object in flight, for messages. */
	current?: string;
}

export interface TransferOptions {
	/** Remote name; default: `default_remote`, or the only remote. */
	remote?: string;
	onProgress?: (progress: TransferProgress) => void;
	signal?: AbortSignal;
	/** Objects in flight at once (default 4); each large S3 upload also sends parts in parallel. */
	concurrency?: number;
	multipart?: MultipartOptions;
	/** Called after each object has fully arrived on the other side. */
	onObject?: (sha256: string, size: number) => void;
	/** An already open remote (the extension keeps one); it is not closed here. */
	store?: RemoteStore;
}

export interface ObjectRef {
	sha256: string;
	size: number;
	path: string;
}

export interface PushReport {
	remote: string;
	url: string;
	versions: number;
	/** Distinct objects the versions need. */
	objects: number;
	alreadyOnRemote: number;
	uploaded: ObjectRef[];
	bytesUploaded: number;
	seconds: number;
	bytesPerSecond: number;
	/** Needed but in neither store: these versions cannot be pulled whole by anyone. */
	missingEverywhere: NeededObject[];
	/** Needed, not local, but on the remote already (nothing to do). */
	remoteOnly: number;
}

export interface PullReport {
	remote: string;
	url: string;
	versions: number;
	objects: number;
	alreadyLocal: number;
	pulled: ObjectRef[];
	bytesPulled: number;
	seconds: number;
	bytesPerSecond: number;
	notOnRemote: NeededObject[];
	/** Refused: the remote's bytes did not hash to the object's name. Nothing of them was stored. */
	corrupt: Array<{ sha256: string; path: string; message: string }>;
}

export interface RemoteListing {
	remote: string;
	url: string;
	listedAt: string;
	/** sha256 → size. */
	objects: Record<string, number>;
}

/** The versions named by `refs` (MODEL@REF), or every version of every model when there are none. */
export function selectVersions(ledger: Ledger, refs: Array<{ model: string; ref: string }>): VersionSummary[] {
	if (refs.length === 0) return ledger.listVersions();
	const seen = new Map<string, VersionSummary>();
	for (const { model, ref } of refs) {
		ledger.readableModel(model);
		const v = ledger.resolve(model, ref);
		seen.set(v.digest, v);
	}
	return [...seen.values()];
}

/** Every object the versions reference, once each, with who uses it. */
export function objectsOfVersions(ledger: Ledger, versions: Array<Pick<VersionSummary, 'model' | 'digest' | 'number'>>): Map<string, NeededObject> {
	const needed = new Map<string, NeededObject>();
	const use = (sha: string, size: number | undefined, u: ObjectUse) => {
		if (!/^[0-9a-f]{64}$/.test(sha)) return;
		const entry = needed.get(sha) ?? { sha256: sha, size, usedBy: [] };
		if (entry.size === undefined) entry.size = size ?? ledger.store.sizeOf(sha);
		entry.usedBy.push(u);
		needed.set(sha, entry);
	};
	for (const v of versions) {
		const m: VersionManifest = ledger.readManifest(v);
		const base = { model: v.model, digest: v.digest, number: v.number };
		for (const a of m.artifacts) use(a.sha256, a.size, { ...base, path: a.path, kind: 'artifact' });
		if (m.git.patch) use(m.git.patch, undefined, { ...base, path: 'git.patch', kind: 'patch' });
		for (const [path, sha] of Object.entries(m.lockfiles)) use(sha, undefined, { ...base, path, kind: 'lockfile' });
	}
	return needed;
}

/** The distinct objects one manifest references: artifacts, the patch, lockfiles. */
export function objectsOfManifest(m: VersionManifest): string[] {
	const shas = new Set<string>(m.artifacts.map((a) => a.sha256));
	if (m.git.patch) shas.add(m.git.patch);
	for (const sha of Object.values(m.lockfiles)) shas.add(sha);
	return [...shas].filter((sha) => /^[0-9a-f]{64}$/.test(sha));
}

/** Uploads the objects the versions need that the remote lacks (or holds with the wrong size). */
export async function pushVersions(ledger: Ledger, versions: VersionSummary[], options: TransferOptions = {}): Promise<PushReport> {
	const config = selectRemote(ledger.config, options.remote);
	return withRemote(config, options, async (remote) => {
		const needed = objectsOfVersions(ledger, versions);
		const onRemote = await remote.list(options.signal);
		const listing = saveListing(ledger, config, onRemote);
		const report: PushReport = {
			remote: config.name,
			url: config.url,
			versions: versions.length,
			objects: needed.size,
			alreadyOnRemote: 0,
			uploaded: [],
			bytesUploaded: 0,
			seconds: 0,
			bytesPerSecond: 0,
			missingEverywhere: [],
			remoteOnly: 0,
		};
		const todo: ObjectRef[] = [];
		for (const obj of needed.values()) {
			const localSize = ledger.store.sizeOf(obj.sha256);
			const remoteSize = onRemote.get(obj.sha256);
			if (localSize === undefined) {
				if (remoteSize === undefined) report.missingEverywhere.push(obj);
				else report.remoteOnly++;
				continue;
			}
			// Objects appear whole on both kinds of remote, so a size mismatch means a damaged copy.
			if (remoteSize === localSize) report.alreadyOnRemote++;
			else todo.push({ sha256: obj.sha256, size: localSize, path: obj.usedBy[0].path });
		}
		const stats = await transfer(todo, options, async (obj, onBytes) => {
			await remote.upload(obj.sha256, obj.size, verifiedChunks(ledger.store.objectPath(obj.sha256), obj.sha256, onBytes, options.signal), options.signal);
			onRemote.set(obj.sha256, obj.size);
			listing.objects[obj.sha256] = obj.size;
			report.uploaded.push(obj);
		}, () => writeListing(ledger, listing));
		Object.assign(report, { bytesUploaded: stats.bytes, seconds: stats.seconds, bytesPerSecond: stats.bytesPerSecond });
		return report;
	});
}

/** Downloads the objects the versions need that the local store lacks, each verified before it lands. */
export async function pullVersions(ledger: Ledger, versions: VersionSummary[], options: TransferOptions = {}): Promise<PullReport> {
	const needed = objectsOfVersions(ledger, versions);
	const report = await pullObjects(ledger, [...needed.values()], options);
	report.versions = versions.length;
	return report;
}

/**
 * The fetcher a shell gives `Ledger.fetchMissing`: missing objects are pulled (verified) from the
 * configured remote (`default_remote`, or the only one); with no remote configured, nothing is fetched.
 */
export function remoteFetcher(ledger: Ledger): (shas: string[]) => Promise<void> {
	return async (shas) => {
		if (ledger.config.remotes.length === 0) return;
		const report = await pullObjects(ledger, shas);
		if (report.corrupt.length) throw new LedgerError({ code: 'OBJECT_CORRUPT', message: report.corrupt[0].message, fix: 'The copy on the remote is damaged: push it again from a machine that has it intact.' });
	};
}

/**
 * Downloads the given objects (hashes or needed-object records) that are not local. Corrupt ones are
 * refused and reported; objects the remote lacks are reported. Neither throws: callers decide.
 */
export async function pullObjects(ledger: Ledger, objects: Array<string | NeededObject>, options: TransferOptions = {}): Promise<PullReport> {
	const config = selectRemote(ledger.config, options.remote);
	const wanted = objects.map((o) => (typeof o === 'string' ? { sha256: o, usedBy: [] as ObjectUse[] } : o));
	const report: PullReport = {
		remote: config.name,
		url: config.url,
		versions: 0,
		objects: wanted.length,
		alreadyLocal: 0,
		pulled: [],
		bytesPulled: 0,
		seconds: 0,
		bytesPerSecond: 0,
		notOnRemote: [],
		corrupt: [],
	};
	const todo: Array<ObjectRef & { needed: NeededObject }> = [];
	for (const obj of wanted) {
		if (ledger.store.has(obj.sha256)) report.alreadyLocal++;
		else todo.push({ sha256: obj.sha256, size: obj.size ?? 0, path: obj.usedBy[0]?.path ?? obj.sha256.slice(0, 12), needed: obj });
	}
	if (todo.length === 0) return report;
	return withRemote(config, options, async (remote) => {
		const listing = readRemoteListing(ledger, config.name, config.url) ?? { remote: config.name, url: config.url, listedAt: new Date(0).toISOString(), objects: {} };
		const stats = await transfer(todo, options, async (obj, onBytes) => {
			const body = await remote.download(obj.sha256, options.signal);
			if (!body) {
				report.notOnRemote.push(obj.needed);
				return false;
			}
			try {
				// Stops at the size the manifest gives (when one does): never more bytes than the version holds.
				const stored = await ledger.store.storeStream(obj.sha256, body, describeRemote(config), onBytes, options.signal, obj.needed.size);
				listing.objects[obj.sha256] = stored.size;
				report.pulled.push({ sha256: obj.sha256, size: stored.size, path: obj.path });
			} catch (err) {
				if (!(err instanceof LedgerError) || err.code !== 'OBJECT_CORRUPT') throw err;
				report.corrupt.push({ sha256: obj.sha256, path: obj.path, message: err.message });
				return false;
			}
			return true;
		}, () => writeListing(ledger, listing));
		Object.assign(report, { bytesPulled: stats.bytes, seconds: stats.seconds, bytesPerSecond: stats.bytesPerSecond });
		return report;
	});
}

export interface VersionRemoteState {
	model: string;
	number: number;
	label: string;
	digest: string;
	objects: number;
	local: number;
	onRemote: number;
	/** Needed objects in neither place. */
	missing: number;
}

export interface RemoteStatusReport {
	remote: string;
	url: string;
	listedAt: string;
	/** Needed by a version and only local: `push` would upload these. */
	localOnly: ObjectRef[];
	/** On the remote and not local (including objects no local version references): `pull` fetches the needed ones. */
	remoteOnly: ObjectRef[];
	both: number;
	bothBytes: number;
	/** Needed by a version and in neither place. */
	missing: ObjectRef[];
	versions: VersionRemoteState[];
}

/** Lists the remote once and compares it with the local store and what the versions need. */
export async function remoteStatus(ledger: Ledger, options: Pick<TransferOptions, 'remote' | 'signal' | 'store'> = {}): Promise<RemoteStatusReport> {
	const config = selectRemote(ledger.config, options.remote);
	return withRemote(config, options, async (remote) => {
		const onRemote = await remote.list(options.signal);
		const listing = saveListing(ledger, config, onRemote);
		const versions = ledger.listVersions();
		const needed = objectsOfVersions(ledger, versions);
		const report: RemoteStatusReport = { remote: config.name, url: config.url, listedAt: listing.listedAt, localOnly: [], remoteOnly: [], both: 0, bothBytes: 0, missing: [], versions: [] };
		for (const obj of needed.values()) {
			const local = ledger.store.sizeOf(obj.sha256);
			const path = obj.usedBy[0].path;
			if (local !== undefined && onRemote.has(obj.sha256)) {
				report.both++;
				report.bothBytes += local;
			} else if (local !== undefined) report.localOnly.push({ sha256: obj.sha256, size: local, path });
			else if (!onRemote.has(obj.sha256)) report.missing.push({ sha256: obj.sha256, size: obj.size ?? 0, path });
		}
		for (const [sha, size] of onRemote) {
			if (!ledger.store.has(sha)) report.remoteOnly.push({ sha256: sha, size, path: needed.get(sha)?.usedBy[0].path ?? '' });
		}
		report.versions = versions.map((v) => ({ model: v.model, number: v.number, label: v.label, digest: v.digest, ...countState(ledger, v, new Set(onRemote.keys())) }));
		return report;
	});
}

export type Availability = 'synced' | 'local' | 'remote' | 'missing';

export interface VersionAvailability {
	/**
	 * synced: every object is local and (at the last listing) on the remote; local: every object is
	 * local, some not pushed; remote: some are only on the remote (pull them); missing: some are in neither.
	 */
	state: Availability;
	objects: number;
	local: number;
	onRemote: number;
	missing: number;
	/** The remote listing this is based on (absent: no remote, or never listed). */
	remote?: { name: string; listedAt: string };
}

/**
 * Where a version's objects are, from the local store and the cached remote listing (no network).
 * Pass the manifest when it is already parsed (the tree caches them).
 */
export function versionAvailability(ledger: Ledger, version: Pick<VersionSummary, 'model' | 'digest' | 'number'>, listing?: RemoteListing, manifest?: VersionManifest): VersionAvailability {
	const onRemote = new Set(Object.keys(listing?.objects ?? {}));
	const counts = countState(ledger, version, onRemote, manifest);
	const state: Availability =
		counts.missing > 0 ? 'missing' : counts.local < counts.objects ? 'remote' : listing && counts.onRemote === counts.objects ? 'synced' : 'local';
	return { state, ...counts, ...(listing ? { remote: { name: listing.remote, listedAt: listing.listedAt } } : {}) };
}

function countState(ledger: Ledger, version: Pick<VersionSummary, 'model' | 'digest' | 'number'>, onRemote: Set<string>, manifest?: VersionManifest) {
	const needed = new Set(objectsOfManifest(manifest ?? ledger.readManifest(version)));
	let local = 0;
	let remote = 0;
	let missing = 0;
	for (const sha of needed) {
		const isLocal = ledger.store.has(sha);
		if (isLocal) local++;
		if (onRemote.has(sha)) remote++;
		if (!isLocal && !onRemote.has(sha)) missing++;
	}
	return { objects: needed.size, local, onRemote: remote, missing };
}

/** What the remote held when it was last listed (or was last pushed to / pulled from), if known. */
export function readRemoteListing(ledger: Ledger, name: string, url?: string): RemoteListing | undefined {
	try {
		const listing = JSON.parse(readFileSync(listingPath(ledger, name), 'utf8')) as RemoteListing;
		if (url !== undefined && listing.url !== url) return undefined;
		return listing;
	} catch {
		return undefined;
	}
}

function listingPath(ledger: Ledger, name: string): string {
	return join(ledger.cacheDir, 'remotes', `${name}.json`);
}

function saveListing(ledger: Ledger, config: RemoteConfig, objects: Map<string, number>): RemoteListing {
	const listing: RemoteListing = { remote: config.name, url: config.url, listedAt: new Date().toISOString(), objects: Object.fromEntries(objects) };
	writeListing(ledger, listing);
	return listing;
}

function writeListing(ledger: Ledger, listing: RemoteListing): void {
	try {
		const path = listingPath(ledger, listing.remote);
		mkdirSync(join(ledger.cacheDir, 'remotes'), { recursive: true });
		const tmp = `${path}.${process.pid}.tmp`;
		writeFileSync(tmp, JSON.stringify(listing));
		renameSync(tmp, path);
	} catch {
		// Only a cache: the next listing rebuilds it.
	}
}

async function withRemote<T>(config: RemoteConfig, options: Pick<TransferOptions, 'store' | 'multipart'>, run: (remote: RemoteStore) => Promise<T>): Promise<T> {
	const remote = options.store ?? (await openRemote(config, options.multipart));
	try {
		// Each push or pull first clears what killed transfers left behind (a folder remote's tmp/).
		await remote.cleanLeftovers?.().catch(() => 0);
		return await run(remote);
	} finally {
		if (!options.store) remote.close();
	}
}

/**
 * Runs `move` over the objects with bounded parallelism, reporting bytes/s. The first failure stops
 * new transfers, lets the ones in flight settle, then is rethrown; `finish` always runs.
 */
async function transfer<T extends ObjectRef>(
	todo: T[],
	options: TransferOptions,
	/** Resolves false when the object was skipped (not there, refused): no onObject for it. */
	move: (obj: T, onBytes: (n: number) => void) => Promise<boolean | void>,
	finish: () => void,
): Promise<{ bytes: number; seconds: number; bytesPerSecond: number }> {
	const started = Date.now();
	const total = todo.reduce((n, o) => n + o.size, 0);
	let bytes = 0;
	let done = 0;
	let failure: unknown;
	let lastReport = 0;
	const report = (current?: string, force = false) => {
		const now = Date.now();
		if (!options.onProgress || (!force && now - lastReport < 200)) return;
		lastReport = now;
		const seconds = Math.max((now - started) / 1000, 0.001);
		options.onProgress({ objectsDone: done, objectsTotal: todo.length, bytesDone: bytes, bytesTotal: Math.max(total, bytes), bytesPerSecond: bytes / seconds, current });
	};
	const queue = [...todo];
	const worker = async () => {
		for (let obj = queue.shift(); obj && failure === undefined; obj = queue.shift()) {
			if (options.signal?.aborted) {
				failure = cancelled('Transfer', 'Run it again: only what is still missing is transferred.');
				break;
			}
			try {
				const moved = await move(obj, (n) => {
					bytes += n;
					report(obj.path);
				});
				done++;
				report(obj.path, true);
				if (moved !== false) options.onObject?.(obj.sha256, obj.size);
			} catch (err) {
				failure ??= options.signal?.aborted ? cancelled('Transfer', 'Run it again: only what is still missing is transferred.') : err;
			}
		}
	};
	try {
		await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, todo.length)) }, worker));
	} finally {
		finish();
	}
	if (failure !== undefined) throw failure;
	const seconds = (Date.now() - started) / 1000;
	report(undefined, true);
	return { bytes, seconds, bytesPerSecond: bytes / Math.max(seconds, 0.001) };
}
