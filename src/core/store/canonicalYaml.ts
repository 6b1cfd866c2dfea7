// Canonical YAML for manifests, written directly: keys sorted, block style, two-space indent, no
// anchors. The general `yaml` stringifier takes hundreds of milliseconds for a manifest of a few
// thousand files (it builds a document tree first); this writes the same shapes in a few
// milliseconds. Strings that could read back as anything but themselves are written as JSON
// double-quoted strings, which are valid YAML, so `parse(canonicalYaml(x))` deep-equals x.

type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };

/** Plain scalars we write unquoted: start with a letter, `_` or `/`, then only path-like characters. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
/** Words YAML 1.1 or 1.2 readers turn into booleans or null: always quoted. */
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|nan|inf)$/i;

/** YAML text of a JSON-like value (objects with sorted keys), ending with a newline. */
export function canonicalYaml(value: Value): string {
	// One string grown with `+=` (V8 keeps it as a rope until it is read): 3–5× faster than pushing
	// ~200,000 pieces to an array and joining them, for a 1 MB manifest of 2,000 files.
	written = '';
	if (isMap(value)) {
		const keys = sortedKeys(value);
		if (keys.length === 0) return '{}\n';
		writeMap(value, keys, '');
	} else if (Array.isArray(value)) {
		if (value.length === 0) return '[]\n';
		writeSeq(value, '');
	} else {
		written += scalar(value) + '\n';
	}
	const text = written;
	written = '';
	return text;
}

/** The text being written (synchronous, never re-entered: one module-level string is the fastest to grow). */
let written = '';

function isMap(value: Value): value is { [key: string]: Value } {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sortedKeys(map: { [key: string]: Value }): string[] {
	return Object.keys(map)
		.filter((k) => map[k] !== undefined)
		.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function writeMap(map: { [key: string]: Value }, keys: string[], indent: string): void {
	for (const key of keys) {
		written += indent + string(key) + ':';
		writeChild(map[key], indent, false);
	}
}

function writeSeq(seq: Value[], indent: string): void {
	for (const item of seq) {
		written += indent + '-';
		writeChild(item === undefined ? null : item, indent, true);
	}
}

/** A value after `key:` or `-`: inline for scalars and empty collections, else on the next lines. */
function writeChild(value: Value, indent: string, inSeq: boolean): void {
	if (isMap(value)) {
		const keys = sortedKeys(value);
		if (keys.length === 0) {
			written += ' {}\n';
		} else if (inSeq) {
			// `- key: value` with the other keys aligned under the first.
			const inner = indent + '  ';
			written += ' ' + string(keys[0]) + ':';
			writeChild(value[keys[0]], inner, false);
			writeMap(value, keys.slice(1), inner);
		} else {
			written += '\n';
			writeMap(value, keys, indent + '  ');
		}
	} else if (Array.isArray(value)) {
		if (value.length === 0) {
			written += ' []\n';
		} else {
			written += '\n';
			writeSeq(value, indent + '  ');
		}
	} else {
		written += ' ' + scalar(value) + '\n';
	}
}

function scalar(value: Value): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') {
		if (Number.isNaN(value)) return '.nan';
		if (value === Infinity) return '.inf';
		if (value === -Infinity) return '-.inf';
		return Object.is(value, -0) ? '-0.0' : String(value);
	}
	return string(value as string);
}

function string(text: string): string {
	return PLAIN.test(text) && !RESERVED.test(text) ? text : JSON.stringify(text);
}

// --- reading ---------------------------------------------------------------------------------------

/** Plain scalars that read back as numbers the same way under the yaml package's core schema. */
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

/**
 * Reads text written by canonicalYaml (a strict subset of YAML) in one pass over its lines. Returns
 * undefined for anything outside that subset — comments, block scalars, other quoting, anchors,
 * duplicate keys — so the caller falls back to a full YAML parser: whatever this accepts, the yaml
 * package reads as the same value.
 */
export function parseCanonicalYaml(text: string): unknown {
	if (!text.endsWith('\n')) return undefined;
	const lines = text.slice(0, -1).split('\n');
	const reader = new LineReader(lines);
	try {
		if (lines.length === 1 && (lines[0] === '{}' || lines[0] === '[]')) return lines[0] === '{}' ? {} : [];
		const value = reader.block(0);
		return reader.at === lines.length ? value : undefined;
	} catch (err) {
		if (err === NOT_CANONICAL) return undefined;
		throw err;
	}
}

