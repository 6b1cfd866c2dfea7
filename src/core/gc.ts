// Clean-up of the object store. An object is kept when any manifest references it — in the
// working tree, or at the tip of any git branch, tag or remote-tracking branch (a version made on
// another branch must survive a checkout of main) — or when a restore journal lists it as
// displaced content. Everything else is reclaimable; a dry run (the default) only reports.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SimpleGit, SimpleGitFactory } from 'simple-git';
import { describeError, LedgerError } from './errors';
import { LEDGER_DIR } from './ledger';
import type { Ledger } from './ledger';
import { parseManifest } from './manifest';
import type { VersionManifest } from './model';
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
	/** Refs whose manifests were read from git (`refs/heads/main`, …). */
	refsScanned: string[];
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
		manifestsRead: { workingTree: 0, git: 0 },
		warnings: [],
		incomplete: [],
		sample: [],
	};

	options.onProgress?.('Reading manifests in the working tree');
	const workingTree = new Set<string>();
	for (const m of workingTreeManifests(ledger, report)) addReferences(m, workingTree);
	options.onProgress?.('Reading manifests from git branches and tags');
	const history = new Set<string>();
	for (const m of await gitManifests(ledger, report)) addReferences(m, history);
	const backups = restoreBackups(ledger, report);

	options.onProgress?.('Scanning the object store');
	const toDelete: string[] = [];
	const count = (c: ByteCount, bytes: number) => {
		c.count++;
		c.bytes += bytes;
	};
	for (const fan of listDir(ledger.store.objectsDir)) {
		const fanDir = join(ledger.store.objectsDir, fan);
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
	// Temp files of interrupted writes (older than a minute: a live writer's file is left alone).
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
	for (const c of Object.values(report.reclaimable)) {
		report.total.count += c.count;
		report.total.bytes += c.bytes;
	}
	if (dryRun) return report;
	if (report.incomplete.length) {
		throw new LedgerError(
			`Clean-up refused: it cannot tell for sure what is still referenced (${report.incomplete.join('; ')}).`,
			'Fix or restore what is listed (e.g. `git checkout -- <manifest>`), then run gc again; `--dry-run` shows the rest.',
			undefined,
			'GC_INCOMPLETE',
		);
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
	for (const model of listDir(ledger.versionsDir)) {
		for (const name of listDir(join(ledger.versionsDir, model))) {
			if (!name.endsWith('.yaml')) continue;
			const rel = `${LEDGER_DIR}/versions/${model}/${name}`;
			try {
				// No digest check: even a tampered manifest keeps what it names (gc errs on keeping).
				result.push(parseManifest(readFileSync(join(ledger.versionsDir, model, name), 'utf8'), rel));
				report.manifestsRead.workingTree++;
			} catch (err) {
				report.incomplete.push(`${rel} is unreadable: ${describeError(err)}`);
			}
		}
	}
	return result;
}

function gitFor(root: string): SimpleGit {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { simpleGit } = require('simple-git') as { simpleGit: SimpleGitFactory };
	return simpleGit({ baseDir: root, maxConcurrentProcesses: 4, trimmed: false });
}

/**
 * Manifests at the tip of every branch, tag and remote-tracking branch: one `ls-tree` per ref
 * (restricted to the versions folder), then all distinct blobs in a single `cat-file --batch`.
 */
async function gitManifests(ledger: Ledger, report: GcReport): Promise<VersionManifest[]> {
	const git = gitFor(ledger.root);
	let prefix: string;
	try {
		if (!(await git.checkIsRepo())) return [];
		prefix = (await git.raw(['rev-parse', '--show-prefix'])).trim();
	} catch (err) {
		report.incomplete.push(`git could not be run (${(err as Error).message.split('\n')[0]})`);
		return [];
	}
	const refList = await git.raw(['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/tags', 'refs/remotes']).catch((err: Error) => {
		report.incomplete.push(`git for-each-ref failed (${err.message.split('\n')[0]})`);
		return '';
	});
	const refs = refList
		.split('\n')
		.filter((r) => r && !r.endsWith('/HEAD'));
	const versionsPath = `${prefix}${LEDGER_DIR}/versions`;
	const blobs = new Map<string, string>();
	for (const ref of refs) {
		let listing: string;
		try {
			// `ref^{tree}` peels annotated tags; a tag of a blob has no tree and is skipped.
			listing = await git.raw(['ls-tree', '-r', '--full-tree', `${ref}^{tree}`, '--', versionsPath]);
		} catch {
			continue;
		}
		report.refsScanned.push(ref);
		for (const line of listing.split('\n')) {
			const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
			if (m && m[2].endsWith('.yaml') && !blobs.has(m[1])) blobs.set(m[1], m[2]);
		}
	}
	if (blobs.size === 0) return [];
	let texts: Map<string, string>;
	try {
		texts = await catFileBatch(ledger.root, [...blobs.keys()]);
	} catch (err) {
		report.incomplete.push((err as Error).message);
		return [];
	}
	const result: VersionManifest[] = [];
	for (const [id, text] of texts) {
		try {
			result.push(parseManifest(text, `${blobs.get(id)} (git blob ${id.slice(0, 10)})`));
			report.manifestsRead.git++;
		} catch (err) {
			report.incomplete.push(describeError(err));
		}
	}
	return result;
}

/** Reads many blobs through one `git cat-file --batch` process. */
function catFileBatch(cwd: string, ids: string[]): Promise<Map<string, string>> {
	return new Promise((resolve, reject) => {
		const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
		const chunks: Buffer[] = [];
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => chunks.push(c));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`git cat-file --batch failed: ${stderr.trim()}`));
			const out = Buffer.concat(chunks);
			const result = new Map<string, string>();
			let pos = 0;
			while (pos < out.length) {
				const eol = out.indexOf(0x0a, pos);
				if (eol < 0) break;
				const header = out.subarray(pos, eol).toString('utf8').split(' ');
				pos = eol + 1;
				if (header[1] === 'missing' || header.length < 3) continue;
				const size = Number(header[2]);
				result.set(header[0], out.subarray(pos, pos + size).toString('utf8'));
				pos += size + 1; // content, then a newline
			}
			resolve(result);
		});
		child.stdin.end(ids.join('\n') + '\n');
	});
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

function listDir(dir: string): string[] {
	try {
		return readdirSync(dir).sort();
	} catch {
		return [];
	}
}
