// One rule for every command that takes a file PATH (cat, used-by, key-history): like git, a path is
// read relative to the current folder, or to the workspace root, or is absolute inside the workspace.
// A path that leaves the workspace is an error, never a silent guess.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LedgerError } from '../core/errors';

/**
 * A PATH argument as a workspace-relative path (forward slashes). Relative paths are tried from the
 * current folder first, then from the workspace root; the first that exists in the workspace or that
 * `known` recognises (a file some version holds) wins, else the workspace-relative reading.
 */
export function resolvePathArg(root: string, pathArg: string, cwd: string, known: (relPath: string) => boolean = () => false): string {
	const outside = () =>
		new LedgerError({
			code: 'OUTSIDE_WORKSPACE',
			message: `\`${pathArg}\` is outside the workspace ${root}.`,
			fix: 'Give a path inside the workspace: relative to the current folder, relative to the workspace root (where model-ledger.yaml is), or absolute.',
			location: { file: pathArg },
		});
	if (isAbsolute(pathArg)) {
		const rel = insideRel(root, pathArg);
		if (rel === undefined) throw outside();
		return rel;
	}
	const fromCwd = insideRel(root, resolve(cwd, pathArg));
	const fromRoot = insideRel(root, resolve(root, pathArg));
	const candidates = [...new Set([fromCwd, fromRoot].filter((c): c is string => c !== undefined))];
	if (candidates.length === 0) throw outside();
	return candidates.find((c) => known(c) || existsSync(join(root, c))) ?? fromRoot ?? candidates[0];
}

/** `abs` relative to `root` when inside it (through symlinked folders too), else undefined. */
function insideRel(root: string, abs: string): string | undefined {
	const direct = relativeInside(resolve(root), resolve(abs));
	if (direct !== undefined) return direct;
	// /tmp → /private/tmp and other symlinked parents: compare real paths of what exists.
	const real = (p: string) => {
		try {
			return realpathSync.native(p);
		} catch {
			return undefined;
		}
	};
	const realRoot = real(root);
	// A file that no longer exists (cat of a deleted file): its folder's real path plus its name.
	const realAbs = real(abs) ?? join(real(dirname(abs)) ?? dirname(abs), basename(abs));
	return realRoot ? relativeInside(realRoot, realAbs) : undefined;
}

function relativeInside(root: string, abs: string): string | undefined {
	const rel = relative(root, abs);
	if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
	return rel.split(sep).join('/');
}
