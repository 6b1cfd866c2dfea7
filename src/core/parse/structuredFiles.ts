// Parses YAML/JSON/TOML artifacts and flattens them to key paths, so params, RAG settings and metrics
// can be diffed, indexed and hovered key by key. Parse errors carry file, line and column.
//
// Decisions, because manifests store the result and changing them later changes digests:
// - Key paths: `a.b.c`; list items `a.list[0].name`; a key that is empty or holds `.`, `[`, `]`,
//   quotes, `\` or whitespace is written `a["x.y"]` (JSON string escaping), so paths are unambiguous.
// - Empty mappings / lists are recorded as the strings "{}" / "[]" so adding or emptying a section
//   shows in a diff (a literal string "{}" reads the same; a price we accept).
// - Numbers stay numbers; NaN/±Infinity become "NaN"/"Infinity"/"-Infinity"; integers beyond 2^53
//   (YAML, TOML) become decimal strings; dates become ISO strings (TOML local dates keep their form).
//   JSON integers beyond 2^53 are rounded by JSON.parse before we see them.
// - JSON as Python writes it: `json.dump` emits bare NaN, Infinity and -Infinity by default
//   (allow_nan=True), and eval scripts do. Such a file parses, the tokens read as the strings above;
//   anything else invalid is still an error at its line and column.
// - YAML uses the 1.2 core schema (`yes` is a string, `2001-12-14` is a string) plus `<<` merge keys;
//   one document per file. A key repeated in one mapping takes its last value, as PyYAML (which reads
//   these configs in training code) and most loaders do, with a warning naming file:line of each repeat.
//   (model-ledger.yaml itself is stricter: a repeated key there is an error.)
import { appendAll } from '../bulkArrays';
import { formatBytes } from '../byteSize';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { Document } from 'yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ParseError } from '../errors';
import { readPlainYaml } from './plainYaml';
import { expandedYamlSize, flatKeyCount, HUGE_FILE_KEYS, hugeFileWarning, MAX_EXPANDED_VALUES, MAX_VALUES_BEFORE_TREE, MAX_YAML_FLOW_DEPTH, summaryValues, yamlFlowTooDeep, yamlTokenCounts } from './hugeFiles';
import type { FlatValues, Scalar } from '../model';
import { stripBom } from './textContent';

/** Recorded for an empty mapping so that its presence (and its later filling) shows in a diff. */
export const EMPTY_OBJECT_MARKER = '{}';
/** Recorded for an empty list, for the same reason as {@link EMPTY_OBJECT_MARKER}. */
export const EMPTY_LIST_MARKER = '[]';

const STRUCTURED_EXTENSIONS = ['.yaml', '.yml', '.json', '.toml'] as const;
type StructuredExtension = (typeof STRUCTURED_EXTENSIONS)[number];

const DEFAULT_FIX = 'Fix the syntax at that line, or give the file the role `other` so it is versioned without being parsed.';

/** True for paths this module can parse: `.yaml`, `.yml`, `.json`, `.toml` (case-insensitive). */
export function isStructuredPath(path: string): boolean {
	return structuredExtension(path) !== undefined;
}

function structuredExtension(path: string): StructuredExtension | undefined {
	const lower = path.toLowerCase();
	return STRUCTURED_EXTENSIONS.find((ext) => lower.endsWith(ext));
}

/**
 * Parses a structured file by its extension. Integers too large for a double come back as bigint
 * (YAML, TOML) so no digits are lost. Throws ParseError with file, line and column.
 */
export function parseStructured(relPath: string, text: string, fix: string = DEFAULT_FIX, warnings?: string[]): unknown {
	const source = stripBom(text);
	switch (structuredExtension(relPath)) {
		case '.yaml':
		case '.yml': {
			refuseBigYaml(relPath, source);
			// Most configs are plain block mappings: read without the library's document tree (same values).
			const plain = readPlainYaml(source);
			if (plain !== undefined) return plain;
			return yamlToJs(relPath, parseYamlDocument(relPath, source, fix, warnings), fix);
		}
		case '.json':
			return refuseDeepValue(relPath, parseJson(relPath, source, fix));
		case '.toml':
			return refuseDeepValue(relPath, parseTomlText(relPath, source, fix));
		default:
			throw new ParseError(
				`${relPath} is not a YAML, JSON or TOML file, so it cannot be parsed into keys.`,
				{ file: relPath },
				'Use a .yaml, .yml, .json or .toml file for params, RAG config and metrics, or give the file the role `other`.',
			);
	}
}

