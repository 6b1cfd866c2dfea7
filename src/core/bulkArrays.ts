// Array operations on user-sized data without spreading it into function arguments:
// `push(...items)` and `Math.max(...items)` pass every element on the stack, and past roughly
// 100,000 elements V8 throws "Maximum call stack size exceeded" (a 700,000-key JSON did).
// ESLint forbids spread arguments in src/ (no-restricted-syntax); these are the replacements.

/** Appends every item to `target` (in place) and returns it. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
	for (const item of items) target.push(item);
	return target;
}

/** The largest of the numbers, or `empty` when there are none. */
export function maxOf(numbers: Iterable<number>, empty = -Infinity): number {
	let max: number | undefined;
	for (const n of numbers) if (max === undefined || n > max) max = n;
	return max ?? empty;
}

/** The smallest of the numbers, or `empty` when there are none. */
export function minOf(numbers: Iterable<number>, empty = Infinity): number {
	let min: number | undefined;
	for (const n of numbers) if (min === undefined || n < min) min = n;
	return min ?? empty;
}
