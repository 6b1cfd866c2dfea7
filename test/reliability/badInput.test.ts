// Bad input: broken config/params/metrics, odd metric values, a huge file where text was expected,
// binary bytes in text roles, names that are not UTF-8, empty files, globs that match nothing, bad
// model names and unknown refs. Each gives a clear message or a recorded warning — never a crash,
// never a raw stack, never a file read whole into memory.
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyExampleWorkspace, git, makeTempDir, removeDir, writeFile } from '../unit/fixtures';
import { cli, cliJson, PEAK_RSS_PRELOAD, QUICK, writePreload } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const MB = 1024 * 1024;
const HUGE_GB = Number(process.env.MODEL_LEDGER_HUGE_GB ?? (QUICK ? 1 : 5));
/** Peak RSS a command may reach while handling a multi-GB file: far below the file, near Node's baseline. */
const RSS_LIMIT = 250 * MB;
const STORED_MB = QUICK ? 64 : 300;

function workspace(): string {
	const dir = copyExampleWorkspace();
	dirs.push(dir);
	assert.equal(cli(dir, ['init']).code, 0);
	return dir;
}

/** A file of `bytes` that occupies no disk: reads return zeros. */
function sparseFile(path: string, bytes: number): void {
	const fd = openSync(path, 'w');
	try {
		writeSync(fd, 'retriever:\n  top_k: 8\n');
		ftruncateSync(fd, bytes);
	} finally {
		closeSync(fd);
	}
}

interface SnapshotJson {
	created: Array<{ model: string; number: number }>;
	warnings: string[];
}
interface ShowJson {
	artifacts: Array<{ path: string; size: number }>;
	params: Record<string, Record<string, unknown>>;
	metrics: Record<string, Record<string, unknown>>;
	prompts: Record<string, { variables: string[] }>;
	warnings: string[];
}

