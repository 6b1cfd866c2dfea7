// Corruption: damage the store the way disks, editors and careless scripts do, and check that each
// kind is detected with a clear message, that nothing damaged is served, and that the index rebuilds.
import assert from 'node:assert/strict';
import { chmodSync, closeSync, cpSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyExampleWorkspace, makeTempDir, removeDir } from '../unit/fixtures';
import { cli, cliJson } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

interface Artifact {
	path: string;
	sha256: string;
	size: number;
}
interface VerifyJson {
	ok: boolean;
	manifests: Array<{ file: string; problem: string }>;
	objects: Array<{ sha256: string; problem: string }>;
	brokenVersions: Array<{ model: string; number: number | null; reasons: string[] }>;
}

let template: string;

/** A workspace with two versions of each model, made once and copied per test. */
before(() => {
	template = copyExampleWorkspace();
	dirs.push(template);
	assert.equal(cli(template, ['init']).code, 0);
	cliJson(template, ['snapshot', '-m', 'v1']);
	writeFileSync(join(template, 'prompts', 'system.md'), 'You are the support bot, second edition.\n');
	cliJson(template, ['snapshot', 'support-bot', '-m', 'v2']);
});

/** A private copy of the template: workspace, git repository, objects and index. */
function fresh(): string {
	const dir = makeTempDir('corrupt');
	cpSync(template, dir, { recursive: true });
	dirs.push(dir);
	return dir;
}

function objectPath(root: string, sha: string): string {
	return join(root, '.model-ledger', 'cache', 'objects', 'sha256', sha.slice(0, 2), sha.slice(2));
}

function artifact(root: string, ref: string, path: string): Artifact {
	const shown = cliJson<{ artifacts: Artifact[] }>(root, ['show', ref]);
	const found = shown.artifacts.find((a) => a.path === path);
	assert.ok(found, `${ref} has ${path}`);
	return found;
}

function verify(root: string): { code: number | null; report: VerifyJson; text: string } {
	const r = cli(root, ['verify', '--json']);
	const human = cli(root, ['verify']);
	return { code: r.code, report: JSON.parse(r.stdout) as VerifyJson, text: human.stdout + human.stderr };
}

function flipByte(path: string, offset: number): void {
	chmodSync(path, 0o644);
	const fd = openSync(path, 'r+');
	try {
		const b = Buffer.alloc(1);
		readSync(fd, b, 0, 1, offset);
		b[0] ^= 0x01;
		writeSync(fd, b, 0, 1, offset);
	} finally {
		closeSync(fd);
	}
}

