// Recognises dependency lockfiles, whose hashes pin the library versions a model version was made with.
//
// Depth rule: the workspace root and one folder below it (`serving/requirements.txt`). Deeper files
// are usually vendored or example projects; track them with role `other` when they matter.
import { posix } from 'node:path';
import { globSync } from 'tinyglobby';

/** File names that are lockfiles wherever they sit within the depth rule. */
const LOCKFILE_NAMES = [
	'package-lock.json',
	'yarn.lock',
	'pnpm-lock.yaml',
	'poetry.lock',
	'uv.lock',
	'Pipfile.lock',
	'pdm.lock',
	'pixi.lock',
	'environment.yml',
	'environment.yaml',
	'conda-lock.yml',
	'conda-lock.yaml',
	'Cargo.lock',
] as const;

/** Folders never searched: dependencies, environments and our own store. */
export const LOCKFILE_IGNORE: string[] = ['**/node_modules/**', '**/.git/**', '**/.model-ledger/**', '**/.venv/**', '**/venv/**', '**/__pycache__/**'];

const IGNORED_FOLDERS = new Set(['node_modules', '.git', '.model-ledger', '.venv', 'venv', '__pycache__']);

/** Globs (relative to the workspace root, for tinyglobby with {@link LOCKFILE_IGNORE}) that find lockfiles. */
export const LOCKFILE_GLOBS: string[] = [
	...LOCKFILE_NAMES.flatMap((name) => [name, `*/${name}`]),
	'requirements*.txt',
	'*/requirements*.txt',
	// The `requirements/base.txt`, `requirements/dev.txt` layout, at the root only.
	'requirements/*.txt',
];

/** True when a workspace-relative path is a lockfile under the depth rule (root or one folder down). */
export function isLockfile(relPath: string): boolean {
	const parts = relPath.replace(/\\/g, '/').replace(/^\.\//, '').split('/');
	if (parts.length > 2 || parts.some((part) => part === '' || part === '..')) return false;
	const name = parts[parts.length - 1];
	if (parts.length === 2) {
		const folder = parts[0];
		if (IGNORED_FOLDERS.has(folder) || folder.startsWith('.')) return false;
		if (folder === 'requirements' && name.endsWith('.txt')) return true;
	}
	return (LOCKFILE_NAMES as readonly string[]).includes(name) || /^requirements.*\.txt$/.test(name);
}

/** Workspace-relative paths of the lockfiles in a workspace, sorted. */
export function findLockfiles(workspaceRoot: string): string[] {
	const found = globSync(LOCKFILE_GLOBS, { cwd: workspaceRoot, ignore: LOCKFILE_IGNORE, onlyFiles: true, dot: false, expandDirectories: false, followSymbolicLinks: false, deep: 2 });
	return found.map((path) => posix.normalize(path)).filter(isLockfile).sort();
}