/**
 * The value, unless its lists and mappings nest more than MAX_YAML_FLOW_DEPTH levels (the limit YAML
 * flow collections have): JSON.parse takes 1,000,000 nested `[` in stride, but every key path below
 * is a million segments long (a 3 MB key; the snapshot took 9.5 s and 740 MB). Walked with a stack.
 */
function refuseDeepValue(relPath: string, value: unknown): unknown {
	const stack: Array<[unknown, number]> = [[value, 0]];
	while (stack.length) {
		const [node, depth] = stack.pop()!;
		if (node === null || typeof node !== 'object') continue;
		if (depth >= MAX_YAML_FLOW_DEPTH) {
			throw new ParseError(
				`${relPath} is refused: its lists and mappings nest more than ${MAX_YAML_FLOW_DEPTH} levels deep; it was not read into keys.`,
				{ file: relPath },
				'Write the data flatter (a nesting this deep is generated, not configured), or give the file the role `other` so it is versioned without being parsed.',
			);
		}
		for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
	}
	return value;
}

/**
 * A YAML file bigger than this is not read into keys. The yaml library's tree takes about 125 MB of
 * memory and 1.5 s per MiB of YAML (measured: 2 MiB of `key: value` lines, +255 MB, 3 s), so an
 * 8.9 MB params file cost a snapshot 30 s and 1.8 GB. Real configs are kilobytes; big generated
 * results are JSON, which is read up to 16 MB.
 */
export const MAX_YAML_TREE_BYTES = 2 * 1024 * 1024;

function refuseBigYaml(relPath: string, source: string): void {
	// Characters first: only a text near the limit pays for counting its UTF-8 bytes.
	if (source.length <= MAX_YAML_TREE_BYTES / 3) return;
	const bytes = Buffer.byteLength(source, 'utf8');
	if (bytes <= MAX_YAML_TREE_BYTES) return;
	throw new ParseError(
		`${relPath} is ${formatBytes(bytes)} of YAML, more than the ${formatBytes(MAX_YAML_TREE_BYTES)} read into keys (a YAML tree takes about 125 MB of memory per MB); it was not parsed.`,
		{ file: relPath },
		'Write big generated params or metrics as JSON (read into keys up to 16 MB), split the file, or give it the role `other`.',
	);
}

/** Texts up to this size are remembered by ParsedFiles, and this much text in all (×8). */
const PARSED_TEXT_MAX = 1024 * 1024;

/**
 * Structured files parsed during one snapshot, by path, for a second reader of the same text: the
 * secret scan of values parses every config, then its keys are read from the same text, and YAML
 * parsing twice was a fifth of a snapshot of 2,000 small files. Parsed values are never modified
 * (flattening, the summary and the scan only read them), so both readers can share one. A text
 * that differs from the remembered one is parsed again; big texts are not kept (bounded memory).
 */
export class ParsedFiles {
	private readonly entries = new Map<string, { text: string; value: unknown; warnings: string[] }>();
	private chars = 0;

	parse(relPath: string, text: string, warnings?: string[]): unknown {
		const hit = this.entries.get(relPath);
		if (hit && hit.text === text) {
			if (warnings) for (const w of hit.warnings) warnings.push(w);
			return hit.value;
		}
		const own: string[] = [];
		const value = parseStructured(relPath, text, undefined, own);
		if (warnings) for (const w of own) warnings.push(w);
		if (text.length <= PARSED_TEXT_MAX && this.chars + text.length <= 8 * PARSED_TEXT_MAX) {
			this.entries.set(relPath, { text, value, warnings: own });
			this.chars += text.length;
		}
		return value;
	}
}

