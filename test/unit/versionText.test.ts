// The sidebar's and editors' wording for versions, and how stored files render as documents.
// These modules live in src/extension but import no `vscode`, so they run here under plain Node.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from '../../src/core/byteSize';
import type { ArtifactRecord, VersionManifest, VersionSummary } from '../../src/core/model';
import { binarySummary, decodeStoredFileQuery, encodeStoredFileQuery, showsAsSummary } from '../../src/extension/registry/storedFileContent';
import {
	artifactChanges,
	changedFiles,
	describeChanges,
	diffTitle,
	plainShownText,
	groupByRole,
	matchesVersionFilter,
	otherRefVersionDescription,
	parseVersionFilter,
	shortCommit,
	versionDescription,
	versionLabel,
	versionTooltip,
	escapeIcons,
	escapeMarkdown,
	markdownCode,
	noticeText,
} from '../../src/extension/registry/versionText';

const DIGEST_A = 'a'.repeat(64);
const DIGEST_B = 'b1c2d3e4f5'.padEnd(64, '0');
const NOW = new Date('2026-11-28T12:00:00Z');

function version(over: Partial<VersionSummary> = {}): VersionSummary {
	return {
		model: 'support-bot',
		number: 3,
		label: '1.4.0',
		digest: DIGEST_A,
		createdAt: '2026-11-28T10:00:00Z',
		author: { name: 'Ada' },
		message: 'shorter system prompt\nsecond line',
		aliases: [],
		git: { commit: '38a4f131c577233bb0e137753367a146ac396671', branch: 'main', dirty: false },
		artifactCount: 4,
		numberShared: false,
		...over,
	};
}

function artifact(path: string, sha: string, role: ArtifactRecord['role'] = 'prompt', size = 10): ArtifactRecord {
	return { path, role, sha256: sha.repeat(64).slice(0, 64), size, mode: 0o644 };
}

function manifest(artifacts: ArtifactRecord[], over: Partial<VersionManifest> = {}): VersionManifest {
	return {
		schema: 1,
		model: 'support-bot',
		number: 1,
		label: '0.1.0',
		versioning: 'semver',
		createdAt: '2026-11-28T10:00:00Z',
		author: { name: 'Ada' },
		message: '',
		artifacts,
		params: {},
		metrics: {},
		prompts: {},
		weights: {},
		lockfiles: {},
		data: [],
		git: { commit: null, branch: null, remote: null, dirty: false },
		...over,
	};
}

describe('version labels and descriptions', () => {
	test('label is number and label; same-number versions show their digest', () => {
		assert.equal(versionLabel(version()), 'v3 · 1.4.0');
		assert.equal(versionLabel(version({ numberShared: true, digest: DIGEST_B })), 'v3 (b1c2d3e) · 1.4.0');
		assert.equal(versionLabel(version({ label: 'v3' })), 'v3');
	});

	test('description: aliases, age, short commit with * when dirty, first line of the message', () => {
		assert.equal(versionDescription(version({ aliases: ['production'] }), NOW), '@production · shorter system prompt · 2 h ago · 38a4f13');
		assert.equal(versionDescription(version({ git: { commit: '38a4f131c5', branch: null, dirty: true }, message: '' }), NOW), '2 h ago · 38a4f13*');
		assert.equal(shortCommit({ commit: null, dirty: false }), '');
		assert.equal(versionDescription(version({ message: 'x'.repeat(60) }), NOW).split(' · ')[0], `${'x'.repeat(47)}…`);
	});

	test('a version only on other git refs: its refs first, then the message and age, never a commit of this checkout', () => {
		const v = version({ message: 'feature prompt\nmore' });
		assert.equal(otherRefVersionDescription(v, ['feature/x', 'origin/feature/x'], NOW), 'only on feature/x, origin/feature/x · feature prompt · 2 h ago');
		assert.equal(otherRefVersionDescription(version({ message: '' }), ['stash@{0}'], NOW), 'only on stash@{0} · 2 h ago');
	});

	test('tooltip is Markdown with aliases, tags, commit and the digest explanation when numbers clash', () => {
		const md = versionTooltip(version({ aliases: ['staging'], numberShared: true, git: { commit: '38a4f131c5', branch: 'exp', dirty: true } }), ['baseline'], NOW);
		// escapeMarkdown escapes every punctuation character; CommonMark shows each as itself.
		assert.match(md, /\*\*support\\-bot v3 \\\(aaaaaaa\\\) · 1\\\.4\\\.0\*\*/);
		assert.match(md, /Aliases: `staging`/);
		assert.match(md, /Tags: `baseline`/);
		assert.match(md, /`38a4f131c5` on `exp` with uncommitted changes/);
		assert.match(md, /also v3/);
	});
});

