// Every form of a key path the tool prints, read back: `retriever.top_k`, `stages[0].lr`,
// `a["x.y"]`, and the semantic diff's `nodes[name="classify_with_llm"].inputs.deployment_name`, where
// a list item is named by its `id` or `name`. The index stores positional paths (`nodes[3]…`); an
// item named by identity can sit at a different position in each version, so such a key is resolved
// per version. `key-history`, the hovers and anything else that takes a KEY go through here.
import type { RegistryIndex } from '../index/registryIndex';
import { keySegment } from '../parse/structuredFiles';

/** A part of a key path: literal text, or a list item named by one of its fields (`[name="x"]`). */
type KeyPart = { text: string } | { field: string; json: string };

/** One positional key and the versions (digests) in which the asked key means it; all versions when undefined. */
export interface ConcreteKey {
	key: string;
	digests?: Set<string>;
}

/**
 * Splits a key path at its identity segments (`[name="x"]`, `[id=3]`); undefined when it has none.
 * Quoted keys (`["a.b"]`) and indexes stay literal text.
 */
export function identityParts(keyPath: string): KeyPart[] | undefined {
	const parts: KeyPart[] = [];
	let text = '';
	let k = 0;
	let found = false;
	while (k < keyPath.length) {
		const ch = keyPath[k];
		if (ch !== '[') {
			text += ch;
			k++;
			continue;
		}
		if (keyPath[k + 1] === '"') {
			// A quoted key: copy through its closing quote (JSON escapes included) and bracket.
			const end = jsonStringEnd(keyPath, k + 1);
			text += keyPath.slice(k, end + 1);
			k = end + 1;
			continue;
		}
		const identity = /^\[([A-Za-z_][A-Za-z0-9_]*)=/.exec(keyPath.slice(k));
		if (!identity) {
			text += ch;
			k++;
			continue;
		}
		const valueStart = k + identity[0].length;
		const valueEnd = keyPath[valueStart] === '"' ? jsonStringEnd(keyPath, valueStart) + 1 : keyPath.indexOf(']', valueStart);
		if (valueEnd < 0 || keyPath[valueEnd] !== ']') {
			text += ch;
			k++;
			continue;
		}
		const json = keyPath.slice(valueStart, valueEnd);
		try {
			JSON.parse(json);
		} catch {
			text += ch;
			k++;
			continue;
		}
		parts.push({ text }, { field: identity[1], json });
		text = '';
		found = true;
		k = valueEnd + 1;
	}
	if (text) parts.push({ text });
	return found ? parts : undefined;
}

/** Index of the closing quote of the JSON string starting at `open`; the last index when unterminated. */
function jsonStringEnd(s: string, open: number): number {
	for (let k = open + 1; k < s.length; k++) {
		if (s[k] === '\\') k++;
		else if (s[k] === '"') return k;
	}
	return s.length - 1;
}

/**
 * The positional keys a key path means in the versions of `file`: itself when it names no item by
 * identity; else, per version, the position of the item whose field has that value (versions without
 * such an item are left out).
 */
export function concreteKeys(index: RegistryIndex, file: string, keyPath: string): ConcreteKey[] {
	const parts = identityParts(keyPath);
	if (!parts) return [{ key: keyPath }];
	// Positional prefix so far → the versions it holds for.
	let prefixes = new Map<string, Set<string> | undefined>([['', undefined]]);
	const lookup = index.readStatement('SELECT digest, key FROM keyed_values WHERE file = @file AND key >= @from AND key < @to AND value = @value').raw(true);
	for (const part of parts) {
		const next = new Map<string, Set<string> | undefined>();
		if ('text' in part) {
			for (const [prefix, digests] of prefixes) next.set(prefix + part.text, digests);
		} else {
			for (const [prefix, digests] of prefixes) {
				const rows = lookup.all({ file, from: `${prefix}[`, to: `${prefix}\\`, value: part.json }) as Array<[string, string]>;
				for (const [digest, key] of rows) {
					if (digests && !digests.has(digest)) continue;
					const position = /^\[\d+\]/.exec(key.slice(prefix.length));
					if (!position || key !== keySegment(prefix + position[0], part.field)) continue;
					const item = prefix + position[0];
					const set = next.get(item) ?? new Set<string>();
					set.add(digest);
					next.set(item, set);
				}
			}
		}
		prefixes = next;
	}
	return [...prefixes].map(([key, digests]) => ({ key, digests: digests ?? new Set() }));
}
