// A big file the secret scan never reads (weights) is copied into tmp/ and hashed while git runs and
// the other files are scanned (issue 18 item 3), but nothing of it reaches the store before the scan
// has passed: a refused snapshot leaves no object and no tmp file, an accepted one stores it whole.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { git, initGitRepo, makeTempDir, removeDir, writeFile } from './fixtures';

// Assembled at run time so this file itself does not look like it holds a credential.
const TOKEN = 'ghp_' + 'a'.repeat(20) + 'B'.repeat(16);
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function workspace(prompt: string): { dir: string; weights: Buffer } {
	const dir = makeTempDir('early-copies');
	dirs.push(dir);
	const weights = randomBytes(24 * 1024 * 1024);
	writeFile(dir, 'model-ledger.yaml', 'models:\n  m:\n    weights: weights/*.safetensors\n    prompts: prompts/*.md\n');
	writeFile(dir, 'prompts/p.md', prompt);
	writeFile(dir, 'weights/w.safetensors', weights);
	writeFile(dir, '.gitignore', '*.safetensors\n');
	initGitRepo(dir);
	git(dir, 'add', '.');
	git(dir, 'commit', '-qm', 'init');
	return { dir, weights };
}

function filesUnder(dir: string): string[] {
	return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

/** The tmp folder's files, once the copy of a stopped file has ended (the kernel may still be writing it). */
async function settledTmp(dir: string): Promise<string[]> {
	const tmp = join(dir, '.model-ledger', 'cache', 'tmp');
	for (let i = 0; i < 100 && filesUnder(tmp).length; i++) await new Promise((r) => setTimeout(r, 50));
	return filesUnder(tmp);
}

describe('big files copied during the secret scan (issue 18 item 3)', () => {
	test('a refused snapshot leaves neither an object nor a tmp file of the weights', async () => {
		const { dir } = workspace(`Use ${TOKEN} to call the API.\n`);
		const ledger = Ledger.at(dir);
		try {
			await assert.rejects(createSnapshot(ledger), (err: unknown) => err instanceof LedgerError && err.code === 'SECRET_FOUND');
			const objects = join(dir, '.model-ledger', 'cache', 'objects', 'sha256');
			assert.deepEqual(filesUnder(objects), [], 'a refused snapshot stores no object');
			assert.deepEqual(await settledTmp(dir), [], 'and leaves no copy in tmp/');
			assert.equal(ledger.listVersions().length, 0);
		} finally {
			ledger.close();
		}
	});

	test('an accepted snapshot stores the weights whole, under their hash, and nothing is left in tmp/', async () => {
		const { dir, weights } = workspace('Answer {{question}}.\n');
		const ledger = Ledger.at(dir);
		try {
			const progress: string[] = [];
			const result = await createSnapshot(ledger, { onProgress: (p) => progress.push(p.message) });
			assert.equal(result.created.length, 1);
			const sha = createHash('sha256').update(weights).digest('hex');
			const artifact = ledger.readManifest(ledger.listVersions()[0]).artifacts.find((a) => a.path === 'weights/w.safetensors');
			assert.equal(artifact?.sha256, sha);
			assert.ok(readFileSync(ledger.store.objectPath(sha)).equals(weights));
			assert.deepEqual(await settledTmp(dir), []);
			assert.ok(progress.includes('Hashing weights/w.safetensors'), progress.join(' | '));
		} finally {
			ledger.close();
		}
	});
});
