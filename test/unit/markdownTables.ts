// Reads Markdown tables back the way a renderer does (markdown-it: CommonMark + GFM tables), so tests
// check what a pull request comment would show rather than matching raw text.
import MarkdownIt from 'markdown-it';

/** Every table of a Markdown document as header + rows of cell text, as markdown-it (CommonMark + GFM tables) parses them. */
export function parseTables(markdown: string): Array<{ header: string[]; rows: string[][] }> {
	const tokens = new MarkdownIt().parse(markdown, {});
	const tables: Array<{ header: string[]; rows: string[][] }> = [];
	let current: { header: string[]; rows: string[][] } | undefined;
	let row: string[] | undefined;
	let inHead = false;
	for (const t of tokens) {
		if (t.type === 'table_open') current = { header: [], rows: [] };
		else if (t.type === 'thead_open') inHead = true;
		else if (t.type === 'thead_close') inHead = false;
		else if (t.type === 'tr_open') row = [];
		else if (t.type === 'tr_close' && current && row) {
			if (inHead) current.header = row;
			else current.rows.push(row);
		} else if (t.type === 'inline' && row) row.push((t.children ?? []).map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : '')).join(''));
		else if (t.type === 'table_close' && current) {
			tables.push(current);
			current = undefined;
			row = undefined;
		}
	}
	return tables;
}
