// Finds the variables a prompt template expects, so a version can say "this prompt now also needs
// {{customer_tier}}" without knowing which template engine the app uses.
//
// A file does not say which engine renders it, so one set of rules covers the common ones:
// 1. `{{ … }}` is Jinja2 or Mustache/Handlebars, always — even in a Python format string, where
//    `{{x}}` would be an escaped literal `{x}`. Jinja templates with `{{ }}` are far more common.
//    - Jinja expressions yield their root names: `{{ user.name | upper }}` → `user`. Attributes,
//      filters, tests (`is defined`), keyword arguments, string literals, the expression keywords
//      (`and`, `in`, `is`, `if`, `none`, …) and builtins (`range`, `loop`, …) are not variables.
//      Words that are keywords only inside statements (`context`, `with`, `from`, `import`,
//      `recursive`) are variables in an expression: `{{ context }}`.
//    - Mustache/Handlebars: `{{#section}}`, `{{^inverted}}`, `{{{raw}}}`, `{{&raw}}` → the name;
//      helpers `{{#each items}}`, `{{#if x}}`, `{{#with x}}`, `{{#unless x}}` → their argument;
//      `{{/…}}`, `{{!comment}}`, `{{>partial}}`, `{{else}}`, `this` and `@index` are skipped.
//      Names inside a section are counted too: Mustache looks them up in the section's item
//      first, but falls back to the outer context, so they may be variables.
// 2. `{% … %}` is a Jinja statement: `for x in xs` → `xs` (x is local inside the loop;
//    `for i, c in context` binds i and c and reads context);
//    `if`/`elif` → their names; `set y = expr` → names in expr, and y is local from then on;
//    `macro`, `call`, `with`, `import … as` bind locals too. `{% raw %}…{% endraw %}` and
//    `{# comments #}` are skipped.
// 3. Outside those, `{name}` is a Python format / LangChain f-string field: an identifier right
//    after `{`, optionally `.attr`, `[index]`, `!r` and a `:spec`, with no spaces. So `{"a": 1}`
//    (JSON), `{ a: 1 }` (code), `{0}` and `{}` are not variables. `${name}` therefore counts as
//    `name`; bare `$name` does not, because `$` in prompts is mostly money.

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;

// Python format field: `{name}`, `{name.attr}`, `{name[0]}`, `{name!r}`, `{name:>10}`.
const FORMAT_FIELD = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]{}\s]*\])*(?:![rsa])?(?::[^{}\s]*)?\}/y;

// The only names Jinja's expression parser reads as operators or constants. Every other name in an
// expression is a variable — including words that are keywords only inside statements (`context`,
// `with`, `from`, `import`, `recursive`, `as`, `for`, …): `{{ context }}` is the most common variable
// of RAG prompts. Statement-only words are removed where their statement allows them (see
// handleStatement), never globally.
const EXPRESSION_KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'true', 'false', 'none', 'True', 'False', 'None']);

// Handlebars literals; everything else in a helper's argument list is a path.
const HANDLEBARS_LITERALS = new Set(['true', 'false', 'null', 'undefined', 'this', 'as', 'else']);

// Names Jinja provides itself; they are never inputs the caller must pass.
const JINJA_BUILTINS = new Set([
	'loop', 'range', 'lipsum', 'dict', 'cycler', 'joiner', 'namespace', 'self', 'super', 'caller', 'varargs', 'kwargs',
]);

const HANDLEBARS_HELPERS = new Set(['each', 'if', 'unless', 'with', 'let', 'else', 'lookup', 'log']);

type Token = { kind: 'name' | 'string' | 'number' | 'op'; text: string };

/**
 * At most this many variables are read from one prompt (real templates use a few dozen). A planted
 * prompt of 1,000,000 `{{v1}}`…`{{v999999}}` made a snapshot take 16 s, its manifest list every name
 * and `show` print them all; past the limit the scan stops and the snapshot says so.
 */
export const MAX_PROMPT_VARIABLES = 1_000;

/**
 * Sorted, unique names of the variables a prompt template uses (`{{var}}`, `{var}`, Jinja
 * statements): the first {@link MAX_PROMPT_VARIABLES} found (a result of that length may be cut).
 */
