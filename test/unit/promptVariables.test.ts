import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractPromptVariables, MAX_PROMPT_VARIABLES } from '../../src/core/parse/promptVariables';

describe('extractPromptVariables: Jinja2', () => {
	test('expressions yield root names; attributes, filters and literals do not', () => {
		const text = 'Hello {{ user.name | title }}, your plan is {{user.plan|upper}}. {{ "literal" }} {{ 42 }}';
		assert.deepEqual(extractPromptVariables(text), ['user']);
	});

	test('a RAG answer template: loop variables and set variables are local', () => {
		const text = [
			'{# documents come from the retriever #}',
			'{% for doc in documents %}',
			'[{{ loop.index }}] {{ doc.title }}: {{ doc.text | truncate(max_chars) }}',
			'{% endfor %}',
			'{% set limit = citation_limit or 3 %}',
			'Question: {{ question }} (cite at most {{ limit }})',
			'{%- if conversation_summary -%}Summary: {{ conversation_summary }}{%- endif %}',
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['citation_limit', 'conversation_summary', 'documents', 'max_chars', 'question']);
	});

	test('a loop variable used before the loop is still an input', () => {
		assert.deepEqual(extractPromptVariables('{{ item }} {% for item in items %}{{ item }}{% endfor %} {{ item }}'), ['item', 'items']);
	});

	test('tuple targets, .items() and loop filters', () => {
		const text = '{% for key, value in settings.items() if key not in hidden_keys %}{{ key }}={{ value }}{% endfor %}';
		assert.deepEqual(extractPromptVariables(text), ['hidden_keys', 'settings']);
	});

	test('filter arguments, keyword arguments, tests and builtins', () => {
		const text = [
			'{{ docs | map(attribute="title") | join(sep) }}',
			'{{ language | default(fallback_language) }}',
			'{% if user is defined and user.tier is not none %}{{ range(3) | list }}{% endif %}',
			"{{ {'role': role, 'content': content} | tojson }}",
			'{{ x if flag else y }}',
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['content', 'docs', 'fallback_language', 'flag', 'language', 'role', 'sep', 'user', 'x', 'y']);
	});

	test('chat template with messages, macros and raw blocks', () => {
		const text = [
			'{% macro render(message, prefix="") %}{{ prefix }}{{ message.role }}: {{ message.content }}{% endmacro %}',
			'{% for message in messages %}{{ render(message) }}{% endfor %}',
			'{% raw %}{{ not_a_variable }}{% endraw %}',
			'{% if add_generation_prompt %}assistant:{% endif %}',
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['add_generation_prompt', 'messages']);
	});

	test('`set` with a namespace attribute is a use of the namespace, and block sets bind', () => {
		const text = '{% set ns = namespace(count=0) %}{% set ns.count = ns.count + step %}{% set footer %}Bye {{ name }}{% endset %}{{ footer }}';
		assert.deepEqual(extractPromptVariables(text), ['name', 'step']);
	});

	test('`with` and `import` bind locals', () => {
		const text = '{% import "macros.j2" as m %}{% from "x.j2" import card as c %}{% with total = price * qty %}{{ total }}{{ m.x(c) }}{% endwith %}{{ total }}';
		assert.deepEqual(extractPromptVariables(text), ['price', 'qty', 'total']);
	});
});

