// "Did you mean …?": the known name closest to a mistyped one, so every "unknown X" error can offer it.

/** The candidate nearest to `name` by edit distance, when it is close enough to be a typo; else undefined. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
	const lower = name.toLowerCase();
	let best: { candidate: string; distance: number } | undefined;
	for (const candidate of candidates) {
		const distance = editDistance(lower, candidate.toLowerCase());
		if (!best || distance < best.distance) best = { candidate, distance };
	}
	// A third of the name's length (at least 2) separates a typo from a different name.
	if (!best || best.distance > Math.max(2, Math.floor(name.length / 3))) return undefined;
	return best.candidate;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`zpehyr` → `zephyr`). */
function editDistance(a: string, b: string): number {
	const rows = a.length + 1;
	const cols = b.length + 1;
	const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i < rows; i++) {
		for (let j = 1; j < cols; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
		}
	}
	return d[a.length][b.length];
}
