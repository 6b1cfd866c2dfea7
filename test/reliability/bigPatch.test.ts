// Issue 15 item 19: a big tracked binary with uncommitted changes broke every snapshot — the whole
// `git diff HEAD --binary` was read into one string ("Cannot create a string longer than 0x1fffffe8
// characters" at 200 MiB, 1.2 GB of memory). The patch is now streamed to the store, binary files and
// weights stay out of it, and the snapshot says what was left out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { git, initGitRepo, isolatedGitEnv, makeTempDir, removeDir, writeFile } from '../unit/fixtures';
import { CLI, assertObjectsWhole } from './support';

const MiB = 1024 * 1024;
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** Writes `size` bytes of incompressible data (what fine-tuned weights look like to zlib) in 8 MiB chunks. */
function writeRandom(path: string, size: number, seed: string): void {
	const fd = openSync(path, 'w');
	try {
		let block = createHash('sha256').update(seed).digest();
		for (let done = 0; done < size; done += 8 * MiB) {
			block = createHash('sha256').update(block).digest();
			const chunk = randomBytes(Math.min(8 * MiB, size - done));
			chunk.set(block, 0);
			writeSync(fd, chunk);
		}
	} finally {
		closeSync(fd);
	}
}

/** Runs the CLI with a preloaded hook that records the process's peak resident memory (KiB). */
function cliWithPeak(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string; peakMiB: number } {
	const hook = join(cwd, '..', 'peak-hook.js');
	const out = join(cwd, '..', 'peak.txt');
	writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));`);
	const r = spawnSync(process.execPath, ['--require', hook, CLI, ...args], { cwd, env: isolatedGitEnv(), encoding: 'utf8', maxBuffer: 64 * MiB });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr, peakMiB: Number(readFileSync(out, 'utf8')) / 1024 };
}

describe('uncommitted changes to a big tracked binary', () => {
	test('issue 15 item 19: a 200 MiB modified tracked binary snapshots with bounded memory; binary and weights stay out of the patch, which says so', () => {
		const parent = makeTempDir('bigpatch');
		dirs.push(parent);
		const root = join(parent, 'ws');
		writeFile(root, 'model-ledger.yaml', 'models:\n  tuned:\n    weights: checkpoints/*.safetensors\n    params: config/train.yaml\n');
		initGitRepo(root);
		writeFile(root, 'config/train.yaml', 'lr: 0.1\nepochs: 3\n');
		writeFile(root, 'checkpoints/adapter.safetensors', '');
		writeFile(root, 'src/train.py', 'LR = 0.1\n');
		writeFile(root, 'export/.keep', '');
		// A tracked binary that belongs to no model (an exported model the training script writes).
		writeRandom(join(root, 'export', 'model.bin'), 200 * MiB, 'v1');
		writeRandom(join(root, 'checkpoints', 'adapter.safetensors'), 4 * MiB, 'w1');
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'baseline');
		// Everything modified, nothing committed.
		writeRandom(join(root, 'export', 'model.bin'), 200 * MiB, 'v2');
		writeRandom(join(root, 'checkpoints', 'adapter.safetensors'), 4 * MiB, 'w2');
		writeFile(root, 'src/train.py', 'LR = 0.05\n');
		writeFile(root, 'config/train.yaml', 'lr: 0.05\nepochs: 3\n');

		const status = cliWithPeak(root, ['status']);
		assert.equal(status.code, 0, status.stderr);
		assert.match(status.stdout, /uncommitted changes to tracked files/);

		const r = cliWithPeak(root, ['snapshot', '--json']);
		assert.equal(r.code, 0, r.stderr);
		// Far below the 200 MiB file (let alone the ~500 MB patch string the old code built).
		assert.ok(r.peakMiB < 160, `snapshot peak memory ${r.peakMiB.toFixed(0)} MiB`);
		assert.ok(status.peakMiB < 160, `status peak memory ${status.peakMiB.toFixed(0)} MiB`);
		const result = JSON.parse(r.stdout) as { created: Array<{ git: { dirty: boolean } }>; warnings: string[] };
		assert.equal(result.created.length, 1);
		assert.equal(result.created[0].git.dirty, true);
		const warning = result.warnings.find((w) => w.startsWith('uncommitted patch: left out'));
		assert.ok(warning, result.warnings.join('\n'));
		assert.match(warning, /checkpoints\/adapter\.safetensors \(stored as an artifact of the version\)/);
		assert.match(warning, /export\/model\.bin \(binary, in no model: its uncommitted change is not recorded; add it to a model to version it\)/);

		const shown = JSON.parse(spawnSync(process.execPath, [CLI, 'show', 'tuned', '--json'], { cwd: root, env: isolatedGitEnv(), encoding: 'utf8' }).stdout) as { git: { patch: string }; warnings: string[] };
		assert.ok(shown.warnings.some((w) => w.startsWith('uncommitted patch: left out')), 'the version keeps the note');
		const patch = readFileSync(join(root, '.model-ledger', 'cache', 'objects', 'sha256', shown.git.patch.slice(0, 2), shown.git.patch.slice(2)), 'utf8');
		assert.ok(patch.length < 64 * 1024, `patch is ${patch.length} bytes`);
		assert.match(patch, /^diff --git a\/config\/train\.yaml/m);
		assert.match(patch, /^diff --git a\/src\/train\.py/m);
		assert.doesNotMatch(patch, /model\.bin|adapter\.safetensors|GIT binary patch/);
		// The text part re-applies to the commit.
		const clone = join(parent, 'clone');
		git(parent, 'clone', '-q', root, clone);
		writeFileSync(join(parent, 'p.diff'), patch);
		git(clone, 'apply', join(parent, 'p.diff'));
		assert.equal(readFileSync(join(clone, 'src/train.py'), 'utf8'), 'LR = 0.05\n');
		assertObjectsWhole(root);
	});
});
