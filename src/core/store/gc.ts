// Clean-up of the object store. An object is kept when any manifest references it — in the
// working tree, or anywhere git holds one: at any ref (a version made on another branch must
// survive a checkout of main), in any stash entry (`git stash -u` of a fresh snapshot, then
// `stash pop`), staged in the index, or at another worktree's HEAD — or when a restore journal
// lists it as displaced content. Everything else is reclaimable; a dry run (the default) only reports.
import { appendAll } from '../bulkArrays';
import { lstatSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, LedgerError } from '../errors';
import { readGitManifests } from '../index/gitManifests';
import { LEDGER_DIR } from '../ledger';
import type { Ledger } from '../ledger';
import { parseManifest } from './manifest';
import { MAX_MANIFEST_BYTES, readLedgerFile } from './boundedRead';
import { assertLedgerLayout, linkInLedger, modelFolders } from './noFollow';
import type { VersionManifest } from '../model';
import { restoresDir } from './restore';

const SHA_TAIL = /^[0-9a-f]{62}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export type KeepReason = 'working-tree' | 'git-history' | 'restore-backup' | 'recent';
export type ReclaimReason = 'unreferenced' | 'stray-file' | 'stale-tmp';

export interface ByteCount {
	count: number;
	bytes: number;
}

export interface GcOptions {
	/** Only report (the default). */
	dryRun?: boolean;
	/**
	 * Objects younger than this are kept: a snapshot running right now stores its objects before it
	 * writes the manifest that names them. Default one hour.
	 */
	graceMs?: number;
	onProgress?: (message: string) => void;
	now?: Date;
}

export interface GcReport {
	dryRun: boolean;
	kept: Record<KeepReason, ByteCount>;
	reclaimable: Record<ReclaimReason, ByteCount>;
	/** Totals of `reclaimable`; in a real run, what was deleted. */
	total: ByteCount;
	deleted: ByteCount;
	/** Where manifests were looked for in git: refs (`refs/heads/main`, …), `stash@{n}`, `HEAD of worktree …` (the index is always read). */
	refsScanned: string[];
	/** Git processes started to read them (constant, whatever the number of refs). */
	gitProcesses: number;
	/** Manifests read: from the working tree and (distinct blobs) from git. */
	manifestsRead: { workingTree: number; git: number };
	warnings: string[];
	/**
	 * Why the set of referenced objects may be incomplete (an unreadable manifest or journal, git
	 * failing): deleting is then refused, since gc must never delete what something still needs.
	 */
	incomplete: string[];
	/** Reclaimable objects (sha256) — the first ones, for reports. */
	sample: string[];
}

/** Finds (and unless dryRun, deletes) objects no manifest anywhere references, plus stale temp files. */
export async function collectGarbage(ledger: Ledger, options: GcOptions = {}): Promise<GcReport> {
	// Removing files through a planted `cache` link would delete outside the workspace.
	assertLedgerLayout(ledger.root);
	const dryRun = options.dryRun !== false;
	const now = (options.now ?? new Date()).getTime();
	const graceMs = options.graceMs ?? 60 * 60 * 1000;
	const zero = (): ByteCount => ({ count: 0, bytes: 0 });
	const report: GcReport = {
		dryRun,
		kept: { 'working-tree': zero(), 'git-history': zero(), 'restore-backup': zero(), recent: zero() },
		reclaimable: { unreferenced: zero(), 'stray-file': zero(), 'stale-tmp': zero() },
		total: zero(),
		deleted: zero(),
		refsScanned: [],
		gitProcesses: 0,
		manifestsRead: { workingTree: 0, git: 0 },
		warnings: [],
		incomplete: [],
		sample: [],
	};

	options.onProgress?.('Reading manifests in the working tree');
	const workingTree = new Set<string>();
	for (const m of workingTreeManifests(ledger, report)) addReferences(m, workingTree);
	options.onProgress?.('Reading manifests from git refs, stashes and the index');
	const history = new Set<string>();
	for (const m of await gitManifests(ledger, report)) addReferences(m, history);
	const backups = restoreBackups(ledger, report);

	options.onProgress?.('Scanning the object store');
	const toDelete = sortObjects(ledger, report, { workingTree, history, backups }, now, graceMs);
	const staleTmp = staleTmpFiles(ledger, report, now, graceMs);
	for (const c of Object.values(report.reclaimable)) {
		report.total.count += c.count;
		report.total.bytes += c.bytes;
	}
	if (dryRun) return report;
	if (report.incomplete.length) {
		throw new LedgerError({
			code: 'GC_INCOMPLETE',
			message: `Clean-up refused: it cannot tell for sure what is still referenced (${report.incomplete.join('; ')}).`,
			fix: 'Fix or restore what is listed (e.g. `git checkout -- <manifest>`), then run gc again; `--dry-run` shows the rest.',
		});
	}

	options.onProgress?.(`Deleting ${report.total.count} files`);
	for (const path of [...toDelete, ...staleTmp]) {
		try {
			const size = statSync(path).isFile() ? statSync(path).size : 0;
			rmSync(path, { force: true, recursive: true });
			count(report.deleted, size);
		} catch (err) {
			report.warnings.push(`could not delete ${path}: ${(err as Error).message}`);
		}
	}
	// Fan-out folders left empty.
	for (const fan of listDir(ledger.store.objectsDir)) {
		try {
			rmdirSync(join(ledger.store.objectsDir, fan));
		} catch {
			// Not empty: kept.
		}
	}
	return report;
}

function addReferences(m: VersionManifest, into: Set<string>): void {
	for (const a of m.artifacts) into.add(a.sha256);
	if (m.git?.patch) into.add(m.git.patch);
	for (const sha of Object.values(m.lockfiles ?? {})) into.add(sha);
}