describe('version filter', () => {
	const v = version({ aliases: ['production'] });
	const match = (text: string, tags: string[] = []) => matchesVersionFilter(v, parseVersionFilter(text)!, tags);

	test('empty text is no filter', () => {
		assert.equal(parseVersionFilter('   '), undefined);
	});

	test('@alias, #tag, number and words; all terms must match', () => {
		assert.ok(match('@production'));
		assert.ok(!match('@staging'));
		assert.ok(match('#baseline', ['baseline']));
		assert.ok(!match('#baseline'));
		assert.ok(match('v3'));
		assert.ok(match('3'));
		assert.ok(!match('v4'));
		assert.ok(match('SYSTEM'));
		assert.ok(match('system @production'));
		assert.ok(!match('system @staging'));
		assert.ok(match('38a4f13'), 'commit prefix');
		assert.ok(match('aaaaaaa'), 'digest prefix');
		assert.ok(!match('zzz'));
	});
});

describe('artifacts and changes', () => {
	const parent = manifest([artifact('prompts/a.md', '1'), artifact('config/rag.yaml', '2', 'rag'), artifact('prompts/gone.md', '9')]);
	const child = manifest([artifact('prompts/a.md', '1'), artifact('config/rag.yaml', '3', 'rag'), artifact('prompts/new.md', '4'), artifact('w.safetensors', '5', 'weights')], { number: 2 });

	test('changes against the parent version', () => {
		const changes = artifactChanges(child, parent);
		assert.equal(changes.get('prompts/a.md'), 'unchanged');
		assert.equal(changes.get('config/rag.yaml'), 'modified');
		assert.equal(changes.get('prompts/new.md'), 'added');
		assert.equal(artifactChanges(parent, undefined).get('prompts/a.md'), 'unchanged', 'a first version marks nothing');
	});

	test('groups by role in role order', () => {
		assert.deepEqual(groupByRole(child.artifacts).map((g) => [g.role, g.artifacts.length]), [['prompt', 2], ['rag', 1], ['weights', 1]]);
	});

	test('files changed between two versions', () => {
		assert.deepEqual(changedFiles(parent, child).map((f) => `${f.change} ${f.path}`), ['modified config/rag.yaml', 'removed prompts/gone.md', 'added prompts/new.md', 'added w.safetensors']);
		assert.deepEqual(changedFiles(child, child), []);
	});

	test('titles, sizes and change summaries', () => {
		assert.equal(diffTitle('config/rag.yaml', 'v3', 'v5'), 'rag.yaml (v3 ↔ v5)');
		// A file name with a bidi override cannot reorder the tab title (issue 20.5).
		assert.equal(diffTitle('prompts/a\u202egnp.md', 'v3', 'working'), 'a\\u202egnp.md (v3 ↔ working)');
		assert.equal(formatBytes(12), '12 B');
		assert.equal(formatBytes(1536), '1.5 KB');
		assert.equal(formatBytes(3.5 * 1024 ** 3), '3.5 GB');
		assert.equal(describeChanges({ added: ['x'], removed: [], modified: ['a', 'b'] }), '2 modified, 1 added');
		assert.equal(describeChanges({ added: [], removed: [], modified: [] }), 'no changes');
	});
});

