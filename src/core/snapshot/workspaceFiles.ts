// Finds the files that make up a model: expands its globs inside the workspace, assigns each file
// one role, and refuses anything that resolves outside the workspace.
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import picomatch from 'picomatch';
import { isEnvTemplate, NEVER_TRACKED_GLOBS, printablePath, unsafeArtifactPath } from '../store/artifactPaths';
import { isExcludeGlob, ROLE_KEYS } from '../parse/workspaceConfig';
import type { ModelConfig } from '../parse/workspaceConfig';
import type { Role } from '../model';

/**
 * Never searched: VCS data and git/CI/editor configuration, the ledger and its config, dependency
 * trees (see artifactPaths.ts: restore refuses the same paths, so a manifest cannot name them).
 */
export const IGNORED_DIRS = NEVER_TRACKED_GLOBS;

export interface ModelFile {
	/** Workspace-relative, forward slashes. */
	path: string;
	role: Role;
}

export interface CollectedFiles {
	files: ModelFile[];
	warnings: string[];
}

/** The files of a model, sorted by path, each with the first role (in ROLE_KEYS order) whose globs match it. */
export function collectModelFiles(root: string, model: ModelConfig): CollectedFiles {
	const warnings: string[] = [];
	const byPath = new Map<string, Role>();
	// Names equal once NFC-normalized (`é` precomposed and decomposed): one file on macOS and the same
	// when printed; a manifest naming both is suspect (duplicateArtifactPath), so the second is skipped.
	const byNfc = new Map<string, string>();
	const realRoot = realpathSync(root);
	const realFolders = new Map<string, string | undefined>();
	for (const [key, role] of ROLE_KEYS) {
		const globs = model.globs[role];
		if (!globs) continue;
		const { include, exclude } = splitGlobs(globs);
		const ignore = [...IGNORED_DIRS, ...exclude];
		for (const glob of include) {
			// A literal path is looked up, not globbed (linear config handling), unless exclusions may take it out.
			const matches = LITERAL_PATH.test(glob) && exclude.length === 0 ? literalMatch(root, glob) : globSync(glob, { cwd: root, dot: true, onlyFiles: true, ignore, followSymbolicLinks: true, expandDirectories: false });
			if (matches.length === 0) {
				warnings.push(`${model.name}: \`${key}: ${glob}\` matches no file.`);
				continue;
			}
			for (const match of matches) {
				const path = match.split(sep).join('/');
				if (byPath.has(path)) continue;
				if (isSecretsFile(path)) {
					warnings.push(`${model.name}: skipped ${path}: .env files hold secrets and are never stored.`);
					continue;
				}
				const unsafe = unsafeArtifactPath(path);
				if (unsafe) {
					warnings.push(`${model.name}: skipped ${printablePath(path)}: ${unsafe}; rename it to store it.`);
					continue;
				}
				const outside = placeOf(realRoot, resolve(root, path), realFolders);
				if (outside === GONE) {
					// Node decodes names as UTF-8: a name in another encoding comes back altered and cannot be opened.
					warnings.push(`${model.name}: skipped ${path}: its name is not valid UTF-8 (or it vanished while listing); rename it to store it.`);
					continue;
				}
				if (outside) {
					warnings.push(`${model.name}: skipped ${path}: it is a link to ${outside}, outside the workspace.`);
					continue;
				}
				const twin = byNfc.get(path.normalize('NFC'));
				if (twin !== undefined) {
					warnings.push(`${model.name}: skipped ${printablePath(path)}: it is the same name as ${printablePath(twin)} in another Unicode form (NFC/NFD), one file on macOS; rename one of them to store it.`);
					continue;
				}
				byNfc.set(path.normalize('NFC'), path);
				byPath.set(path, role);
			}
		}
	}
	const files = [...byPath].map(([path, role]) => ({ path, role })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	return { files, warnings };
}

// A glob without any pattern character names one file: it is looked up, not searched for. (Each
// search lists the glob's base folder, so 1,000 models naming files in one folder listed it 1,000 times.)
const LITERAL_PATH = /^[^*?[\]{}()!+@\\]+$/;
let ignoredMatcher: ((path: string) => boolean) | undefined;

/** What globSync would return for a glob that is a plain path: the file itself, or nothing. */
function literalMatch(root: string, path: string): string[] {
	const rel = path.replace(/^\.\//, '');
	ignoredMatcher ??= picomatch(IGNORED_DIRS, { dot: true });
	if (ignoredMatcher(rel)) return [];
	try {
		// stat follows links, as the search does (followSymbolicLinks); a folder is not a file match.
		return statSync(resolve(root, rel)).isFile() ? [rel] : [];
	} catch {
		return [];
	}
}

/**
 * Whether the model's globs track a workspace path, by the rules collectModelFiles applies (for
 * hovers and decorations, and for restore: a manifest cannot widen what a model owns).
 */
export function modelMatcher(model: ModelConfig): (path: string) => boolean {
	const roles = Object.values(model.globs).map((globs) => {
		const { include, exclude } = splitGlobs(globs);
		return include.length ? picomatch(include, { dot: true, ignore: [...IGNORED_DIRS, ...exclude] }) : () => false;
	});
	return (path) => roles.some((isMatch) => isMatch(path)) && !isSecretsFile(path) && unsafeArtifactPath(path) === undefined;
}

/** A role's globs as written, split into what they include and what `!glob` takes out again. */
export function splitGlobs(globs: readonly string[]): { include: string[]; exclude: string[] } {
	return {
		include: globs.filter((g) => !isExcludeGlob(g)),
		exclude: globs.filter(isExcludeGlob).map((g) => g.slice(1)),
	};
}

/** `.env`, `.env.local`, `.env.production.local`, … anywhere in the tree; not `.env.example`/`.sample`/`.template`. */
export function isSecretsFile(path: string): boolean {
	const name = path.split('/').pop() ?? path;
	return (name === '.env' || name.startsWith('.env.')) && !isEnvTemplate(name);
}

const GONE = Symbol('gone');

/**
 * Where a listed file really is: GONE when it cannot be opened (vanished, a dangling link, a name that is
 * not valid UTF-8), its real path when that is outside `realRoot`, else undefined. A file that is not a
 * link is where its folder really is: one lstat per file and one realpath per folder (kept in `folders`),
 * instead of a stat and a realpath (a syscall per path segment) per file.
 */
function placeOf(realRoot: string, absPath: string, folders: Map<string, string | undefined>): typeof GONE | string | undefined {
	let link: boolean;
	try {
		link = lstatSync(absPath).isSymbolicLink();
	} catch {
		return GONE;
	}
	if (link) return existsSync(absPath) ? escapesWorkspace(realRoot, absPath) : GONE;
	const folder = dirname(absPath);
	if (!folders.has(folder)) {
		let real: string | undefined;
		try {
			real = realpathSync.native(folder);
		} catch {
			real = undefined;
		}
		folders.set(folder, real);
	}
	const realFolder = folders.get(folder);
	if (realFolder === undefined) return GONE;
	const real = join(realFolder, basename(absPath));
	const rel = relative(realRoot, real);
	if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return undefined;
	return real;
}

/** The real target when `absPath` resolves outside `realRoot` (through a symlink), else undefined. */
export function escapesWorkspace(realRoot: string, absPath: string): string | undefined {
	let real: string;
	try {
		// The native realpath is one call; the JS one lstats every path component (~10× slower for thousands of files).
		real = realpathSync.native(absPath);
	} catch {
		return undefined;
	}
	const rel = relative(realRoot, real);
	if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return undefined;
	return real;
}

/** Resolves a workspace-relative path, refusing any that leaves the workspace (`..`, absolute). */
export function confinedPath(root: string, relPath: string): string | undefined {
	if (relPath === '' || isAbsolute(relPath) || relPath.split(/[\\/]/).includes('..')) return undefined;
	const abs = resolve(root, relPath);
	const rel = relative(resolve(root), abs);
	if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
	return abs;
}
