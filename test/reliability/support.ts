// Helpers shared by the reliability suite: the built CLI as a real process, and integrity checks
// that look at the store from the outside (every object file hashes to its name, every manifest's
// objects exist, the index lists exactly what the manifests say).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleWorkspace, isolatedGitEnv, makeTempDir, repoRoot } from '../unit/fixtures';

/** The built CLI; MODEL_LEDGER_TEST_CLI runs the suite against another build (e.g. main's, to show a test fails there). */
export const CLI = process.env.MODEL_LEDGER_TEST_CLI ?? join(repoRoot(), 'dist', 'cli.js');

/** Quick mode (`MODEL_LEDGER_RELIABILITY_QUICK=1`, used by `npm test`) runs fewer trials and rounds. */
export const QUICK = process.env.MODEL_LEDGER_RELIABILITY_QUICK === '1';

export interface Run {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Runs the built CLI synchronously in `cwd`. */
export function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
	// MODEL_LEDGER_TEST_TIMEOUT_MS in env: killed after that long (a bomb test must end even on a build that hangs).
	const timeout = Number(env.MODEL_LEDGER_TEST_TIMEOUT_MS) || undefined;
	const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...isolatedGitEnv(), ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout });
	return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI as a child process; resolves when it exits. */
export function cliAsync(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): { pid: number; done: Promise<Run>; kill: (signal: NodeJS.Signals) => void } {
	const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...isolatedGitEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
	child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
	const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
	return { pid: child.pid!, done, kill: (signal) => child.kill(signal) };
}

/** Parses the single JSON document of a successful `--json` run. */
/**
 * A copy of the example workspace after `model-ledger init` (and a first snapshot of support-bot with
 * `snapshot: true`), added to `dirs` so the test file's `after` removes it.
 */
export function initializedWorkspace(dirs: string[], options: { snapshot?: boolean } = {}): string {
	const dir = copyExampleWorkspace();
	dirs.push(dir);
	assert.equal(cli(dir, ['init']).code, 0);
	if (options.snapshot) cliJson(dir, ['snapshot', 'support-bot']);
	return dir;
}

export function cliJson<T>(cwd: string, args: string[]): T {
	const r = cli(cwd, [...args, '--json']);
	assert.equal(r.code, 0, `model-ledger ${args.join(' ')} failed: ${r.stderr}`);
	return JSON.parse(r.stdout) as T;
}