describe('stored file documents', () => {
	test('URI query round-trips and rejects what is not a reference', () => {
		const ref = { root: '/ws/a b', model: 'support-bot', digest: DIGEST_A, name: 'v3' };
		assert.deepEqual(decodeStoredFileQuery(encodeStoredFileQuery(ref)), ref);
		assert.throws(() => decodeStoredFileQuery('{"root":"/ws","model":"m","digest":"short"}'), /64-hex digest/);
		assert.throws(() => decodeStoredFileQuery('not json'), /not a Model Ledger file reference/);
	});

	test('weights, binary formats, big files and binary bytes show as a summary', () => {
		assert.ok(showsAsSummary({ path: 'x/adapter.bin', role: 'other', size: 10 }));
		assert.ok(showsAsSummary({ path: 'x/model.txt', role: 'weights', size: 10 }));
		assert.ok(showsAsSummary({ path: 'big.json', role: 'params', size: 50 * 1024 * 1024 }));
		assert.ok(!showsAsSummary({ path: 'prompts/a.md', role: 'prompt', size: 10 }, Buffer.from('hello {{name}}\n')));
		assert.ok(showsAsSummary({ path: 'prompts/a.md', role: 'prompt', size: 10 }, Buffer.from([0x68, 0x00, 0x01, 0x02])));
	});

	test('a safetensors summary lists size, sha256 and the tensor table', () => {
		const a = artifact('checkpoints/adapter/adapter_model.safetensors', 'c', 'weights', 17416);
		const text = binarySummary({
			model: 'support-bot',
			versionName: 'v2',
			artifact: a,
			stored: true,
			weights: { tensors: { 'lora_B.weight': { dtype: 'F32', shape: [64, 8] }, 'lora_A.weight': { dtype: 'F16', shape: [8, 64] } }, metadata: { format: 'pt' } },
		});
		assert.match(text, /^checkpoints\/adapter\/adapter_model\.safetensors — support-bot v2/);
		assert.match(text, /size {5}17\.0 KB \(17,416 bytes\)/);
		assert.match(text, new RegExp(`sha256 {3}${'c'.repeat(64)}`));
		assert.match(text, /2 tensors, 1,024 parameters/);
		assert.ok(text.indexOf('lora_A.weight') < text.indexOf('lora_B.weight'), 'tensors sorted by name');
		assert.match(text, /lora_A\.weight\s+F16\s+\[8, 64\]/);
		assert.match(text, /format: pt/);
	});
});

describe('tree items and quick picks show repository text as plain text (issue 20.5)', () => {
	test('labels, descriptions and tooltips carry no raw control character', () => {
		const markdown = { value: '**v2**  \nby Eve \u001b]8;;https://attacker.example\u001b\\x' };
		const item = plainShownText({ label: 'v2 · 1.0.\u001b[2J1', description: 'msg\u001b]0;pwned\u0007\nline two', detail: '\u202eevil', tooltip: markdown }, 'tree');
		assert.equal(item.label, 'v2 · 1.0.\\e[2J1');
		assert.equal(item.description, 'msg\\e]0;pwned\\x07\\nline two');
		assert.equal(item.detail, '\\u202eevil');
		assert.equal(markdown.value, '**v2**  \nby Eve \\e]8;;https://attacker.example\\e\\x');
		assert.equal(plainShownText({ label: { label: 'a\u0007' } }, 'tree').label.label, 'a\\x07');
	});
});

