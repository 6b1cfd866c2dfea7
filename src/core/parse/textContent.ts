// Decides whether a tracked file is text we can parse (prompts, configs) or bytes we only hash.
import { isUtf8 } from 'node:buffer';

/** How far to look for a NUL byte; git uses the same 8 KB window for its binary heuristic. */
const NUL_WINDOW = 8000;

/** True when `buf` is not UTF-8 text: a NUL byte in the first 8 KB, or invalid UTF-8 anywhere. */
export function looksBinary(buf: Uint8Array): boolean {
	const window = buf.subarray(0, NUL_WINDOW);
	if (window.includes(0)) return true;
	// UTF-16 text also lands here (it is full of NULs); we only parse UTF-8, so that is intended.
	return !isUtf8(buf);
}

/** Decodes UTF-8 and drops a leading byte-order mark, which JSON.parse would reject. */
export function decodeUtf8Text(buf: Uint8Array): string {
	return stripBom(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'));
}

/** Removes a leading U+FEFF; editors on Windows still write one into YAML and JSON files. */
export function stripBom(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
