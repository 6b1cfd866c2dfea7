import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KeyHistory, KeyRun } from '../../src/core/query/keyHistory';
import type { ContentHistoryEntry, UsedBy } from '../../src/core/query/usedBy';
import type { VersionRange } from '../../src/core/query/versionRanges';
import type { VersionRef } from '../../src/core/query/versionsByPath';
import { code, commandLink, fileHoverMarkdown, HOVER_COMMANDS, keyHoverMarkdown, md } from '../../src/extension/hovers/hoverText';

const now = new Date('2026-03-10T12:00:00Z');
const day = 86400_000;

function version(number: number, extra: Partial<VersionRef> = {}): VersionRef {
	return {
		model: 'support-bot',
		number,
		label: `0.1.${number}`,
		digest: `${String(number).padStart(2, '0')}`.repeat(32),
		createdAt: new Date(now.getTime() - (10 - number) * day).toISOString(),
		author: 'Ana',
		aliases: [],
		...extra,
	};
}

/** Versions first…last of one model as a range (all numbers between held unless count says fewer). */
function range(first: VersionRef, last: VersionRef, aliased: VersionRef[] = [], count = last.number - first.number + 1): VersionRange {
	return { model: first.model, first, last, count, aliased };
}

function entry(sha: string, ranges: VersionRange[]): ContentHistoryEntry {
	const all = ranges.flatMap((r) => [r.first, r.last]);
	return { sha256: sha.repeat(64), ranges, count: ranges.reduce((n, r) => n + r.count, 0), newest: ranges[ranges.length - 1].last, firstSeen: all[0].createdAt, lastSeen: all[all.length - 1].createdAt };
}

function usedByOf(fields: Partial<UsedBy>): UsedBy {
	return {
		path: 'prompts/system.md',
		sha256: 'a'.repeat(64),
		exists: true,
		tracked: true,
		models: ['support-bot'],
		role: 'prompt',
		current: [],
		sameContentElsewhere: [],
		history: [],
		lastChanged: null,
		newest: null,
		removedIn: null,
		modified: false,
		renames: [],
		...fields,
	};
}

/** The targets of all Markdown links in a text (code spans are literal text, so they are skipped). */
function linkTargets(markdown: string): string[] {
	const withoutCode = markdown.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
	return [...withoutCode.matchAll(/(?<!\\)\]\(([^)\s]+)/g)].map((m) => m[1]);
}

