// Secret scan: before a snapshot stores a text file (or the uncommitted-changes patch), look for
// credentials in it — provider API keys, cloud access keys, tokens, private key blocks, and
// `password:`/`api_key:`/`token:` keys with literal values in config-like files. Objects may later
// be pushed to a shared remote and manifests travel with git, so a secret stored once is leaked for
// good; the snapshot refuses with file:line unless the user allows it (recorded in the manifest).
//
// Every file is read as a stream (any size, bounded memory) and decoded as what it is: UTF-8,
// UTF-16 with or without a byte-order mark, and anything else as Latin-1 (every byte one
// character, so ASCII tokens are found among bytes that are not text). The detectors are in
// secretRules.ts; parsed values are scanned by secretValues.ts.
import { appendAll } from '../bulkArrays';
import { closeSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { LedgerError } from '../errors';
import { redactText } from './secretLabels';
import { isSecretKey, matchKeyValue, nextHint, scanLine } from './secretRules';
import type { RuleMatch, SecretFinding } from './secretRules';
import { openRegularFileSync } from '../store/boundedRead';

// Where `key: value` lines mean configuration; prompts and prose only get the token rules and the
// random-value-next-to-a-secret-word rule.
const CONFIG_LIKE = /\.(?:ya?ml|json|jsonc|json5|jsonl|toml|ini|cfg|conf|properties|env|envrc|tfvars|hcl)$/i;

/** Whether `key: value` rules apply to a file with this path. */
export function isConfigLike(path: string): boolean {
	const name = path.split('/').pop() ?? path;
	return CONFIG_LIKE.test(name) || name.startsWith('.env') || !name.includes('.');
}

/**
 * Feeds lines to the detectors and keeps the little state a line needs from the one before: a
 * credential key whose value is a YAML block scalar (`password: |`) or continues on the next line.
 */
class LineScanner {
	readonly findings: SecretFinding[] = [];
	private readonly seen = new Set<string>();
	private pending: { key: string; indent: number } | undefined;

	constructor(
		private readonly path: string,
		readonly configLike: boolean,
	) {}

	/** `column0` is where `text` starts in its line (a window of a very long line). */
	line(text: string, lineNo: number, column0 = 0): RuleMatch | undefined {
		let found = scanLine(text, this.configLike);
		if (this.configLike && column0 === 0) found = found ?? this.blockValue(text);
		if (found) this.add(lineNo, column0 + found.column, found.kind);
		return found;
	}

	add(line: number, column: number, kind: string): void {
		const key = `${line}:${column}`;
		if (this.seen.has(key)) return;
		this.seen.add(key);
		this.findings.push({ path: this.path, line, column, kind });
	}

	private blockValue(text: string): RuleMatch | undefined {
		const indent = /^\s*/.exec(text)![0].length;
		const pending = this.pending;
		if (pending && text.trim() !== '') {
			this.pending = undefined;
			if (indent > pending.indent) {
				const value = text.trim();
				const found = matchKeyValue(pending.key, value);
				if (found) return { ...found, column: indent + 1 };
				return undefined;
			}
		}
		const block = /^(\s*)(?:-\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*:\s*(?:[|>][-+0-9]*)?\s*(?:#.*)?$/.exec(text);
		if (block && isSecretKey(block[2])) this.pending = { key: block[2], indent: block[1].length };
		return undefined;
	}
}

/** Scans text for secrets; `configLike` also checks credential-named keys with literal values. */
export function scanText(text: string, path: string, configLike = isConfigLike(path)): SecretFinding[] {
	const scanner = new LineScanner(path, configLike);
	let lineNo = 0;
	let start = 0;
	while (start <= text.length) {
		let end = text.indexOf('\n', start);
		if (end === -1) end = text.length;
		lineNo++;
		scanner.line(text.slice(start, end), lineNo);
		start = end + 1;
	}
	return scanner.findings;
}

// --- files, streamed ---------------------------------------------------------------------------

export type ScanEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';

export interface FileScan {
	findings: SecretFinding[];
	/** Bytes read (the whole file). */
	bytes: number;
	/** How the bytes were decoded. */
	encoding: ScanEncoding;
}

const CHUNK = 1024 * 1024;
/** A line longer than this is scanned in windows of this size that overlap by OVERLAP characters. */
const MAX_LINE = 1024 * 1024;
/** Longer than any token the rules look for, so a token across a window edge is seen whole in one. */
const OVERLAP = 8192;

/** Scans one file on disk, whatever its size, reading it in 1 MiB chunks. */
export function scanFile(absPath: string, relPath: string): SecretFinding[] {
	return scanFileDetailed(absPath, relPath).findings;
}

/** {@link scanFile} with what was read and how it was decoded. */
export function scanFileDetailed(absPath: string, relPath: string): FileScan {
	let fd: number;
	try {
		fd = openRegularFileSync(absPath, relPath);
	} catch {
		return { findings: [], bytes: 0, encoding: 'utf-8' };
	}
	try {
		const head = scratch('head');
		const headLength = readFully(fd, head, 0);
		const sniffed = sniffEncoding(head.subarray(0, headLength));
		const first = streamScan(fd, relPath, head.subarray(0, headLength), sniffed.encoding, sniffed.skip);
		if (first) return first;
		// Not UTF-8 after all (a byte sequence UTF-8 cannot have): read it again as Latin-1.
		return streamScan(fd, relPath, head.subarray(0, headLength), 'latin1', 0)!;
	} finally {
		closeSync(fd);
	}
}

// Two 1 MiB read buffers for every scan, made once: a fresh zero-filled one per file was 2 GiB of
// zeroing for a snapshot of 2,000 small files (a quarter of its time in a CPU profile). The scan is
// synchronous from open to close, so one scan never sees another's bytes in them.
const scratchBuffers = new Map<'head' | 'chunk', Buffer>();
function scratch(which: 'head' | 'chunk'): Buffer {
	let buffer = scratchBuffers.get(which);
	if (!buffer) scratchBuffers.set(which, (buffer = Buffer.allocUnsafe(CHUNK)));
	return buffer;
}

function readFully(fd: number, buffer: Buffer, position: number): number {
	let read = 0;
	while (read < buffer.length) {
		const n = readSync(fd, buffer, read, buffer.length - read, position + read);
		if (n === 0) break;
		read += n;
	}
	return read;
}

/** The encoding of a file from its first bytes: a byte-order mark, the NUL pattern of UTF-16, else UTF-8 (Latin-1 if that fails). */
export function sniffEncoding(head: Uint8Array): { encoding: ScanEncoding; skip: number } {
	if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
	if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
	if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
	// ASCII-range text in UTF-16 has a NUL in every other byte: in the odd bytes (LE) or the even ones (BE).
	const window = Math.min(head.length, 4096) & ~1;
	if (window >= 4) {
		let even = 0;
		let odd = 0;
		for (let i = 0; i < window; i += 2) {
			if (head[i] === 0) even++;
			if (head[i + 1] === 0) odd++;
		}
		const pairs = window / 2;
		if (odd >= pairs * 0.4 && even <= pairs * 0.05) return { encoding: 'utf-16le', skip: 0 };
		if (even >= pairs * 0.4 && odd <= pairs * 0.05) return { encoding: 'utf-16be', skip: 0 };
	}
	return { encoding: 'utf-8', skip: 0 };
}

/** Streams the file through the detectors; undefined when it was read as UTF-8 and is not. */
function streamScan(fd: number, relPath: string, head: Buffer, encoding: ScanEncoding, skip: number): FileScan | undefined {
	const decoder = encoding === 'latin1' ? undefined : new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
	const decode = (bytes: Uint8Array, more: boolean) => (decoder ? decoder.decode(bytes, { stream: more }) : Buffer.from(bytes).toString('latin1'));
	const feeder = new StreamFeeder(new LineScanner(relPath, isConfigLike(relPath)));
	let bytes = head.length;
	try {
		feeder.push(decode(head.subarray(skip), head.length === CHUNK));
		if (head.length === CHUNK) {
			const chunk = scratch('chunk');
			for (;;) {
				const n = readFully(fd, chunk, bytes);
				bytes += n;
				feeder.push(decode(chunk.subarray(0, n), n === CHUNK));
				if (n < CHUNK) break;
			}
		}
	} catch (err) {
		if (encoding === 'utf-8' && err instanceof TypeError) return undefined;
		throw err;
	}
	feeder.end();
	return { findings: feeder.scanner.findings, bytes, encoding };
}

/** Cuts decoded text into lines (a line over MAX_LINE into overlapping windows) for a LineScanner. */
class StreamFeeder {
	private carry = '';
	private lineNo = 1;
	/** Column (0-based) in its line where `carry` starts. */
	private carryColumn = 0;

	constructor(readonly scanner: LineScanner) {}

	push(text: string): void {
		if (text === '') return;
		const data = this.carry + text;
		// Outside config-like files a line is scanned only when it holds a hint (scanLine finds nothing
		// in the others): in prose, most lines are only counted. Config files keep the per-line state
		// of blockValue, so every line of theirs is scanned.
		let start = this.scanner.configLike ? 0 : this.hintedLines(data);
		for (let nl = data.indexOf('\n', start); nl !== -1; nl = data.indexOf('\n', start)) {
			this.scanner.line(data.slice(start, nl), this.lineNo, start === 0 ? this.carryColumn : 0);
			this.lineNo++;
			if (start === 0) this.carryColumn = 0;
			start = nl + 1;
		}
		if (start > 0) this.carryColumn = 0;
		this.carry = data.slice(start);
		if (this.carry.length > MAX_LINE) {
			this.scanner.line(this.carry, this.lineNo, this.carryColumn);
			this.carryColumn += this.carry.length - OVERLAP;
			this.carry = this.carry.slice(-OVERLAP);
		}
	}

	end(): void {
		if (this.carry !== '') this.scanner.line(this.carry, this.lineNo, this.carryColumn);
	}

	/** Scans the complete lines of `data` that hold a hint and counts the others; returns where the unfinished last line starts. */
	private hintedLines(data: string): number {
		const complete = data.lastIndexOf('\n') + 1;
		let start = 0;
		while (start < complete) {
			const hit = nextHint(data, start);
			const lineStart = hit === -1 || hit >= complete ? complete : data.lastIndexOf('\n', hit) + 1;
			for (let nl = data.indexOf('\n', start); nl !== -1 && nl < lineStart; nl = data.indexOf('\n', nl + 1)) this.lineNo++;
			if (lineStart > 0) this.carryColumn = 0;
			if (lineStart >= complete) return complete;
			const end = data.indexOf('\n', lineStart);
			this.scanner.line(data.slice(lineStart, end), this.lineNo, lineStart === 0 ? this.carryColumn : 0);
			this.lineNo++;
			this.carryColumn = 0;
			start = end + 1;
		}
		return start;
	}
}

/** Decodes bytes of unknown encoding (a file's content from a binary patch) for the detectors. */
export function decodeForScan(bytes: Uint8Array): string {
	const { encoding, skip } = sniffEncoding(bytes);
	const body = bytes.subarray(skip);
	if (encoding !== 'utf-8') return new TextDecoder(encoding).decode(body);
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(body);
	} catch {
		return Buffer.from(body).toString('latin1');
	}
}

// --- the uncommitted-changes patch -------------------------------------------------------------

/**
 * Scans the added lines of a unified diff (`git diff HEAD --binary`), reporting positions in the
 * new files: the patch is stored with a dirty version, so a secret typed into a tracked file would
 * travel too. Files git calls binary (UTF-16 text among them) come as `GIT binary patch` blocks:
 * those are decoded (base85, zlib) and their new bytes scanned like a file.
 */
export function scanPatch(patch: string | Iterable<string>): SecretFinding[] {
	const findings: SecretFinding[] = [];
	let file = '';
	let scanner = new LineScanner('git diff: ', false);
	let newLine = 0;
	/** Inside a `GIT binary patch` block: its first hunk (new content) is collected, the second (old) skipped. */
	let binary: { hunk: 'head' | 'new' | 'between' | 'old'; kind?: string; lines: string[]; chars: number } | undefined;
	// A patch of any size is scanned line by line (an iterable reading a file), never as one string.
	for (const line of typeof patch === 'string' ? patch.split('\n') : patch) {
		if (binary) {
			if (binary.hunk === 'head' || binary.hunk === 'between') {
				const head = /^(literal|delta) \d+$/.exec(line);
				if (head) {
					if (binary.hunk === 'head') binary.kind = head[1];
					binary.hunk = binary.hunk === 'head' ? 'new' : 'old';
					continue;
				}
				binary = undefined;
			} else if (line === '') {
				if (binary.hunk === 'new') {
					const bytes = decodeBinaryHunk(binary.kind!, binary.lines);
					if (bytes) appendAll(findings, scanText(decodeForScan(bytes), `git diff: ${file}`, isConfigLike(file)));
					binary = { hunk: 'between', lines: [], chars: 0 };
				} else binary = undefined;
				continue;
			} else {
				// Bounded: the base85 text of a hunk past the limit is not kept (its content would not be inflated anyway).
				if (binary.hunk === 'new' && binary.chars <= MAX_BINARY_HUNK_BYTES * 2) {
					binary.lines.push(line);
					binary.chars += line.length;
				}
				continue;
			}
		}
		const header = /^diff --git "?a\/.*"? "?b\/(.*?)"?$/.exec(line);
		if (header || line.startsWith('+++ ')) {
			const next = header ? header[1] : line.slice(4).replace(/^"?b\//, '').replace(/"$/, '');
			if (next !== '/dev/null' && next !== file) {
				appendAll(findings, scanner.findings);
				file = next;
				scanner = new LineScanner(`git diff: ${file}`, isConfigLike(file));
			}
			continue;
		}
		if (line === 'GIT binary patch') {
			binary = { hunk: 'head', lines: [], chars: 0 };
			continue;
		}
		const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
		if (hunk) {
			newLine = Number(hunk[1]);
			continue;
		}
		if (line.startsWith('+')) {
			scanner.line(line.slice(1), newLine);
			newLine++;
		} else if (line.startsWith(' ')) {
			newLine++;
		}
	}
	if (binary?.hunk === 'new') {
		const bytes = decodeBinaryHunk(binary.kind!, binary.lines);
		if (bytes) appendAll(findings, scanText(decodeForScan(bytes), `git diff: ${file}`, isConfigLike(file)));
	}
	appendAll(findings, scanner.findings);
	return findings;
}

/** Largest binary-patch hunk inflated for the scan (like the parsed-value scan's limit): memory stays bounded. */
const MAX_BINARY_HUNK_BYTES = 16 * 1024 * 1024;

const BASE85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const BASE85_VALUE = new Map([...BASE85].map((c, i) => [c, i]));

/**
 * One hunk of a git binary patch (`literal N` or `delta N`, then its base85 lines): the new file's
 * bytes (for a delta, only the bytes it inserts); undefined when it does not decode.
 */
function decodeBinaryHunk(kind: string, lines: string[]): Uint8Array | undefined {
	const parts: Buffer[] = [];
	for (const line of lines) {
		const decoded = decodeBase85Line(line);
		if (!decoded) return undefined;
		parts.push(decoded);
	}
	try {
		// Bounded: a hunk that inflates past the limit (a big binary's new content) throws and is skipped
		// here; a model's own files are scanned on disk, streamed, whatever their size.
		const inflated = inflateSync(Buffer.concat(parts), { maxOutputLength: MAX_BINARY_HUNK_BYTES });
		return kind === 'literal' ? inflated : deltaInserts(inflated);
	} catch {
		return undefined;
	}
}

function decodeBase85Line(line: string): Buffer | undefined {
	const c = line.charCodeAt(0);
	const length = c >= 65 && c <= 90 ? c - 64 : c >= 97 && c <= 122 ? c - 96 + 26 : -1;
	if (length < 0) return undefined;
	const out = Buffer.alloc(Math.ceil(length / 4) * 4);
	let o = 0;
	for (let p = 1; p + 5 <= line.length && o < out.length; p += 5) {
		let value = 0;
		for (let k = 0; k < 5; k++) {
			const v = BASE85_VALUE.get(line[p + k]);
			if (v === undefined) return undefined;
			value = value * 85 + v;
		}
		out.writeUInt32BE(value >>> 0, o);
		o += 4;
	}
	return out.subarray(0, length);
}

/** The literal bytes a git delta inserts (copies from the old file are left out: they were scanned when stored). */
function deltaInserts(delta: Buffer): Buffer {
	let p = 0;
	const varint = () => {
		let shift = 0;
		let value = 0;
		let byte: number;
		do {
			byte = delta[p++];
			value += (byte & 0x7f) * 2 ** shift;
			shift += 7;
		} while (byte & 0x80 && p < delta.length);
		return value;
	};
	varint();
	varint();
	const inserts: Buffer[] = [];
	while (p < delta.length) {
		const op = delta[p++];
		if (op & 0x80) {
			for (let bit = 0; bit < 7; bit++) if (op & (1 << bit)) p++;
		} else if (op > 0) {
			inserts.push(delta.subarray(p, p + op));
			p += op;
		}
	}
	return Buffer.concat(inserts);
}

// --- policy -----------------------------------------------------------------------------------

export interface SecretCheck {
	findings: SecretFinding[];
	/** Paths whose findings were allowed (to record in the manifest). */
	allowed: string[];
}

/** Findings about text that is not a file (a message, a branch name) are not files to allow. */
function isFileFinding(f: SecretFinding): boolean {
	return !/^(?:-m message|git branch|note|tag)$/.test(f.path);
}

/** Whether the finding can be shown as `file:line:column` (not when the secret is the file's name itself). */
function hasLocation(f: SecretFinding): boolean {
	return isFileFinding(f) && !/ in the file's name/.test(f.kind);
}

/**
 * Throws one LedgerError naming every finding not covered by `allow` (true: all; a list: those
 * paths); returns the allowed ones so the manifest can record that the user chose to store them.
 */
export function enforceSecretPolicy(findings: SecretFinding[], allow: boolean | string[] | undefined): SecretCheck {
	const allowedPaths = new Set(Array.isArray(allow) ? allow : []);
	const isAllowed = (f: SecretFinding) => allow === true || allowedPaths.has(f.path) || allowedPaths.has(f.path.replace(/^git diff: /, ''));
	const refused = findings.filter((f) => !isAllowed(f));
	if (refused.length) {
		// A path can hold the secret itself: every path is shown with secrets redacted.
		const shown = refused.slice(0, 5).map((f) => (hasLocation(f) ? `${redactText(f.path)}:${f.line}:${f.column}: ${f.kind}` : `${redactText(f.path)}: ${f.kind}${isFileFinding(f) ? '' : ` (column ${f.column})`}`));
		const more = refused.length > shown.length ? ` (and ${refused.length - shown.length} more)` : '';
		const first = refused[0];
		throw new LedgerError({
			code: 'SECRET_FOUND',
			message: `Refusing to snapshot: ${refused.length === 1 ? 'a secret was' : `${refused.length} secrets were`} found — ${shown.join('; ')}${more}.`,
			fix: 'Move the secret out of the file (read it from an environment variable, e.g. `api_key: ${OPENAI_API_KEY}`) and snapshot again; ' +
				'or, if it must be versioned, snapshot with --allow-secrets (the version records which files were allowed; values that look like secrets are redacted in the manifest).',
			location: hasLocation(first) ? { file: first.path.replace(/^git diff: /, ''), line: first.line, column: first.column } : undefined,
		});
	}
	return { findings, allowed: [...new Set(findings.filter(isFileFinding).map((f) => f.path))].sort() };
}
