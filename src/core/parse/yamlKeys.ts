// The key path under the cursor in a YAML or JSON text, spelled exactly as flattenValues spells the
// keys it indexes (`retriever.chunk_size`, `stages[1].lr`, `a["x.y"]`), so a hover can look it up in
// index.db. Works on the `yaml` AST, which keeps source ranges for nested, flow, anchored and aliased
// nodes, and tolerates a document that is half-typed (errors do not stop the walk).
import { isAlias, isCollection, isMap, isScalar, isSeq, parseDocument, Scalar as YamlScalar } from 'yaml';
import { yamlFlowTooDeep } from './hugeFiles';
import type { Document, Node as YamlNode } from 'yaml';
import type { Scalar } from '../model';
import { EMPTY_LIST_MARKER, EMPTY_OBJECT_MARKER, keySegment, toScalar } from './structuredFiles';
import { IDENTITY_KEYS } from '../compare/configDiff';
import { stripBom } from './textContent';

export interface KeyAtOffset {
	/** The key path in flattenValues syntax. */
	path: string;
	/**
	 * The same key as `diff` prints it: a list item whose items all carry a unique `id` (or `name`) is
	 * named by it (`nodes[name="classify"].inputs`), so its history follows the item when it moves.
	 * Absent where the format has no such naming in the hover (TOML): `path` is used.
	 */
	semanticPath?: string;
	/** Offsets [start, end) of the hovered entry: the key through its scalar value, or the key alone above a mapping/list. */
	range: [number, number];
	/** Offsets [start, end) of the key itself, or of the list item for an item without a key. */
	keyRange: [number, number];
	/** False when the path names a mapping or list (its history is that of the keys under it). */
	leaf: boolean;
	/** For a leaf: its value in this text, as the index would record it (so a hover can say "not in a version yet"). */
	value?: Scalar;
}

/** A parsed YAML/JSON text, reusable for many lookups while the text does not change. */
export interface ParsedKeys {
	doc: Document.Parsed;
	/** Characters before the document's offsets: a BOM is stripped before parsing. */
	shift: number;
	/** YAML applies `<<` merge keys (as structuredFiles does); JSON has none. */
	merge: boolean;
}

/** Parses a YAML or JSON text for {@link keyPathAt}; never throws on syntax errors. */
export function parseKeys(text: string, format: 'yaml' | 'json' = 'yaml'): ParsedKeys {
	const source = stripBom(text);
	const merge = format === 'yaml';
	// The same options structuredFiles uses, so keys such as `0x10` or big integers spell the same.
	// A text nested too deep to parse (yamlFlowTooDeep) has no keys to show: parsed as empty.
	const doc = parseDocument(yamlFlowTooDeep(source) ? '' : source, { intAsBigInt: true, uniqueKeys: false, prettyErrors: false, merge });
	return { doc, shift: text.length - source.length, merge };
}

/** The key path at a character offset of a YAML/JSON text, or undefined between keys, in comments or at the top level. */
export function keyPathAt(input: string | ParsedKeys, offset: number): KeyAtOffset | undefined {
	const { doc, shift, merge } = typeof input === 'string' ? parseKeys(input) : input;
	const at = offset - shift;
	const found = walk(doc.contents, '', '', at, { doc, merge });
	if (!found) return undefined;
	const move = (r: [number, number]): [number, number] => [r[0] + shift, r[1] + shift];
	return { ...found, range: move(found.range), keyRange: move(found.keyRange) };
}

interface WalkContext {
	doc: Document.Parsed;
	merge: boolean;
}

function walk(node: unknown, path: string, semantic: string, at: number, ctx: WalkContext): KeyAtOffset | undefined {
	if (isMap(node)) {
		for (const pair of node.items) {
			const key = pair.key as YamlNode | null;
			// Complex keys (a mapping used as a key) have no path syntax; skip them.
			if (!isScalar(key) || !key.range) continue;
			const value = pair.value as YamlNode | null;
			const keyEnd = key.range[1];
			const end = value?.range ? value.range[1] : keyEnd;
			if (at < key.range[0] || at > end) continue;
			if (ctx.merge && isMergeKey(key)) {
				// `<<: *base` copies base's keys into this mapping: it stands for the mapping itself.
				return path === '' ? undefined : { path, semanticPath: semantic, range: [key.range[0], end], keyRange: [key.range[0], keyEnd], leaf: false };
			}
			const name = key.value === null ? '' : String(key.value);
			const path2 = keySegment(path, name);
			const semantic2 = keySegment(semantic, name);
			if (isCollection(value) && value.range && at >= value.range[0]) return walk(value, path2, semantic2, at, ctx);
			return leafOrBranch(path2, semantic2, [key.range[0], isCollection(value) ? keyEnd : end], [key.range[0], keyEnd], value, ctx.doc);
		}
		return undefined;
	}
	if (isSeq(node)) {
		const identity = identityOf(node.items);
		for (let i = 0; i < node.items.length; i++) {
			const item = node.items[i] as YamlNode | null;
			const itemPath = `${path}[${i}]`;
			const itemSemantic = identity ? `${semantic}[${identity.field}=${identity.values[i]}]` : `${semantic}[${i}]`;
			if (!item?.range || at < item.range[0] || at > item.range[1]) continue;
			if (isCollection(item)) return walk(item, itemPath, itemSemantic, at, ctx);
			return leafOrBranch(itemPath, itemSemantic, [item.range[0], item.range[1]], [item.range[0], item.range[1]], item, ctx.doc);
		}
	}
	return undefined;
}

function leafOrBranch(path: string, semanticPath: string, range: [number, number], keyRange: [number, number], value: YamlNode | null, doc: Document.Parsed): KeyAtOffset {
	const target = isAlias(value) ? (value.resolve(doc) ?? null) : value;
	if (isCollection(target)) {
		// An empty mapping or list is indexed as a leaf ("{}" / "[]").
		if (target.items.length > 0) return { path, semanticPath, range, keyRange, leaf: false };
		return { path, semanticPath, range, keyRange, leaf: true, value: isMap(target) ? EMPTY_OBJECT_MARKER : EMPTY_LIST_MARKER };
	}
	return { path, semanticPath, range, keyRange, leaf: true, value: isScalar(target) ? toScalar(target.value) : null };
}

/** The field naming the items of a list as configDiff's semantic diff does (IDENTITY_KEYS), with each item's JSON value. */
function identityOf(items: unknown[]): { field: string; values: string[] } | undefined {
	if (items.length === 0 || !items.every((item) => isMap(item))) return undefined;
	for (const field of IDENTITY_KEYS) {
		const seen = new Set<string>();
		const values: string[] = [];
		const usable = items.every((item) => {
			const node = (item as { get(key: string, keepScalar: true): unknown }).get(field, true);
			if (!isScalar(node) || node.value === null || node.value === undefined) return false;
			const id = `${typeof node.value}:${String(node.value)}`;
			if (seen.has(id)) return false;
			seen.add(id);
			values.push(JSON.stringify(toScalar(node.value)));
			return true;
		});
		if (usable) return { field, values };
	}
	return undefined;
}

/** A plain `<<` (a quoted `"<<"` is an ordinary key), as the yaml package decides. */
function isMergeKey(key: YamlScalar): boolean {
	// With `merge: true` the parser resolves a plain `<<` to a symbol; older versions keep the string.
	if (typeof key.value === 'symbol') return key.value.description === '<<';
	return key.value === '<<' && (!key.type || key.type === YamlScalar.PLAIN);
}
