// `model-ledger diff` and `history` as scripts and people use them: the built dist/cli.js as a real process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyExampleWorkspace, isolatedGitEnv, removeDir, repoRoot } from './fixtures';

const CLI = join(repoRoot(), 'dist', 'cli.js');

function run(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: isolatedGitEnv(), encoding: 'utf8' });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function replaceIn(dir: string, rel: string, from: string, to: string): void {
	const path = join(dir, rel);
	const text = readFileSync(path, 'utf8');
	assert.ok(text.includes(from), `${rel} has no ${from}`);
	writeFileSync(path, text.replace(from, to));
}

describe('model-ledger diff and history', () => {
	let dir: string;
	before(() => {
		dir = copyExampleWorkspace();
		assert.equal(run(dir, 'snapshot', 'support-bot', '-m', 'base').code, 0);
		replaceIn(dir, 'config/rag.yaml', 'chunk_size: 512', 'chunk_size: "512"');
		replaceIn(dir, 'eval/metrics.json', '"eval_loss": 1.284', '"eval_loss": 1.2');
		assert.equal(run(dir, 'snapshot', 'support-bot', '-m', 'tuned').code, 0);
	});
	after(() => removeDir(dir));

	test('--json prints one document with the issue\'s shape', () => {
		const r = run(dir, 'diff', 'support-bot@1', 'support-bot@2', '--json');
		assert.equal(r.code, 0, r.stderr);
		const d = JSON.parse(r.stdout);
		assert.deepEqual(Object.keys(d).sort(), ['a', 'artifacts', 'b', 'code', 'data', 'metrics', 'params', 'prompts', 'unparseable', 'warnings', 'weights']);
		assert.deepEqual(d.params, [{ file: 'config/rag.yaml', key: 'retriever.chunk_size', a: 512, b: '512', change: 'changed', typeChanged: true }]);
		assert.equal(d.metrics[0].key, 'eval_loss');
		assert.equal(d.metrics[0].better, true);
	});

	test('a readable table, with the type change visible; @B means the same model', () => {
		const r = run(dir, 'diff', 'support-bot@1', '@2');
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /support-bot: v1 \(0\.1\.0\) → v2 \(0\.1\.1\)/);
		assert.match(r.stdout, /config\/rag\.yaml\s+retriever\.chunk_size\s+512\s+"512"\s+type number → string/);
		assert.match(r.stdout, /eval_loss\s+1\.284\s+1\.2\s+-0\.084 \(-6\.5%\)\s+better/);
	});

	test('without B it compares with the working tree; --all lists unchanged keys', () => {
		replaceIn(dir, 'config/train.yaml', 'epochs: 3', 'epochs: 4');
		const r = run(dir, 'diff', 'support-bot@latest', '--json');
		assert.equal(r.code, 0, r.stderr);
		const d = JSON.parse(r.stdout);
		assert.equal(d.b.working, true);
		assert.deepEqual(d.params.map((p: { key: string }) => p.key), ['training.epochs']);
		const all = JSON.parse(run(dir, 'diff', 'support-bot@latest', '--all', '--json').stdout);
		assert.ok(all.params.length > 20);
		assert.match(run(dir, 'diff', 'support-bot').stdout, /config\/train\.yaml\s+training\.epochs\s+3\s+4/);
	});

	test('a changed prompt shows its changed lines with context, cut per file with how to see the rest', () => {
		const system = join(dir, 'prompts/system.md');
		const before = readFileSync(system, 'utf8');
		try {
			writeFileSync(system, before.replace('Support hours are', 'Our support hours are') + Array.from({ length: 40 }, (_, i) => `Rule ${i}: be kind.\n`).join(''));
			const text = run(dir, 'diff', 'support-bot@latest').stdout;
			const section = text.slice(text.indexOf('\nPrompts\n'));
			assert.match(section, /\n {4}- Today is \{\{ current_date \}\}\. Support hours are/, section);
			assert.match(section, /\n {4}\+ Today is \{\{ current_date \}\}\. Our support hours are/, section);
			assert.match(section, /\n {4}\+ Rule 0: be kind\.\n/, section);
			assert.doesNotMatch(section, /Rule 39/, 'cut at 24 lines');
			assert.match(section, /\n {6}… \(\d+ more lines: `model-ledger cat` the file, or compare the versions in VS Code\)/, section);
			const json = JSON.parse(run(dir, 'diff', 'support-bot@latest', '--json').stdout) as { prompts: object[] };
			assert.ok(json.prompts.every((p) => !('preview' in p)), '--json keeps its shape');
		} finally {
			writeFileSync(system, before);
		}
	});

	test('history of a metric', () => {
		const r = run(dir, 'history', 'support-bot', '--metric', 'eval_loss');
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /eval_loss \(lower is better\)/);
		assert.match(r.stdout, /v2\s+0\.1\.1\s+.*1\.2\s+-0\.084/);
		const json = JSON.parse(run(dir, 'history', 'support-bot', '--metric', 'eval_loss', '--json').stdout);
		assert.deepEqual(json.points.map((p: { value: number }) => p.value), [1.284, 1.2]);
	});

	test('usage errors exit 2, unknown versions and metrics exit 1 with the fix', () => {
		assert.equal(run(dir, 'diff').code, 2);
		assert.equal(run(dir, 'diff', 'support-bot@1', 'reranker@1').code, 2);
		assert.equal(run(dir, 'history', 'support-bot').code, 2);
		const unknown = run(dir, 'diff', 'support-bot@1', '@9');
		assert.equal(unknown.code, 1);
		assert.match(unknown.stderr, /No version `9` of `support-bot`/);
		assert.match(run(dir, 'history', 'support-bot', '--metric', 'nope').stderr, /Its metrics: .*eval_loss/);
	});
});
