// The secret scan of parsed values: a config's flattened keys and values are written into the
// manifest, which is committed to git, so they are checked whatever the file's syntax (minified
// JSON, a YAML flow map, a block scalar, a value behind an alias, a TOML inline table — the parser
// has resolved all of that). A value that holds a secret is never written into a manifest: the
// snapshot refuses, and with --allow-secrets the manifest gets `[redacted: <kind>]` instead while
// the stored object keeps the file's bytes.
import { readFileSync } from 'node:fs';
import type { FlatValues, Scalar } from '../model';
import { isPlaceholder, matchKeyValue, matchToken, mayBeLiteral, scanLine, scanLineWithoutTokens } from './secretRules';
import { scanFileDetailed } from './secretScan';
import type { SecretFinding } from './secretRules';
import type { FileScan } from './secretScan';
import { forEachFlatValue, isStructuredPath, offsetToLineColumn, parseStructured } from '../parse/structuredFiles';
import type { ParsedFiles } from '../parse/structuredFiles';
import { decodeUtf8Text, looksBinary } from '../parse/textContent';

export interface ValueFinding {
	/** The flattened key path (`db.password`, `headers.Authorization`). */
	key: string;
	kind: string;
	/** Text to look for in the file to report a line (the value, or the part of it that matched). */
	needle: string;
}

/** Files larger than this are not parsed (the same bound as the snapshot's parsing). */
export const MAX_VALUE_SCAN_BYTES = 16 * 1024 * 1024;

const PASSWORD_KEY = /(?:passw|passphrase|pwd|(?:^|[_.-])pin)[^.]*$/i;

/** The key path as a name for the key rules: `db.password`, `users[0].token` → `users.token`. */
function keyName(path: string): string {
	return path.replace(/\[\d+\]/g, '').replace(/\["((?:[^"\\]|\\.)*)"\]/g, '.$1');
}

/** Every value (and key) of a flattened file that holds a secret. */
export function scanFlatValues(values: FlatValues): ValueFinding[] {
	return scanEachValue((visit) => {
		for (const [path, value] of Object.entries(values)) visit(path, value);
	});
}

/**
 * The scan itself, over values visited one at a time (twice when something is found), so a file of
 * hundreds of thousands of values is scanned without a flattened copy of it in memory.
 */
function scanEachValue(each: (visit: (path: string, value: Scalar) => void) => void): ValueFinding[] {
	const findings: ValueFinding[] = [];
	const secretValues = new Map<string, string>();
	each((path, value) => {
		const inKey = matchToken(path);
		if (inKey) {
			findings.push({ key: path, kind: `${inKey.kind} in a key name`, needle: path.slice(inKey.column - 1, inKey.column - 1 + inKey.length) });
			return;
		}
		const found = scanValue(path, value);
		if (!found) return;
		findings.push({ key: path, ...found });
		if (typeof value === 'string') secretValues.set(value, found.kind);
	});
	// The same secret under another key (a YAML anchor's own key, a copy in a list) is that secret too.
	if (secretValues.size) {
		const reported = new Set(findings.map((f) => f.key));
		each((path, value) => {
			const kind = typeof value === 'string' ? secretValues.get(value) : undefined;
			if (kind !== undefined && !reported.has(path)) findings.push({ key: path, kind, needle: value as string });
		});
	}
	return findings;
}

/**
 * What secret a value holds, under the key rules of its path. Written for files of hundreds of
 * thousands of values: the key name (two regex replaces) is made only when a rule needs it, and a
 * one-line value is not searched for tokens a second time by scanLine.
 */
function scanValue(path: string, value: Scalar): { kind: string; needle: string } | undefined {
	if (typeof value === 'number') {
		// A numeric password (`password: 84736251`) is still one; other numbers are counts and sizes.
		const digits = String(value);
		if (!/^\d{6,}$/.test(digits)) return undefined;
		const name = keyName(path);
		return PASSWORD_KEY.test(name) ? { kind: `literal value for \`${name}\``, needle: digits } : undefined;
	}
	if (typeof value !== 'string' || value === '') return undefined;
	const tokenFound = matchToken(value);
	if (tokenFound) return { kind: tokenFound.kind, needle: value.slice(tokenFound.column - 1, tokenFound.column - 1 + Math.min(tokenFound.length, 40)) };
	const trimmed = value.trim();
	// matchKeyValue takes nothing shorter or with a space in it: no need for the name then.
	if (!trimmed.includes('\n') && mayBeLiteral(trimmed)) {
		const name = keyName(path);
		const byKey = matchKeyValue(lastWords(name), trimmed) ?? matchKeyValue(name, trimmed);
		if (byKey) return { kind: byKey.kind, needle: trimmed };
	}
	if (!value.includes('\n')) {
		// Inside a one-line value: `key = value` (a connection string); its tokens were looked for above.
		const found = scanLineWithoutTokens(value, true);
		return found && { kind: found.kind, needle: value.slice(found.column - 1, found.column - 1 + Math.min(found.length, 40)) };
	}
	// Inside the value: tokens anywhere, and `key = value` lines (an .env or connection string held in a block scalar).
	for (const line of value.split('\n')) {
		const found = scanLine(line, true);
		if (found) return { kind: found.kind, needle: line.slice(found.column - 1, found.column - 1 + Math.min(found.length, 40)) };
	}
	return undefined;
}