export function extractPromptVariables(text: string): string[] {
	const found = new Set<string>();
	// Innermost scope last; a name bound in any open scope is local, not an input.
	const scopes: Set<string>[] = [new Set()];
	const isLocal = (name: string): boolean => scopes.some((scope) => scope.has(name));
	const use = (names: Iterable<string>): void => {
		for (const name of names) if (!isLocal(name)) found.add(name);
	};

	const quotes: QuoteState = { unbalanced: false };
	let i = 0;
	while (i < text.length && found.size < MAX_PROMPT_VARIABLES) {
		const open = text.indexOf('{', i);
		if (open < 0) break;
		const next = text[open + 1];
		if (next === '{') {
			const triple = text[open + 2] === '{';
			const start = open + (triple ? 3 : 2);
			// Raw `{{{name}}}` and Mustache comments (`{{! it's prose }}`) hold no string literals.
			const close = triple || /^[-~]?\s*!/.test(text.slice(start, start + 8)) ? text.indexOf(triple ? '}}}' : '}}', start) : tagClose(text, start, '}}', quotes);
			// An unclosed `{{` is a typo or a Python `{{` escape: keep scanning after it.
			if (close < 0) {
				i = open + 2;
				continue;
			}
			const body = text.slice(start, close);
			i = close + (triple ? 3 : 2);
			if (triple) use(expressionNames(tokenize(body)));
			else handleDoubleBrace(body.trim(), scopes, use);
			continue;
		}
		if (next === '#') {
			const close = text.indexOf('#}', open + 2);
			if (close < 0) {
				i = open + 2;
				continue;
			}
			i = close + 2;
			continue;
		}
		if (next === '%') {
			const close = tagClose(text, open + 2, '%}', quotes);
			if (close < 0) {
				i = open + 2;
				continue;
			}
			const body = stripWhitespaceControl(text.slice(open + 2, close));
			i = close + 2;
			if (/^raw\b/.test(body)) {
				const end = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
				end.lastIndex = i;
				const match = end.exec(text);
				i = match ? match.index + match[0].length : text.length;
				continue;
			}
			handleStatement(tokenize(body), scopes, use);
			continue;
		}
		FORMAT_FIELD.lastIndex = open;
		const field = FORMAT_FIELD.exec(text);
		if (field) {
			use([field[1]]);
			i = open + field[0].length;
		} else {
			i = open + 1;
		}
	}
	return [...found].slice(0, MAX_PROMPT_VARIABLES).sort();
}

/** Whether quotes in tags can be trusted to close; see tagClose. */
type QuoteState = { unbalanced: boolean };

/**
 * Where a `{{ … }}` or `{% … %}` tag that starts at `from` ends: the first `closer` outside a
 * quoted string, as Jinja's lexer reads it (`{{ x|default("}}") }}` is one expression). Once a
 * quote is left open to the end of the text (a stray apostrophe, which Mustache allows), quotes
 * are not trusted any more and every tag from there on ends at its first `closer`: the scan
 * never walks the same text twice.
 */
function tagClose(text: string, from: number, closer: string, quotes: QuoteState): number {
	const first = text.indexOf(closer, from);
	if (first < 0 || quotes.unbalanced) return first;
	let k = from;
	while (k < text.length) {
		if (text.startsWith(closer, k)) return k;
		const quote = text[k];
		if (quote !== '"' && quote !== "'") {
			k++;
			continue;
		}
		k++;
		while (k < text.length && text[k] !== quote) k += text[k] === '\\' ? 2 : 1;
		k++;
	}
	quotes.unbalanced = true;
	return first;
}

function stripWhitespaceControl(body: string): string {
	return body.replace(/^[-+~]/, '').replace(/[-+~]$/, '').trim();
}

function handleDoubleBrace(body: string, scopes: Set<string>[], use: (names: Iterable<string>) => void): void {
	// Whitespace control (`{{- x }}` in Jinja, `{{~#each xs~}}` in Handlebars) comes before the sigil.
	const rawBody = stripWhitespaceControl(body);
	const sigil = rawBody[0];
	switch (sigil) {
		case '!': // Mustache comment
		case '>': // partial
		case '=': // delimiter change
			return;
		case '/':
			if (scopes.length > 1) scopes.pop();
			return;
		case '#':
		case '^': {
			const tokens = tokenize(rawBody.slice(1));
			const head = tokens[0];
			// Handlebars block params: `{{#each items as |item index|}}` binds item and index inside the block.
			const asIndex = tokens.findIndex((t) => t.kind === 'name' && t.text === 'as');
			const args = asIndex >= 0 ? tokens.slice(1, asIndex) : tokens.slice(1);
			const blockParams = asIndex >= 0 ? tokens.slice(asIndex + 1).filter((t) => t.kind === 'name').map((t) => t.text) : [];
			if (head?.kind === 'name' && HANDLEBARS_HELPERS.has(head.text)) use(handlebarsNames(args));
			else if (head?.kind === 'name' && head.text !== 'this') use([head.text]);
			scopes.push(new Set(blockParams));
			return;
		}
		case '&':
			use(expressionNames(tokenize(rawBody.slice(1))));
			return;
		default:
			break;
	}
	const tokens = tokenize(rawBody);
	// `{{else}}` / `{{else if x}}` inside a Handlebars block.
	if (tokens[0]?.kind === 'name' && tokens[0].text === 'else') {
		use(handlebarsNames(tokens.slice(1).filter((t) => !(t.kind === 'name' && t.text === 'if'))));
		return;
	}
	use(expressionNames(tokens));
}

