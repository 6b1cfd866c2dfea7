// Bounded reads and bounded work on planted input (issue 20, items 3 and 6; issue 15, item 2): each
// bomb of the red-team table runs the real CLI under a time limit and a peak-RSS limit.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyExampleWorkspace, removeDir } from '../unit/fixtures';
import { cli, measuredCli } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));
const MB = 1024 * 1024;
/** Far below the inputs (1 GB files, 200 M expanded values), near Node's baseline plus SQLite. */
const RSS_LIMIT = 400 * MB;

/** Runs the CLI under a time limit and this file's peak-RSS limit. */
const measured = (dir: string, args: string[], seconds: number) => measuredCli(dirs, dir, args, { seconds, rssBytes: RSS_LIMIT });

function workspace(): string {
	const dir = copyExampleWorkspace();
	dirs.push(dir);
	return dir;
}

function sparse(path: string, bytes: number, head: string): void {
	const fd = openSync(path, 'w');
	try {
		writeSync(fd, head);
		ftruncateSync(fd, bytes);
	} finally {
		closeSync(fd);
	}
}

describe('parser bombs and planted sizes', () => {
	test('issue 20.3: a planted 1 GB manifest is refused without being read', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		const folder = join(dir, '.model-ledger/versions/support-bot');
		sparse(join(folder, `${'ab'.repeat(32)}.yaml`), 1024 * MB, 'schema: 1\n');
		for (let i = 0; i < 2; i++) {
			const r = measured(dir, ['list'], 30);
			assert.equal(r.code, 0, r.stderr);
			assert.match(r.stdout, /support-bot\s+v1/);
			assert.match(r.stderr, /more than the 16 MiB a manifest may have; it was not read/);
		}
	});

	test('issue 20.3: a 1 GB events file is refused, and an events line over 64 KB is skipped with its number', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		const events = join(dir, '.model-ledger/events/support-bot.jsonl');
		mkdirSync(join(dir, '.model-ledger/events'), { recursive: true });
		sparse(events, 1024 * MB, '');
		const r = measured(dir, ['events', 'support-bot'], 30);
		assert.equal(r.code, 0, r.stderr);
		writeFileSync(events, `{"id":"x","type":"noted","at":"2026-01-01T00:00:00Z","by":{"name":"a"},"note":"${'n'.repeat(70_000)}"}\n`);
		const verify = measured(dir, ['verify', '--quick'], 30);
		assert.match(verify.stdout, /support-bot\.jsonl:1: the line is \d+ characters long/);
	});

	test('an events file of 11 million tiny lines (`{}`, just under the 32 MiB limit) and one 30 MB line without a newline: bounded, the bad lines counted', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		mkdirSync(join(dir, '.model-ledger/events'), { recursive: true });
		const events = join(dir, '.model-ledger/events/support-bot.jsonl');
		// Written in 1 MB chunks: the CLI's peak RSS is a high-water mark its fork inherits from this process.
		const chunk = Buffer.from('{}\n'.repeat(349_525));
		const fd = openSync(events, 'w');
		for (let i = 0; i < 31; i++) writeSync(fd, chunk);
		closeSync(fd);
		for (const args of [['list'], ['events', 'support-bot'], ['verify', '--quick']]) {
			const r = measured(dir, args, 30);
			assert.doesNotMatch(r.stderr, /Invalid string length/);
			if (args[0] === 'verify') assert.match(r.stdout, /support-bot\.jsonl:\d+: and 10,83\d,\d{3} more lines from here on that are not events/);
		}
		sparse(events, 30 * MB, '{"id":"');
		const r = measured(dir, ['verify', '--quick'], 30);
		assert.match(r.stdout, /support-bot\.jsonl:1: the line is 31457280 characters long/);
	});

	test('YAML flow collections nested 1,000,000 deep (a params file, model-ledger.yaml, a planted manifest, `["]", ` pairs) are refused before parsing', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		writeFileSync(join(dir, 'config/train.yaml'), `x: ${'['.repeat(1_000_000)}\n`);
		for (const args of [['snapshot', 'support-bot', '--json'], ['diff', 'support-bot@1'], ['show', 'support-bot']]) {
			const r = measured(dir, args, 30);
			assert.equal(r.code, 0, r.stderr);
			assert.match(r.stdout, /config\/train\.yaml:1: config\/train\.yaml is refused: its `\[`\/`\{` collections nest more than 256 levels deep; it was not parsed/);
		}
		// Quotes cannot hide the nesting from the check: `["]", ["]", …` nests without unbalanced-looking brackets.
		writeFileSync(join(dir, 'config/train.yaml'), `x: ${'["]", '.repeat(300_000)}\n`);
		assert.match(measured(dir, ['snapshot', 'support-bot', '--json'], 30).stdout, /nest more than 256 levels deep/);
		// A planted manifest (not canonical, under the 1 MiB limit) is suspect, not parsed.
		const planted = `schema: 1\nmodel: support-bot\nnumber: 7\nx: ${'{a: '.repeat(200_000)}\n`;
		writeFileSync(join(dir, '.model-ledger/versions/support-bot', `${createHash('sha256').update(planted).digest('hex')}.yaml`), planted);
		assert.match(measured(dir, ['list'], 30).stderr, /Suspect manifest .*nest more than 256 levels deep/);
		const config = readFileSync(join(dir, 'model-ledger.yaml'), 'utf8');
		writeFileSync(join(dir, 'model-ledger.yaml'), `${config}extra: ${'['.repeat(1_400_000)}${']'.repeat(1_400_000)}\n`);
		const r = measured(dir, ['list'], 30);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /model-ledger\.yaml:\d+: its `\[`\/`\{` collections nest more than 256 levels deep; it was not parsed\. Fix: Remove the deeply nested value/);
	});

	test('JSON and TOML values nested 1,000,000 (TOML: 100,000) deep are not read into keys (no million-segment key path)', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		writeFileSync(join(dir, 'eval/metrics.json'), `{"faithfulness": 0.9, "x": ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);
		const r = measured(dir, ['snapshot', 'support-bot', '--json'], 30);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /eval\/metrics\.json is refused: its lists and mappings nest more than 256 levels deep/);
		assert.ok(readFileSync(join(dir, '.model-ledger/versions/support-bot', (JSON.parse(r.stdout) as { created: Array<{ digest: string }> }).created[0].digest + '.yaml')).length < 100_000, 'no million-segment key in the manifest');
		writeFileSync(join(dir, 'config/reranker.toml'), `x = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
		assert.equal(measured(dir, ['snapshot', 'reranker', '--json'], 30).code, 0);
	});

	test('a prompt with 1,000,000 `{{var}}` placeholders: the first 1,000 variables are recorded, with a warning', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		writeFileSync(join(dir, 'prompts/system.md'), Array.from({ length: 1_000_000 }, (_, i) => `{{v${i}}}`).join(' '));
		const snap = measured(dir, ['snapshot', 'support-bot', '--json'], 30);
		assert.equal(snap.code, 0, snap.stderr);
		assert.match(snap.stdout, /prompts\/system\.md: more than 1,000 template variables; the first 1,000 found are recorded/);
		const show = measured(dir, ['show', 'support-bot', '--json'], 30);
		const shown = JSON.parse(show.stdout) as { prompts: Record<string, { variables: string[] }> };
		assert.equal(shown.prompts['prompts/system.md'].variables.length, 1_000);
		measured(dir, ['diff', 'support-bot@1', '@2'], 30);
	});

	test('issue 20.6: a YAML params file whose 200,000-item list is aliased 999 times is refused fast', () => {
		const dir = workspace();
		const items = Array.from({ length: 200_000 }, (_, i) => i % 10).join(',');
		const aliases = Array.from({ length: 999 }, (_, i) => `k${i}: *big`).join('\n');
		writeFileSync(join(dir, 'config/train.yaml'), `big: &big [${items}]\n${aliases}\n`);
		const r = measured(dir, ['snapshot', 'support-bot', '--json'], 60);
		assert.equal(r.code, 0, r.stderr);
		const result = JSON.parse(r.stdout) as { created: unknown[]; warnings: string[] };
		assert.equal(result.created.length, 1, 'the file is still versioned (opaque)');
		assert.ok(result.warnings.some((w) => /aliases could expand to more than 1,000,000 values/.test(w)), result.warnings.join('\n'));
	});

	test('issue 20.3: a 7 MB YAML params file (500,000 flat keys) is versioned whole without building its tree', () => {
		// On the old code a snapshot of such a file (8.9 MB) took 30 s and peaked at 1.8 GB: the yaml library's tree of the whole file.
		const dir = workspace();
		const lines: string[] = [];
		for (let i = 0; i < 500_000; i++) lines.push(`key_${i}: ${i % 97}`);
		writeFileSync(join(dir, 'config/train.yaml'), `${lines.join('\n')}\n`);
		const r = measured(dir, ['snapshot', 'support-bot', '--json'], 60);
		assert.equal(r.code, 0, r.stderr);
		const result = JSON.parse(r.stdout) as { created: Array<{ digest: string }>; warnings: string[] };
		assert.equal(result.created.length, 1, 'the file is still versioned (opaque)');
		assert.ok(result.warnings.some((w) => /config\/train\.yaml is [\d.]+ MB of YAML, more than the 2\.0 MB read into keys.*Write big generated params or metrics as JSON/s.test(w)), result.warnings.join('\n'));
		const show = measured(dir, ['show', 'support-bot'], 30);
		assert.equal(show.code, 0, show.stderr);
	});

	test('issue 20.6: a model-ledger.yaml with 20,000 models: snapshot of one model in linear time; one over 3 MiB is refused unread', () => {
		// On the code the issue measured, config handling was quadratic: 4,000 models took a snapshot 206 s.
		const dir = workspace();
		const config = readFileSync(join(dir, 'model-ledger.yaml'), 'utf8');
		const extra = (from: number, count: number) =>
			Array.from({ length: count }, (_, i) => `  model-${from + i}:\n    prompts: "prompts/m${from + i}/*.md"\n    params: "config/m${from + i}/*.yaml"\n`).join('');
		writeFileSync(join(dir, 'model-ledger.yaml'), `${config.trimEnd()}\n${extra(0, 20_000)}`);
		const snap = measured(dir, ['snapshot', 'support-bot', '--json'], 60);
		assert.equal(snap.code, 0, snap.stderr);
		assert.equal((JSON.parse(snap.stdout) as { created: unknown[] }).created.length, 1);
		// 40,000 more models make it 5 MB: refused with its size and the limit, never parsed.
		writeFileSync(join(dir, 'model-ledger.yaml'), `${config.trimEnd()}\n${extra(0, 60_000)}`);
		const refused = measured(dir, ['status'], 30);
		assert.notEqual(refused.code, 0);
		assert.match(refused.stderr, /model-ledger\.yaml is [\d.]+ MiB, more than the 3\.0 MiB a model-ledger\.yaml may have; it was not read/);
		assert.ok(refused.ms < 5_000, `took ${refused.ms} ms`);
	});

	test('issue 20.6: a planted manifest with 99 aliases to a 200,000-key map is refused, not indexed', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		const keys = Array.from({ length: 200_000 }, (_, i) => `  k${i}: ${i}`).join('\n');
		const refs = Array.from({ length: 99 }, (_, i) => `  f${i}: *p`).join('\n');
		const text = `schema: 1\nmodel: support-bot\nnumber: 2\nlabel: x\ncreatedAt: "2026-01-01T00:00:00Z"\nartifacts: []\nbase: &p\n${keys}\nparams:\n${refs}\n`;
		const digest = createHash('sha256').update(text).digest('hex');
		writeFileSync(join(dir, `.model-ledger/versions/support-bot/${digest}.yaml`), text);
		const r = measured(dir, ['list'], 60);
		assert.equal(r.code, 0, r.stderr);
		assert.doesNotMatch(r.stdout, /support-bot\s+v2/);
		// 3.2 MiB of non-canonical text: refused by the 1 MiB limit for such manifests before its aliases are even counted.
		assert.match(r.stderr, /Suspect manifest .*(uses 99 YAML alias\(es\), which Model Ledger never writes|not in the canonical form Model Ledger writes and is 3\.2 MiB)/);
	});

	test('issue 15.2: show and diff of a 100,000-record results.json work; its summary keys are kept and the snapshot says so once', () => {
		const dir = workspace();
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		const records = (n: number, flip: number) => Array.from({ length: n }, (_, i) => ({ id: i, pred: i % 3, gold: i % 3 === flip ? 0 : i % 3, correct: i % 3 !== flip }));
		writeFileSync(join(dir, 'eval/metrics.json'), JSON.stringify({ faithfulness: 0.8, answer_relevancy: 0.9, per_sample: records(100_000, 1) }));
		const snap = measured(dir, ['snapshot', 'support-bot', '--json'], 120);
		assert.equal(snap.code, 0, snap.stderr);
		const warnings = (JSON.parse(snap.stdout) as { warnings: string[] }).warnings.filter((w) => /huge file/.test(w));
		assert.equal(warnings.length, 1, warnings.join('\n'));
		const show = measured(dir, ['show', 'support-bot'], 60);
		assert.equal(show.code, 0, show.stderr);
		assert.match(show.stdout, /faithfulness\s+0\.8/);
		assert.doesNotMatch(show.stdout, /per_sample\[/);
		writeFileSync(join(dir, 'eval/metrics.json'), JSON.stringify({ faithfulness: 0.85, answer_relevancy: 0.9, per_sample: records(100_000, 2) }));
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		for (const args of [['diff', 'support-bot@2', '@3'], ['diff', 'support-bot@2'], ['diff', 'support-bot@2', '@3', '--json']]) {
			const diff = measured(dir, args, 60);
			assert.equal(diff.code, 0, diff.stderr);
			assert.match(diff.stdout, /faithfulness/);
		}
	});
});
