// Secret scan: before a snapshot stores a text file (or the uncommitted-changes patch), look for
// credentials in it — provider API keys, cloud access keys, tokens, private key blocks, and
// `password:`/`api_key:`/`token:` keys with literal values in config-like files. Objects may later
// be pushed to a shared remote and manifests travel with git, so a secret stored once is leaked for
// good; the snapshot refuses with file:line unless the user allows it (recorded in the manifest).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { LedgerError } from './errors';

/** Files larger than this are not scanned (the same bound as parsing; weights are never text). */
export const MAX_SCAN_BYTES = 16 * 1024 * 1024;

export interface SecretFinding {
	/** Workspace-relative path (for the patch: `git diff: <path>`). */
	path: string;
	/** 1-based. */
	line: number;
	/** 1-based. */
	column: number;
	/** What was found, e.g. "OpenAI API key" — never the value itself. */
	kind: string;
}

interface TokenRule {
	kind: string;
	pattern: RegExp;
}

// Formats that are unambiguous wherever they appear (prompts included). Each needs enough
// characters after its prefix that prose and identifiers such as `sk-learn` never match.
const TOKEN_RULES: TokenRule[] = [
	{ kind: 'private key block', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----/ },
	{ kind: 'Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
	{ kind: 'OpenAI-style API key (sk-…)', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/ },
	{ kind: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
	{ kind: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
	{ kind: 'Hugging Face token', pattern: /\bhf_[A-Za-z0-9]{34,}\b/ },
	{ kind: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
	{ kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
	{ kind: 'password in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:[^\s/@'"$<{]{3,}@[^\s/'"]+/ },
];
// Any of these anywhere in a line makes the cheap pre-check pass; only then do the rules run.
const TOKEN_HINT = /BEGIN|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|hf_|xox|AIza|:\/\//;

// `key: value`, `key = value`, `"key": "value"`, `export KEY=value`, `- key: value`.
const ASSIGNMENT = /^\s*(?:export\s+|-\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*)$/;
// The key names a credential when it ends with one of these words (`db_password`, `openai_api_key`);
// `max_tokens`, `tokenizer`, `password_min_length` do not.
const SECRET_KEY = /(?:^|[_.-])(?:password|passwd|pwd|secret|api[_-]?key|apikey|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|bearer[_-]?token|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?)$/i;
// Tokenizer vocabulary (`eos_token: "</s>"`) is not a credential.
const TOKENIZER_KEY = /(?:^|[_.-])(?:eos|bos|pad|unk|sep|cls|mask|special|start|end|chat)[_-]?token$/i;
// Values that stand for a secret without being one.
const PLACEHOLDER = [
	/^\$\{[^}]*\}$/, // ${OPENAI_API_KEY}
	/^\$[A-Za-z_][A-Za-z0-9_]*$/, // $OPENAI_API_KEY
	/^%\([^)]*\)s$/, // %(key)s
	/^\{\{.*\}\}$/, // {{ secrets.key }}
	/^\{[A-Za-z_][A-Za-z0-9_]*\}$/, // {api_key}
	/^<[^>]*>$/, // <your-key>, </s>
	/^[A-Z][A-Z0-9_]*$/, // OPENAI_API_KEY: the name of an environment variable
	/^(?:x+|\*+|\.+|-+|#+|0+)$/i,
	/^(?:change[-_]?me|changeit|password|secret|token|example|dummy|placeholder|redacted|none|null|nil|undefined|true|false|yes|no|on|off|todo|tbd|fixme|test|default)$/i,
	/^(?:your|my|insert|replace|enter|put)[-_ ]/i, // your-api-key-here
	/^(?:env|vault|secret|secrets|ssm|op|file|aws-secretsmanager|keyring):/i, // references to a secret store
	/^(?:os\.environ|os\.getenv|process\.env|env\(|ENV\[|getenv\()/,
	/^-?\d+(?:\.\d+)?$/, // numbers (token counts, ports)
];
const MIN_LITERAL = 6;
// Where `key: value` lines mean configuration; prompts and prose only get the token rules.
const CONFIG_LIKE = /\.(?:ya?ml|json|jsonc|json5|toml|ini|cfg|conf|properties|env|envrc)$/i;

/** Whether `key: value` rules apply to a file with this path. */
export function isConfigLike(path: string): boolean {
	const name = path.split('/').pop() ?? path;
	return CONFIG_LIKE.test(name) || name.startsWith('.env') || !name.includes('.');
}

// Whole-text pre-checks: most files (prompts above all) match neither, and are then not split into lines.
const KEY_HINT = /passw|pwd|secret|key|token|credential/i;

/** Scans text for secrets; `configLike` also checks credential-named keys with literal values. */
export function scanText(text: string, path: string, configLike = isConfigLike(path)): SecretFinding[] {
	const findings: SecretFinding[] = [];
	const tokens = TOKEN_HINT.test(text);
	const keys = configLike && KEY_HINT.test(text);
	if (!tokens && !keys) return findings;
	let lineNo = 0;
	let start = 0;
	while (start <= text.length) {
		let end = text.indexOf('\n', start);
		if (end === -1) end = text.length;
		lineNo++;
		const line = text.slice(start, end);
		const found = scanLine(line, keys, tokens);
		if (found) findings.push({ path, line: lineNo, column: found.column, kind: found.kind });
		start = end + 1;
	}
	return findings;
}

/** Scans one file on disk when it is text and not too large; binary and huge files are skipped. */
export function scanFile(absPath: string, relPath: string): SecretFinding[] {
	let size: number;
	try {
		size = statSync(absPath).size;
	} catch {
		return [];
	}
	if (size === 0 || size > MAX_SCAN_BYTES) return [];
	const bytes = Buffer.allocUnsafe(size);
	const fd = openSync(absPath, 'r');
	let read = 0;
	try {
		while (read < size) {
			const n = readSync(fd, bytes, read, size - read, null);
			if (n === 0) break;
			read += n;
		}
	} finally {
		closeSync(fd);
	}
	const data = bytes.subarray(0, read);
	if (data.subarray(0, 8000).includes(0) || !isUtf8(data)) return [];
	return scanText(data.toString('utf8'), relPath);
}

/**
 * Scans the added lines of a unified diff (`git diff HEAD`), reporting positions in the new files:
 * the patch is stored with a dirty version, so a secret typed into a tracked file would travel too.
 */
export function scanPatch(patch: string): SecretFinding[] {
	const findings: SecretFinding[] = [];
	let file = '';
	let newLine = 0;
	for (const line of patch.split('\n')) {
		if (line.startsWith('+++ ')) {
			file = line.slice(4).replace(/^b\//, '');
			continue;
		}
		const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
		if (hunk) {
			newLine = Number(hunk[1]);
			continue;
		}
		if (line.startsWith('+')) {
			const found = scanLine(line.slice(1), isConfigLike(file));
			if (found) findings.push({ path: `git diff: ${file}`, line: newLine, column: found.column, kind: found.kind });
			newLine++;
		} else if (line.startsWith(' ')) {
			newLine++;
		}
	}
	return findings;
}

function scanLine(line: string, configLike: boolean, tokens = true): { kind: string; column: number } | undefined {
	if (tokens && TOKEN_HINT.test(line)) {
		for (const rule of TOKEN_RULES) {
			const match = rule.pattern.exec(line);
			if (match && !isPlaceholderInUrl(rule, match[0])) return { kind: rule.kind, column: match.index + 1 };
		}
	}
	if (!configLike) return undefined;
	const assignment = ASSIGNMENT.exec(line);
	if (!assignment) return undefined;
	const key = assignment[1];
	if (!SECRET_KEY.test(key) || TOKENIZER_KEY.test(key)) return undefined;
	const value = literalValue(assignment[2]);
	if (value === undefined || value.length < MIN_LITERAL || /\s/.test(value)) return undefined;
	if (PLACEHOLDER.some((p) => p.test(value))) return undefined;
	return { kind: `literal value for \`${key}\``, column: line.indexOf(assignment[2]) + 1 };
}

/** `user:${PASSWORD}@host` or `user:<password>@host` in a URL is a template, not a credential. */
function isPlaceholderInUrl(rule: TokenRule, match: string): boolean {
	if (rule.kind !== 'password in a URL') return false;
	const password = /:\/\/[^:]+:([^@]+)@/.exec(match)?.[1] ?? '';
	return PLACEHOLDER.some((p) => p.test(password));
}

/** The value of `key: value` without quotes, a trailing comment or a JSON comma; undefined for blocks and objects. */
function literalValue(raw: string): string | undefined {
	let value = raw.trim();
	if (value === '' || value === '|' || value === '>' || value.startsWith('{') || value.startsWith('[') || value.startsWith('&') || value.startsWith('*')) return undefined;
	value = value.replace(/^!\S+\s+/, ''); // YAML tags such as !ENV
	const quote = value[0];
	if (quote === '"' || quote === "'") {
		const close = value.indexOf(quote, 1);
		return close === -1 ? value.slice(1) : value.slice(1, close);
	}
	return value.replace(/\s+[#;].*$/, '').replace(/,$/, '').trim();
}

export interface SecretCheck {
	findings: SecretFinding[];
	/** Paths whose findings were allowed (to record in the manifest). */
	allowed: string[];
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
		const shown = refused.slice(0, 5).map((f) => `${f.path}:${f.line}:${f.column}: ${f.kind}`);
		const more = refused.length > shown.length ? ` (and ${refused.length - shown.length} more)` : '';
		const first = refused[0];
		throw new LedgerError(
			`Refusing to snapshot: ${refused.length === 1 ? 'a secret was' : `${refused.length} secrets were`} found — ${shown.join('; ')}${more}.`,
			'Move the secret out of the file (read it from an environment variable, e.g. `api_key: ${OPENAI_API_KEY}`) and snapshot again; ' +
				'or, if it must be versioned, snapshot with --allow-secrets (the version records which files were allowed).',
			{ file: first.path.replace(/^git diff: /, ''), line: first.line, column: first.column },
			'SECRET_FOUND',
		);
	}
	return { findings, allowed: [...new Set(findings.map((f) => f.path))].sort() };
}
