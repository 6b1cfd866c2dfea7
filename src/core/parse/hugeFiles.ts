// The "huge file" rule: how much of a structured file (params, metrics, RAG config) or a safetensors
// header is read into keys. A `results.json` with 100,000 per-sample records or a header listing
// 1.3 M tensors is still versioned (hashed and stored whole), but flattening every element would
// make manifests of tens of MB, index rows by the million and tables nobody reads. So:
// - A file with more than HUGE_FILE_KEYS flattened keys (or a header with more than that many
//   tensors) is huge. Its summary is kept: the scalar values reached from the top through mappings
//   only (never into a list), at most SUMMARY_DEPTH levels deep and SUMMARY_KEYS_MAX of them, in
//   breadth-first order — `accuracy`, `results.hellaswag.acc`. The rest is not flattened, and the
//   snapshot says so once (a warning kept in the manifest).
// - YAML aliases are counted by the size of what they expand to: a document whose aliases expand
//   to more than MAX_EXPANDED_VALUES values is refused before it is converted (the "wide anchor": a
//   200,000-item list aliased 999 times passes a count of aliases but would expand to 200 M values).
// Everything here walks user data with an explicit stack: nothing recurses per element or per level.
import { CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer } from 'yaml';
import type { Document } from 'yaml';
import type { FlatValues, Scalar } from '../model';

/** More flattened keys than this (or more tensors in a safetensors header) make a file huge. */
export const HUGE_FILE_KEYS = 10_000;
/** At most this many summary keys are kept of a huge file. */
export const SUMMARY_KEYS_MAX = 1_000;
/** Summary keys are scalars at most this many mappings deep (`results.hellaswag.acc` is 3). */
export const SUMMARY_DEPTH = 3;
/** A YAML document whose aliases expand to more values than this is refused. */
export const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * Number of keys `flattenValues` would produce for a parsed value (an empty mapping or list counts
 * one), saturating at `cap + 1`. Values shared by reference (YAML aliases) are counted once per
 * place they appear but walked once, so the cost is the distinct size of the value.
 */
export function flatKeyCount(value: unknown, cap: number): number {
	const quick = quickFlatKeyCount(value, cap);
	if (quick !== undefined) return quick;
	const sizes = new Map<object, number>();
	// Post-order with an explicit stack: [node, childrenPushed].
	const stack: Array<[unknown, boolean]> = [[value, false]];
	const entered = new Set<object>();
	const sizeOf = (v: unknown): number => (isContainer(v) ? (sizes.get(v as object) ?? 0) : 1);
	while (stack.length) {
		const top = stack[stack.length - 1];
		const [node, expanded] = top;
		if (!isContainer(node) || sizes.has(node as object)) {
			stack.pop();
			continue;
		}
		const children = childrenOf(node);
		if (!expanded) {
			top[1] = true;
			entered.add(node as object);
			// A container being walked (a cycle) is not entered again.
			for (const child of children) if (isContainer(child) && !sizes.has(child as object) && !entered.has(child as object)) stack.push([child, false]);
			continue;
		}
		stack.pop();
		entered.delete(node as object);
		let total = 0;
		for (const child of children) {
			total += sizeOf(child);
			if (total > cap) break;
		}
		sizes.set(node as object, Math.min(Math.max(total, 1), cap + 1));
	}
	return value === null || value === undefined ? 0 : Math.min(sizeOf(value), cap + 1);
}

/**
 * The common case of flatKeyCount in work bounded by the cap: a pre-order walk that counts leaves
 * (an empty mapping or list is one) and stops as soon as there are more than `cap`, so a file of
 * 100,000 records is found huge after its first ~10,000 keys instead of after walking all of it.
 * A value shared by reference is walked once per place, which is what it counts for. Undefined
 * when the walk takes more than a few steps per key without deciding (many empty-looking nodes, or
 * a cycle): the exact count below, which walks each distinct value once, decides then.
 */
