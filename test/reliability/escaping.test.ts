// Hover escaping: text from workspace files (paths, values, prompt text, messages) goes into hover
// Markdown through md()/code(). Rendered with a CommonMark renderer (markdown-it, as VS Code's
// hovers are CommonMark), hostile text must come out as text: no live link, no command link, no
// HTML element, no image. Only links built by commandLink() for the allowed commands may be live.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import MarkdownIt from 'markdown-it';
import { code, commandLink, HOVER_COMMANDS, md } from '../../src/extension/hovers/hoverText';

const HOSTILE = [
	'<script>alert(1)</script>',
	'<img src=x onerror="alert(1)">',
	'[click](javascript:alert(1))',
	'[quit](command:workbench.action.quit)',
	'[snap](command:modelLedger.snapshot?%5B%7B%22message%22%3A%22x%22%7D%5D)',
	'![img](https://attacker.example/pixel.png)',
	'<https://attacker.example>',
	'https://attacker.example/auto',
	'$(alert) **bold** _it_ `tick` ``two``',
	'line one\n[next](command:workbench.action.quit)',
	'\\[escaped](command:workbench.action.quit)',
	'<a href="command:workbench.action.quit">x</a>',
	'[ref][1]\n\n[1]: command:workbench.action.quit',
];

// VS Code renders hovers with HTML off (supportHtml false) and links on.
const renderer = new MarkdownIt({ html: false, linkify: true });

function liveTargets(html: string): string[] {
	return [...html.matchAll(/<(a|img)\s[^>]*(?:href|src)="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe('hover Markdown escaping', () => {
	test('md() and code() turn hostile workspace text into inert text', () => {
		for (const text of HOSTILE) {
			for (const [name, markdown] of [['md', md(text)], ['code', code(text)], ['in a sentence', `Used by ${md(text)} in ${code(text)}.`]] as const) {
				const html = renderer.render(markdown);
				assert.deepEqual(liveTargets(html), [], `${name}(${JSON.stringify(text)}) rendered a live link or image: ${html}`);
				assert.doesNotMatch(html, /<(script|img|a)\b/i, `${name}(${JSON.stringify(text)}) rendered an element: ${html}`);
			}
		}
	});

	test('commandLink() makes exactly one live link, to the allowed command, whatever its title', () => {
		for (const text of HOSTILE) {
			const html = renderer.render(commandLink(text, HOVER_COMMANDS.revealVersion, { model: text }));
			const targets = liveTargets(html);
			assert.equal(targets.length, 1, `${JSON.stringify(text)}: ${html}`);
			assert.match(targets[0], /^a command:modelLedger\.revealVersion\?/);
		}
	});

	test('the check itself catches an unescaped value', () => {
		const html = renderer.render(`Used by ${HOSTILE[3]}`);
		assert.deepEqual(liveTargets(html), ['a command:workbench.action.quit']);
	});
});