/** Handlebars arguments are space-separated paths (`../x`, `this.y`, `@index`) or literals. */
function handlebarsNames(tokens: Token[]): string[] {
	const names: string[] = [];
	for (let k = 0; k < tokens.length; k++) {
		const token = tokens[k];
		const prev = tokens[k - 1];
		if (token.kind !== 'name') continue;
		if (prev?.kind === 'op' && (prev.text === '.' || prev.text === '@' || prev.text === '/')) continue;
		if (HANDLEBARS_LITERALS.has(token.text)) continue;
		// `lookup obj key` or `(eq a b)`: the helper name sits right after `(`.
		if (prev?.kind === 'op' && prev.text === '(') continue;
		if (tokens[k + 1]?.kind === 'op' && tokens[k + 1].text === '=') continue;
		names.push(token.text);
	}
	return names;
}

function handleStatement(tokens: Token[], scopes: Set<string>[], use: (names: Iterable<string>) => void): void {
	const head = tokens[0];
	if (!head || head.kind !== 'name') return;
	const rest = tokens.slice(1);
	const current = scopes[scopes.length - 1];
	switch (head.text) {
		case 'if':
		case 'elif':
		case 'extends':
		case 'do':
		case 'print':
		case 'autoescape':
			use(expressionNames(rest));
			return;
		case 'include':
			// `include name ignore missing with context`: the trailing words are the statement's, not names.
			use(expressionNames(withoutTrailing(rest, [['with', 'context'], ['without', 'context'], ['ignore', 'missing']])));
			return;
		case 'filter':
			// `filter truncate(limit)`: a filter section; its name is not a variable, its arguments are.
			use(expressionNames([{ kind: 'op', text: '|' }, ...rest]));
			return;
		case 'for':
			forStatement(rest, scopes, use);
			return;
		case 'trans':
			transStatement(rest, scopes, use);
			return;
		case 'set':
			setStatement(rest, current, use);
			return;
		case 'with': {
			const scope = new Set<string>();
			for (const [name, value] of assignments(rest)) {
				use(expressionNames(value));
				scope.add(name);
			}
			scopes.push(scope);
			return;
		}
		case 'macro': {
			const name = rest[0];
			if (name?.kind === 'name') current.add(name.text);
			const scope = new Set<string>();
			for (const [param, defaultValue] of parameters(rest.slice(1))) {
				use(expressionNames(defaultValue));
				scope.add(param);
			}
			scopes.push(scope);
			return;
		}
		case 'call':
			callStatement(rest, scopes, use);
			return;
		case 'import': {
			// `import template as m [with context]`: the template expression is read, m is bound.
			const body = withoutTrailing(rest, [['with', 'context'], ['without', 'context']]);
			const asAt = findAtDepthZero(body, 'as');
			use(expressionNames(asAt < 0 ? body : body.slice(0, asAt)));
			const alias = asAt < 0 ? undefined : body[asAt + 1];
			if (alias?.kind === 'name') current.add(alias.text);
			return;
		}
		case 'from':
			fromStatement(rest, current, use);
			return;
		case 'endfor':
		case 'endwith':
		case 'endmacro':
		case 'endcall':
		case 'endtrans':
			if (scopes.length > 1) scopes.pop();
			return;
		default:
			// else, endif, block/endblock, filter, trans, custom tags: nothing the caller must pass.
			return;
	}
}

/** `for i, c in context`, `for (k, v) in pairs`: every name before `in` is a loop target. */
function forStatement(rest: Token[], scopes: Set<string>[], use: (names: Iterable<string>) => void): void {
	const inAt = findAtDepthZero(rest, 'in');
	if (inAt < 0) return;
	const targets = rest.slice(0, inAt).filter((t) => t.kind === 'name').map((t) => t.text);
	const iterable = withoutTrailing(rest.slice(inAt + 1), [['recursive']]);
	// `for x in xs if x.ok recursive`: the filter sees the loop variable, the iterable does not.
	const ifAt = findAtDepthZero(iterable, 'if');
	const source = ifAt < 0 ? iterable : iterable.slice(0, ifAt);
	use(expressionNames(source));
	scopes.push(new Set(targets));
	if (ifAt >= 0) use(expressionNames(iterable.slice(ifAt + 1)));
}