/** A parsed YAML document with the line counter that maps its node offsets to lines and columns. */
export interface YamlSource {
	doc: Document.Parsed;
	lineCounter: LineCounter;
}

/**
 * Parses one YAML document, throwing ParseError at the first syntax error. A stream with several
 * documents (`---`) is an error: taking only the first would silently leave later ones unversioned.
 */
export function parseYamlDocument(relPath: string, text: string, fix: string = DEFAULT_FIX, warnings?: string[]): YamlSource {
	const lineCounter = new LineCounter();
	// Merge keys (`<<: *base`) are on because PyYAML, which reads these configs in training code, applies them;
	// repeated keys are allowed for the same reason (the last value wins) and reported through `warnings`.
	// Wide anchors: a big file with aliases is refused from its token counts, before a tree is built.
	// An alias token starts with `*`: a text without one has none, and needs no lexer pass to say so
	// (that pass was a fifth of parsing a config, for every config of every snapshot).
	const counts = text.includes('*') ? yamlTokenCounts(text) : { values: 0, aliases: 0 };
	if (counts.aliases > 0 && counts.values > MAX_VALUES_BEFORE_TREE && counts.values * (counts.aliases + 1) > MAX_EXPANDED_VALUES) {
		throw new ParseError(
			`${relPath} is refused: ${counts.aliases.toLocaleString('en-US')} YAML aliases in a file of ${counts.values.toLocaleString('en-US')} values, so its aliases could expand to more than ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values; it was not expanded.`,
			{ file: relPath },
			'Write the repeated part out once, or give the file the role `other` so it is versioned without being parsed.',
		);
	}
	const deep = yamlFlowTooDeep(text);
	if (deep) {
		throw new ParseError(
			`${relPath} is refused: its \`[\`/\`{\` collections nest more than ${MAX_YAML_FLOW_DEPTH} levels deep; it was not parsed.`,
			{ file: relPath, line: deep.line },
			'Write the data flatter (a nesting this deep is generated, not configured), or give the file the role `other` so it is versioned without being parsed.',
		);
	}
	const doc = parseDocument(stripBom(text), { lineCounter, prettyErrors: false, intAsBigInt: true, uniqueKeys: false, merge: true });
	const [first] = doc.errors;
	if (first) {
		const { line, col } = lineCounter.linePos(first.pos[0]);
		if (first.code === 'MULTIPLE_DOCS') {
			throw new ParseError(
				`${relPath} holds more than one YAML document (a second \`---\` starts at line ${line}); Model Ledger reads one document per file.`,
				{ file: relPath, line, column: col },
				'Split the documents into separate files, or give the file the role `other`.',
			);
		}
		throw new ParseError(`Invalid YAML in ${relPath}: ${first.message}.`, { file: relPath, line, column: col }, fix);
	}
	if (warnings) appendAll(warnings, duplicateKeyWarnings(relPath, doc, lineCounter));
	return { doc, lineCounter };
}

/** `file:line: duplicate key` for each key repeated within one mapping (the last value is the one used). */
function duplicateKeyWarnings(relPath: string, doc: Document.Parsed, lineCounter: LineCounter): string[] {
	const found: string[] = [];
	visit(doc, {
		Map(_key, map) {
			const firstLine = new Map<string, number>();
			for (const pair of map.items) {
				if (!isScalar(pair.key) || pair.key.value === '<<') continue;
				const name = String(pair.key.value);
				const line = pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : 0;
				const first = firstLine.get(name);
				if (first === undefined) firstLine.set(name, line);
				else found.push(`${relPath}:${line}: duplicate key \`${name}\` (first at line ${first}); the last value is used, as PyYAML does.`);
			}
		},
	});
	return found;
}

/** 1-based line and column of a character offset, for errors about a node of a parsed YAML document. */
export function yamlPosition(source: YamlSource, offset: number): { line: number; column: number } {
	const { line, col } = source.lineCounter.linePos(offset);
	return { line, column: col };
}

