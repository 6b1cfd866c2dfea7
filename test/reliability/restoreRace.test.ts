// Restore against folders swapped mid-restore, and tmp files left by killed restores and pushes
// (issue 20, item 7). The red-team pass swapped `prompts/` with a symlink to an outside folder while
// restores ran, and restore wrote answer.md, handoff.md and followup/ into the outside folder; kill -9
// of restores and pushes left tmp files next to the user's files and in a folder remote's tmp/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, removeDir } from '../unit/fixtures';
import { assertIndexMatchesManifests, assertManifestsComplete, cli, cliJson, initializedWorkspace, QUICK } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const RESTORES = Number(process.env.MODEL_LEDGER_SWAP_RESTORES ?? (QUICK ? 40 : 80));

// A background process swapping `prompts/` with a symlink to the outside folder every 2 ms (rename
// away + symlink, then unlink + rename back). On SIGTERM it puts the real folder back and prints
// how many swaps it made.
const SWAPPER = `
const fs = require('node:fs');
const [folder, outside] = process.argv.slice(2);
const aside = folder + '.swapped-away';
let stop = false, swaps = 0;
process.on('SIGTERM', () => (stop = true));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function restoreReal() {
	try { if (fs.lstatSync(folder).isSymbolicLink()) fs.unlinkSync(folder); } catch {}
	try { if (fs.existsSync(aside) && !fs.existsSync(folder)) fs.renameSync(aside, folder); } catch {}
}
(async () => {
	process.stdout.write('ready\\n');
	while (!stop) {
		try { fs.renameSync(folder, aside); fs.symlinkSync(outside, folder); swaps++; } catch {}
		await sleep(2);
		restoreReal();
		await sleep(2);
	}
	restoreReal();
	process.stdout.write('swaps ' + swaps + '\\n');
})();
`;

async function startSwapper(dir: string, folder: string, outside: string): Promise<{ stop: () => Promise<number> }> {
	const script = join(dir, '..', `swapper-${process.pid}.cjs`);
	writeFileSync(script, SWAPPER);
	const child = spawn(process.execPath, [script, folder, outside], { stdio: ['ignore', 'pipe', 'inherit'] });
	let out = '';
	child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
	const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
	await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
	return {
		stop: async () => {
			child.kill('SIGTERM');
			await exited;
			return Number(/swaps (\d+)/.exec(out)?.[1] ?? 0);
		},
	};
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { withFileTypes: true })
		.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
		.sort();
}

describe('restore writes through checked folders (a folder swapped for a link mid-restore writes nothing outside)', () => {
	test(`prompts/ swapped with a link to an outside folder every few ms while ${RESTORES} restores run`, async () => {
		const dir = initializedWorkspace(dirs, { snapshot: true });
		const v1 = { answer: readFileSync(join(dir, 'prompts', 'answer.md'), 'utf8'), handoff: readFileSync(join(dir, 'prompts', 'handoff.md'), 'utf8') };
		writeFileSync(join(dir, 'prompts', 'answer.md'), 'v2 answer\n');
		writeFileSync(join(dir, 'prompts', 'handoff.md'), 'v2 handoff\n');
		writeFileSync(join(dir, 'prompts', 'followup', 'clarify.md'), 'v2 clarify\n');
		mkdirSync(join(dir, 'prompts', 'followup', 'deeper'), { recursive: true });
		writeFileSync(join(dir, 'prompts', 'followup', 'deeper', 'new.md'), 'only in v2\n');
		cliJson(dir, ['snapshot', 'support-bot']);
		const systemPrompt = readFileSync(join(dir, 'prompts', 'system.md'), 'utf8');
		const outside = makeTempDir('outside-restore');
		dirs.push(outside);

		const swapper = await startSwapper(dir, join(dir, 'prompts'), outside);
		const refusals = new Map<string, number>();
		let restored = 0;
		let swaps = 0;
		const unclear: string[] = [];
		try {
			for (let i = 0; i < RESTORES; i++) {
				// Alternate v1/v2 so each run writes; --delete-extra also removes and re-creates followup/deeper/.
				const r = cli(dir, ['restore', `support-bot@${i % 2 === 0 ? 1 : 2}`, '--force', '--delete-extra']);
				assert.deepEqual(filesUnder(outside), [], `run ${i}: restore wrote into the outside folder (${r.stdout}${r.stderr})`);
				if (r.code === 0) {
					restored++;
					continue;
				}
				const why = /(symlink|outside the workspace|removed or moved|moved to|changed while|replaced while|now resolves to)/.exec(r.stderr)?.[1];
				// Which path, and why: the file, and what changed under it; never a raw error.
				if (r.code !== 1 || !why || !/prompts\//.test(r.stderr) || /TypeError|ENOENT|EEXIST|ELOOP|ENOTDIR|at .*\.js:\d+/.test(r.stderr)) unclear.push(`run ${i} (exit ${r.code}): ${r.stderr.trim()}`);
				if (why) refusals.set(why, (refusals.get(why) ?? 0) + 1);
			}
		} finally {
			swaps = await swapper.stop();
			console.log(`swaps: ${swaps}, restores done: ${restored}, refused: ${JSON.stringify(Object.fromEntries(refusals))}`);
		}
		assert.ok(swaps > RESTORES, `the swapper swapped (${swaps} times)`);
		assert.deepEqual(filesUnder(outside), [], 'the outside folder stays empty');
		assert.deepEqual(unclear, [], 'each refused restore says which path and why');
		assert.ok(refusals.size > 0, 'some restores met the swapped folder (else the test did not race)');

		// The user's files and the registry are intact: the real folder is back, the file no version
		// changes is untouched, a restore without the swapper succeeds and verify is clean.
		assert.ok(statSync(join(dir, 'prompts')).isDirectory());
		assert.equal(readFileSync(join(dir, 'prompts', 'system.md'), 'utf8'), systemPrompt);
		cliJson(dir, ['restore', 'support-bot@1', '--force', '--delete-extra']);
		assert.equal(readFileSync(join(dir, 'prompts', 'answer.md'), 'utf8'), v1.answer);
		assert.equal(readFileSync(join(dir, 'prompts', 'handoff.md'), 'utf8'), v1.handoff);
		assert.ok(!existsSync(join(dir, 'prompts', 'followup', 'deeper', 'new.md')));
		assert.equal(cli(dir, ['verify']).code, 0);
		assert.deepEqual(cliJson<Array<{ number: number }>>(dir, ['list', 'support-bot']).map((v) => v.number).sort(), [1, 2]);
		assertManifestsComplete(dir);
		assertIndexMatchesManifests(dir);
		assert.deepEqual(filesUnder(join(dir, 'prompts')).filter((f) => /model-ledger-\d+-.*\.tmp$/.test(f)), [], 'no tmp file is left next to the user files');
	});
});