const NOT_CANONICAL = new Error('not canonical YAML');

class LineReader {
	at = 0;
	constructor(private readonly lines: string[]) {}

	/** A map or sequence whose lines start at exactly `indent` spaces. */
	block(indent: number): Value {
		const line = this.lines[this.at];
		if (line === undefined || indentOf(line) !== indent) throw NOT_CANONICAL;
		return line[indent] === '-' ? this.seq(indent) : this.map(indent, indent);
	}

	/** Map entries at `indent`; the first may start at column `firstColumn` (after `- `). */
	map(indent: number, firstColumn: number): { [key: string]: Value } {
		const map: { [key: string]: Value } = {};
		let column = firstColumn;
		for (;;) {
			const line = this.lines[this.at];
			const [key, rest] = splitKey(line, column);
			if (Object.prototype.hasOwnProperty.call(map, key) || key === '__proto__') throw NOT_CANONICAL;
			this.at++;
			map[key] = rest === '' ? this.block(indent + 2) : inline(rest);
			const next = this.lines[this.at];
			if (next === undefined || indentOf(next) !== indent || next[indent] === '-') return map;
			column = indent;
		}
	}

	seq(indent: number): Value[] {
		const seq: Value[] = [];
		for (;;) {
			const line = this.lines[this.at];
			if (line === undefined || indentOf(line) !== indent || line[indent] !== '-') return seq;
			if (line.length === indent + 1) {
				this.at++;
				seq.push(this.block(indent + 2));
			} else {
				if (line[indent + 1] !== ' ') throw NOT_CANONICAL;
				const rest = line.slice(indent + 2);
				if (startsMapEntry(rest)) {
					seq.push(this.map(indent + 2, indent + 2));
				} else {
					this.at++;
					seq.push(inline(rest));
				}
			}
		}
	}
}

function indentOf(line: string): number {
	let n = 0;
	while (line.charCodeAt(n) === 32) n++;
	return n;
}

/** `key:` or `key: value` starting at `column`; returns the key and what follows `: ` ('' when nothing). */
function splitKey(line: string | undefined, column: number): [string, string] {
	// Callers have checked what precedes `column` (the indentation, or `- `).
	if (line === undefined) throw NOT_CANONICAL;
	let end: number;
	let key: string;
	if (line[column] === '"') {
		end = quotedEnd(line, column);
		key = readQuoted(line.slice(column, end));
	} else {
		end = line.indexOf(':', column);
		if (end < 0) throw NOT_CANONICAL;
		key = line.slice(column, end);
		if (!PLAIN.test(key) || RESERVED.test(key)) throw NOT_CANONICAL;
	}
	if (line[end] !== ':') throw NOT_CANONICAL;
	if (end + 1 === line.length) return [key, ''];
	if (line[end + 1] !== ' ' || end + 2 === line.length) throw NOT_CANONICAL;
	return [key, line.slice(end + 2)];
}

function startsMapEntry(rest: string): boolean {
	if (rest[0] === '"') {
		const end = quotedEnd(rest, 0);
		return rest[end] === ':';
	}
	const colon = rest.indexOf(':');
	return colon > 0 && PLAIN.test(rest.slice(0, colon));
}

/** Index just past the closing quote of a JSON string starting at `start`. */
function quotedEnd(line: string, start: number): number {
	for (let i = start + 1; i < line.length; i++) {
		const c = line[i];
		if (c === '\\') i++;
		else if (c === '"') return i + 1;
	}
	throw NOT_CANONICAL;
}

function readQuoted(token: string): string {
	try {
		return JSON.parse(token) as string;
	} catch {
		throw NOT_CANONICAL;
	}
}

function inline(text: string): Value {
	if (text === '{}') return {};
	if (text === '[]') return [];
	if (text[0] === '"') {
		if (quotedEnd(text, 0) !== text.length) throw NOT_CANONICAL;
		return readQuoted(text);
	}
	if (text === 'true') return true;
	if (text === 'false') return false;
	if (text === 'null') return null;
	if (text === '.nan') return NaN;
	if (text === '.inf') return Infinity;
	if (text === '-.inf') return -Infinity;
	if (text === '-0.0') return -0;
	if (NUMBER.test(text)) return Number(text);
	if (PLAIN.test(text) && !RESERVED.test(text)) return text;
	throw NOT_CANONICAL;
}
