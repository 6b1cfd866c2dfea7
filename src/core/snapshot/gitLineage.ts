// Code lineage of a snapshot: HEAD commit, branch, remote, dirty flag and the uncommitted patch.
// Dirty means tracked files differ from HEAD (staged or not) outside .model-ledger/; untracked
// files do not count. A folder that is not a git repository has no lineage, which is not an error.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { userInfo } from 'node:os';
import { LedgerError } from '../errors';
import type { Author } from '../model';

export interface WorkspaceLineage {
	commit: string | null;
	branch: string | null;
	remote: string | null;
	dirty: boolean;
	/**
	 * Tracked files that differ from HEAD (workspace-relative), and whether git sees them as binary.
	 * The patch itself is not read here: it can be hundreds of MB (a modified tracked weights file);
	 * a snapshot streams it to the store with {@link writePatch}.
	 */
	changedFiles: ChangedFile[];
	author: Author;
	/**
	 * Why the workspace is in a git repository but git would not read it (dubious ownership, missing
	 * objects): the version records no commit, and this says so with the fix. Absent when git read
	 * it, or when there is no repository (or git may not run), which is no error.
	 */
	refused?: { message: string; fix: string };
}

export interface ChangedFile {
	path: string;
	binary: boolean;
}

const EXCLUDE_LEDGER = ':(exclude).model-ledger';

let gitDisabled: string | undefined;

/**
 * Stops this process from running git (reason given) or allows it again (undefined). The extension
 * turns git off in an untrusted workspace: its .git/config can make git run commands.
 */
export function setGitDisabled(reason: string | undefined): void {
	gitDisabled = reason;
}

/** Why git may not run in this process, or undefined when it may. */
export function gitDisabledReason(): string | undefined {
	return gitDisabled;
}

/**
 * Runs git in `root` and resolves to its stdout; rejects when it cannot start or exits non-zero. A
 * plain spawn: simple-git, used here before for nothing but this, cost tens of milliseconds to
 * load on every snapshot (its module graph), before the first git process even started.
 */
function gitRaw(root: string, args: string[]): Promise<string> {
	return new Promise((resolveRun, reject) => {
		const child = spawn('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
		const out: Buffer[] = [];
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => out.push(d));
		child.stderr.on('data', (d: Buffer) => {
			if (stderr.length < 4096) stderr += d.toString();
		});
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolveRun(Buffer.concat(out).toString('utf8')) : reject(gitFailure(root, `git ${args[0] === '--no-optional-locks' ? args[1] : args[0]}`, code, stderr))));
	});
}

/**
 * A failed git command as an error that says what to do: git's own words, and the fix for the two
 * ways a working repository stops being readable — a folder owned by another user (containers,
 * mounted volumes: git's `safe.directory` check) and objects missing or damaged (a partial,
 * shallow or interrupted clone).
 */
function gitFailure(root: string, command: string, code: number | null, stderr: string): LedgerError {
	const said = stderr.trim().split('\n')[0] ?? '';
	let fix = `Run \`${command}\` in ${root} to see why, fix what git reports, then try again.`;
	if (/dubious ownership/i.test(stderr)) fix = `git refuses a repository owned by another user. If you trust it: git config --global --add safe.directory '${root.replace(/'/g, "'\\''")}'`;
	else if (/unable to read|bad object|missing (?:blob|tree|commit)|did not receive expected object|is corrupt|invalid object|object file .* is empty|could not read [0-9a-f]{7,}/i.test(stderr)) {
		fix = 'The repository is missing objects or has damaged ones (a partial, shallow or interrupted clone?). `git fsck` lists them; `git fetch` (or a fresh clone) brings them back.';
	}
	return new LedgerError({ code: 'GIT_FAILED', message: `${command} failed (exit ${code}): ${said}`, fix });
}

