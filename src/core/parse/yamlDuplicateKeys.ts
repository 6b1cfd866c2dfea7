// Duplicate mapping keys, found in linear time. The yaml library's own check (`uniqueKeys: true`)
// compares each key with every earlier key of its mapping: a 200,000-key mapping (a planted manifest,
// a big params file) took minutes. Parse with `uniqueKeys: false` and call this instead.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Pair } from 'yaml';

/** The first key (in a depth-first walk) that repeats an earlier key of the same mapping; scalar keys only, `<<` merge keys exempt. */
export function firstDuplicateKey(root: unknown): Pair | undefined {
	const stack: unknown[] = [root];
	while (stack.length) {
		const node = stack.pop();
		if (isMap(node)) {
			// Keyed by value as yaml compares them (1 and "1" differ; the same scalar value is a duplicate).
			const seen = new Set<unknown>();
			for (const pair of node.items) {
				const key = pair.key;
				if (isScalar(key) && key.value !== '<<') {
					if (seen.has(key.value)) return pair as Pair;
					seen.add(key.value);
				}
				stack.push(pair.value);
			}
		} else if (isSeq(node)) {
			for (const item of node.items) stack.push(item);
		}
	}
	return undefined;
}
