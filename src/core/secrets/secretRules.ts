// The secret detectors, one line (or one value) at a time. secretScan.ts feeds them files, patches
// and parsed values; secretLabels.ts feeds them messages, notes, branch and file names. Each rule is
// written so that it runs in linear time on hostile lines (every token pattern starts only where a
// token can start, and unbounded runs are never re-scanned from inside), and so that it never needs
// to print the value it found.

/** A secret found in a file, patch or label: where, and what kind (never the value). */
export interface SecretFinding {
	/** Workspace-relative path (for the patch: `git diff: <path>`; for other text: what it is, e.g. `-m message`). */
	path: string;
	/** 1-based. */
	line: number;
	/** 1-based. */
	column: number;
	/** What was found, e.g. "OpenAI API key" — never the value itself. */
	kind: string;
}

export interface RuleMatch {
	/** What was found, e.g. "GitHub token" — never the value itself. */
	kind: string;
	/** 1-based, in the line given. */
	column: number;
	/** Length of the matched text (for redaction). */
	length: number;
}

// A token starts where no token character precedes it, or right after an escape sequence: in
// `"a\nsk-proj-…"` (JSON, YAML, Python source) the `n` of `\n` is not part of the key, and in URLs
// `%0A` or `%3D` is a boundary too.
const START = String.raw`(?:(?<![A-Za-z0-9_\-])|(?<=\\[nrtbfv0])|(?<=\\u[0-9A-Fa-f]{4})|(?<=%[0-9A-Fa-f]{2}))`;
// …and ends where no token character follows.
const END = String.raw`(?![A-Za-z0-9_\-])`;

interface TokenRule {
	kind: string;
	/** Cheap test the line must pass before the pattern runs (most lines pass none). */
	hint: RegExp;
	pattern: RegExp;
	/** Extra check on the match (false: not a secret after all). */
	accept?: (match: RegExpExecArray) => boolean;
}

const token = (kind: string, hint: RegExp, body: string, accept?: TokenRule['accept'], end = END): TokenRule => ({ kind, hint, pattern: new RegExp(START + body + end), accept });

