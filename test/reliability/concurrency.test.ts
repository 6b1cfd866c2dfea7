// Concurrency: 4 CLI processes snapshot the same model while 4 others read (`list`, `used-by`), for a
// bounded number of rounds. Version numbers stay unique and contiguous, no reported version is lost,
// identical content never becomes two versions, and no SQLite busy/locked error reaches stderr.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyExampleWorkspace, removeDir } from '../unit/fixtures';
import { assertIndexMatchesManifests, assertManifestsComplete, cli, cliAsync, cliJson, QUICK, SQLITE_LEAK } from './support';
import type { Run } from './support';

const ROUNDS = Number(process.env.MODEL_LEDGER_CONCURRENCY_ROUNDS ?? (QUICK ? 4 : 10));
const WRITERS = 4;
const READERS = 4;

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

interface SnapshotJson {
	created: Array<{ model: string; number: number; digest: string }>;
	unchanged: Array<{ model: string; matches: { number: number; digest: string } }>;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('concurrent writers and readers', () => {
	test(`${WRITERS} snapshotting and ${READERS} reading processes for ${ROUNDS} rounds`, { timeout: 10 * 60_000 }, async () => {
		const root = copyExampleWorkspace();
		dirs.push(root);
		assert.equal(cli(root, ['init']).code, 0);
		const created = new Map<string, number>();
		const problems: string[] = [];
		const check = (what: string, r: Run) => {
			if (SQLITE_LEAK.test(r.stderr) || SQLITE_LEAK.test(r.stdout)) problems.push(`${what}: SQLite lock error reached the user: ${r.stderr.trim()}`);
		};

		// Readers loop for the whole run.
		let running = true;
		let reads = 0;
		const readers = Array.from({ length: READERS }, async (_, i) => {
			while (running) {
				const args = i % 2 === 0 ? ['list', 'support-bot', '--json'] : ['used-by', 'prompts/system.md', '--json'];
				const r = await cliAsync(root, args).done;
				check(args.join(' '), r);
				// `used-by` on a model without versions yet may say so; anything else must succeed.
				if (r.code !== 0 && !/no versions yet/i.test(r.stderr)) problems.push(`${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
				reads++;
			}
		});

		for (let round = 1; round <= ROUNDS; round++) {
			// Each round changes the prompt, then every writer snapshots at once: one of them creates the
			// version, the others find it unchanged (or, when they ran first on older content, create the next).
			writeFileSync(join(root, 'prompts', 'system.md'), `You are the support bot. Round ${round}.\n`);
			const writers = Array.from({ length: WRITERS }, async (_, w) => {
				await sleep(Math.random() * 50);
				const r = await cliAsync(root, ['snapshot', 'support-bot', '-m', `round ${round} writer ${w}`, '--json']).done;
				check(`round ${round} writer ${w}`, r);
				if (r.code !== 0) {
					problems.push(`round ${round} writer ${w} exited ${r.code}: ${r.stderr.trim()}`);
					return;
				}
				const out = JSON.parse(r.stdout) as SnapshotJson;
				for (const v of out.created) {
					if (created.has(v.digest)) problems.push(`digest ${v.digest.slice(0, 12)} was reported created twice`);
					created.set(v.digest, v.number);
				}
			});
			await Promise.all(writers);
		}
		running = false;
		await Promise.all(readers);

		assert.deepEqual(problems, []);
		const listed = cliJson<Array<{ number: number; digest: string }>>(root, ['list', 'support-bot']);
		// No lost version: everything a writer reported is listed, under the number it was given.
		for (const [digest, number] of created) {
			assert.equal(listed.find((v) => v.digest === digest)?.number, number, `v${number} (${digest.slice(0, 12)}) was reported created but is not listed`);
		}
		const numbers = listed.map((v) => v.number).sort((a, b) => a - b);
		assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), 'numbers are unique and contiguous');
		assert.equal(listed.length, created.size, 'every listed version was reported by exactly one writer');
		// Every round's content is one version (the same content never became two).
		assert.equal(listed.length, ROUNDS, `${ROUNDS} rounds of distinct content → ${ROUNDS} versions`);
		assertManifestsComplete(root);
		assertIndexMatchesManifests(root);
		process.stdout.write(`# concurrency: ${ROUNDS} rounds × ${WRITERS} writers, ${reads} reads alongside, ${listed.length} versions\n`);
	});
});
