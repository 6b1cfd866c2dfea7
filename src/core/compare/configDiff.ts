// Semantic diff of two parsed config files: compared key path by key path, so comments, quoting
// style, indentation and key order never read as a change, while a type change ("512" → 512) does.
// Lists of mappings whose items carry a stable `id` or `name` are matched by it, not by position,
// so moving an item is not a change (`eval.datasets[name="test"].split`).
import type { FlatValues, Scalar } from '../model';
import { toScalar, walkLeaves } from '../parse/structuredFiles';

/** Fields that identify an item of a list of mappings, in order of preference. */
export const IDENTITY_KEYS = ['id', 'name'] as const;

export type KeyChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface KeyDiff {
	key: string;
	/** The value in A; null when the key is absent there (see `change`). */
	a: Scalar;
	b: Scalar;
	change: KeyChange;
	/** Set when both sides hold the key with values of different types (`"512"` → `512`). */
	typeChanged?: true;
}

/**
 * Flattens parsed values to key paths like `flattenValues` does, except that a list whose items are
 * all mappings with a unique scalar `id` (or else `name`) is keyed by it: `stages[name="train"].lr`.
 */
export function flattenSemantic(value: unknown): FlatValues {
	const entries: [string, Scalar][] = [];
	if (value === null || value === undefined) return {};
	walkLeaves(
		value,
		(path, leaf) => entries.push([path, leaf]),
		(path, items) => {
			const identity = identityKey(items);
			return items.map((item, index) => [`${path}${identity ? `[${identity}=${JSON.stringify(toScalar(fieldOf(item, identity)))}]` : `[${index}]`}`, item] as [string, unknown]);
		},
	);
	// A document that is just `{}` or `[]` has no keys, as in flattenValues.
	if (entries.length === 1 && entries[0][0] === '' && typeof value === 'object') return {};
	// fromEntries defines own properties, so a key named `__proto__` cannot reach the prototype.
	return Object.fromEntries(entries);
}

/** The identity field shared by every item of a list of mappings, with unique scalar values; else undefined. */
function identityKey(items: unknown[]): string | undefined {
	if (items.length === 0 || !items.every((item) => isPlainObject(item) || item instanceof Map)) return undefined;
	for (const key of IDENTITY_KEYS) {
		const seen = new Set<string>();
		const usable = items.every((item) => {
			const v = fieldOf(item, key);
			if (v === undefined || v === null || typeof v === 'object') return false;
			const id = `${typeof v}:${String(v)}`;
			if (seen.has(id)) return false;
			seen.add(id);
			return true;
		});
		if (usable) return key;
	}
	return undefined;
}

function fieldOf(item: unknown, key: string): unknown {
	if (item instanceof Map) return item.get(key);
	return Object.prototype.hasOwnProperty.call(item, key) ? (item as Record<string, unknown>)[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

/** `"string"`, `"number"`, `"boolean"` or `"null"`: what a type change compares. */
export function scalarType(value: Scalar): string {
	return value === null ? 'null' : typeof value;
}

/**
 * Compares two flattened files key by key. Only changed keys unless `all`; keys keep the order of
 * B, and a key only A has is placed right after the key that preceded it in A.
 */
export function diffFlatValues(a: FlatValues, b: FlatValues, all = false): KeyDiff[] {
	const has = (o: FlatValues, k: string) => Object.prototype.hasOwnProperty.call(o, k);
	const bKeys = Object.keys(b);
	const position = new Map(bKeys.map((k, i) => [k, i]));
	const ordered: Array<{ key: string; pos: number; seq: number }> = bKeys.map((key, i) => ({ key, pos: i, seq: 0 }));
	let previous = -1;
	let seq = 0;
	for (const key of Object.keys(a)) {
		const at = position.get(key);
		if (at !== undefined) {
			previous = at;
			seq = 0;
			continue;
		}
		ordered.push({ key, pos: previous, seq: ++seq });
	}
	ordered.sort((x, y) => x.pos - y.pos || x.seq - y.seq);
	const result: KeyDiff[] = [];
	for (const { key } of ordered) {
		const inA = has(a, key);
		const inB = has(b, key);
		if (!inA) result.push({ key, a: null, b: b[key], change: 'added' });
		else if (!inB) result.push({ key, a: a[key], b: null, change: 'removed' });
		else if (a[key] === b[key]) {
			if (all) result.push({ key, a: a[key], b: b[key], change: 'unchanged' });
		} else {
			const entry: KeyDiff = { key, a: a[key], b: b[key], change: 'changed' };
			if (scalarType(a[key]) !== scalarType(b[key])) entry.typeChanged = true;
			result.push(entry);
		}
	}
	return result;
}