/** Reads the lineage of the workspace at `root`. */
export async function readLineage(root: string): Promise<WorkspaceLineage> {
	if (gitDisabled) return noLineage();
	const git = { raw: (args: string[]) => gitRaw(root, args) };
	// One round of two processes: status (repository or not, HEAD, branch, whether tracked files
	// changed) and config (author, remotes); the patch only when something changed.
	let refused: WorkspaceLineage['refused'];
	const [status, config] = await Promise.all([
		git
			.raw(['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '--no-ahead-behind', '--untracked-files=no', '--ignore-submodules=none', '--', '.', EXCLUDE_LEDGER])
			.then(parseStatus, (err: unknown) => {
				// Not a repository (or no git at all) is a workspace without lineage; any other refusal is news.
				if (err instanceof LedgerError && !/not a git repository/i.test(err.message)) refused = { message: `git would not read this repository, so no commit is recorded: ${err.message}.`, fix: err.fix ?? '' };
				return undefined;
			}),
		// Exits 1 when no key matches: then there is simply nothing configured.
		git.raw(['config', '-z', '--get-regexp', CONFIG_KEYS]).then(parseConfig, () => new Map<string, string[]>()),
	]);
	if (!status) return refused ? { ...noLineage(), refused } : noLineage();
	const { commit, branch } = status;
	let dirty = status.changed;
	let changedFiles: ChangedFile[] = [];
	if (commit && dirty) {
		// Dirty is what `git diff HEAD` says: a change staged and then undone in the files is not one.
		// --numstat names the files (binary ones as `-\t-`) without sending their contents to us.
		const numstat = await git.raw(['diff', 'HEAD', '--numstat', '-z', '--no-renames', '--relative', '--no-color', '--no-ext-diff', '--', '.', EXCLUDE_LEDGER]);
		changedFiles = parseNumstat(numstat);
		dirty = changedFiles.length > 0;
	}
	// Unborn branch: any entry is a staged file, which is uncommitted work.
	return { commit, branch, remote: chooseRemote(config), dirty, changedFiles, author: authorFrom(config) };
}

/** `--numstat -z --no-renames`: `added\tdeleted\tpath\0` per file; `-\t-` for binary files. */
function parseNumstat(out: string): ChangedFile[] {
	const files: ChangedFile[] = [];
	for (const record of out.split('\0')) {
		const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record.replace(/^\n/, ''));
		if (m) files.push({ path: m[3], binary: m[1] === '-' && m[2] === '-' });
	}
	return files;
}

/**
 * Streams `git diff <base> --binary` (base: the commit the version records; HEAD when not given) of the
 * workspace's tracked changes into the file `dest`, leaving
 * out `exclude` (workspace-relative paths). Paths in the patch are relative to the repository root:
 * `git apply` there re-applies it to the commit. Memory stays bounded whatever the patch's size.
 */
export async function writePatch(root: string, dest: string, exclude: string[], base = 'HEAD'): Promise<void> {
	if (gitDisabled) throw new Error(`git may not run: ${gitDisabled}`);
	const args = ['diff', base, '--binary', '--no-renames', '--no-color', '--no-ext-diff', '--', '.', EXCLUDE_LEDGER, ...exclude.map((p) => `:(exclude,literal)${p}`)];
	const fd = openSync(dest, 'w');
	try {
		await new Promise<void>((resolveRun, reject) => {
			const child = spawn('git', args, { cwd: root, stdio: ['ignore', fd, 'pipe'] });
			let stderr = '';
			child.stderr?.on('data', (d: Buffer) => {
				if (stderr.length < 4096) stderr += d.toString();
			});
			child.on('error', reject);
			child.on('close', (code) => (code === 0 ? resolveRun() : reject(gitFailure(root, `git diff ${base}`, code, stderr))));
		});
	} finally {
		closeSync(fd);
	}
}

function noLineage(): WorkspaceLineage {
	return { commit: null, branch: null, remote: null, dirty: false, changedFiles: [], author: osAuthor() };
}

const CONFIG_KEYS = '^(user\\.(name|email)|remote\\..+\\.(url|pushurl)|url\\..+\\.insteadof)$';

/** `status --porcelain=v2 --branch` headers and entries; undefined when git refuses (not a repository). */
function parseStatus(out: string): { commit: string | null; branch: string | null; changed: boolean } {
	let commit: string | null = null;
	let branch: string | null = null;
	let changed = false;
	for (const line of out.split('\n')) {
		if (line.startsWith('# branch.oid ')) {
			const oid = line.slice('# branch.oid '.length).trim();
			commit = oid === '(initial)' ? null : oid;
		} else if (line.startsWith('# branch.head ')) {
			const head = line.slice('# branch.head '.length).trim();
			branch = head === '(detached)' ? null : head;
		} else if (/^[12u] /.test(line)) {
			changed = true;
		}
	}
	return { commit, branch, changed };
}

/** `config -z --get-regexp` output: key, newline, value, NUL. Keys are lower-cased by git except the subsection. */
function parseConfig(out: string): Map<string, string[]> {
	const values = new Map<string, string[]>();
	for (const entry of out.split('\0')) {
		if (!entry) continue;
		const nl = entry.indexOf('\n');
		const key = nl < 0 ? entry : entry.slice(0, nl);
		const value = nl < 0 ? '' : entry.slice(nl + 1);
		const list = values.get(key);
		if (list) list.push(value);
		else values.set(key, [value]);
	}
	return values;
}

/** origin, else the first remote by name (as `git remote` lists them); its fetch URL as git resolves it. */
function chooseRemote(config: Map<string, string[]>): string | null {
	const remotes = new Map<string, { url?: string; pushurl?: string }>();
	const insteadOf: Array<[from: string, to: string]> = [];
	for (const [key, values] of config) {
		let m = /^remote\.(.+)\.(url|pushurl)$/.exec(key);
		if (m) {
			const remote = remotes.get(m[1]) ?? {};
			// The first value is the fetch URL git uses; `remote -v` lists the first push URL too.
			remote[m[2] as 'url' | 'pushurl'] ??= values[0];
			remotes.set(m[1], remote);
			continue;
		}
		m = /^url\.(.+)\.insteadof$/.exec(key);
		if (m) for (const from of values) insteadOf.push([from, m[1]]);
	}
	const names = [...remotes.keys()].sort();
	const name = remotes.has('origin') ? 'origin' : names[0];
	if (name === undefined) return null;
	const { url, pushurl } = remotes.get(name)!;
	if (url) return stripCredentials(rewriteUrl(url, insteadOf));
	return pushurl ? stripCredentials(pushurl) : null;
}

/** git's url.<base>.insteadOf: the longest matching prefix is replaced. */
function rewriteUrl(url: string, insteadOf: Array<[from: string, to: string]>): string {
	let best: [string, string] | undefined;
	for (const rule of insteadOf) if (url.startsWith(rule[0]) && (!best || rule[0].length > best[0].length)) best = rule;
	return best ? best[1] + url.slice(best[0].length) : url;
}

/** Never record a token that someone put in a remote URL. */
export function stripCredentials(url: string): string {
	return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]+@/i, '$1');
}

function authorFrom(config: Map<string, string[]>): Author {
	// git uses the last value of a key set more than once.
	const name = (config.get('user.name')?.at(-1) ?? '').trim();
	const email = (config.get('user.email')?.at(-1) ?? '').trim();
	if (!name) return osAuthor();
	return email ? { name, email } : { name };
}

/** The author when git does not know one: the OS user. */
export function osAuthor(): Author {
	try {
		return { name: userInfo().username };
	} catch {
		return { name: process.env.USER || process.env.USERNAME || 'unknown' };
	}
}
