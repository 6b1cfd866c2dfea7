// A reader for the plainest YAML: block mappings of plain keys and one-line scalars, which is what
// most hand-written and generated configs are (`section:` / `  chunk_size: 512` / `  model: gpt-4o`).
// It gives exactly what the yaml library gives for such a text under the options parseStructured
// uses (the 1.2 core schema, integers as bigint), without building the library's document tree: in
// a CPU profile of a snapshot of 2,000 small files, parsing its 20 YAML configs with the library was
// ~18% of the whole process. Anything else — sequences, flow collections, block scalars, anchors,
// aliases, tags, quoted keys, escapes, multi-line scalars, tabs, CR, a repeated key, a key the core
// schema would not read as a string, a value that is not clearly one type — returns undefined, and
// the caller reads the text with the library (errors, warnings and positions come from there).

/** A key that is a plain string under the core schema: a letter or `_` first (never a number), no indicator. */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*):(?: +(.*))?$/;
/** Keys the core schema reads as null or a boolean, and one JavaScript objects treat specially. */
const NOT_A_STRING_KEY = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
// The core schema's decimal int and its two float forms (octal, hex, .inf and .nan are left to the library).
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** A plain scalar that can only be a string: a letter or `_` first, then no indicator, quote, `:` or `#`. */
const PLAIN_STRING = /^[A-Za-z_][A-Za-z0-9_ .\/@+=,~%()-]*$/;
const DOUBLE_QUOTED = /^"([^"\\]*)"(?: +#.*)? *$/;
const SINGLE_QUOTED = /^'([^']*)'(?: +#.*)? *$/;

type Mapping = Record<string, unknown>;

/** The value of a plain-mappings YAML text (BOM already removed), or undefined when it is anything more. */
export function readPlainYaml(text: string): Mapping | undefined {
	// Tabs, CR, other control characters and the Unicode line breaks: the library's rules for them, not these.
	if (/[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/.test(text)) return undefined;
	const root: Mapping = {};
	/** Open mappings, innermost last, with the indentation of their keys. */
	const open: Array<{ indent: number; map: Mapping }> = [{ indent: 0, map: root }];
	/** A `key:` without a value: a mapping follows (more indented) or it is null. */
	let pending: { map: Mapping; key: string; indent: number } | undefined;
	let keys = 0;
	let start = 0;
	while (start <= text.length) {
		let end = text.indexOf('\n', start);
		if (end === -1) end = text.length;
		const line = text.slice(start, end);
		start = end + 1;
		let indent = 0;
		while (line.charCodeAt(indent) === 32) indent++;
		if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
		const match = KEY_LINE.exec(line.slice(indent));
		if (!match) return undefined;
		const [, key, raw = ''] = match;
		// The library refuses an implicit key whose `:` is more than 1024 characters from its start.
		if (key.length > 1000 || NOT_A_STRING_KEY.test(key)) return undefined;
		if (pending) {
			if (indent > pending.indent) {
				const child: Mapping = {};
				pending.map[pending.key] = child;
				open.push({ indent, map: child });
			} else pending.map[pending.key] = null;
			pending = undefined;
		}
		while (open[open.length - 1].indent > indent) open.pop();
		const { indent: level, map } = open[open.length - 1];
		if (level !== indent || Object.prototype.hasOwnProperty.call(map, key)) return undefined;
		keys++;
		if (raw === '' || raw[0] === '#') {
			pending = { map, key, indent };
			continue;
		}
		const value = scalar(raw);
		if (value === NOT_PLAIN) return undefined;
		map[key] = value;
	}
	if (pending) pending.map[pending.key] = null;
	// An empty document is null to the library, not {}.
	return keys > 0 ? root : undefined;
}

const NOT_PLAIN = Symbol('not plain');

/** A one-line value as the core schema reads it, or NOT_PLAIN. */
function scalar(raw: string): unknown {
	if (raw[0] === '"') {
		const m = DOUBLE_QUOTED.exec(raw);
		return m ? m[1] : NOT_PLAIN;
	}
	if (raw[0] === "'") {
		const m = SINGLE_QUOTED.exec(raw);
		return m ? m[1] : NOT_PLAIN;
	}
	// A comment starts at a `#` after a space; a `#` elsewhere is left to the library.
	const comment = raw.indexOf(' #');
	const text = (comment === -1 ? raw : raw.slice(0, comment)).trimEnd();
	if (text === '' || text.includes('#')) return NOT_PLAIN;
	if (NULL.test(text)) return null;
	if (TRUE.test(text)) return true;
	if (FALSE.test(text)) return false;
	if (INT.test(text)) return BigInt(text);
	if (FLOAT.test(text)) return parseFloat(text);
	return PLAIN_STRING.test(text) ? text : NOT_PLAIN;
}
