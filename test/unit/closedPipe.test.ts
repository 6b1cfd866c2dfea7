// Issue 15 item 1: output piped into a reader that stops early (`| head -1`, `less` quit) must end the
// CLI quietly: no `Error: write EPIPE`, no stack trace, exit 0 — every command, human and --json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { git, initGitRepo, isolatedGitEnv, makeTempDir, removeDir, repoRoot, writeFile } from './fixtures';

const CLI = join(repoRoot(), 'dist', 'cli.js');

/** Runs `node cli ARGS | head -c 20` in a real shell; returns the CLI's exit code and stderr. */
function pipedIntoHead(cwd: string, args: string[]): { code: number; stderr: string; head: string } {
	const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
	const script = `${quoted} 2>"$ERRFILE" | head -c 20; echo; echo "cli-exit=\${PIPESTATUS[0]}"; cat "$ERRFILE"`;
	const errFile = join(cwd, '..', `${Date.now()}-${Math.random()}.err`);
	const r = spawnSync('bash', ['-c', script], { cwd, env: { ...isolatedGitEnv(), ERRFILE: errFile }, encoding: 'utf8' });
	const match = /cli-exit=(\d+)\n([\s\S]*)$/.exec(r.stdout);
	assert.ok(match, r.stdout + r.stderr);
	return { code: Number(match[1]), stderr: match[2], head: r.stdout.slice(0, 20) };
}

describe('closed stdout', () => {
	let parent = '';
	let root = '';
	before(() => {
		parent = makeTempDir('pipe');
		root = join(parent, 'ws');
		initGitRepo(writeFile(root, '.keep', '') && root);
		// A training config with thousands of keys: `diff`, `show` and `cat` print far more than a pipe buffer (64 KB).
		const config = (value: number) => Array.from({ length: 4000 }, (_, i) => `hyperparameter_number_${i}: ${value + i}`).join('\n') + '\n';
		writeFile(root, 'model-ledger.yaml', 'models:\n  zephyr:\n    params: recipes/zephyr/config.yaml\n');
		writeFile(root, 'recipes/zephyr/config.yaml', config(1));
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'v1');
		assert.equal(spawnSync(process.execPath, [CLI, 'snapshot'], { cwd: root, env: isolatedGitEnv() }).status, 0);
		writeFile(root, 'recipes/zephyr/config.yaml', config(1000));
		git(root, 'commit', '-qam', 'v2');
		assert.equal(spawnSync(process.execPath, [CLI, 'snapshot'], { cwd: root, env: isolatedGitEnv() }).status, 0);
	});
	after(() => removeDir(parent));

	const commands = [
		['diff', 'zephyr@v1'],
		['diff', 'zephyr@v1', 'zephyr@v2'],
		['diff', 'zephyr@v1', 'zephyr@v2', '--json'],
		['show', 'zephyr@v1'],
		['show', 'zephyr', '--json'],
		['cat', 'zephyr@v2', 'recipes/zephyr/config.yaml'],
		['key-history', 'recipes/zephyr/config.yaml', 'hyperparameter_number_7', '--json'],
		['list', '--json'],
	];
	for (const args of commands) {
		test(`issue 15 item 1: \`model-ledger ${args.join(' ')} | head\` ends quietly with exit 0`, () => {
			const r = pipedIntoHead(root, args);
			assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, r.stderr);
			assert.equal(r.stderr, '');
			assert.equal(r.code, 0);
			assert.ok(r.head.length > 0);
		});
	}
});
