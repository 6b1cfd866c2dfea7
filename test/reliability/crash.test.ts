// Crash safety: the real CLI snapshots a large file and is killed with SIGKILL at random points.
// After every kill: no object is visible under its final name unless it is whole, every manifest is
// whole and names only objects that exist, and `list` matches the manifests. Every few trials a
// snapshot runs to the end and must succeed and leave tmp/ empty; at the end `verify` re-hashes all.
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { git, initGitRepo, makeTempDir, removeDir, writeFile } from '../unit/fixtures';
import { assertIndexMatchesManifests, assertManifestsComplete, cli, cliAsync, cliJson, manifestsOnDisk, QUICK, sha256File, writeBigFile } from './support';

const SIZE_MB = Number(process.env.MODEL_LEDGER_CRASH_MB ?? (QUICK ? 96 : 256));
const TRIALS = Number(process.env.MODEL_LEDGER_CRASH_TRIALS ?? (QUICK ? 16 : 60));
const SEED = Number(process.env.MODEL_LEDGER_CRASH_SEED ?? Date.now() % 100000);

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** Small deterministic PRNG (mulberry32), so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Changes the big file's content (its first bytes) so the next snapshot has to store a new object. */
function touchBigFile(path: string, salt: number): void {
	const fd = openSync(path, 'r+');
	try {
		const head = Buffer.alloc(8);
		head.writeUInt32LE(0, 0);
		head.writeUInt32LE(salt, 4);
		writeSync(fd, head, 0, 8, 0);
	} finally {
		closeSync(fd);
	}
}

function objectsNewerThan(root: string, since: number): string[] {
	const objects = join(root, '.model-ledger', 'cache', 'objects', 'sha256');
	const result: string[] = [];
	for (const prefix of existsSync(objects) ? readdirSync(objects) : []) {
		for (const rest of readdirSync(join(objects, prefix))) {
			const path = join(objects, prefix, rest);
			if (statSync(path).ctimeMs >= since - 5) result.push(path);
		}
	}
	return result;
}

function tmpEntries(root: string): string[] {
	const tmp = join(root, '.model-ledger', 'cache', 'tmp');
	return existsSync(tmp) ? readdirSync(tmp) : [];
}

describe('crash mid-snapshot (SIGKILL)', () => {
	test(`${TRIALS} kills while snapshotting a ${SIZE_MB} MB file leave the registry whole`, { timeout: 15 * 60_000 }, async () => {
		const root = makeTempDir('crash');
		dirs.push(root);
		initGitRepo(root);
		writeFile(root, 'model-ledger.yaml', 'models:\n  big:\n    weights: weights/*.bin\n    prompts: prompts/*.md\n    params: config/train.yaml\n');
		writeFile(root, 'prompts/system.md', 'You are {{name}}.\n');
		writeFile(root, 'config/train.yaml', 'lr: 0.001\nepochs: 1\n');
		writeFile(root, '.gitignore', 'weights/\n');
		const big = join(root, 'weights', 'model.bin');
		mkdirSync(join(root, 'weights'));
		writeBigFile(big, SIZE_MB, 0);
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'crash test workspace');
		assert.equal(cli(root, ['init']).code, 0);

		// How long one complete snapshot takes decides where the kills land.
		const t0 = Date.now();
		const first = cliJson<{ created: unknown[] }>(root, ['snapshot', '-m', 'baseline']);
		const fullMs = Date.now() - t0;
		assert.equal(first.created.length, 1);

		const rand = random(SEED);
		let killed = 0;
		let finished = 0;
		let leftoversSeen = 0;
		for (let trial = 1; trial <= TRIALS; trial++) {
			const context = `trial ${trial} (seed ${SEED}, full snapshot ${fullMs} ms)`;
			touchBigFile(big, trial);
			writeFileSync(join(root, 'prompts', 'system.md'), `You are {{name}}. Trial ${trial}.\n`);
			const complete = trial % 10 === 0;
			// Most kills land while the big object is copied; a fifth aim at the very end (manifest, index).
			const delay = rand() < 0.2 ? fullMs * (0.85 + rand() * 0.3) : rand() * fullMs;
			const started = Date.now();
			const run = cliAsync(root, ['snapshot', '-m', `trial ${trial}`]);
			let timer: NodeJS.Timeout | undefined;
			if (!complete) timer = setTimeout(() => run.kill('SIGKILL'), delay);
			const result = await run.done;
			clearTimeout(timer);
			if (result.signal === 'SIGKILL') killed++;
			else {
				assert.equal(result.code, 0, `${context}: snapshot failed: ${result.stderr}`);
				finished++;
			}
			if (tmpEntries(root).length) leftoversSeen++;

			// No partial object under a final name: every object written during this trial hashes to its name.
			for (const path of objectsNewerThan(root, started)) {
				const name = path.split('/').slice(-2).join('');
				assert.equal(sha256File(path), name, `${context}: object ${name.slice(0, 12)}… is partial after a kill at ${Math.round(delay)} ms`);
			}
			assertManifestsComplete(root);
			const listed = cliJson<Array<{ digest: string }>>(root, ['list']).map((v) => v.digest).sort();
			assert.deepEqual(listed, manifestsOnDisk(root).map((m) => m.digest).sort(), `${context}: list does not match the manifests`);
			if (complete) assert.deepEqual(tmpEntries(root), [], `${context}: a completed snapshot left tmp/ leftovers`);
		}

		// The next snapshot succeeds, cleans what the killed ones left in tmp/, and everything verifies.
		touchBigFile(big, TRIALS + 1);
		const last = cli(root, ['snapshot', '-m', 'after the crashes']);
		assert.equal(last.code, 0, last.stderr);
		assert.deepEqual(tmpEntries(root), [], 'tmp/ leftovers of killed snapshots were not cleaned');
		const verify = cli(root, ['verify', '--json']);
		assert.equal(verify.code, 0, `verify after ${killed} kills: ${verify.stdout}${verify.stderr}`);
		const report = JSON.parse(verify.stdout) as { ok: boolean; manifestsChecked: number };
		assert.equal(report.ok, true);
		assertIndexMatchesManifests(root);
		const numbers = manifestsOnDisk(root).map((m) => m.number).sort((a, b) => a - b);
		assert.deepEqual(numbers, [...new Set(numbers)], 'version numbers are unique');
		assert.ok(killed >= TRIALS * 0.5, `only ${killed} of ${TRIALS} trials were killed mid-run`);
		process.stdout.write(`# crash: seed ${SEED}, ${SIZE_MB} MB, full snapshot ${fullMs} ms, ${killed} killed, ${finished} completed, ${leftoversSeen} trials left tmp/ files, ${report.manifestsChecked} versions verified\n`);
	});
});
