// Real folders and real git repositories for tests: the example workspace copied to a temp dir.
// Nothing is mocked; callers remove what they create (`after(() => removeDir(dir))`).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ParseError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';

/** The repository root, found from the bundled test's folder (out/test/unit) or the working directory. */
export function repoRoot(): string {
	for (const start of [__dirname, process.cwd()]) {
		let dir = resolve(start);
		for (;;) {
			if (existsSync(join(dir, 'examples', 'support-bot', 'model-ledger.yaml'))) return dir;
			const parent = dirname(dir);
			if (parent === dir) break;
			dir = parent;
		}
	}
	throw new Error(`Cannot find examples/support-bot above ${__dirname} or ${process.cwd()}; run the tests from the repository.`);
}

/** Absolute path of the committed example workspace (read it, never write to it). */
export function exampleWorkspacePath(): string {
	return join(repoRoot(), 'examples', 'support-bot');
}

/** A fresh empty folder under the OS temp dir. */
export function makeTempDir(prefix: string): string {
	return mkdtempSync(join(tmpdir(), `model-ledger-${prefix}-`));
}

/** Removes a folder and everything in it; missing folders are fine. */
export function removeDir(dir: string): void {
	rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Writes `content` to `dir/rel`, creating parent folders. */
export function writeFile(dir: string, rel: string, content: string | Uint8Array): string {
	const path = join(dir, rel);
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, content);
	return path;
}

/**
 * Environment for git in tests: no GIT_* variables leak in (a test run from a git hook would
 * otherwise operate on this repository), and neither system nor user config applies.
 */
export function isolatedGitEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!key.startsWith('GIT_')) env[key] = value;
	}
	env.GIT_CONFIG_NOSYSTEM = '1';
	env.GIT_CONFIG_GLOBAL = process.platform === 'win32' ? 'NUL' : '/dev/null';
	env.GIT_TERMINAL_PROMPT = '0';
	return env;
}

/** Runs git in `dir` and returns its stdout (trailing newline removed). Throws with stderr on failure. */
export function git(dir: string, ...args: string[]): string {
	try {
		return execFileSync('git', args, { cwd: dir, env: isolatedGitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
	} catch (err) {
		const stderr = (err as { stderr?: string }).stderr ?? '';
		throw new Error(`git ${args.join(' ')} failed in ${dir}: ${stderr.trim() || (err as Error).message}`);
	}
}

/** Makes `dir` a git repository on `main` with a test identity and no signing. */
export function initGitRepo(dir: string): void {
	git(dir, 'init', '-q', '-b', 'main');
	git(dir, 'config', 'user.name', 'Test User');
	git(dir, 'config', 'user.email', 'test@example.com');
	git(dir, 'config', 'commit.gpgsign', 'false');
	git(dir, 'config', 'core.autocrlf', 'false');
}

/**
 * Copies examples/support-bot (or `from`) to a fresh temp dir, without `.model-ledger/cache`, and,
 * unless `git: false`, makes it a repository with everything committed on `main`. Returns the folder.
 */
export function copyExampleWorkspace(options: { git?: boolean; from?: string } = {}): string {
	const source = options.from ?? exampleWorkspacePath();
	const dir = makeTempDir('ws');
	const cache = join(source, '.model-ledger', 'cache');
	cpSync(source, dir, {
		recursive: true,
		// The cache holds a local SQLite index and blobs that belong to whoever ran the example.
		filter: (path) => !isInside(cache, path),
	});
	if (options.git ?? true) {
		initGitRepo(dir);
		git(dir, 'add', '-A');
		git(dir, 'commit', '-q', '-m', 'Example support-bot workspace');
	}
	return dir;
}

function isInside(folder: string, path: string): boolean {
	const rel = relative(folder, path);
	return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Path of the script that writes the example LoRA adapter. */
export function exampleWeightsScript(): string {
	return join(repoRoot(), 'scripts', 'makeExampleWeights.mjs');
}

/**
 * Writes `adapter_model.safetensors` and `adapter_config.json` into `outDir` with the example's
 * generator; a different rank changes the tensors' shapes, a different seed only their bytes.
 */
export function writeExampleAdapter(outDir: string, options: { seed?: number; rank?: number } = {}): string {
	const args = [exampleWeightsScript(), '--out', outDir];
	if (options.seed !== undefined) args.push('--seed', String(options.seed));
	if (options.rank !== undefined) args.push('--rank', String(options.rank));
	execFileSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	return join(outDir, 'adapter_model.safetensors');
}

/**
 * Example workspaces, each with an open Ledger, for a test file: `const ledgers = exampleLedgers();
 * after(ledgers.cleanup);` then `const { root, ledger } = ledgers.open();` in each test.
 */
export function exampleLedgers(): { open(options?: { git?: boolean }): { root: string; ledger: Ledger }; cleanup(): void } {
	const opened: Array<{ root: string; ledger: Ledger }> = [];
	return {
		open(options) {
			const root = copyExampleWorkspace(options);
			const entry = { root, ledger: Ledger.at(root) };
			opened.push(entry);
			return entry;
		},
		cleanup() {
			for (const { root, ledger } of opened) {
				ledger.close();
				removeDir(root);
			}
		},
	};
}

/** Runs `fn`, asserts it throws a ParseError, and returns it for field checks. */
export function parseErrorOf(fn: () => unknown): ParseError {
	try {
		fn();
	} catch (err) {
		assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
		return err;
	}
	assert.fail('expected a ParseError, but nothing was thrown');
}

/**
 * Every file a registry writes that travels with git: manifests (`.model-ledger/versions/**.yaml`)
 * and event trails (`.model-ledger/events/*.jsonl`).
 */
export function committedRegistryFiles(root: string): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		let names: string[];
		try {
			names = readdirSync(dir);
		} catch {
			return;
		}
		for (const name of names) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (/\.(?:ya?ml|jsonl)$/.test(name)) found.push(path);
		}
	};
	walk(join(root, '.model-ledger', 'versions'));
	walk(join(root, '.model-ledger', 'events'));
	return found;
}

/**
 * Secret tests plant credentials in workspaces; none may ever reach a manifest or an event (which
 * are committed). Call `plant` with each secret and `watch` with each workspace; `assertClean`
 * (in an `after` hook) greps every manifest and event file those workspaces hold for every
 * planted secret and returns how many files it read.
 */
export function plantedSecrets(): { plant(secret: string): string; watch(dir: string): string; assertClean(): number } {
	const secrets = new Set<string>();
	const dirs = new Set<string>();
	return {
		plant(secret) {
			secrets.add(secret);
			return secret;
		},
		watch(dir) {
			dirs.add(dir);
			return dir;
		},
		assertClean() {
			let files = 0;
			for (const dir of dirs) {
				for (const file of committedRegistryFiles(dir)) {
					files++;
					const text = readFileSync(file, 'utf8');
					for (const secret of secrets) {
						if (text.includes(secret)) throw new Error(`${file} holds a planted secret (${secret.slice(0, 6)}…): manifests and events must never contain one.`);
					}
				}
			}
			return files;
		},
	};
}

/** Runs the bundled CLI (dist/cli.js) in cwd with an isolated git environment. */
export function runCli(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
	// 200 columns: these tests read the tables' content; cutting cells to the terminal width is tested in format.test.ts.
	return runCliColumns(200, cwd, ...args);
}

/** runCli with tables `columns` wide (a cell listing dozens of refs needs more than 200). */
export function runCliColumns(columns: number, cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), ...args], { cwd, env: { ...isolatedGitEnv(), COLUMNS: String(columns) }, encoding: 'utf8' });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