/** `trans user=user.name count=n`: assignments bind placeholders; bare names are read. */
function transStatement(rest: Token[], scopes: Set<string>[], use: (names: Iterable<string>) => void): void {
	const scope = new Set<string>();
	for (const part of splitTopLevel(rest)) {
		const eq = part.findIndex((t) => t.kind === 'op' && t.text === '=');
		if (eq === 1 && part[0].kind === 'name') {
			use(expressionNames(part.slice(2)));
			scope.add(part[0].text);
		} else if (!(part.length === 1 && part[0].text === 'trimmed')) use(expressionNames(part));
	}
	scopes.push(scope);
}

/** `set x = …`, `set x | upper` (a block set), `set ns.count = …` (a use, not a binding). */
function setStatement(rest: Token[], current: Set<string>, use: (names: Iterable<string>) => void): void {
	const eq = rest.findIndex((t) => t.kind === 'op' && t.text === '=');
	// `{% set x | upper %}…{% endset %}`: a block set with a filter; the filter's arguments are read.
	const pipe = eq < 0 ? rest.findIndex((t) => t.kind === 'op' && t.text === '|') : -1;
	const targets = eq >= 0 ? rest.slice(0, eq) : pipe >= 0 ? rest.slice(0, pipe) : rest;
	if (eq >= 0) use(expressionNames(rest.slice(eq + 1)));
	if (pipe >= 0) use(expressionNames(rest.slice(pipe)));
	// `set ns.count = …` assigns into an existing namespace object: that is a use, not a binding.
	if (targets.some((t) => t.kind === 'op' && t.text === '.')) use(expressionNames(targets));
	else for (const t of targets) if (t.kind === 'name') current.add(t.text);
}

/** `{% call(user) render_list(users) %}`: parameters first, then the macro call. */
function callStatement(rest: Token[], scopes: Set<string>[], use: (names: Iterable<string>) => void): void {
	let body = rest;
	const scope = new Set<string>();
	if (rest[0]?.kind === 'op' && rest[0].text === '(') {
		const close = matchingParen(rest, 0);
		for (const [param] of parameters(rest.slice(0, close + 1))) scope.add(param);
		body = rest.slice(close + 1);
	}
	use(expressionNames(body));
	scopes.push(scope);
}

/** `from template import a as b, c [with context]`: b and c are bound; a is the template's name. */
function fromStatement(rest: Token[], current: Set<string>, use: (names: Iterable<string>) => void): void {
	const body = withoutTrailing(rest, [['with', 'context'], ['without', 'context']]);
	const importAt = findAtDepthZero(body, 'import');
	use(expressionNames(importAt < 0 ? body : body.slice(0, importAt)));
	if (importAt < 0) return;
	for (const part of splitTopLevel(body.slice(importAt + 1))) {
		const bound = part.length >= 3 && part[1].text === 'as' ? part[2] : part[0];
		if (bound?.kind === 'name') current.add(bound.text);
	}
}

/** Root names read by a Jinja expression. */
function expressionNames(tokens: Token[]): string[] {
	const names: string[] = [];
	let depth = 0;
	for (let k = 0; k < tokens.length; k++) {
		const token = tokens[k];
		if (token.kind === 'op') {
			if (token.text === '(' || token.text === '[' || token.text === '{') depth++;
			else if (token.text === ')' || token.text === ']' || token.text === '}') depth = Math.max(0, depth - 1);
			continue;
		}
		if (token.kind !== 'name') continue;
		const prev = tokens[k - 1];
		const next = tokens[k + 1];
		if (prev?.kind === 'op' && (prev.text === '.' || prev.text === '|' || prev.text === '@')) continue;
		if (token.text === 'this') continue; // Handlebars' current item
		// `x is defined`, `x is not none`: the test name follows `is` / `is not`.
		if (prev?.kind === 'name' && (prev.text === 'is' || (prev.text === 'not' && tokens[k - 2]?.text === 'is'))) continue;
		if (EXPRESSION_KEYWORDS.has(token.text) || JINJA_BUILTINS.has(token.text)) continue;
		if (depth > 0 && next?.kind === 'op' && next.text === '=') continue; // keyword argument
		names.push(token.text);
	}
	return names;
}