describe('bad input', () => {
	test('malformed model-ledger.yaml: file:line:column, one line, exit 1', () => {
		const dir = workspace();
		writeFileSync(join(dir, 'model-ledger.yaml'), 'models:\n  support-bot:\n    prompts: [prompts/*.md\n    rag: config/rag.yaml\n');
		for (const args of [['list'], ['snapshot'], ['status'], ['verify']]) {
			const r = cli(dir, args);
			assert.equal(r.code, 1, args.join(' '));
			assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
			assert.match(r.stderr, /^model-ledger: model-ledger\.yaml:\d+:\d+: invalid YAML: .*Fix: /);
			assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
		}
	});

	test('model names with `/` or `..` are rejected where they are written', () => {
		for (const name of ['team/bot', '..', '../escape', 'a/../b']) {
			const dir = workspace();
			writeFileSync(join(dir, 'model-ledger.yaml'), `models:\n  "${name}":\n    prompts: prompts/*.md\n`);
			const r = cli(dir, ['snapshot']);
			assert.equal(r.code, 1, name);
			assert.match(r.stderr, /model-ledger\.yaml:2:\d+: .*model name/i, `${name}: ${r.stderr}`);
		}
	});

	test('broken YAML/JSON/TOML params and metrics are stored as opaque files with a file:line warning', () => {
		const dir = workspace();
		writeFileSync(join(dir, 'config/train.yaml'), 'lr: 0.001\nepochs: [1, 2\nbatch: 8\n');
		// Lower-case `nan` is JSON in no dialect (Python's json writes NaN, which parses).
		writeFileSync(join(dir, 'eval/metrics.json'), '{\n  "faithfulness": 0.9,\n  "answer_relevancy": nan\n}\n');
		writeFileSync(join(dir, 'config/reranker.toml'), '[model]\nname = "x"\nname = "duplicate"\n');
		const r = cliJson<SnapshotJson>(dir, ['snapshot', '-m', 'broken files']);
		assert.equal(r.created.length, 2);
		const joined = r.warnings.join('\n');
		assert.match(joined, /config\/train\.yaml:\d+(:\d+)?: .*stored as an opaque file/);
		assert.match(joined, /eval\/metrics\.json:3(:\d+)?: .*stored as an opaque file/);
		assert.match(joined, /config\/reranker\.toml:3(:\d+)?: .*stored as an opaque file/);
		const bot = cliJson<ShowJson>(dir, ['show', 'support-bot']);
		assert.ok(bot.artifacts.some((a) => a.path === 'config/train.yaml'), 'the broken file is still versioned');
		assert.equal(bot.params['config/train.yaml'], undefined, 'no values are invented for it');
		assert.equal(bot.metrics['eval/metrics.json'], undefined);
		assert.ok(bot.warnings.some((w) => w.includes('config/train.yaml')), 'the warning is kept in the manifest');
	});

	test('metrics holding strings, null, booleans and YAML .nan/.inf are recorded as they are and diff without crashing', () => {
		const dir = workspace();
		writeFile(dir, 'eval/extra.yaml', 'score: .nan\nbest: .inf\nnote: high\n');
		writeFileSync(join(dir, 'model-ledger.yaml'), readFileSync(join(dir, 'model-ledger.yaml'), 'utf8').replace('      file: eval/metrics.json', '      file: [eval/metrics.json, eval/extra.yaml]'));
		const first = cli(dir, ['snapshot', 'support-bot']);
		assert.equal(first.code, 0, first.stderr);
		writeFileSync(join(dir, 'eval/metrics.json'), '{"faithfulness": "high", "answer_relevancy": null, "latency_p95_ms": true, "eval_loss": 0.5}');
		writeFileSync(join(dir, 'eval/extra.yaml'), 'score: 0.5\nbest: -.inf\nnote: 3\n');
		assert.equal(cli(dir, ['snapshot', 'support-bot']).code, 0);
		const shown = cliJson<ShowJson>(dir, ['show', 'support-bot']);
		assert.equal(shown.metrics['eval/metrics.json'].faithfulness, 'high');
		assert.equal(shown.metrics['eval/metrics.json'].eval_loss, 0.5);
		for (const args of [['diff', 'support-bot@1', 'support-bot@2'], ['diff', 'support-bot@1', 'support-bot@2', '--json'], ['history', 'support-bot', '--metric', 'score'], ['history', 'support-bot', '--metric', 'faithfulness']]) {
			const r = cli(dir, args);
			assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
			if (args.includes('--json')) JSON.parse(r.stdout);
		}
	});

	test(`a ${HUGE_GB} GB file where a config was expected is streamed, never read into memory`, { timeout: 10 * 60_000 }, () => {
		const dir = workspace();
		const scratch = makeTempDirTracked();
		const rssFile = join(scratch, 'peak-rss');
		const preload = writePreload(scratch, 'peak-rss', PEAK_RSS_PRELOAD);
		const env = { NODE_OPTIONS: `--require ${preload}`, MODEL_LEDGER_RSS_FILE: rssFile };
		// status hashes the whole file (one streaming pass) without storing it.
		sparseFile(join(dir, 'config/rag.yaml'), HUGE_GB * 1024 * MB);
		const status = cli(dir, ['status', 'support-bot', '--json'], env);
		assert.equal(status.code, 0, status.stderr);
		const statusRss = Number(readFileSync(rssFile, 'utf8'));
		assert.ok(statusRss < RSS_LIMIT, `status peaked at ${(statusRss / MB).toFixed(0)} MB of RSS for a ${HUGE_GB} GB file`);
		// snapshot copies it into the store; parsing and the secret scan skip it by size.
		sparseFile(join(dir, 'config/rag.yaml'), STORED_MB * MB);
		const snap = cli(dir, ['snapshot', 'support-bot', '--json'], env);
		assert.equal(snap.code, 0, snap.stderr);
		const snapRss = Number(readFileSync(rssFile, 'utf8'));
		assert.ok(snapRss < RSS_LIMIT, `snapshot peaked at ${(snapRss / MB).toFixed(0)} MB of RSS for a ${STORED_MB} MB file`);
		const out = JSON.parse(snap.stdout) as SnapshotJson;
		assert.ok(out.warnings.some((w) => /config\/rag\.yaml: [\d.]+ [KMG]B is too large to parse as text; stored as an opaque file/.test(w)), out.warnings.join('\n'));
		process.stdout.write(`# huge file: status on ${HUGE_GB} GB peaked at ${(statusRss / MB).toFixed(0)} MB RSS, snapshot of ${STORED_MB} MB at ${(snapRss / MB).toFixed(0)} MB\n`);
	});

	test('binary bytes in text roles, empty files, a non-UTF-8 file name and a glob that matches nothing', () => {
		const dir = workspace();
		writeFileSync(join(dir, 'prompts/logo.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
		writeFileSync(join(dir, 'prompts/empty.md'), '');
		writeFileSync(join(dir, 'config/train.yaml'), '');
		writeFileSync(join(dir, 'eval/metrics.json'), '');
		writeFileSync(Buffer.from(join(dir, 'prompts/caf\xe9.md'), 'latin1'), 'Bonjour {{name}}');
		writeFileSync(join(dir, 'model-ledger.yaml'), readFileSync(join(dir, 'model-ledger.yaml'), 'utf8').replace('    other: checkpoints/adapter/adapter_config.json', '    other: [checkpoints/adapter/adapter_config.json, notes/*.txt]'));
		git(dir, 'add', '-A');
		const r = cli(dir, ['snapshot', 'support-bot', '--json']);
		assert.equal(r.code, 0, r.stderr);
		const out = JSON.parse(r.stdout) as SnapshotJson;
		const warnings = out.warnings.join('\n');
		assert.match(warnings, /prompts\/logo\.md: binary content in a prompt file; stored as an opaque file/);
		assert.match(warnings, /skipped prompts\/caf.\.md: its name is not valid UTF-8/);
		assert.match(warnings, /`other: notes\/\*\.txt` matches no file/);
		const shown = cliJson<ShowJson>(dir, ['show', 'support-bot']);
		const sizes = Object.fromEntries(shown.artifacts.map((a) => [a.path, a.size]));
		assert.equal(sizes['prompts/empty.md'], 0);
		assert.equal(sizes['config/train.yaml'], 0);
		assert.equal(sizes['prompts/logo.md'], 16);
		assert.deepEqual(shown.prompts['prompts/empty.md'], { variables: [] });
		assert.equal(shown.prompts['prompts/logo.md'], undefined, 'no variables are read out of binary bytes');
		const cat = cli(dir, ['cat', 'support-bot@latest', 'prompts/logo.md']);
		assert.equal(cat.code, 0);
	});

	test('unknown refs, models and paths: a clear error naming what exists', () => {
		const dir = workspace();
		cliJson(dir, ['snapshot']);
		const cases: Array<[string[], RegExp]> = [
			[['show', 'support-bot@v99'], /No version `v99` of `support-bot`\. Fix: Use latest, a number \(v1…v1\)/],
			[['show', 'support-bot@nosuchalias'], /No version `nosuchalias`/],
			[['show', 'nosuch@1'], /nosuch/],
			[['cat', 'support-bot@1', 'prompts/nosuch.md'], /has no file `prompts\/nosuch\.md`\. Fix: Its files: /],
			[['diff', 'support-bot@1', 'support-bot@7'], /No version `7`/],
			[['restore', 'support-bot@deadbeefdeadbeef'], /No version `deadbeefdeadbeef`/],
		];
		for (const [args, expected] of cases) {
			const r = cli(dir, args);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
			assert.match(r.stderr, expected, args.join(' '));
			assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
		}
	});
});

function makeTempDirTracked(): string {
	const dir = makeTempDir('preload');
	dirs.push(dir);
	return dir;
}
