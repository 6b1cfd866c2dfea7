// How numbers from configs and metrics are written for people, the same way in the CLI, hovers and
// the compare view: JavaScript's shortest round-trip digits, but never `5e-7` next to `0.000001`.
// A number is written in plain decimals unless that needs more than MAX_PLAIN_DIGITS digits; in a
// column (a table, a history) one number that needs exponent form puts the whole column in it.

/** Above this many digits (not counting sign and point) a number is written in exponent form. */
export const MAX_PLAIN_DIGITS = 21;

/**
 * The shortest round-trip digits of a number in plain decimal notation (5e-7 → "0.0000005"), or
 * undefined when that needs more than MAX_PLAIN_DIGITS digits or the number is not finite.
 */
export function plainDecimal(n: number): string | undefined {
	if (!Number.isFinite(n)) return undefined;
	const text = String(n);
	const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
	if (!m) return text.replace(/\./, '').replace('-', '').length > MAX_PLAIN_DIGITS ? undefined : text;
	const [, sign, int, frac = '', exp] = m;
	const digits = int + frac;
	const point = int.length + Number(exp);
	let plain: string;
	if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
	else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
	else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
	return plain.replace('.', '').length > MAX_PLAIN_DIGITS ? undefined : sign + plain;
}

/** Exponent notation with the shortest round-trip digits: 5e-7, 1.25e+3, 0. */
function exponentForm(n: number): string {
	if (!Number.isFinite(n)) return String(n);
	return n === 0 ? '0' : n.toExponential();
}

/** One number on its own (not in a table column): plain decimals when short enough, else exponent form. */
export function formatNumber(n: number): string {
	return plainDecimal(n) ?? exponentForm(n);
}

/** A column of numbers in one notation: all plain decimals, or (when one needs it) all exponent form. */
export function formatNumberColumn(numbers: number[]): string[] {
	const exponent = numbers.some((n) => Number.isFinite(n) && plainDecimal(n) === undefined);
	return numbers.map((n) => (exponent ? exponentForm(n) : (plainDecimal(n) ?? String(n))));
}
