// Plain-text rendering for the terminal: aligned tables.

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function renderTable(headers: string[], rows: string[][]): string {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) =>
		cells
			.map((c, i) => (i === cells.length - 1 ? c : (c ?? '').padEnd(widths[i])))
			.join('  ')
			.trimEnd();
	return [line(headers), ...rows.map(line)].join('\n');
}