describe('corruption is detected, never served', () => {
	test('a flipped byte in an object: verify names the version, cat and restore refuse', () => {
		const root = fresh();
		const a = artifact(root, 'support-bot@1', 'prompts/system.md');
		flipByte(objectPath(root, a.sha256), 3);
		const { code, report, text } = verify(root);
		assert.equal(code, 1);
		assert.deepEqual(report.objects.map((o) => [o.sha256, o.problem]), [[a.sha256, 'corrupt']]);
		assert.deepEqual(report.brokenVersions.map((b) => `${b.model} v${b.number}`), ['support-bot v1']);
		assert.match(text, /corrupt\s+object .* used by support-bot v1 prompts\/system\.md/);
		const cat = cli(root, ['cat', 'support-bot@1', 'prompts/system.md']);
		assert.equal(cat.code, 1);
		assert.equal(cat.stdout, '', 'no byte of a corrupt object is printed');
		assert.match(cat.stderr, /Object [0-9a-f]{12}… is corrupt .*Fix: Run `model-ledger verify`/);
		const before = readFileSync(join(root, 'prompts', 'system.md'), 'utf8');
		const restore = cli(root, ['restore', 'support-bot@1', '--force']);
		assert.equal(restore.code, 1);
		assert.match(restore.stderr, /corrupt/);
		assert.equal(readFileSync(join(root, 'prompts', 'system.md'), 'utf8'), before, 'a failed restore leaves the file as it was');
		// v2 does not use that object and still reads fine.
		assert.equal(cli(root, ['cat', 'support-bot@2', 'prompts/system.md']).code, 0);
	});

	test('a truncated object and a deleted object', () => {
		const root = fresh();
		const truncated = artifact(root, 'support-bot@1', 'config/rag.yaml');
		const deleted = artifact(root, 'reranker@1', 'config/reranker.toml');
		chmodSync(objectPath(root, truncated.sha256), 0o644);
		truncateSync(objectPath(root, truncated.sha256), Math.floor(truncated.size / 2));
		rmSync(objectPath(root, deleted.sha256));
		const { code, report } = verify(root);
		assert.equal(code, 1);
		const problems = Object.fromEntries(report.objects.map((o) => [o.sha256, o.problem]));
		assert.equal(problems[truncated.sha256], 'wrong-size');
		assert.equal(problems[deleted.sha256], 'missing');
		const quick = cli(root, ['verify', '--quick']);
		assert.equal(quick.code, 1, 'the quick check (sizes only) finds both as well');
		const cat1 = cli(root, ['cat', 'support-bot@1', 'config/rag.yaml']);
		assert.equal(cat1.code, 1);
		assert.match(cat1.stderr, /is corrupt/);
		const cat2 = cli(root, ['cat', 'reranker@1', 'config/reranker.toml']);
		assert.equal(cat2.code, 1);
		assert.match(cat2.stderr, /is missing from the store/);
		const restore = cli(root, ['restore', 'reranker@1', '--force']);
		assert.equal(restore.code, 1);
		assert.match(restore.stderr, /missing from the store/);
	});

	test('a tampered manifest: verify and show refuse it, reindex drops it with a warning', () => {
		const root = fresh();
		const v1 = cliJson<Array<{ digest: string; number: number }>>(root, ['list', 'support-bot']).find((v) => v.number === 1)!;
		const file = join(root, '.model-ledger', 'versions', 'support-bot', `${v1.digest}.yaml`);
		chmodSync(file, 0o644);
		writeFileSync(file, readFileSync(file, 'utf8').replace(/message: v1/, 'message: v1 (edited)'));
		const { code, report, text } = verify(root);
		assert.equal(code, 1);
		assert.deepEqual(report.manifests.map((m) => m.problem), ['tampered']);
		assert.match(text, /tampered\s+\.model-ledger\/versions\/support-bot\/[0-9a-f]{64}\.yaml/);
		const show = cli(root, ['show', 'support-bot@1']);
		assert.equal(show.code, 1);
		assert.match(show.stderr, /was modified after it was written.*Fix: Manifests are immutable: restore it with `git checkout -- /);
		const reindex = cli(root, ['reindex']);
		assert.equal(reindex.code, 0);
		assert.match(reindex.stderr, /warning: .*modified after it was written/);
		const listed = cliJson<Array<{ number: number }>>(root, ['list', 'support-bot']).map((v) => v.number);
		assert.deepEqual(listed, [2], 'the tampered version is no longer served');
	});

	test('garbage bytes in index.db, or a damaged page: moved aside and rebuilt from the manifests', () => {
		for (const damage of ['garbage', 'page'] as const) {
			const root = fresh();
			const before = cliJson<unknown[]>(root, ['list']);
			const db = join(root, '.model-ledger', 'cache', 'index.db');
			for (const suffix of ['-wal', '-shm']) rmSync(db + suffix, { force: true });
			if (damage === 'garbage') {
				writeFileSync(db, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) & 0xff)));
			} else {
				// Keep the header (a valid-looking SQLite file) and scribble over the second page.
				const fd = openSync(db, 'r+');
				writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
				closeSync(fd);
			}
			const after = cli(root, ['list', '--json']);
			assert.equal(after.code, 0, `${damage}: ${after.stderr}`);
			assert.deepEqual(JSON.parse(after.stdout), before, `${damage}: the rebuilt index lists the same versions`);
			const aside = readdirSync(join(root, '.model-ledger', 'cache')).filter((f) => /^index\.db\.corrupt-\d+$/.test(f));
			assert.equal(aside.length, 1, `${damage}: the broken file is kept aside for inspection`);
			assert.ok(statSync(db).size > 0 && existsSync(db));
			assert.equal(cli(root, ['verify']).code, 0);
		}
	});
});