// Issue 20 item 5, second pass: what VS Code itself renders in the text it is given. Each planted
// value below shows as an icon, a link or reordered text on the code before this change.
describe('repository text cannot become an icon, a link or markup in VS Code (issue 20.5)', () => {
	const planted = {
		icons: '$(check) approved $(shield~spin)',
		link: '[release notes](command:workbench.action.quit) [x](https://attacker.example/a)',
		bidi: 'v1\u202egnp.exe',
		long: 'm'.repeat(10_000),
	};

	test('a quick pick shows `$(name)` as text; a tree item (which draws no icons) shows it unchanged', () => {
		const picker = plainShownText({ label: planted.icons, description: `on ${planted.icons}`, detail: planted.icons }, 'picker');
		assert.equal(picker.label, '\\$(check) approved \\$(shield~spin)');
		assert.equal(picker.description, 'on \\$(check) approved \\$(shield~spin)');
		assert.equal(picker.detail, '\\$(check) approved \\$(shield~spin)');
		const tree = plainShownText({ label: planted.icons, description: planted.bidi }, 'tree');
		assert.equal(tree.label, planted.icons);
		assert.equal(tree.description, 'v1\\u202egnp.exe');
		// A backslash already in the text stays visible: VS Code would otherwise eat it as an escape.
		assert.equal(escapeIcons('a\\$(check)'), 'a\\\\$(check)');
		// Not icon syntax: left alone (an escape would show as a stray backslash).
		assert.equal(escapeIcons('$(not an icon) costs $(5'), '$(not an icon) costs $(5');
	});

	test('version pickers built from hostile versions: label, description and other-branch rows', () => {
		const v = version({ label: planted.icons, releaseLabel: '$(pass)', message: `${planted.icons}\n${planted.link}`, aliases: ['production'] });
		const item = plainShownText({ label: versionLabel(v), description: versionDescription(v, new Date('2026-11-30T12:00:00Z')) }, 'picker');
		assert.doesNotMatch(String(item.label), /(^|[^\\])\$\(/, 'no unescaped $( in the label');
		assert.doesNotMatch(String(item.description), /(^|[^\\])\$\(/, 'no unescaped $( in the description');
		const other = plainShownText({ label: versionLabel(v), description: otherRefVersionDescription(v, ['$(check)-approved']) }, 'picker');
		assert.match(String(other.description), /only on \\\$\(check\)-approved/);
	});

	test('notifications and dialogs: no [text](target) link, controls visible, the text otherwise as written', () => {
		const text = noticeText(`Created support-bot v2 (${planted.link}) ${planted.bidi}`);
		assert.doesNotMatch(text, /\[[^\]]+\]\((https?:\/\/|command:|file:)/, 'VS Code\'s link pattern must not match');
		assert.equal(text.replace(/\u2060/g, ''), 'Created support-bot v2 ([release notes](command:workbench.action.quit) [x](https://attacker.example/a)) v1\\u202egnp.exe');
		assert.equal(noticeText('two\nlines'), 'two\nlines', 'a dialog\'s line breaks stay');
	});

	test('Markdown: every ASCII punctuation escaped, so no link, autolink, entity, HTML or icon forms', () => {
		const escaped = escapeMarkdown('[a](command:x) https://e.example www.e.example &lt;b&gt; <img src=x onerror=alert(1)> $(check) ~~s~~ 1. x\n# h');
		assert.doesNotMatch(escaped, /(^|[^\\])[[\]()<>&$:.~#]/, `unescaped markup character in ${escaped}`);
		assert.match(escaped, /\n\\# h$/, 'line breaks stay, a heading marker is escaped');
		assert.equal(escapeMarkdown('\u202e'), '\\\\u202e', 'a bidi override is written out, its backslash escaped');
	});

	test('a code span holds any text: backticks cannot close it early, controls are visible', () => {
		assert.equal(markdownCode('main'), '`main`');
		assert.equal(markdownCode('x`[a](https://e.example)`'), '`` x`[a](https://e.example)` ``');
		assert.equal(markdownCode('``'), '``` `` ```');
		assert.equal(markdownCode('a\nb\u202e'), '`a\\nb\\u202e`');
	});

	test('a version tooltip from a planted manifest: branch, aliases, tags, author and run metadata stay text', () => {
		const v = version({ message: planted.link, author: { name: '[Eve](https://attacker.example)', email: 'e@x' }, git: { commit: 'a'.repeat(40), branch: 'x`[Approve](https://attacker.example)`', dirty: false }, aliases: ['prod`uction'] });
		const markdown = versionTooltip(v, ['t`ag'], new Date('2026-11-30T12:00:00Z'), [['link', '[y](command:workbench.action.quit)'], ['[k](https://a.example)', 'v']]);
		// Outside code spans no link can start: every [ is escaped; inside them the fence outlasts any backtick run.
		const outside = markdown.replace(/(`+) [^]*? \1|(`+)[^`][^]*?\2/g, '');
		assert.doesNotMatch(outside, /(^|[^\\])\[/, `an unescaped [ outside code spans: ${outside}`);
		assert.match(markdown, / on `` x`\[Approve\]\(https:\/\/attacker\.example\)` ``/);
		assert.match(markdown, /Aliases: ``prod`uction``/);
		assert.match(markdown, /Link: \\\[y\\\]\\\(command/, 'a planted link row that is no web address is text');
		const linked = versionTooltip(v, [], new Date(), [['link', 'https://wandb.ai/team/run_1?x=1'], ['link', 'https://e.example/a)[b](command:x)']]);
		assert.match(linked, /Link: <https:\/\/wandb\.ai\/team\/run_1\?x=1>/, 'a web address stays clickable, its text the address');
		assert.match(linked, /Link: https\\:\\\/\\\/e\\\.example\\\/a\\\)\\\[b\\\]/);
	});

	test('invisible characters are shown: zero-width space, word joiner, BOM, line and paragraph separators', () => {
		const item = plainShownText({ label: 'produ\u200bction', description: 'a\u2060b\ufeffc', detail: 'one\u2028two\u2029three' }, 'picker');
		assert.equal(item.label, 'produ\\u200bction');
		assert.equal(item.description, 'a\\u2060b\\ufeffc');
		assert.equal(item.detail, 'one\\u2028two\\u2029three');
		// Joiners that scripts and emoji need are left alone.
		assert.equal(plainShownText({ label: 'می\u200cخواهم 👩\u200d💻' }, 'tree').label, 'می\u200cخواهم 👩\u200d💻');
	});

	test('a 10,000-character message stays one short line in the tree and the picker', () => {
		const v = version({ message: `${planted.long}\nsecond line` });
		const description = versionDescription(v, new Date('2026-11-30T12:00:00Z'));
		assert.ok(description.length < 120, `description is ${description.length} characters`);
		assert.doesNotMatch(description, /\n/);
	});
});
