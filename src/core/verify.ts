// Verify: is every version whole? Reads the manifests on disk (not the index, which skips the ones
// it cannot trust), checks each file's bytes still hash to its name, and re-hashes every object a
// manifest references: artifacts, the uncommitted-changes patch and lockfiles. `quick` checks only
// that each object exists with the recorded size.
import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, LedgerError } from './errors';
import { LEDGER_DIR } from './ledger';
import type { Ledger } from './ledger';
import { manifestDigest, parseManifest } from './manifest';
import type { VersionManifest } from './model';

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
	/** Not failures: malformed event lines (skipped when read) and the like. */
	warnings: string[];
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
	const report: VerifyReport = { ok: true, quick, manifestsChecked: 0, objectsChecked: 0, bytesChecked: 0, manifests: [], objects: [], brokenVersions: [], warnings: [] };
	const manifests = await readAllManifests(ledger, report);

	// Object sha → how it is used (one object may serve many versions) and the size to expect.
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

	const entries = [...uses].sort(([a], [b]) => (a < b ? -1 : 1));
	const bytesTotal = entries.reduce((n, [, e]) => n + (quick ? 0 : (e.size ?? 0)), 0);
	let done = 0;
	for (const [sha, entry] of entries) {
		if (options.signal?.aborted) throw new LedgerError('Verify cancelled.', undefined, undefined, 'CANCELLED');
		const objectPath = ledger.store.objectPath(sha);
		options.onProgress?.({ done, total: entries.length, bytesDone: report.bytesChecked, bytesTotal, message: `${entry.usedBy[0].path} (${sha.slice(0, 12)})` });
		let size: number;
		try {
			size = (await stat(objectPath)).size;
		} catch {
			report.objects.push({ sha256: sha, objectPath, problem: 'missing', usedBy: entry.usedBy });
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

	// Which versions are broken, and why.
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
	report.brokenVersions = [...broken.values()].sort((a, b) => (a.model === b.model ? (b.number ?? 0) - (a.number ?? 0) : a.model < b.model ? -1 : 1));
	report.ok = report.manifests.length === 0 && report.objects.length === 0;
	try {
		const sync = ledger.sync();
		report.warnings.push(...sync.problems.filter((p) => !p.includes(`${LEDGER_DIR}/versions/`)));
	} catch (err) {
		report.warnings.push(`the index could not be synced: ${describeError(err)}`);
	}
	return report;
}

async function readAllManifests(ledger: Ledger, report: VerifyReport): Promise<ReadManifest[]> {
	const result: ReadManifest[] = [];
	for (const model of await listDir(ledger.versionsDir)) {
		for (const name of await listDir(join(ledger.versionsDir, model))) {
			const digest = DIGEST_FILE.exec(name)?.[1];
			if (!digest) continue;
			const file = `${LEDGER_DIR}/versions/${model}/${name}`;
			const entry: ReadManifest = { model, digest, file };
			result.push(entry);
			report.manifestsChecked++;
			let bytes: Buffer;
			try {
				bytes = await readFile(join(ledger.versionsDir, model, name));
			} catch (err) {
				report.manifests.push({ model, digest, file, problem: 'unreadable', message: (err as Error).message });
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
			if (signal?.aborted) throw new LedgerError('Verify cancelled.', undefined, undefined, 'CANCELLED');
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