describe('extractPromptVariables: string literals in tags', () => {
	test('a `}}` inside a Jinja string does not end the expression (promptify ner_openai.jinja shape)', () => {
		const text = [
			'{%- if labels is not none -%}{{ labels }}{%- endif -%}',
			`Your output format is only {{ output_format|default("[{'T': type of entity, 'E': entity in the input text}},...,{{'branch' : Appropriate branch of the passage ,'group': Appropriate Group of the passage}]") }} form.`,
			"Input: {{ sentence }}",
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['labels', 'output_format', 'sentence']);
	});

	test('the same in statements, single quotes and escaped quotes', () => {
		assert.deepEqual(extractPromptVariables(`{% set sep = "%} not a tag {{ fake }}" %}{{ sep }}{{ name }}`), ['name']);
		assert.deepEqual(extractPromptVariables(`{{ greeting|default('hi }} {{ fake }}') }} {{ 'say \\' }} {{ fake2 }}' }} {{ who }}`), ['greeting', 'who']);
	});

	test('apostrophes in Mustache comments and a stray quote in a tag still end at the braces', () => {
		assert.deepEqual(extractPromptVariables("{{! it's a note }} Hello {{name}}, we're glad {{other}} came"), ['name', 'other']);
		assert.deepEqual(extractPromptVariables("{{ name' }} and {{ other }}, then {{ third }}"), ['name', 'other', 'third']);
	});

	test('open quotes in many tags are read in one pass (no rescans)', () => {
		// Each shape made the tag scan walk to the end of the text once per tag before quotes
		// stopped being trusted; 200,000 tags would then take minutes.
		for (const unit of ['{{ \\" }} ', '{{ " }}{{ " }} ', "{% ' %}{{ x }}"]) {
			const text = unit.repeat(200_000);
			const started = performance.now();
			extractPromptVariables(text);
			const ms = performance.now() - started;
			assert.ok(ms < 5000, `${JSON.stringify(unit)} x 200,000 took ${ms.toFixed(0)} ms`);
		}
	});
});

describe('extractPromptVariables: Mustache and Handlebars', () => {
	test('sections, inverted sections, triple and ampersand', () => {
		const text = '{{#show_tips}}Tip: {{tip}}{{/show_tips}}{{^results}}No results.{{/results}} {{{html_body}}} {{& raw_footer}} {{! a comment }} {{> partial_name}}';
		assert.deepEqual(extractPromptVariables(text), ['html_body', 'raw_footer', 'results', 'show_tips', 'tip']);
	});

	test('Handlebars helpers name their argument, not themselves; this and @index are skipped', () => {
		const text = [
			'{{#if customer.is_priority}}PRIORITY{{/if}}',
			'{{#each open_tickets}}- {{@index}} #{{this.id}} {{this.subject}}{{else}}none{{/each}}',
			'{{#unless muted}}{{greeting}}{{/unless}}',
			'{{#each contexts as |ctx i|}}{{ctx.text}} {{i}}{{/each}}',
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['contexts', 'customer', 'greeting', 'muted', 'open_tickets']);
	});

	test('whitespace control before the sigil', () => {
		assert.deepEqual(extractPromptVariables('{{~#each items~}}{{this}}{{~/each~}} {{- greeting -}}'), ['greeting', 'items']);
	});
});

describe('extractPromptVariables: Python format / LangChain f-strings', () => {
	test('single-brace identifiers with attributes, indexes, conversions and format specs', () => {
		const text = 'Q: {question}\nTop doc: {docs[0]} by {doc.author!r}, score {score:.2f}, rank {rank:>4}';
		assert.deepEqual(extractPromptVariables(text), ['doc', 'docs', 'question', 'rank', 'score']);
	});

	test('JSON, code and positional fields are not variables', () => {
		const text = [
			'Answer as JSON: {"answer": "...", "citations": [1, 2]}',
			'Example: function f() { return x; } and const o = { a: 1 };',
			'Positional {0} and empty {} and {1:.2f}',
			'Money: $5 and $price are not variables; ${amount} is.',
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['amount']);
	});

	test('an unclosed {{ does not hide later fields', () => {
		assert.deepEqual(extractPromptVariables('Use {{ to write a brace. Then {name}.'), ['name']);
	});

	test('no template syntax means no variables', () => {
		assert.deepEqual(extractPromptVariables('You are a helpful assistant. Be concise.'), []);
		assert.deepEqual(extractPromptVariables(''), []);
	});
});

describe('extractPromptVariables: output', () => {
	test('sorted and unique across syntaxes', () => {
		const text = '{{ b }} {a} {{ a }} {% if c %}{{ b }}{% endif %} {b}';
		assert.deepEqual(extractPromptVariables(text), ['a', 'b', 'c']);
	});
});