function yamlToJs(relPath: string, source: YamlSource, fix: string): unknown {
	const { doc } = source;
	// Aliases are counted by what they expand to, before anything is expanded (a `<<` merge copies).
	const expanded = expandedYamlSize(doc, MAX_EXPANDED_VALUES);
	if (expanded.aliases && expanded.size > MAX_EXPANDED_VALUES) {
		throw new ParseError(
			`${relPath} is refused: its YAML aliases expand to more than ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values.`,
			{ file: relPath },
			'Write the repeated part out once, or give the file the role `other` so it is versioned without being parsed.',
		);
	}
	try {
		// The alias cap keeps a "billion laughs" file from exhausting memory.
		return doc.toJS({ maxAliasCount: 1000 });
	} catch (err) {
		// The parser accepts an alias whose anchor is missing; only conversion notices, without a position.
		let offset: number | undefined;
		visit(doc, {
			Alias(_key, node) {
				if (node.resolve(doc) === undefined && node.range) {
					offset = node.range[0];
					return visit.BREAK;
				}
				return undefined;
			},
		});
		const where = offset === undefined ? {} : yamlPosition(source, offset);
		throw new ParseError(`Invalid YAML in ${relPath}: ${(err as Error).message}.`, { file: relPath, ...where }, fix);
	}
}

function parseJson(relPath: string, text: string, fix: string): unknown {
	let parseText = text;
	let quoted: number[] = [];
	try {
		return JSON.parse(text);
	} catch (err) {
		const python = quotePythonNonFinite(text);
		if (python === undefined) throw jsonParseError(relPath, text, (err as Error).message, fix);
		({ text: parseText, quoted } = python);
	}
	try {
		return JSON.parse(parseText);
	} catch (err) {
		// Invalid for another reason too: that reason, placed in the file as written.
		const message = (err as Error).message;
		const where = jsonErrorPosition(parseText, message);
		const offset = lineColumnToOffset(parseText, where.line, where.column);
		const shift = 2 * quoted.filter((at) => at < offset).length;
		throw new ParseError(`Invalid JSON in ${relPath}: ${jsonReason(message)}.`, { file: relPath, ...offsetToLineColumn(text, offset - shift) }, fix);
	}
}

function jsonParseError(relPath: string, text: string, message: string, fix: string): ParseError {
	return new ParseError(`Invalid JSON in ${relPath}: ${jsonReason(message)}.`, { file: relPath, ...jsonErrorPosition(text, message) }, fix);
}

const NON_FINITE = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * The text with Python's bare NaN / Infinity / -Infinity values (outside strings, where a value may
 * start) written as JSON strings, and where each quoted one starts in the new text; undefined when
 * there are none. One pass, no recursion.
 */
function quotePythonNonFinite(text: string): { text: string; quoted: number[] } | undefined {
	const parts: string[] = [];
	const quoted: number[] = [];
	let copiedUpTo = 0;
	let inString = false;
	let previous = '';
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (ch === '\\') i++;
			else if (ch === '"') inString = false;
			continue;
		}
		if (ch === '"') {
			inString = true;
			previous = ch;
			continue;
		}
		if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
		const token = previous === ':' || previous === '[' || previous === ',' || previous === '' ? NON_FINITE.find((t) => text.startsWith(t, i)) : undefined;
		if (token !== undefined && !/[\w$]/.test(text[i + token.length] ?? '')) {
			parts.push(text.slice(copiedUpTo, i), `"${token}"`);
			quoted.push(i + 2 * quoted.length);
			i += token.length - 1;
			copiedUpTo = i + 1;
			previous = '"';
			continue;
		}
		previous = ch;
	}
	if (quoted.length === 0) return undefined;
	parts.push(text.slice(copiedUpTo));
	return { text: parts.join(''), quoted };
}

/** V8 names the offending position in the message: `at position N`, and on newer Node `(line L column C)`. */
function jsonErrorPosition(text: string, message: string): { line: number; column: number } {
	const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
	if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
	const position = /at position (\d+)/.exec(message);
	if (position) return offsetToLineColumn(text, Number(position[1]));
	// Node 20 says `Unexpected token 'N', ..."excerpt" is not valid JSON` without a position: find it.
	if (/is not valid JSON/.test(message)) return offsetToLineColumn(text, firstInvalidOffset(text));
	// "Unexpected end of JSON input": the problem is where the text stops.
	return offsetToLineColumn(text, text.length);
}

