// The CLI is a contract for scripts and CI: these tests run the built `dist/cli.js` as a real process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyExampleWorkspace, makeTempDir, removeDir, repoRoot, runCli, writeFile } from './fixtures';

const CLI = join(repoRoot(), 'dist', 'cli.js');
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const run = runCli;

function json(cwd: string, ...args: string[]): unknown {
	const r = run(cwd, ...args, '--json');
	assert.equal(r.code, 0, r.stderr);
	return JSON.parse(r.stdout);
}

describe('model-ledger CLI', () => {
	test('help, usage errors and exit codes', () => {
		const dir = makeTempDir('cli');
		dirs.push(dir);
		const help = run(dir, '--help');
		assert.equal(help.code, 0);
		assert.match(help.stdout, /snapshot \[MODEL\.\.\.\]/);
		assert.equal(run(dir).code, 2);
		const unknown = run(dir, 'frobnicate');
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /unknown command `frobnicate`/);
		assert.equal(run(dir, 'list', '--no-such-flag').code, 2);
		const noConfig = run(dir, 'list');
		assert.equal(noConfig.code, 1);
		assert.match(noConfig.stderr, /No model-ledger\.yaml.*Fix: Run `model-ledger init`/);
		assert.equal(noConfig.stderr.trim().split('\n').length, 1, 'one line on stderr');
		assert.ok(!existsSync(join(dir, '.model-ledger')), 'nothing is written into a folder without a ledger');
	});

	test('init detects prompts, weights, configs, metrics and data, and never overwrites', () => {
		const dir = makeTempDir('init');
		dirs.push(dir);
		writeFile(dir, 'prompts/system.md', 'You are {{bot}}.');
		writeFile(dir, 'prompts/tools/search.md', 'Search {query}');
		writeFile(dir, 'config/rag.yaml', 'top_k: 3\n');
		writeFile(dir, 'config/train.yaml', 'lr: 0.1\n');
		writeFile(dir, 'eval/metrics.json', '{"f1": 0.5}');
		writeFile(dir, 'out/lora/adapter.safetensors', 'x');
		writeFile(dir, 'data/docs.dvc', 'outs:\n- md5: abc\n  path: docs\n');
		const result = json(dir, 'init') as { configCreated: boolean; detected: Record<string, string[]> };
		assert.equal(result.configCreated, true);
		assert.deepEqual(result.detected, {
			prompts: ['prompts/**/*.md'],
			rag: ['config/rag.yaml'],
			weights: ['out/lora/**/*.safetensors'],
			params: ['config/train.yaml'],
			metrics: ['eval/metrics.json'],
			data: ['data/docs.dvc'],
		});
		assert.ok(existsSync(join(dir, '.model-ledger', '.gitignore')));
		assert.match(readFileSync(join(dir, '.model-ledger', '.gitattributes'), 'utf8'), /events\/\*\.jsonl merge=union/);
		const snap = json(dir, 'snapshot') as { created: Array<{ number: number }> };
		assert.equal(snap.created[0].number, 1, 'the scaffold is a working config');
		writeFileSync(join(dir, 'model-ledger.yaml'), 'models:\n  mine:\n    prompts: prompts/*.md\n');
		assert.equal((json(dir, 'init') as { configCreated: boolean }).configCreated, false);
		assert.match(readFileSync(join(dir, 'model-ledger.yaml'), 'utf8'), /mine/);
	});

	test('snapshot, list, show and cat keep their JSON contract', () => {
		const root = copyExampleWorkspace();
		dirs.push(root);
		const first = json(root, 'snapshot', 'support-bot', '-m', 'baseline') as { created: Array<Record<string, unknown>>; unchanged: unknown[] };
		assert.equal(first.created.length, 1);
		assert.deepEqual(first.unchanged, []);
		const again = json(root, 'snapshot', 'support-bot') as { created: unknown[]; unchanged: Array<{ model: string; matches: { number: number } }> };
		assert.deepEqual(again.created, []);
		assert.equal(again.unchanged[0].matches.number, 1);
		appendFileSync(join(root, 'prompts', 'system.md'), '\nMention {{plan}} limits.\n');
		json(root, 'snapshot', '-m', 'plan limits', '--bump', 'minor');

		const list = json(root, 'list') as Array<Record<string, unknown>>;
		const bot = list.filter((v) => v.model === 'support-bot');
		assert.deepEqual(bot.map((v) => v.number), [2, 1], 'newest first');
		for (const key of ['model', 'number', 'label', 'digest', 'createdAt', 'author', 'message', 'aliases', 'git']) {
			assert.ok(key in bot[0], `list entries have ${key}`);
		}
		assert.equal(bot[0].label, '0.2.0');
		assert.deepEqual(Object.keys(bot[0].git as object).sort(), ['branch', 'commit', 'dirty']);

		const show = json(root, 'show', 'support-bot@v2') as Record<string, unknown>;
		for (const key of ['artifacts', 'params', 'metrics', 'prompts', 'weights', 'lockfiles', 'data']) assert.ok(key in show, `show has ${key}`);
		const artifacts = show.artifacts as Array<{ path: string; role: string; sha256: string; size: number }>;
		assert.ok(artifacts.every((a) => a.path && a.role && /^[0-9a-f]{64}$/.test(a.sha256) && typeof a.size === 'number'));

		const cat = spawnSync(process.execPath, [CLI, 'cat', 'support-bot@1', 'prompts/system.md'], { cwd: root });
		assert.equal(cat.status, 0);
		assert.ok(!cat.stdout.toString().includes('{{plan}}'), 'v1 is the text before the edit');
		const catLatest = spawnSync(process.execPath, [CLI, 'cat', 'support-bot@latest', 'checkpoints/adapter/adapter_model.safetensors'], { cwd: root });
		assert.ok(Buffer.from(catLatest.stdout).equals(readFileSync(join(root, 'checkpoints', 'adapter', 'adapter_model.safetensors'))), 'binary bytes round-trip');

		const human = run(root, 'list', 'support-bot');
		assert.match(human.stdout, /^MODEL\s+VERSION\s+LABEL/);
		assert.match(human.stdout, /support-bot\s+v2\s+0\.2\.0/);
		const missing = run(root, 'show', 'support-bot@v7');
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /No version `v7` of `support-bot`/);
	});

	test('a malformed model-ledger.yaml is reported with file:line:column', () => {
		const root = copyExampleWorkspace({ git: false });
		dirs.push(root);
		writeFileSync(join(root, 'model-ledger.yaml'), 'models:\n  bot:\n    prompts: [a, b\n    rag: x\n');
		const r = run(root, 'snapshot');
		assert.equal(r.code, 1);
		assert.match(r.stderr, /model-ledger\.yaml:\d+:\d+: invalid YAML/);
		assert.ok(!existsSync(join(root, '.model-ledger', 'versions', 'bot')));
	});

	test('alias, approve and events from the command line', () => {
		const root = copyExampleWorkspace();
		dirs.push(root);
		json(root, 'snapshot', 'support-bot');
		const refused = run(root, 'alias', 'set', 'support-bot@1', 'production');
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /protected alias.*approve/);
		json(root, 'approve', 'support-bot@1', '-m', 'eval passed');
		json(root, 'alias', 'set', 'support-bot@1', 'production', '-m', 'ship it');
		const aliases = json(root, 'alias', 'list') as Array<{ alias: string; number: number }>;
		assert.deepEqual(aliases.map((a) => [a.alias, a.number]), [['production', 1]]);
		const events = json(root, 'events', 'support-bot') as Array<{ type: string; by: { name: string } }>;
		assert.deepEqual(events.map((e) => e.type), ['alias.set', 'approved', 'created'], 'newest first; creation comes from the manifest');
		assert.equal(events[0].by.name, 'Test User');
		assert.equal(run(root, 'alias', 'set', 'support-bot@1', 'latest').code, 1);
	});
});