function quickFlatKeyCount(value: unknown, cap: number): number | undefined {
	if (value === null || value === undefined) return 0;
	let leaves = 0;
	let steps = 0;
	const maxSteps = 4 * (cap + 1);
	const stack: unknown[] = [value];
	while (stack.length) {
		if (++steps > maxSteps) return undefined;
		const node = stack.pop();
		if (!isContainer(node)) {
			leaves++;
		} else {
			const before = stack.length;
			for (const child of childrenOf(node)) {
				// Every child is at least one key.
				if (stack.push(child) - before > cap) return cap + 1;
			}
			if (stack.length === before) leaves++;
		}
		if (leaves > cap) return cap + 1;
	}
	return leaves;
}

/**
 * The summary of a huge file: scalar values reached through mappings only, breadth-first, at most
 * SUMMARY_DEPTH deep and SUMMARY_KEYS_MAX of them, under the same key paths flattenValues writes.
 */
export function summaryValues(value: unknown, keySegment: (parent: string, key: string) => string, toScalar: (v: unknown) => Scalar): FlatValues {
	const entries: [string, Scalar][] = [];
	let level: Array<[string, unknown]> = [['', value]];
	for (let depth = 1; depth <= SUMMARY_DEPTH && level.length && entries.length < SUMMARY_KEYS_MAX; depth++) {
		const next: Array<[string, unknown]> = [];
		for (const [path, node] of level) {
			for (const [key, child] of mappingEntries(node)) {
				const childPath = keySegment(path, key);
				if (!isContainer(child)) {
					entries.push([childPath, toScalar(child)]);
					if (entries.length >= SUMMARY_KEYS_MAX) break;
				} else if (!Array.isArray(child) && !(child instanceof Set)) {
					next.push([childPath, child]);
				}
			}
			if (entries.length >= SUMMARY_KEYS_MAX) break;
		}
		level = next;
	}
	return Object.fromEntries(entries);
}

/** The warning a snapshot records once for a huge file. */
export function hugeFileWarning(path: string, keys: number, kept: number): string {
	const many = keys > HUGE_FILE_KEYS ? `more than ${HUGE_FILE_KEYS.toLocaleString('en-US')}` : keys.toLocaleString('en-US');
	return `${path}: a huge file (${many} keys); it is versioned whole, but only its ${kept} summary key${kept === 1 ? '' : 's'} (scalars outside lists, up to ${SUMMARY_DEPTH} levels deep) are recorded.`;
}

/**
 * How many values a parsed YAML document expands to when its aliases (and `<<` merges) are
 * resolved, saturating at `cap + 1`; computed on the syntax tree, before anything is expanded.
 */
export function expandedYamlSize(doc: Document, cap: number): { size: number; aliases: boolean } {
	const sizes = new Map<unknown, number>();
	const anchors = new Map<string, unknown>();
	let aliases = false;
	const stack: Array<[unknown, boolean]> = [[doc.contents, false]];
	const sizeOf = (node: unknown): number => {
		if (node === null || node === undefined) return 1;
		if (isAlias(node)) {
			const target = anchors.get(node.source);
			return target === undefined ? 1 : (sizes.get(target) ?? 1);
		}
		if (isPair(node)) return sizeOf(node.value);
		return sizes.get(node) ?? 1;
	};
	while (stack.length) {
		const top = stack[stack.length - 1];
		const [node, expanded] = top;
		const children = isMap(node) || isSeq(node) ? (node.items as unknown[]) : isPair(node) ? [node.value] : [];
		if (!expanded) {
			top[1] = true;
			const anchor = (node as { anchor?: string } | null)?.anchor;
			if (anchor) anchors.set(anchor, node);
			if (isAlias(node)) aliases = true;
			// Pushed in reverse so children are visited in document order (anchors before their aliases).
			for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], false]);
			continue;
		}
		stack.pop();
		if (isScalar(node) || isAlias(node) || node === null || node === undefined) continue;
		let total = 0;
		for (const child of children) {
			total += sizeOf(child);
			if (total > cap) break;
		}
		sizes.set(node, Math.min(Math.max(total, 1), cap + 1));
	}
	return { size: Math.min(sizeOf(doc.contents), cap + 1), aliases };
}

