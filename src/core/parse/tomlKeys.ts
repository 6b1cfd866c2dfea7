// The key path under the cursor in a TOML text, spelled as flattenValues spells the keys it indexes
// (`eval.datasets[1].split`, `model."name.with.dots"`), so a hover can look its history up in index.db.
// A line scanner, not a parser: it follows table headers (`[a.b]`, `[[a.b]]` with their index),
// dotted and quoted keys, and values that span lines (arrays, inline tables, multi-line strings);
// it tolerates a half-typed document (a line it cannot read is skipped).
import type { Scalar } from '../model';
import { flattenValues, keySegment, parseStructured } from './structuredFiles';
import type { KeyAtOffset } from './yamlKeys';

interface Line {
	start: number;
	text: string;
}

/** The key path at a character offset of a TOML text, or undefined on blank lines, comments or unreadable lines. */
export function tomlKeyPathAt(text: string, offset: number): KeyAtOffset | undefined {
	const lines: Line[] = [];
	let start = 0;
	for (const text2 of text.split('\n')) {
		lines.push({ start, text: text2 });
		start += text2.length + 1;
	}
	let table = '';
	// Array-of-tables header (dotted, as written) → its current index.
	const arrays = new Map<string, number>();
	for (let i = 0; i < lines.length; i++) {
		const { start: lineStart, text: line } = lines[i];
		const header = /^(\s*)(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
		if (header) {
			const segments = splitKey(header[3]);
			if (!segments) continue;
			const isArray = header[2] === '[[';
			const dotted = segments.join('\0');
			if (isArray) arrays.set(dotted, (arrays.get(dotted) ?? -1) + 1);
			table = tablePath(segments, arrays);
			const keyStart = lineStart + header[1].length;
			const keyEnd = lineStart + line.replace(/\s*(#.*)?$/, '').length;
			if (offset >= lineStart && offset <= lineStart + line.length) return table ? { path: table, range: [keyStart, keyEnd], keyRange: [keyStart, keyEnd], leaf: false } : undefined;
			continue;
		}
		const pair = /^(\s*)((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=\s*/.exec(line);
		if (!pair) continue;
		const segments = splitKey(pair[2]);
		if (!segments) continue;
		// The value may continue on the next lines: an open array, inline table or multi-line string.
		let end = i;
		let valueText = line.slice(pair[0].length);
		while (end + 1 < lines.length && !valueComplete(valueText)) {
			end++;
			valueText += `\n${lines[end].text}`;
		}
		const pairEnd = lines[end].start + lines[end].text.length;
		const keyStart = lineStart + pair[1].length;
		const keyEnd = keyStart + pair[2].length;
		if (offset >= lineStart && offset <= pairEnd) {
			const path = segments.reduce((p, s) => keySegment(p, s), table);
			const value = leafValue(valueText);
			const rangeEnd = lineStart + line.replace(/\s*(#[^"']*)?$/, '').length;
			if (value === undefined) return { path, range: [keyStart, end === i ? rangeEnd : pairEnd], keyRange: [keyStart, keyEnd], leaf: false };
			return { path, range: [keyStart, rangeEnd], keyRange: [keyStart, keyEnd], leaf: true, value };
		}
		i = end;
	}
	return undefined;
}

/** `a."b.c".d` → ['a', 'b.c', 'd']; undefined when a quote is unclosed. */
function splitKey(text: string): string[] | undefined {
	const segments: string[] = [];
	const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
	let at = 0;
	while (at < text.length) {
		re.lastIndex = at;
		const m = re.exec(text);
		if (!m) return undefined;
		segments.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) as string : (m[2] ?? m[3]));
		at = re.lastIndex;
		if (m[4] === '') break;
	}
	return segments.length ? segments : undefined;
}

/** A header's path: every enclosing array of tables contributes its current index (`a[2].b`). */
function tablePath(segments: string[], arrays: Map<string, number>): string {
	let path = '';
	for (let i = 0; i < segments.length; i++) {
		path = keySegment(path, segments[i]);
		const index = arrays.get(segments.slice(0, i + 1).join('\0'));
		if (index !== undefined) path += `[${index}]`;
	}
	return path;
}

/** Brackets and braces balanced and no multi-line string left open (strings' contents ignored). */
function valueComplete(value: string): boolean {
	let depth = 0;
	for (let i = 0; i < value.length; i++) {
		const c = value[i];
		if (value.startsWith('"""', i) || value.startsWith("'''", i)) {
			const close = value.indexOf(value.slice(i, i + 3), i + 3);
			if (close < 0) return false;
			i = close + 2;
		} else if (c === '"' || c === "'") {
			const close = c === '"' ? /"((?:[^"\\\n]|\\.)*)"/y : /'[^'\n]*'/y;
			close.lastIndex = i;
			if (!close.exec(value)) return true;
			i = close.lastIndex - 1;
		} else if (c === '#') {
			const nl = value.indexOf('\n', i);
			if (nl < 0) break;
			i = nl;
		} else if (c === '[' || c === '{') depth++;
		else if (c === ']' || c === '}') depth--;
	}
	return depth <= 0;
}

/** A scalar value as the index records it; undefined for arrays and inline tables (their keys are under it). */
function leafValue(valueText: string): Scalar | undefined {
	try {
		const flat = flattenValues(parseStructured('value.toml', `v = ${valueText}`));
		return Object.prototype.hasOwnProperty.call(flat, 'v') ? flat.v : undefined;
	} catch {
		return undefined;
	}
}