describe('hover Markdown', () => {
	test('md() leaves no character that Markdown would interpret', () => {
		const hostile = '*bold* _it_ [x](command:workbench.action.terminal.new) <img src=x> $(zap) `code` # h | t ~s~ &amp; !';
		const escaped = md(hostile);
		// Every ASCII punctuation character is escaped, so none can open markup.
		assert.equal(escaped.replace(/\\[!-/:-@[-`{-~]/g, '').match(/[!-/:-@[-`{-~]/g), null, escaped);
		assert.equal(linkTargets(escaped).length, 0);
		assert.equal(md('line one\nline two'), 'line one line two');
	});

	test('code() holds backticks and newlines without breaking out', () => {
		assert.equal(code('512'), '`512`');
		assert.equal(code('a `b` c'), '``a `b` c``');
		assert.equal(code('`x`'), '`` `x` ``');
		assert.equal(code('two\nlines'), '`two⏎lines`');
		assert.ok(code('x'.repeat(200)).length < 90);
	});

	test('command links carry JSON arguments and a tooltip without quotes', () => {
		const link = commandLink('Diff with v6', HOVER_COMMANDS.diffFileWithVersion, { path: 'a "b".md' }, 'say "hi"');
		const target = linkTargets(link)[0];
		assert.ok(target.startsWith('command:modelLedger.diffFileWithVersion?'));
		assert.deepEqual(JSON.parse(decodeURIComponent(target.slice(target.indexOf('?') + 1))), [{ path: 'a "b".md' }]);
		assert.match(link, / "say hi"\)$/);
	});

	test('file hover: current versions with aliases, last change, earlier contents and the four links', () => {
		const v = Array.from({ length: 9 }, (_, i) => version(i));
		v[7] = version(7, { aliases: ['production'] });
		const current = [range(v[7], v[8], [v[7]])];
		const earlier = [range(v[1], v[6])];
		const used = usedByOf({
			current,
			history: [entry('a', current), entry('b', earlier)],
			lastChanged: v[7],
			newest: v[8],
		});
		// production holds the current content: no "Diff with production"; v6 has the previous content.
		const text = fileHoverMarkdown(used, { root: '/ws', now, canReveal: true });
		assert.match(text, /^Current content = support\\-bot v7, v8 \(\*\*production\*\* v7\) · last changed in v7 \(3 days ago, by Ana\) · earlier contents used by v1–v6/);
		const targets = linkTargets(text).map((t) => t.slice('command:'.length, t.indexOf('?')));
		assert.deepEqual(targets, [HOVER_COMMANDS.diffFileWithVersion, HOVER_COMMANDS.revealVersion]);
		assert.match(text, /\[Diff with v6\]/);
		assert.match(text, /\[Show v7 in sidebar\]/);

		// Production on an older content: the link appears; modified content adds Snapshot.
		const prodOld = version(5, { aliases: ['production'] });
		const modified = usedByOf({
			current: [],
			modified: true,
			history: [entry('c', [range(v[8], v[8])]), entry('d', [range(prodOld, prodOld, [prodOld])])],
			lastChanged: v[8],
			newest: v[8],
		});
		const text2 = fileHoverMarkdown(modified, { root: '/ws', now, canReveal: false });
		assert.match(text2, /^\*\*Modified\*\* since support\\-bot v8: the current content is in no version/);
		const targets2 = linkTargets(text2).map((t) => t.slice('command:'.length, t.indexOf('?')));
		assert.deepEqual(targets2, [HOVER_COMMANDS.diffFileWithProduction, HOVER_COMMANDS.diffFileWithVersion, HOVER_COMMANDS.snapshot]);
		assert.match(text2, /\[Diff with v8\]/);
	});

	test('file hover escapes paths, names and aliases that come from files and versions', () => {
		const evil = version(2, { model: 'bot](command:evil)', author: '<b>Eve</b> [x](https://e.vil)', aliases: ['prod*'] });
		const used = usedByOf({
			current: [range(evil, evil, [evil])],
			sameContentElsewhere: [{ ...evil, path: 'prompts/[a](command:evil).md' }],
			history: [entry('a', [range(evil, evil, [evil])])],
			lastChanged: evil,
			newest: evil,
			models: [],
		});
		const text = fileHoverMarkdown(used, { root: '/ws', now, canReveal: true });
		for (const target of linkTargets(text)) assert.ok(Object.values(HOVER_COMMANDS).some((id) => target.startsWith(`command:${id}?`)), `unexpected link ${target}`);
		assert.ok(!text.includes('<b>'), text);
		assert.match(text, /``?prompts\/\[a\]\(command:evil\)\.md``?/, 'the path sits in a code span');
		assert.ok(text.includes('**prod\\***'), 'the alias is escaped');
	});

	test('file hover: a content held by 10,000 versions is one range; versions between that lack the file are counted', () => {
		const v1 = version(1);
		const v10000 = version(10000, { aliases: ['production'] });
		const used = usedByOf({ current: [range(v1, v10000, [v10000])], history: [entry('a', [range(v1, v10000, [v10000])])], lastChanged: v1, newest: v10000 });
		assert.match(fileHoverMarkdown(used, { root: '/ws', now }), /^Current content = support\\-bot v1–v10000 \(\*\*production\*\* v10000\) · unchanged since v1/);
		const gappy = usedByOf({ current: [range(version(3), version(9), [], 5)], history: [entry('a', [range(version(3), version(9), [], 5)])], lastChanged: version(3), newest: version(9) });
		assert.match(fileHoverMarkdown(gappy, { root: '/ws', now }), /^Current content = support\\-bot v3–v9 \(5 versions\)/);
	});

	test('key hover: newest value first, the change author and the metric deltas, and the working value', () => {
		const v1 = version(1);
		const v2 = version(2, { aliases: ['production'] });
		const v3 = version(3);
		const runs: KeyRun[] = [
			{ value: 512, present: true, first: v1, last: v1, count: 1, aliased: [], current: false },
			{
				value: 256,
				present: true,
				first: v2,
				last: v3,
				count: 2,
				aliased: [v2],
				current: true,
				change: {
					from: v1,
					previous: 512,
					metrics: [
						{ file: 'eval/metrics.json', key: 'n_examples', before: 250, after: 260, delta: 10 },
						{ file: 'eval/metrics.json', key: 'faithfulness', before: 0.91, after: 0.93, delta: 0.02, better: true },
					],
				},
			},
		];
		const history: KeyHistory = { file: 'config/rag.yaml', key: 'retriever.chunk_size', kind: 'param', found: true, subtree: false, models: [{ model: 'support-bot', runs }] };
		const text = keyHoverMarkdown(history, { root: '/ws', now, canReveal: true }, { value: 300 });
		const lines = text.split('\n');
		assert.equal(lines[0], '`retriever.chunk_size` in support\\-bot');
		assert.equal(lines[1], '- `300` in the working file, not in a version yet');
		assert.equal(lines[2], '- `256` since v2 (**production** v2) · 8 days ago, by Ana · faithfulness +0\\.02 (better), n\\_examples +10');
		assert.equal(lines[3], '- `512` v1');
		assert.match(text, /\[Diff with v1\]\(command:modelLedger\.diffFileWithVersion\?/);
		const same = keyHoverMarkdown(history, { root: '/ws', now }, { value: 256 });
		assert.ok(!same.includes('not in a version yet'), 'no working line when the value is the latest');
	});
});