// Issue 15 item 7: a RAG answer prompt shaped like promptflow's chat-with-pdf qna prompt listed only
// `question`: the tuple-unpacking loop over `context` was missed because `context` was treated as a
// keyword everywhere. Statement-only words are variables in expressions.
describe('issue 15 item 7: prompt variables', () => {
	test('issue 15 item 7: `{% for i, c in context %}` binds i and c and reads context', () => {
		const text = [
			'Answer from the numbered passages below; earlier passages matter more.',
			'{% for i, c in context %}',
			'### Passage {{i+1}}',
			'{{c.text}}',
			'{% endfor %}',
			'Question: {{question}}',
		].join('\n');
		assert.deepEqual(extractPromptVariables(text), ['context', 'question']);
		assert.deepEqual(extractPromptVariables('{% for (n, doc) in context|enumerate %}{{ n }}{{ doc }}{% endfor %}'), ['context']);
	});

	test('issue 15 item 7: statement-only keywords are variables in expressions', () => {
		for (const word of ['context', 'with', 'from', 'import', 'recursive', 'as', 'without', 'for', 'elif', 'ignore', 'missing', 'scoped']) {
			assert.deepEqual(extractPromptVariables(`{{ ${word} }}`), [word], `{{ ${word} }}`);
			assert.deepEqual(extractPromptVariables(`{{${word}.text | trim}}`), [word], `{{${word}.text}}`);
			assert.deepEqual(extractPromptVariables(`{% if ${word} %}x{% endif %}`), [word], `if ${word}`);
		}
		assert.deepEqual(extractPromptVariables('{{ none }}{{ true }}{{ a and not b }}{{ x if y else z }}{{ q is defined }}{{ k in m }}'), ['a', 'b', 'k', 'm', 'q', 'x', 'y', 'z']);
	});

	test('issue 15 item 7: the same names in every expression position — set, with, macro defaults, call, filters, tests, attributes, loops', () => {
		const cases: Array<[string, string[]]> = [
			['{% set passages = context | map(attribute="text") | list %}{{ passages }}', ['context']],
			['{% set a, b = context, from %}{{ a }}{{ b }}', ['context', 'from']],
			['{% set block | truncate(import) %}{{ context }}{% endset %}{{ block }}', ['context', 'import']],
			['{% with docs = context[:top_k] %}{{ docs }}{% endwith %}', ['context', 'top_k']],
			['{% macro cite(doc, sep=with) %}{{ doc }}{{ sep }}{% endmacro %}{{ cite(context) }}', ['context', 'with']],
			['{% call(row) table(context) %}{{ row }}{% endcall %}', ['context', 'table']],
			['{{ question | default(context) }}{{ answer is sameas from }}', ['answer', 'context', 'from', 'question']],
			['{% filter truncate(recursive) %}{{ context }}{% endfilter %}', ['context', 'recursive']],
			['{{ context.with }}{{ user.context }}{{ meta["context"] }}', ['context', 'meta', 'user']],
			['{% for item in context recursive %}{{ loop.index }}{{ item }}{{ loop(item.children) }}{% endfor %}', ['context']],
			['{% for c in context if c.score > import %}{{ c }}{% endfor %}', ['context', 'import']],
			['{% include template_name ignore missing with context %}', ['template_name']],
			['{% include "a.j2" without context %}{{ context }}', ['context']],
			['{% import macros_path as m with context %}{{ m.x(context) }}', ['context', 'macros_path']],
			['{% from "m.j2" import card as c, row with context %}{{ c(with) }}{{ row }}', ['with']],
			['{% trans count=context|length %}{{ count }} passages{% endtrans %}', ['context']],
			['{{#with context}}{{text}}{{/with}}{{#each context as |c|}}{{c.text}}{{/each}}', ['context', 'text']],
		];
		for (const [text, expected] of cases) assert.deepEqual(extractPromptVariables(text), expected, text);
	});
});

describe('extractPromptVariables: bounded work', () => {
	test('a prompt with 1,000,000 placeholders yields the first MAX_PROMPT_VARIABLES names, fast', () => {
		const started = Date.now();
		const text = Array.from({ length: 1_000_000 }, (_, i) => `{{v${i}}}`).join(' ');
		const vars = extractPromptVariables(text);
		assert.equal(vars.length, MAX_PROMPT_VARIABLES);
		assert.ok(vars.includes('v0') && vars.includes('v999') && !vars.includes('v1000'));
		assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
	});
});
