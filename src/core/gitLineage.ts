// Code lineage of a snapshot: HEAD commit, branch, remote, dirty flag and the uncommitted patch.
// Dirty means tracked files differ from HEAD (staged or not) outside .model-ledger/; untracked
// files do not count. A folder that is not a git repository has no lineage, which is not an error.
import { userInfo } from 'node:os';
import type { SimpleGit, SimpleGitFactory } from 'simple-git';
import type { Author } from './model';

export interface WorkspaceLineage {
	commit: string | null;
	branch: string | null;
	remote: string | null;
	dirty: boolean;
	/** `git diff HEAD --binary` of tracked changes, relative to the repository root; empty when clean. */
	patch: string;
	author: Author;
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

function gitFor(root: string): SimpleGit {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { simpleGit } = require('simple-git') as { simpleGit: SimpleGitFactory };
	return simpleGit({ baseDir: root, maxConcurrentProcesses: 4, trimmed: false });
}

/** Reads the lineage of the workspace at `root`. */
export async function readLineage(root: string): Promise<WorkspaceLineage> {
	if (gitDisabled) return { commit: null, branch: null, remote: null, dirty: false, patch: '', author: osAuthor() };
	const git = gitFor(root);
	let isRepo = false;
	try {
		isRepo = await git.checkIsRepo();
	} catch {
		isRepo = false;
	}
	if (!isRepo) return { commit: null, branch: null, remote: null, dirty: false, patch: '', author: osAuthor() };

	const [commit, branch, remote, author] = await Promise.all([
		git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).then((s) => s.trim() || null, () => null),
		git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).then((s) => s.trim() || null, () => null),
		readRemote(git),
		readAuthor(git),
	]);
	let patch = '';
	let dirty = false;
	if (commit) {
		// Paths are relative to the repository root: `git apply` there re-applies the patch to the commit.
		patch = await git.raw(['diff', 'HEAD', '--binary', '--no-color', '--no-ext-diff', '--', '.', EXCLUDE_LEDGER]);
		dirty = patch.length > 0;
	} else {
		// Unborn branch: anything staged is uncommitted work.
		const staged = await git.raw(['diff', '--cached', '--name-only', '--', '.', EXCLUDE_LEDGER]).catch(() => '');
		dirty = staged.trim().length > 0;
	}
	return { commit, branch, remote, dirty, patch, author };
}

async function readRemote(git: SimpleGit): Promise<string | null> {
	try {
		const remotes = await git.getRemotes(true);
		const chosen = remotes.find((r) => r.name === 'origin') ?? remotes[0];
		return chosen ? stripCredentials(chosen.refs.fetch || chosen.refs.push) : null;
	} catch {
		return null;
	}
}

/** Never record a token that someone put in a remote URL. */
export function stripCredentials(url: string): string {
	return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]+@/i, '$1');
}

async function readAuthor(git: SimpleGit): Promise<Author> {
	const [name, email] = await Promise.all([
		git.raw(['config', '--get', 'user.name']).then((s) => s.trim(), () => ''),
		git.raw(['config', '--get', 'user.email']).then((s) => s.trim(), () => ''),
	]);
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