// Formats that are unambiguous wherever they appear (prompts included). Each needs enough
// characters after its prefix that prose and identifiers such as `sk-learn` never match.
const TOKEN_RULES: TokenRule[] = [
	{ kind: 'private key block', hint: /BEGIN/, pattern: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/ },
	token('private key (base64 PKCS#8/PKCS#1 body)', /MII/, 'MII[A-Za-z0-9+/]{1,3}(?:IBADANBgkqhkiG9w0BAQEFAASC|IBAAKC[AQ])', undefined, ''),
	token('JSON Web Token', /eyJ/, String.raw`eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{16,4096}`),
	token('Anthropic API key', /sk-ant-/, 'sk-ant-[A-Za-z0-9_-]{20,4096}'),
	// `sk-` + an identifier (`sk-learn-contrib-extra-models`) is not a key: keys are random (digits and letters).
	token('OpenAI-style API key (sk-…)', /sk-/, '(sk-(?:proj-|svcacct-|admin-|None-)?)([A-Za-z0-9_-]{20,4096})', (m) => looksRandom(m[2], 3)),
	token('AWS access key id', /AKIA|ASIA/, '(?:AKIA|ASIA)[0-9A-Z]{16}'),
	token('GitHub token', /gh[pousr]_|github_pat_/, '(?:gh[pousr]_[A-Za-z0-9]{36,4096}|github_pat_[A-Za-z0-9_]{22,4096})'),
	token('GitLab token', /gl(?:pat|dt|ptt|rt|soat|cbt)-/, 'gl(?:pat|dt|ptt|rt|soat|cbt)-[A-Za-z0-9_-]{20,4096}'),
	token('Hugging Face token', /hf_|api_org_/, '(?:hf_[A-Za-z0-9]{34,4096}|api_org_[A-Za-z0-9]{34,4096})'),
	token('Slack token', /xox/, 'xox[abposre]-[A-Za-z0-9-]{10,4096}'),
	token('Slack app token', /xapp-/, 'xapp-[0-9]-[A-Za-z0-9-]{20,4096}'),
	{ kind: 'Slack webhook URL', hint: /hooks\.slack/, pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{6,4096}\/[A-Z0-9]{6,4096}\/[A-Za-z0-9]{16,4096}/ },
	{ kind: 'Discord webhook URL', hint: /discord/, pattern: /discord(?:app)?\.com\/api\/webhooks\/\d{8,4096}\/[A-Za-z0-9_-]{40,4096}/ },
	token('Google API key', /AIza/, 'AIza[0-9A-Za-z_-]{35}'),
	token('Google OAuth client secret', /GOCSPX-/, 'GOCSPX-[A-Za-z0-9_-]{20,4096}'),
	token('Google OAuth access token', /ya29\./, String.raw`ya29\.[0-9A-Za-z_-]{30,4096}`),
	token('Stripe key', /_live_|_test_/, '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,4096}'),
	token('Stripe webhook secret', /whsec_/, 'whsec_[A-Za-z0-9]{24,4096}'),
	token('npm token', /npm_/, 'npm_[A-Za-z0-9]{36}'),
	token('PyPI token', /pypi-/, 'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,4096}'),
	token('SendGrid API key', /SG\./, String.raw`SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`),
	token('Groq API key', /gsk_/, 'gsk_[A-Za-z0-9]{48,4096}'),
	token('Replicate API token', /r8_/, 'r8_[A-Za-z0-9]{37,4096}'),
	token('LangSmith API key', /lsv2_/, 'lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}'),
	token('Databricks token', /dapi/, 'dapi[a-f0-9]{32}'),
	token('Perplexity API key', /pplx-/, 'pplx-[A-Za-z0-9]{40,4096}'),
	token('Tavily API key', /tvly-/, 'tvly-(?:dev-)?[A-Za-z0-9]{30,4096}'),
	{ kind: 'Azure storage account key', hint: /AccountKey=/, pattern: /AccountKey=[A-Za-z0-9+/]{80,4096}={0,2}/ },
	{ kind: 'Azure shared access key', hint: /SharedAccessKey=/, pattern: /SharedAccessKey=[A-Za-z0-9+/]{30,4096}={0,2}/ },
	{ kind: 'Azure SAS signature', hint: /sig=/, pattern: /[?&]sig=[A-Za-z0-9%+/]{30,4096}/ },
	// `scheme://user:password@host`: a DSN (postgres, mysql, redis, mongodb, amqp) or a URL with credentials.
	{ kind: 'password in a URL', hint: /:\/\/[^\s]*@/, pattern: /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}:\/\/[^\s/:@'"]{1,200}:([^\s/@'"$<{]{3,200})@[^\s/'"]+/i, accept: (m) => !isPlaceholder(m[1]) },
	// ADO.NET / ODBC / JDBC connection strings: `Server=…;User Id=…;Password=…;`.
	{ kind: 'password in a connection string', hint: /;\s*(?:password|pwd)\s*=/i, pattern: /;\s*(?:password|pwd)\s*=\s*([^;"'\s]{3,200})/i, accept: (m) => !isPlaceholder(m[1]) },
	// `Authorization: Bearer <token>` (JWTs are caught above; this is the opaque kind) and `Basic <base64>`.
	{ kind: 'Authorization header credential', hint: /Bearer|Basic/, pattern: /(?<![A-Za-z])(?:Bearer|Basic)\s+([A-Za-z0-9._~+/-]{20,4096}=*)/, accept: (m) => looksRandom(m[1], 3.5) },
];

// Any of these anywhere in a line makes the cheap pre-check pass; only then are the rules' own hints tested.
const TOKEN_HINT =
	/BEGIN|MII|eyJ|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|gl(?:pat|dt|ptt|rt|soat|cbt)-|hf_|api_org_|xox|xapp-|hooks\.slack|discord|AIza|GOCSPX|ya29\.|_live_|_test_|whsec_|npm_|pypi-|SG\.|gsk_|r8_|lsv2_|dapi|pplx-|tvly-|AccountKey|SharedAccessKey|sig=|:\/\/|pwd|password|Bearer|Basic|LS0t/i;

// base64 of "-----BEGIN" at each of the three byte alignments: a PEM key that was base64-wrapped
// (Kubernetes secrets, CI variables, `base64 key.pem`). Each starts on a 4-character group.
const BASE64_PEM = /LS0tLS1CRUdJT|LS0tQkVHSU4|LS0tLUJFR0lO/g;
const PEM_HEADER = /BEGIN[ A-Z0-9]{0,40}PRIVATE KEY/;

/** The first token-shaped secret in a line (any file, prose included). */
export function matchToken(line: string): RuleMatch | undefined {
	if (!TOKEN_HINT.test(line)) return undefined;
	let best: RuleMatch | undefined;
	for (const rule of TOKEN_RULES) {
		if (!rule.hint.test(line)) continue;
		const match = rule.pattern.exec(line);
		if (!match || (rule.accept && !rule.accept(match))) continue;
		if (!best || match.index + 1 < best.column) best = { kind: rule.kind, column: match.index + 1, length: match[0].length };
	}
	if (best) return best;
	BASE64_PEM.lastIndex = 0;
	// A real key is found at its first hint; a line of nothing but hints is not worth decoding 100 times.
	let tries = 0;
	for (let m = BASE64_PEM.exec(line); m && tries++ < 100; m = BASE64_PEM.exec(line)) {
		const decoded = Buffer.from(line.slice(m.index, m.index + 160).replace(/[^A-Za-z0-9+/=].*$/s, ''), 'base64').toString('latin1');
		if (PEM_HEADER.test(decoded)) return { kind: 'base64-encoded private key', column: m.index + 1, length: runLength(line, m.index) };
	}
	return undefined;
}

function runLength(line: string, start: number): number {
	let end = start;
	while (end < line.length && /[A-Za-z0-9+/=]/.test(line[end])) end++;
	return end - start;
}

// --- key names --------------------------------------------------------------------------------

// The key names a credential when it ends with one of these words (`db_password`, `openai_api_key`);
// `max_tokens`, `tokenizer`, `password_min_length` do not.
const SECRET_KEY = /(?:^|[_.-])(?:password|passwd|passphrase|pwd|secret|api[_-]?key|apikey|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|bearer[_-]?token|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?|connection[_-]?string|conn[_-]?str|sas[_-]?token|signing[_-]?key|webhook[_-]?url)$/i;
// A secret-ish word anywhere in the key (`s3_secret_value`, `aws_secret_access_key_prod`, `apiKeyValue`):
// such a key is only reported when its value also looks random.
const SECRETISH_KEY = /passw|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth/i;
// Tokenizer vocabulary (`eos_token: "</s>"`) is not a credential.
const TOKENIZER_KEY = /(?:^|[_.-])(?:eos|bos|pad|unk|sep|cls|mask|special|start|end|chat|image|audio|video|vision|boi|eoi|sot|eot)[_-]?token$/i;
// Keys that name a secret without holding one: where it is, how long it is, what it hashes to.
const NOT_A_SECRET_KEY = /tokeni[sz]|(?:^|[_.-])(?:id|ids|name|names|path|file|dir|url|uri|env|var|type|count|len|length|size|max|min|num|limit|version|hash|sha|sha1|sha256|md5|digest|checksum|etag|endpoint|host|field|header|prefix|ttl|expiry|expires|timeout|policy|scope|scopes|mode|format|kind|ref|arn|region|provider|source|label|description|desc|help|enabled|required)$|^(?:max|min|num|n)[_-]/i;

/** Values that stand for a secret without being one. */
const PLACEHOLDER = [
	/^\$\{[^}]*\}$/, // ${OPENAI_API_KEY}
	/^\$\(.*\)$/, // $(cat key)
	/^\$[A-Za-z_][A-Za-z0-9_]*$/, // $OPENAI_API_KEY
	/^%\([^)]*\)s$/, // %(key)s
	/^%[A-Za-z_][A-Za-z0-9_]*%$/, // %API_KEY%
	/^\{\{.*\}\}$/, // {{ secrets.key }}
	/^\$\{\{.*\}\}$/, // ${{ secrets.KEY }}
	/^\{[A-Za-z_][A-Za-z0-9_.]*\}$/, // {api_key}
	/^<[^>]*>$/, // <your-key>, </s>
	/^\[[^\]]*\]$/, // [redacted], [your key]
	/^[A-Z][A-Z0-9_]*$/, // OPENAI_API_KEY: the name of an environment variable
	/^(?:x+|\*+|\.+|-+|#+|0+|_+)$/i,
	/^(.)\1{5,}$/, // aaaaaaaa
	/^(?:change[-_]?me|changeit|password\d*|passwd|pass|pwd|pw|secret|token|example|sample|dummy|fake|placeholder|redacted|none|null|nil|undefined|true|false|yes|no|on|off|todo|tbd|fixme|test|testing|default|mypassword|mysecretpassword|yourpassword|my-secret|supersecret|s3cr3t|hunter2|admin|root|guest|user|username)$/i,
	/^(?:your|my|insert|replace|enter|put|add|set|fill|paste)[-_ ]/i, // your-api-key-here
	/[-_](?:here|goes[-_]here)$/i, // api-key-here
	/(?:^|[-_. ])(?:replace|replaced|placeholder|example|dummy|fake|sample|redacted|your|xxxx+)(?:$|[-_. ])/i, // to_replace_with_api_key, fake-key-for-tests
	/^(?:env|vault|secret|secrets|ssm|op|file|aws-secretsmanager|keyring|azurekeyvault|gcp-secret|sm|kms):/i, // references to a secret store
	/^(?:os\.environ|os\.getenv|process\.env|env\(|ENV\[|getenv\(|settings\.|config\.|self\.|args\.|kwargs)/,
	/^-?\d+(?:\.\d+)?$/, // numbers (token counts, ports)
	/^(?:sk|pk|rk)[-_](?:\.\.\.|x+|\*+|<.*>|your.*)$/i, // sk-..., sk-xxxx
	/\.\.\.|…/, // abbreviated: `sk-abc…`
];

/** True for `${VAR}`, `<your-key>`, `changeme`, `OPENAI_API_KEY` and other stand-ins. */
export function isPlaceholder(value: string): boolean {
	return PLACEHOLDER.some((p) => p.test(value));
}

const MIN_LITERAL = 6;

/** Whether `key` names a credential (its last word is `password`, `api_key`, `token`, …). */
export function isSecretKey(key: string): boolean {
	return SECRET_KEY.test(key) && !TOKENIZER_KEY.test(key) && !NOT_A_SECRET_KEY.test(key);
}

/** Whether matchKeyValue could take this value at all (long enough, no space): a cheap test before building its key. */
export function mayBeLiteral(value: string): boolean {
	return value.length >= MIN_LITERAL && !/\s/.test(value);
}

/** What a key allows, read once per distinct key (a file of 100,000 records repeats the same few). */
interface KeyVerdict {
	aws: boolean;
	secret: boolean;
	secretish: boolean;
}
const keyVerdicts = new Map<string, KeyVerdict | null>();
const MAX_KEY_VERDICTS = 10_000;

function keyVerdict(rawKey: string): KeyVerdict | null {
	let verdict = keyVerdicts.get(rawKey);
	if (verdict !== undefined) return verdict;
	// camelCase keys read as snake_case: `authorizationUrl` is `authorization_url`, `apiKey` is `api_key`.
	const key = rawKey.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
	if (TOKENIZER_KEY.test(key) || NOT_A_SECRET_KEY.test(key)) verdict = null;
	else {
		const found = { aws: /secret|aws|s3|access|credential|key/i.test(key), secret: SECRET_KEY.test(key), secretish: SECRETISH_KEY.test(key) };
		verdict = found.aws || found.secret || found.secretish ? found : null;
	}
	if (keyVerdicts.size >= MAX_KEY_VERDICTS) keyVerdicts.clear();
	keyVerdicts.set(rawKey, verdict);
	return verdict;
}

/**
 * A finding for `key = value` (value already unquoted), or undefined. A key that names a
 * credential needs a literal (not a placeholder); a key that merely mentions one needs a value
 * that looks random, and a 40-character base64 value there is reported as an AWS secret key.
 * The key's part of the rules is decided first and remembered per key; the value's after.
 */
export function matchKeyValue(rawKey: string, value: string): Omit<RuleMatch, 'column'> | undefined {
	if (!mayBeLiteral(value)) return undefined;
	const verdict = keyVerdict(rawKey);
	if (verdict === null || isPlaceholder(value)) return undefined;
	if (verdict.aws && AWS_SECRET.test(value) && looksRandom(value, 4)) return { kind: `AWS secret access key (under \`${rawKey}\`)`, length: value.length };
	if (verdict.secret) return { kind: `literal value for \`${rawKey}\``, length: value.length };
	if (verdict.secretish && value.length >= 16 && looksRandom(value, 3.5)) return { kind: `random-looking value for \`${rawKey}\``, length: value.length };
	return undefined;
}

const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;

// --- `key: value` in lines ------------------------------------------------------------------

// `key: value`, `key = value`, `"key": "value"`, `export KEY=value`, `- key: value`.
const ASSIGNMENT = /^\s*(?:export\s+|-\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*)$/;

/** Config-like line `key: literal` with a credential-named key. */
export function matchAssignment(line: string): RuleMatch | undefined {
	const assignment = ASSIGNMENT.exec(line);
	if (!assignment) return undefined;
	const value = literalValue(assignment[2]);
	if (value === undefined) return undefined;
	const found = matchKeyValue(assignment[1], value);
	return found && { ...found, column: line.indexOf(assignment[2]) + 1 };
}

// A secret-ish word, to find `"s3_secret_value": "…"` or `aws_secret_access_key=…` anywhere in a
// line (minified JSON, code, prose) without anchoring at its start.
const KEYWORD = /passw|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth/gi;
const KEY_CHAR = /[A-Za-z0-9_.-]/;
const VALUE_CHAR = /[A-Za-z0-9/+_\-=.~]/;

/**
 * `<secret-ish key> [:=] <random value>` anywhere in a line (any file): the keyword's identifier is
 * found by walking outwards from it (bounded), so a long line costs linear time.
 */
export function matchKeywordValue(line: string): RuleMatch | undefined {
	KEYWORD.lastIndex = 0;
	let lastEnd = -1;
	for (let m = KEYWORD.exec(line); m; m = KEYWORD.exec(line)) {
		let start = m.index;
		while (start > 0 && m.index - start < 64 && KEY_CHAR.test(line[start - 1])) start--;
		let end = m.index + m[0].length;
		while (end < line.length && end - m.index < 64 && KEY_CHAR.test(line[end])) end++;
		if (end <= lastEnd) continue;
		lastEnd = end;
		KEYWORD.lastIndex = end;
		const key = line.slice(start, end);
		// After the key: a closing quote, `:`, `=`, `=>` or `:=`, an opening quote.
		const sep = /^["']?\s{0,3}(?::=|=>|[:=])\s{0,3}(?:["']|b["']|r["'])?/.exec(line.slice(end, end + 12));
		if (!sep) continue;
		const valueStart = end + sep[0].length;
		let valueEnd = valueStart;
		while (valueEnd < line.length && valueEnd - valueStart < 300 && VALUE_CHAR.test(line[valueEnd])) valueEnd++;
		const value = line.slice(valueStart, valueEnd).replace(/[.,]+$/, '');
		if (value.length < 16) continue;
		const found = matchKeyValue(key, value);
		// Here the key only mentions a secret word, so the value must look random in every case.
		if (found && looksRandom(value, 3.5)) return { ...found, column: valueStart + 1 };
	}
	return undefined;
}

/** The value of `key: value` without quotes, a trailing comment or a JSON comma; undefined for blocks and objects. */
export function literalValue(raw: string): string | undefined {
	let value = raw.trim();
	if (value === '' || value === '|' || value === '>' || /^[|>][-+0-9]*$/.test(value) || value.startsWith('{') || value.startsWith('[') || value.startsWith('&') || value.startsWith('*')) return undefined;
	value = value.replace(/^!\S+\s+/, ''); // YAML tags such as !ENV
	const quote = value[0];
	if (quote === '"' || quote === "'") {
		const close = value.indexOf(quote, 1);
		return close === -1 ? value.slice(1) : value.slice(1, close);
	}
	return value.replace(/\s+[#;].*$/, '').replace(/,$/, '').trim();
}

// --- randomness -----------------------------------------------------------------------------

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
	const counts = new Map<string, number>();
	for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
	let bits = 0;
	for (const n of counts.values()) {
		const p = n / text.length;
		bits -= p * Math.log2(p);
	}
	return bits;
}

/**
 * Random-looking: digits and letters mixed, and at least `minBits` of entropy per character (capped
 * by what the length allows). Identifiers (`my-secret-name`, `snake_case_words`) and words fail.
 */
export function looksRandom(whole: string, minBits: number): boolean {
	// Keys are at most a few hundred characters: the start decides (a 400 kB run costs nothing more).
	const value = whole.length > 256 ? whole.slice(0, 256) : whole;
	if (!/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
	// A URL is not a key (credentials inside one are the URL rule's business).
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
	if (wordLike(value)) return false;
	// Dotted, dashed or slashed words (`gpt-4o-mini-2024-07-18`, `models/llama-3.1-8b`) are names.
	if (/^(?:[a-z]+[0-9]*[-_./])+[a-z0-9]*$/i.test(value) && !/[A-Z].*[a-z].*[0-9]|[0-9].*[A-Z].*[a-z]/.test(value)) return false;
	const cap = Math.log2(Math.min(value.length, 64)) - 0.6;
	return entropy(value) >= Math.min(minBits, cap);
}

/**
 * Identifiers and names: `OAuth2AuthTypeWorkspaceConnectionProperties`, `azure.mgmt.models`. Split
 * into words (camelCase, digits, separators), their letter runs average 4+ characters; in a random
 * string of letters and digits they average about 2.
 */
function wordLike(value: string): boolean {
	const words = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
	const letters = words.reduce((n, w) => n + w.length, 0);
	return words.length > 0 && letters / words.length >= 4;
}

// --- one line ---------------------------------------------------------------------------------

/** The first secret in one line: token formats anywhere, then secret-ish keys with random values, then (config-like) credential keys with literals. */
export function scanLine(line: string, configLike: boolean): RuleMatch | undefined {
	return matchToken(line) ?? scanLineWithoutTokens(line, configLike);
}

/** scanLine for a line already searched with matchToken (and found clean). */
export function scanLineWithoutTokens(line: string, configLike: boolean): RuleMatch | undefined {
	return KEYWORD_HINT.test(line) ? (matchKeywordValue(line) ?? (configLike ? matchAssignment(line) : undefined)) : undefined;
}

const KEYWORD_HINT = /passw|pwd|secret|key|token|credential|auth/i;

// Either hint, searched for across many lines at once: scanLine(line, false) finds nothing in a line
// where this matches nothing (matchToken needs TOKEN_HINT, the rest KEYWORD_HINT), and no hint spans
// a line break. A prose file is then searched in one pass instead of one regex call per line.
const ANY_HINT = new RegExp(`${TOKEN_HINT.source}|${KEYWORD_HINT.source}`, 'gi');

/** Where the next hint of a secret at or after `from` is in `text` (many lines), or -1: lines before it need no scanLine(…, false). */
export function nextHint(text: string, from: number): number {
	ANY_HINT.lastIndex = from;
	const m = ANY_HINT.exec(text);
	return m ? m.index : -1;
}