/** The key's last segment, for the "ends with a credential word" rule (`db.password` → `password`). */
function lastWords(name: string): string {
	const dot = name.lastIndexOf('.');
	return dot === -1 ? name : name.slice(dot + 1);
}

/** The text that replaces a value holding a secret in a manifest. */
export function redactedValue(kind: string): string {
	return `[redacted: ${kind}]`;
}

/** A copy of `values` in which every value (or key) a finding names is redacted. */
export function redactFlatValues(values: FlatValues, findings: ValueFinding[]): FlatValues {
	if (findings.length === 0) return values;
	const byKey = new Map(findings.map((f) => [f.key, f.kind]));
	const entries: [string, Scalar][] = [];
	let hidden = 0;
	for (const [key, value] of Object.entries(values)) {
		const kind = byKey.get(key);
		if (kind === undefined) entries.push([key, value]);
		else if (/ in a key name$/.test(kind)) entries.push([`[redacted key ${++hidden}]`, redactedValue(kind)]);
		else entries.push([key, redactedValue(kind)]);
	}
	return Object.fromEntries(entries);
}

/** Flattened values with secrets redacted, and what was redacted (for a warning). */
export function withSecretsRedacted(values: FlatValues): { values: FlatValues; findings: ValueFinding[] } {
	const findings = scanFlatValues(values);
	return { values: redactFlatValues(values, findings), findings };
}

/**
 * Parses a structured file (YAML, JSON, TOML up to 16 MB, UTF-8) and reports every flattened value
 * that holds a secret, at the line where its text is found. A file that does not parse reports
 * nothing here (its text is still scanned line by line).
 */
export function scanStructuredText(text: string, relPath: string, parsedFiles?: ParsedFiles): SecretFinding[] {
	let parsed: unknown;
	try {
		parsed = parsedFiles ? parsedFiles.parse(relPath, text) : parseStructured(relPath, text);
	} catch {
		return [];
	}
	return scanEachValue((visit) => forEachFlatValue(parsed, visit)).map((f) => ({ path: relPath, ...locate(text, f), kind: f.kind }));
}

/** Reads and scans a structured file's parsed values; other files, binary ones and large ones: nothing. */
export function scanStructuredFile(absPath: string, relPath: string, size: number, parsedFiles?: ParsedFiles): SecretFinding[] {
	if (!isStructuredPath(relPath) || size > MAX_VALUE_SCAN_BYTES || size === 0) return [];
	let bytes: Buffer;
	try {
		bytes = readFileSync(absPath);
	} catch {
		return [];
	}
	if (looksBinary(bytes)) return [];
	return scanStructuredText(decodeUtf8Text(bytes), relPath, parsedFiles);
}

/** Where a finding's text is in the file: the value (as written, or JSON-escaped), else its key. */
function locate(text: string, finding: ValueFinding): { line: number; column: number } {
	const needles = [finding.needle, JSON.stringify(finding.needle).slice(1, -1), finding.needle.slice(0, 12)].filter((n) => n.length >= 3 && !isPlaceholder(n));
	for (const needle of [...needles, lastWords(keyName(finding.key))]) {
		const at = needle === '' ? -1 : text.indexOf(needle);
		if (at !== -1) return offsetToLineColumn(text, at);
	}
	return { line: 1, column: 1 };
}

/**
 * What a snapshot runs on a file it would store, and `model-ledger scan` on each file: the whole
 * text streamed through the detectors, plus (structured files) every parsed value. One finding per line.
 */
export function scanFileAndValues(absPath: string, relPath: string, parsedFiles?: ParsedFiles): FileScan {
	const scan = scanFileDetailed(absPath, relPath);
	const lines = new Set(scan.findings.map((f) => f.line));
	const values = scanStructuredFile(absPath, relPath, scan.bytes, parsedFiles).filter((f) => !lines.has(f.line));
	return { ...scan, findings: [...scan.findings, ...values].sort((a, b) => a.line - b.line || a.column - b.column) };
}

// Never text, and often large: not worth reading for the secret scan.
const NEVER_TEXT = /\.(?:safetensors|bin|pt|pth|ckpt|onnx|gguf|ggml|npy|npz|h5|hdf5|pkl|pickle|joblib|parquet|arrow|feather|tflite|pb|png|jpe?g|gif|webp|ico|bmp|tiff?|pdf|zip|gz|tgz|bz2|xz|zst|tar|7z|whl|so|dylib|dll|exe|woff2?|ttf|otf|eot|mp[34]|wav|flac|ogg|avi|mov|mkv|webm)$/i;

/** Files the secret scan skips by name: weights, archives, images, media. */
export function isNeverText(path: string): boolean {
	return NEVER_TEXT.test(path);
}