/**
 * Flow collections (`[`, `{`) nested deeper than this are refused before a YAML text is parsed. The
 * yaml library builds its syntax tree of flow collections one level per token (1,000,000 `[` in a
 * 1 MB params file: 30 s and 1.8 GB before its composer overflows the stack at ~900 levels); real
 * configs nest a few levels.
 */
export const MAX_YAML_FLOW_DEPTH = 256;

/**
 * Where a YAML text's flow collections first nest deeper than {@link MAX_YAML_FLOW_DEPTH}, as
 * `{ depth, line }`, or undefined. A text with at most `limit` `[`/`{` characters cannot nest
 * deeper (a count, no parsing: a few ms for 2 MB); any other is walked with yaml's lexer, which
 * knows quotes, comments and plain scalars (`pattern: a[b` is text, not a collection). A depth
 * counted on the characters alone could be fooled both ways (`["]", ["]", …` nests without ever
 * looking deep), so it is never trusted.
 */
export function yamlFlowTooDeep(text: string, limit: number = MAX_YAML_FLOW_DEPTH): { depth: number; line: number } | undefined {
	if (openingBrackets(text, limit) <= limit) return undefined;
	let depth = 0;
	let offset = 0;
	for (const token of new Lexer().lex(text)) {
		const type = CST.tokenType(token);
		if (type === 'flow-seq-start' || type === 'flow-map-start') {
			if (++depth > limit) return { depth, line: lineAt(text, offset) };
		} else if (type === 'flow-seq-end' || type === 'flow-map-end') depth = Math.max(0, depth - 1);
		// The lexer's own marks (document start, scalar, flow error end) are not source text.
		if (token !== CST.DOCUMENT && token !== CST.SCALAR && token !== CST.FLOW_END) offset += token.length;
	}
	return undefined;
}

/** How many `[` and `{` the text holds, counting no further than `limit + 1`. */
function openingBrackets(text: string, limit: number): number {
	let count = 0;
	for (let i = 0; i < text.length && count <= limit; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x5b || c === 0x7b) count++;
	}
	return count;
}

function lineAt(text: string, offset: number): number {
	let line = 1;
	for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
	return line;
}

/**
 * Values and aliases of a YAML text, counted by yaml's lexer (streaming: no syntax tree, ~0.4 s and
 * no memory to speak of for 600,000 tokens). Composing the tree of a 400 KB file with a 200,000-item
 * list takes ~4 s and ~270 MB, so a file is judged on these counts before it is parsed.
 */
export function yamlTokenCounts(text: string): { values: number; aliases: number } {
	let values = 0;
	let aliases = 0;
	let afterScalarMark = false;
	for (const token of new Lexer().lex(text)) {
		// A scalar's text follows the \x1f mark: `*x` there is text, not an alias.
		if (token === CST.SCALAR) {
			values++;
			afterScalarMark = true;
			continue;
		}
		if (!afterScalarMark && CST.tokenType(token) === 'alias') aliases++;
		afterScalarMark = false;
	}
	return { values, aliases };
}

/**
 * Past this many values, a YAML file with aliases is judged on its token counts alone: when
 * values × (aliases + 1) could exceed MAX_EXPANDED_VALUES it is refused before its tree is built.
 * Below it the tree is small (~130 MB at 100,000 values) and the exact count (expandedYamlSize) decides.
 */
export const MAX_VALUES_BEFORE_TREE = 100_000;

function isContainer(value: unknown): boolean {
	if (typeof value !== 'object' || value === null) return false;
	if (Array.isArray(value) || value instanceof Set || value instanceof Map) return true;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

function childrenOf(value: unknown): Iterable<unknown> {
	if (Array.isArray(value)) return value;
	if (value instanceof Set) return value;
	if (value instanceof Map) return value.values();
	return Object.values(value as object);
}

function mappingEntries(value: unknown): Iterable<[string, unknown]> {
	if (value instanceof Map) return [...value].map(([k, v]) => [String(k), v] as [string, unknown]);
	if (isContainer(value) && !Array.isArray(value) && !(value instanceof Set)) return Object.entries(value as object);
	return [];
}