/**
 * Offset of the first character no valid JSON text can continue with: the longest prefix that still
 * parses or fails only for ending early is found by bisection (a viable prefix's prefixes are viable).
 */
function firstInvalidOffset(text: string): number {
	const viable = (length: number): boolean => {
		try {
			JSON.parse(text.slice(0, length));
			return true;
		} catch (err) {
			const message = (err as Error).message;
			const at = /at position (\d+)/.exec(message);
			return /end of JSON input|Unterminated/.test(message) || (at !== null && Number(at[1]) >= length);
		}
	};
	let low = 0;
	let high = text.length;
	while (low < high) {
		const mid = Math.ceil((low + high) / 2);
		if (viable(mid)) low = mid;
		else high = mid - 1;
	}
	return low;
}

function jsonReason(message: string): string {
	const reason = message
		.replace(/\s*\(line \d+ column \d+\)/, '')
		.replace(/\s*in JSON at position \d+/, '')
		.replace(/^Unexpected end of JSON input$/, 'the text ends before the JSON value is complete')
		// Node 20 quotes an excerpt of the file, line breaks included: the position already says where.
		.replace(/, (?:\.\.\.)?"[\s\S]*" is not valid JSON$/, '');
	return reason.replace(/\.$/, '');
}

/** The UTF-16 offset of a 1-based line and column (`\n` ends a line). */
function lineColumnToOffset(text: string, line: number, column: number): number {
	let offset = 0;
	for (let l = 1; l < line; l++) {
		const next = text.indexOf('\n', offset);
		if (next < 0) return text.length;
		offset = next + 1;
	}
	return Math.min(text.length, offset + column - 1);
}

/** 1-based line and column of a UTF-16 offset; a `\r\n` counts as one line break. */
export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
	const end = Math.max(0, Math.min(offset, text.length));
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < end; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: end - lineStart + 1 };
}

function parseTomlText(relPath: string, text: string, fix: string): unknown {
	try {
		return parseToml(text, { integersAsBigInt: 'asNeeded' });
	} catch (err) {
		if (err instanceof TomlError) {
			// smol-toml's message carries a code excerpt after the first line; the location is reported separately.
			const reason = err.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '').replace(/\.$/, '');
			throw new ParseError(`Invalid TOML in ${relPath}: ${reason}.`, { file: relPath, line: err.line, column: err.column }, fix);
		}
		throw err;
	}
}

