// Renames and copies between two sets of files, the way `git diff -M` pairs them: a removed and an
// added file with identical bytes are one rename (100%); otherwise text files whose lines are at
// least half the same (by bytes of the larger file) pair up, best match first.
import { diffLines } from 'diff';

/** Pairs below this similarity (percent) stay an addition and a removal, as in git's default `-M50%`. */
export const RENAME_THRESHOLD = 50;
/** Text larger than this is paired only by identical content (a line diff of it costs too much). */
const MAX_SIMILARITY_BYTES = 1024 * 1024;
/** Above this many removed × added candidates, only identical content is paired (git's rename limit idea). */
const MAX_PAIRS = 2500;

export interface RenameCandidate {
	path: string;
	sha256: string;
	size: number;
}

export interface RenamePair<T extends RenameCandidate> {
	from: T;
	to: T;
	/** Percent of the larger file's bytes that are unchanged lines; 100 for identical content. */
	similarity: number;
}

/**
 * Pairs removed files with added ones. `textOf` returns a file's text, or undefined when it is binary
 * or unreadable (such files pair only by identical content). Each file is in at most one pair.
 */
export function pairRenames<T extends RenameCandidate>(removed: T[], added: T[], textOf: (file: T) => string | undefined): Array<RenamePair<T>> {
	const pairs: Array<RenamePair<T>> = [];
	const usedFrom = new Set<T>();
	const usedTo = new Set<T>();
	// Identical content first; among several candidates the one with the most similar name.
	for (const to of added) {
		const same = removed.filter((from) => !usedFrom.has(from) && from.sha256 === to.sha256);
		if (same.length === 0) continue;
		const from = same.sort((x, y) => nameAffinity(y.path, to.path) - nameAffinity(x.path, to.path))[0];
		usedFrom.add(from);
		usedTo.add(to);
		pairs.push({ from, to, similarity: 100 });
	}
	const restFrom = removed.filter((f) => !usedFrom.has(f) && f.size <= MAX_SIMILARITY_BYTES);
	const restTo = added.filter((t) => !usedTo.has(t) && t.size <= MAX_SIMILARITY_BYTES);
	if (restFrom.length === 0 || restTo.length === 0 || restFrom.length * restTo.length > MAX_PAIRS) return pairs;
	const texts = new Map<T, string | undefined>();
	const text = (f: T): string | undefined => {
		if (!texts.has(f)) texts.set(f, textOf(f));
		return texts.get(f);
	};
	const scored: Array<RenamePair<T>> = [];
	for (const from of restFrom) {
		for (const to of restTo) {
			// Sizes more than 2× apart cannot share half of the larger file's bytes.
			if (Math.max(from.size, to.size) > 2 * Math.min(from.size, to.size)) continue;
			const a = text(from);
			const b = text(to);
			if (a === undefined || b === undefined) continue;
			const similarity = textSimilarity(a, b);
			if (similarity >= RENAME_THRESHOLD) scored.push({ from, to, similarity });
		}
	}
	scored.sort((x, y) => y.similarity - x.similarity || nameAffinity(y.from.path, y.to.path) - nameAffinity(x.from.path, x.to.path));
	for (const pair of scored) {
		if (usedFrom.has(pair.from) || usedTo.has(pair.to)) continue;
		usedFrom.add(pair.from);
		usedTo.add(pair.to);
		pairs.push(pair);
	}
	return pairs;
}

/** Percent (0–100, floored like git) of the larger text's bytes that sit in lines both texts share. */
export function textSimilarity(a: string, b: string): number {
	if (a === b) return 100;
	const larger = Math.max(Buffer.byteLength(a), Buffer.byteLength(b));
	if (larger === 0) return 100;
	let common = 0;
	for (const part of diffLines(a, b)) if (!part.added && !part.removed) common += Buffer.byteLength(part.value);
	return Math.floor((common / larger) * 100);
}

/** Same base name scores highest, then the length of the common path suffix: ties go to the likelier pair. */
function nameAffinity(a: string, b: string): number {
	const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
	let suffix = 0;
	while (suffix < a.length && suffix < b.length && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
	return (base(a) === base(b) ? 10_000 : 0) + suffix;
}