/** `tokens` without the statement words it ends with (`… with context`, `… recursive`), in any order. */
function withoutTrailing(tokens: Token[], endings: string[][]): Token[] {
	let end = tokens.length;
	for (let removed = true; removed; ) {
		removed = false;
		for (const words of endings) {
			const start = end - words.length;
			// Keep at least one token: `for x in recursive` iterates over a variable named recursive.
			if (start < 1 || !words.every((w, k) => tokens[start + k].kind === 'name' && tokens[start + k].text === w)) continue;
			const before = tokens[start - 1];
			if (before.kind === 'op' && !')]}'.includes(before.text)) continue;
			end = start;
			removed = true;
		}
	}
	return tokens.slice(0, end);
}

function findAtDepthZero(tokens: Token[], keyword: string): number {
	let depth = 0;
	for (let k = 0; k < tokens.length; k++) {
		const t = tokens[k];
		if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
		else if (t.kind === 'op' && ')]}'.includes(t.text)) depth--;
		else if (depth === 0 && t.kind === 'name' && t.text === keyword) return k;
	}
	return -1;
}

function matchingParen(tokens: Token[], open: number): number {
	let depth = 0;
	for (let k = open; k < tokens.length; k++) {
		if (tokens[k].kind !== 'op') continue;
		if (tokens[k].text === '(') depth++;
		else if (tokens[k].text === ')' && --depth === 0) return k;
	}
	return tokens.length - 1;
}

/** `a = x, b = y` → [[a, tokens of x], [b, tokens of y]]. */
function assignments(tokens: Token[]): [string, Token[]][] {
	const result: [string, Token[]][] = [];
	for (const part of splitTopLevel(tokens)) {
		const eq = part.findIndex((t) => t.kind === 'op' && t.text === '=');
		if (eq === 1 && part[0].kind === 'name') result.push([part[0].text, part.slice(2)]);
	}
	return result;
}

/** `(a, b=default)` → [[a, []], [b, tokens of default]]. */
function parameters(tokens: Token[]): [string, Token[]][] {
	const open = tokens.findIndex((t) => t.kind === 'op' && t.text === '(');
	if (open < 0) return [];
	const close = matchingParen(tokens, open);
	const result: [string, Token[]][] = [];
	for (const part of splitTopLevel(tokens.slice(open + 1, close))) {
		if (part[0]?.kind !== 'name') continue;
		const hasDefault = part[1]?.kind === 'op' && part[1].text === '=';
		result.push([part[0].text, hasDefault ? part.slice(2) : []]);
	}
	return result;
}

function splitTopLevel(tokens: Token[]): Token[][] {
	const parts: Token[][] = [[]];
	let depth = 0;
	for (const t of tokens) {
		if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
		else if (t.kind === 'op' && ')]}'.includes(t.text)) depth--;
		if (depth === 0 && t.kind === 'op' && t.text === ',') parts.push([]);
		else parts[parts.length - 1].push(t);
	}
	return parts.filter((p) => p.length > 0);
}

/** A small Jinja-expression lexer: enough to tell names from attributes, strings and operators. */
function tokenize(source: string): Token[] {
	const tokens: Token[] = [];
	let k = 0;
	while (k < source.length) {
		const ch = source[k];
		if (/\s/.test(ch)) {
			k++;
			continue;
		}
		if (ch === '"' || ch === "'") {
			let end = k + 1;
			while (end < source.length && source[end] !== ch) end += source[end] === '\\' ? 2 : 1;
			tokens.push({ kind: 'string', text: source.slice(k, end + 1) });
			k = end + 1;
			continue;
		}
		if (/[0-9]/.test(ch)) {
			const match = /[0-9][0-9_]*(?:\.[0-9_]+)?(?:[eE][-+]?[0-9]+)?/y;
			match.lastIndex = k;
			const text = match.exec(source)?.[0] ?? ch;
			tokens.push({ kind: 'number', text });
			k += text.length;
			continue;
		}
		IDENTIFIER.lastIndex = k;
		const name = IDENTIFIER.exec(source);
		if (name) {
			tokens.push({ kind: 'name', text: name[0] });
			k += name[0].length;
			continue;
		}
		const twoChar = source.slice(k, k + 2);
		if (['==', '!=', '<=', '>=', '//', '**'].includes(twoChar)) {
			tokens.push({ kind: 'op', text: twoChar });
			k += 2;
			continue;
		}
		tokens.push({ kind: 'op', text: ch });
		k++;
	}
	return tokens;
}
