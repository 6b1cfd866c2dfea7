// Plain-text rendering for the terminal: aligned tables that fit the terminal's width.
//
// Decisions (README, "Output"):
// - A cell is one line: line breaks and other control characters in it are written as `\n`, `\e`, ….
// - The table fits the width of the terminal (stdout's columns); when stdout is not a terminal, the
//   width is $COLUMNS when set, else 100. The widest columns are cut first, each cut cell ending in
//   `…`, except a path, cut in its middle so its file name stays. `--json` always has the full values.
// - Numbers in one column are written the same way (src/core/numberText.ts): plain decimals
//   (0.0000005 next to 0.000001), or the whole column in exponent form when one would be too long.
import { oneLine } from '../core/displayText';
import { formatNumberColumn } from '../core/numberText';

/** A table cell: text, or a number that is formatted together with the other numbers of its column. */
export type Cell = string | number;

/** Width used when stdout is not a terminal and $COLUMNS is not set. */
export const DEFAULT_TABLE_WIDTH = 100;
/** A column is never cut narrower than this (or its header, when shorter). */
const MIN_COLUMN = 8;
const GAP = '  ';

let widthOverride: number | undefined;

/** The width tables are fitted to (see the decisions above). */
export function tableWidth(): number {
	if (widthOverride !== undefined) return widthOverride;
	if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
	const env = Number(process.env.COLUMNS);
	return Number.isInteger(env) && env > 0 ? env : DEFAULT_TABLE_WIDTH;
}

/** For tests: fit tables to this width (undefined: back to the terminal's). */
export function setTableWidth(width: number | undefined): void {
	widthOverride = width;
}

/** Left-aligned columns separated by two spaces, fitted to the width; the last column is not padded. */
export function renderTable(headers: string[], rows: Cell[][], width: number = tableWidth()): string {
	const columns = headers.map((_, i) => formatColumn(rows.map((r) => r[i] ?? '')));
	const text = rows.map((_, r) => columns.map((column) => column[r]));
	const natural = headers.map((h, i) => {
		let w = h.length;
		for (const cell of columns[i]) if (cell.length > w) w = cell.length;
		return w;
	});
	const widths = fitWidths(natural, headers, width);
	const line = (cells: string[]) =>
		cells
			.map((c, i) => {
				const cut = c.length > widths[i] ? cutCell(c, widths[i], PATH_HEADERS.has(headers[i])) : c;
				return i === cells.length - 1 ? cut : cut.padEnd(widths[i]);
			})
			.join(GAP)
			.trimEnd();
	const out = [line(headers.map(oneLine))];
	for (const cells of text) out.push(line(cells));
	return out.join('\n');
}

/** Columns of file paths: a cut keeps the file's name and cuts the middle of the path. */
const PATH_HEADERS = new Set(['PATH', 'FILE']);

/**
 * `text` cut to `width` with `…`: the end is cut, except in a path, which keeps its last segments
 * (`prompts/…/ner/ner_openai.jinja`): two files of one folder must stay told apart.
 */
function cutCell(text: string, width: number, isPath: boolean): string {
	if (width < 2) return text.slice(0, width);
	if (!isPath) return text.slice(0, width - 1) + '…';
	const name = text.slice(text.lastIndexOf('/') + 1);
	// The file's name whole when it fits, with the path's start in what a third of the width leaves.
	const tail = Math.min(text.length, Math.max(name.length + 1, Math.ceil((width - 1) * (2 / 3))), width - 1);
	return text.slice(0, width - 1 - tail) + '…' + text.slice(text.length - tail);
}

/**
 * Column widths that fit `width`: when the natural widths are too wide, every column wider than a
 * common cap is cut to it, the cap chosen as large as fits (the narrow columns stay whole).
 */
function fitWidths(natural: number[], headers: string[], width: number): number[] {
	const gaps = GAP.length * (natural.length - 1);
	const total = natural.reduce((sum, w) => sum + w, 0) + gaps;
	if (total <= width) return natural;
	const floor = (i: number) => Math.min(natural[i], Math.max(MIN_COLUMN, headers[i].length));
	let low = 0;
	let high = natural.reduce((max, w) => (w > max ? w : max), 0);
	const used = (cap: number) => natural.reduce((sum, w, i) => sum + Math.max(floor(i), Math.min(w, cap)), 0) + gaps;
	while (low < high) {
		const mid = Math.ceil((low + high) / 2);
		if (used(mid) <= width) low = mid;
		else high = mid - 1;
	}
	return natural.map((w, i) => Math.max(floor(i), Math.min(w, low)));
}

/** The cells of one column as text: strings on one line, numbers in one notation. */
function formatColumn(cells: Cell[]): string[] {
	const numbers = formatNumberColumn(cells.filter((c): c is number => typeof c === 'number'));
	let next = 0;
	return cells.map((c) => (typeof c === 'number' ? numbers[next++] : oneLine(c)));
}