export function sha256File(path: string): string {
	return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every object file under objects/sha256 hashes to its name: no partial object under a final name. */
export function assertObjectsWhole(root: string): number {
	const objects = join(root, '.model-ledger', 'cache', 'objects', 'sha256');
	let count = 0;
	for (const prefix of existsSync(objects) ? readdirSync(objects) : []) {
		for (const rest of readdirSync(join(objects, prefix))) {
			const actual = sha256File(join(objects, prefix, rest));
			assert.equal(actual, prefix + rest, `object ${prefix}/${rest} does not hash to its name (a partial or corrupt object is visible)`);
			count++;
		}
	}
	return count;
}

export interface ManifestOnDisk {
	model: string;
	digest: string;
	number: number;
	shas: string[];
}

/** Manifests on disk (each whole: its bytes hash to its name) with the objects they name. */
export function manifestsOnDisk(root: string): ManifestOnDisk[] {
	const versions = join(root, '.model-ledger', 'versions');
	const result: ManifestOnDisk[] = [];
	for (const model of existsSync(versions) ? readdirSync(versions) : []) {
		for (const file of readdirSync(join(versions, model))) {
			const digest = /^([0-9a-f]{64})\.yaml$/.exec(file)?.[1];
			assert.ok(digest, `stray file in versions/${model}: ${file} (a manifest is visible under a temporary name)`);
			const bytes = readFileSync(join(versions, model, file));
			assert.equal(createHash('sha256').update(bytes).digest('hex'), digest, `manifest ${file} is not whole`);
			const text = bytes.toString('utf8');
			const shas = [...text.matchAll(/(?:sha256|patch): ([0-9a-f]{64})/g)].map((m) => m[1]);
			const number = Number(/^number: (\d+)$/m.exec(text)?.[1]);
			result.push({ model, digest, number, shas });
		}
	}
	return result;
}

/** No manifest names an object that is not in the store. */
export function assertManifestsComplete(root: string): void {
	for (const m of manifestsOnDisk(root)) {
		for (const sha of m.shas) {
			const path = join(root, '.model-ledger', 'cache', 'objects', 'sha256', sha.slice(0, 2), sha.slice(2));
			assert.ok(existsSync(path), `${m.model} v${m.number} (${m.digest.slice(0, 12)}) names object ${sha.slice(0, 12)}…, which is missing`);
		}
	}
}

/** `list --json` equals what a full rebuild of the index says (the index matches the manifests). */
export function assertIndexMatchesManifests(root: string): void {
	type Row = { model: string; number: number; digest: string };
	const key = (rows: Row[]) => rows.map((r) => `${r.model} v${r.number} ${r.digest}`).sort();
	const listed = key(cliJson<Row[]>(root, ['list']));
	const onDisk = key(manifestsOnDisk(root).map((m) => ({ model: m.model, number: m.number, digest: m.digest })));
	assert.deepEqual(listed, onDisk, 'list does not match the manifests on disk');
	cliJson(root, ['reindex']);
	assert.deepEqual(key(cliJson<Row[]>(root, ['list'])), onDisk, 'list after reindex does not match the manifests on disk');
}

/** Text that must never reach a user: a raw SQLite busy/locked error. */
export const SQLITE_LEAK = /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked/i;

/**
 * Writes a CommonJS preload (for `node --require`) into a temp folder and returns its path. Preloads
 * are plain JS written at run time, so they need no build step and cannot drift from the test.
 */
export function writePreload(dir: string, name: string, code: string): string {
	const path = join(dir, `${name}.cjs`);
	writeFileSync(path, code);
	return path;
}

/** A preload that writes the process's peak resident memory (bytes) to $MODEL_LEDGER_RSS_FILE on exit. */
export const PEAK_RSS_PRELOAD = `
process.on('exit', () => {
	require('node:fs').writeFileSync(process.env.MODEL_LEDGER_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
`;

export interface MeasuredRun extends Run {
	/** Peak resident memory in bytes. */
	rss: number;
	ms: number;
}

/**
 * Runs the CLI under a time limit and asserts its peak RSS stays under `rssLimit` (measured by
 * {@link PEAK_RSS_PRELOAD}); the scratch folder for the preload is added to `dirs` for cleanup.
 */
export function measuredCli(dirs: string[], dir: string, args: string[], limits: { seconds: number; rssBytes: number }): MeasuredRun {
	const scratch = makeTempDir('rss');
	dirs.push(scratch);
	const rssFile = join(scratch, 'peak-rss');
	const preload = writePreload(scratch, 'peak-rss', PEAK_RSS_PRELOAD);
	const started = Date.now();
	const r = cli(dir, args, { NODE_OPTIONS: `--require ${preload}`, MODEL_LEDGER_RSS_FILE: rssFile, MODEL_LEDGER_TEST_TIMEOUT_MS: String(limits.seconds * 1000) });
	const ms = Date.now() - started;
	assert.ok(ms < limits.seconds * 1000, `model-ledger ${args.join(' ')} took ${ms} ms (limit ${limits.seconds} s)`);
	let rss = 0;
	try {
		rss = Number(readFileSync(rssFile, 'utf8'));
	} catch {
		assert.fail(`model-ledger ${args.join(' ')} did not exit normally (${r.signal ?? r.code}): ${r.stderr.slice(0, 400)}`);
	}
	const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(0);
	process.stdout.write(`# ${args.join(' ')}: ${ms} ms, peak RSS ${mb(rss)} MB\n`);
	assert.ok(rss < limits.rssBytes, `model-ledger ${args.join(' ')} peaked at ${mb(rss)} MB of RSS (limit ${mb(limits.rssBytes)} MB)`);
	return { ...r, rss, ms };
}

/** Writes `mb` megabytes of non-repeating bytes (every MB differs, `salt` makes files differ), without holding them in memory. */
export function writeBigFile(path: string, mb: number, salt: number): void {
	const fd = openSync(path, 'w');
	const chunk = Buffer.alloc(1024 * 1024);
	for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
	try {
		for (let i = 0; i < mb; i++) {
			chunk.writeUInt32LE(i, 0);
			chunk.writeUInt32LE(salt, 4);
			writeSync(fd, chunk);
		}
	} finally {
		closeSync(fd);
	}
}