function workingTreeManifests(ledger: Ledger, report: GcReport): VersionManifest[] {
	const result: VersionManifest[] = [];
	const folders = modelFolders(ledger.versionsDir);
	// A linked model folder is never listed through; what it might name is unknown, so nothing is deleted.
	for (const link of folders.links) report.incomplete.push(linkInLedger(`${LEDGER_DIR}/versions/${link}`, 'a symlink').toString());
	for (const model of folders.models) {
		for (const name of listDir(join(ledger.versionsDir, model))) {
			if (!name.endsWith('.yaml')) continue;
			const rel = `${LEDGER_DIR}/versions/${model}/${name}`;
			try {
				// No digest check: even a tampered manifest keeps what it names (gc errs on keeping).
				const bytes = readLedgerFile(join(ledger.versionsDir, model, name), rel, MAX_MANIFEST_BYTES, 'a manifest');
				if (bytes) result.push(parseManifest(bytes.toString('utf8'), rel, { keepSuspect: true }));
				report.manifestsRead.workingTree++;
			} catch (err) {
				report.incomplete.push(`${rel} is unreadable: ${describeError(err)}`);
			}
		}
	}
	return result;
}

/**
 * Manifests git holds anywhere (every ref, each stash entry, the index, other worktrees' HEADs), read
 * with a constant number of git processes (see gitManifests.ts).
 */
async function gitManifests(ledger: Ledger, report: GcReport): Promise<VersionManifest[]> {
	const scan = await readGitManifests(ledger.root, { versionsPath: `${LEDGER_DIR}/versions` });
	report.refsScanned = scan.sources;
	report.gitProcesses = scan.gitProcesses;
	appendAll(report.incomplete, scan.problems);
	const result: VersionManifest[] = [];
	for (const m of scan.manifests) {
		try {
			result.push(parseManifest(m.text, `${LEDGER_DIR}/versions/${m.model}/${m.file} (git blob ${m.blob.slice(0, 10)}, ${m.sources[0]})`, { keepSuspect: true }));
			report.manifestsRead.git++;
		} catch (err) {
			report.incomplete.push(describeError(err));
		}
	}
	return result;
}

/** Objects that restore journals list as displaced content (the user's unsaved work). */
function restoreBackups(ledger: Ledger, report: GcReport): Set<string> {
	const shas = new Set<string>();
	const dir = restoresDir(ledger);
	for (const name of listDir(dir)) {
		if (!name.endsWith('.json')) continue;
		try {
			const journal = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { displaced?: Array<{ sha256?: string }> };
			for (const d of journal.displaced ?? []) if (d.sha256 && SHA256.test(d.sha256)) shas.add(d.sha256);
		} catch (err) {
			report.incomplete.push(`restore journal ${join(dir, name)} is unreadable (${(err as Error).message}); delete it if you no longer need what it lists`);
		}
	}
	return shas;
}

function isLink(path: string): boolean {
	try {
		return lstatSync(path).isSymbolicLink();
	} catch {
		return false;
	}
}

function listDir(dir: string): string[] {
	try {
		return readdirSync(dir).sort();
	} catch {
		return [];
	}
}

/** Sorts every file of the object store into kept (and why) or reclaimable; returns the paths to delete. */
function sortObjects(ledger: Ledger, report: GcReport, refs: { workingTree: Set<string>; history: Set<string>; backups: Set<string> }, now: number, graceMs: number): string[] {
	const { workingTree, history, backups } = refs;
	const toDelete: string[] = [];
	for (const fan of listDir(ledger.store.objectsDir)) {
		const fanDir = join(ledger.store.objectsDir, fan);
		// A linked fan-out folder is never listed through: its files are elsewhere, and would be deleted there.
		if (isLink(fanDir)) {
			report.incomplete.push(linkInLedger(`${LEDGER_DIR}/cache/objects/sha256/${fan}`, 'a symlink').toString());
			continue;
		}
		for (const name of listDir(fanDir)) {
			const path = join(fanDir, name);
			let size: number;
			let mtime: number;
			try {
				const s = statSync(path);
				size = s.size;
				mtime = s.mtimeMs;
			} catch {
				continue;
			}
			const sha = fan + name;
			if (fan.length !== 2 || !SHA_TAIL.test(name) || !SHA256.test(sha)) {
				// Not something the store writes (an editor's backup, a copy "file (1)"): never served.
				count(report.reclaimable['stray-file'], size);
				toDelete.push(path);
				continue;
			}
			if (workingTree.has(sha)) count(report.kept['working-tree'], size);
			else if (history.has(sha)) count(report.kept['git-history'], size);
			else if (backups.has(sha)) count(report.kept['restore-backup'], size);
			else if (now - mtime < graceMs) count(report.kept.recent, size);
			else {
				count(report.reclaimable.unreferenced, size);
				if (report.sample.length < 20) report.sample.push(sha);
				toDelete.push(path);
			}
		}
	}
	return toDelete;
}

/** Temp files of interrupted writes (older than a minute: a live writer's file is left alone). */
function staleTmpFiles(ledger: Ledger, report: GcReport, now: number, graceMs: number): string[] {
	const tmpCutoff = Math.min(graceMs, 60_000);
	const staleTmp: string[] = [];
	for (const name of listDir(ledger.store.tmpDir)) {
		const path = join(ledger.store.tmpDir, name);
		try {
			const s = statSync(path);
			if (now - s.mtimeMs >= tmpCutoff) {
				count(report.reclaimable['stale-tmp'], s.isFile() ? s.size : 0);
				staleTmp.push(path);
			}
		} catch {
			// Gone already.
		}
	}
	return staleTmp;
}

function count(c: ByteCount, bytes: number): void {
	c.count++;
	c.bytes += bytes;
}