// A key is written bare when it cannot be confused with path syntax; anything else is quoted.
const BARE_KEY = /^[^.[\]"'\s\\]+$/;

/** The path segment for a mapping key: `.name` or `["odd.key"]` (`name` / `["odd.key"]` at the root). */
export function keySegment(parent: string, key: string): string {
	if (BARE_KEY.test(key)) return parent === '' ? key : `${parent}.${key}`;
	return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Flattens parsed values to key paths: `retriever.top_k`, `lora.target_modules[0]`, `a["x.y"]`.
 * Empty mappings and lists are kept as `"{}"` / `"[]"`; a scalar document is recorded under `""`.
 * Walks with an explicit stack (no recursion per level or element); callers bound the size first
 * (flattenFile applies the huge-file rule).
 */
export function flattenValues(value: unknown): FlatValues {
	const entries: [string, Scalar][] = [];
	forEachFlatValue(value, (path, leaf) => entries.push([path, leaf]));
	// fromEntries defines own properties, so a key named `__proto__` cannot reach the prototype.
	return Object.fromEntries(entries);
}

/**
 * Visits what flattenValues would return, key path and value, without building it: for a scan of a
 * huge file that needs each value once and keeps only what it finds.
 */
export function forEachFlatValue(value: unknown, onValue: (path: string, leaf: Scalar) => void): void {
	if (value === null || value === undefined) return;
	if (isContainer(value) && isEmptyContainer(value)) return;
	walkLeaves(value, onValue);
}

/**
 * Visits every leaf of a parsed value in document order with its key path (`onLeaf`), expanding
 * lists through `listItems` (identities in configDiff; positions `[0]`, `[1]` when not given).
 * Explicit stack of one cursor per open container (no recursion): a child's path is made when the
 * child is reached, so a list of 100,000 records does not hold 100,000 paths and [path, node]
 * pairs at once (they were most of a huge file's garbage).
 */
export function walkLeaves(value: unknown, onLeaf: (path: string, leaf: Scalar) => void, listItems?: (path: string, items: unknown[]) => Array<[string, unknown]>): void {
	const open: WalkCursor[] = [];
	const enter = (path: string, node: unknown): void => {
		if (Array.isArray(node) || node instanceof Set) {
			const items: unknown[] = Array.isArray(node) ? node : [...(node as Set<unknown>)];
			if (items.length === 0) onLeaf(path, EMPTY_LIST_MARKER);
			else if (listItems) open.push({ path, pairs: listItems(path, items), next: 0 });
			else open.push({ path, items, next: 0 });
		} else if (node instanceof Map) {
			if (node.size === 0) onLeaf(path, EMPTY_OBJECT_MARKER);
			else open.push({ path, pairs: [...(node as Map<unknown, unknown>)].map(([key, item]) => [keySegment(path, String(key)), item] as [string, unknown]), next: 0 });
		} else if (isPlainObject(node)) {
			const keys = Object.keys(node);
			if (keys.length === 0) onLeaf(path, EMPTY_OBJECT_MARKER);
			else open.push({ path, object: node, keys, next: 0 });
		} else {
			onLeaf(path, toScalar(node));
		}
	};
	enter('', value);
	while (open.length) {
		const cursor = open[open.length - 1];
		const i = cursor.next++;
		if (cursor.items) {
			if (i < cursor.items.length) enter(`${cursor.path}[${i}]`, cursor.items[i]);
			else open.pop();
		} else if (cursor.keys) {
			if (i < cursor.keys.length) enter(keySegment(cursor.path, cursor.keys[i]), cursor.object![cursor.keys[i]]);
			else open.pop();
		} else if (i < cursor.pairs!.length) {
			enter(cursor.pairs![i][0], cursor.pairs![i][1]);
		} else {
			open.pop();
		}
	}
}

/** An open container in walkLeaves: a list by position, a mapping by its keys, or [path, child] pairs. */
interface WalkCursor {
	path: string;
	next: number;
	items?: unknown[];
	object?: Record<string, unknown>;
	keys?: string[];
	pairs?: Array<[string, unknown]>;
}

/**
 * A structured file's keys under the huge-file rule (src/core/parse/hugeFiles.ts): every key, or, for a
 * file with more than HUGE_FILE_KEYS keys, its summary and the warning that says so.
 */
export function flattenFile(relPath: string, value: unknown, flatten: (value: unknown) => FlatValues = flattenValues): { values: FlatValues; warning?: string } {
	const keys = flatKeyCount(value, HUGE_FILE_KEYS);
	if (keys <= HUGE_FILE_KEYS) return { values: flatten(value) };
	const values = summaryValues(value, keySegment, toScalar);
	return { values, warning: hugeFileWarning(relPath, keys, Object.keys(values).length) };
}

/** Converts a leaf to what a manifest can hold: JSON-safe numbers, ISO dates, strings. */
export function toScalar(value: unknown): Scalar {
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return value;
		case 'number':
			if (Number.isNaN(value)) return 'NaN';
			if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
			return Object.is(value, -0) ? 0 : value;
		case 'bigint':
			return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
		case 'undefined':
			return null;
		default:
			break;
	}
	if (value === null) return null;
	if (value instanceof Date) {
		// TOML local dates and times override toISOString to keep their own form (`1979-05-27`, `07:32:00`).
		return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
	}
	if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
	return String(value);
}

function isContainer(value: unknown): boolean {
	return Array.isArray(value) || value instanceof Set || value instanceof Map || isPlainObject(value);
}

function isEmptyContainer(value: unknown): boolean {
	if (Array.isArray(value)) return value.length === 0;
	if (value instanceof Set || value instanceof Map) return value.size === 0;
	return Object.keys(value as object).length === 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}
