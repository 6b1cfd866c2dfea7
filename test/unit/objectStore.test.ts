import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { hashFileSync, ObjectStore } from '../../src/core/store/objectStore';
import { makeTempDir, removeDir, writeFile } from './fixtures';

describe('object store', () => {
	const dir = makeTempDir('store');
	after(() => removeDir(dir));
	const store = new ObjectStore(join(dir, 'cache'));

	test('stores many small files in one batch: in order, each content once, read-only, no tmp leftovers', async () => {
		const paths = Array.from({ length: 40 }, (_, i) => writeFile(dir, `small/f${i}.txt`, `content ${i % 30}\n`.repeat(50 + i)));
		paths.push(writeFile(dir, 'small/again.txt', 'content 3\n'.repeat(53)));
		const results = await store.storeSmallFiles(paths);
		assert.equal(results.length, paths.length);
		paths.forEach((p, i) => assert.equal(results[i].sha256, createHash('sha256').update(readFileSync(p)).digest('hex')));
		assert.equal(results.filter((r) => r.written).length, 41 - 1, 'the duplicate content is written once');
		for (const r of results) {
			assert.equal(store.read(r.sha256).length, r.size);
			assert.equal(statSync(store.objectPath(r.sha256)).mode & 0o222, 0, 'objects are read-only');
		}
		assert.deepEqual(readdirSync(store.tmpDir), []);
		const again = await store.storeSmallFiles(paths.slice(0, 3));
		assert.ok(again.every((r) => !r.written), 'contents already stored are not written again');
	});

	test('stores a file under its sha256, read-only, and reads it back', async () => {
		// Bigger than one 4 MiB chunk, so the double-buffered copy is exercised.
		const content = Buffer.alloc(9 * 1024 * 1024 + 123);
		for (let i = 0; i < content.length; i++) content[i] = (i * 7919) & 0xff;
		const source = writeFile(dir, 'big.bin', content);
		let progress = 0;
		const stored = await store.storeFile(source, (n) => (progress += n));
		const expected = createHash('sha256').update(content).digest('hex');
		assert.equal(stored.sha256, expected);
		assert.equal(stored.size, content.length);
		assert.equal(stored.written, true);
		assert.equal(progress, content.length);
		const path = store.objectPath(expected);
		assert.equal(path, join(dir, 'cache', 'objects', 'sha256', expected.slice(0, 2), expected.slice(2)));
		assert.equal(statSync(path).mode & 0o777, 0o444);
		assert.ok(store.read(expected).equals(content));
		assert.deepEqual(hashFileSync(source), { sha256: expected, size: content.length });
		assert.deepEqual(readdirSync(store.tmpDir), [], 'no temp file is left behind');
	});

	test('issue 20 item 7: a path that became a link to a file outside the workspace after it was listed is checked on what was opened, and nothing is stored', async () => {
		// The snapshot lists a model's files and checks their real paths first; a teammate's script (or
		// an attacker racing it) then swaps one for a link. storeFile/storeSmallFiles check the opened file.
		const workspace = join(dir, 'ws');
		const outside = join(dir, 'outside');
		writeFile(outside, 'id_ed25519', 'PRIVATE KEY MATERIAL\n');
		writeFile(outside, 'weights.bin', Buffer.alloc(300 * 1024, 7));
		writeFile(workspace, 'prompts/inside.md', 'inside\n');
		mkdirSync(join(workspace, 'checkpoints'), { recursive: true });
		symlinkSync(join(outside, 'id_ed25519'), join(workspace, 'prompts', 'swapped.md'));
		symlinkSync(join(outside, 'weights.bin'), join(workspace, 'checkpoints', 'swapped.bin'));
		const realWorkspace = realpathSync(workspace);
		const before = readdirSync(store.tmpDir).length;
		for (const attempt of [
			() => store.storeSmallFiles([join(workspace, 'prompts', 'inside.md'), join(workspace, 'prompts', 'swapped.md')], undefined, realWorkspace),
			() => store.storeFile(join(workspace, 'checkpoints', 'swapped.bin'), undefined, undefined, realWorkspace),
		]) {
			await assert.rejects(attempt(), (err: unknown) => err instanceof LedgerError && err.code === 'OUTSIDE_WORKSPACE' && /outside the workspace; nothing of it was stored/.test(err.message));
		}
		for (const content of ['PRIVATE KEY MATERIAL\n', Buffer.alloc(300 * 1024, 7)]) assert.equal(store.has(createHash('sha256').update(content).digest('hex')), false);
		assert.equal(readdirSync(store.tmpDir).length, before, 'no partial copy is left');
		// A link that stays inside the workspace is followed as before.
		symlinkSync(join(workspace, 'prompts', 'inside.md'), join(workspace, 'prompts', 'alias.md'));
		const [ok] = await store.storeSmallFiles([join(workspace, 'prompts', 'alias.md')], undefined, realWorkspace);
		assert.equal(ok.sha256, createHash('sha256').update('inside\n').digest('hex'));
	});

	test('an existing object is never rewritten', async () => {
		const source = writeFile(dir, 'same.txt', 'hello');
		const first = await store.storeFile(source);
		const before = statSync(store.objectPath(first.sha256));
		const second = await store.storeFile(source);
		assert.equal(second.written, false);
		const afterStat = statSync(store.objectPath(first.sha256));
		assert.equal(afterStat.ino, before.ino);
		assert.equal(afterStat.mtimeMs, before.mtimeMs);
		const again = await store.storeBuffer(Buffer.from('hello'));
		assert.equal(again.written, false);
		assert.equal(again.sha256, first.sha256);
	});

	test('a corrupt object is refused, never served', async () => {
		const stored = await store.storeBuffer(Buffer.from('precious bytes'));
		const path = store.objectPath(stored.sha256);
		chmodSync(path, 0o644);
		const bytes = readFileSync(path);
		bytes[0] ^= 0xff;
		writeFileSync(path, bytes);
		assert.throws(() => store.read(stored.sha256), (err: unknown) => err instanceof LedgerError && err.code === 'OBJECT_CORRUPT');
		assert.throws(() => store.read('0'.repeat(64)), (err: unknown) => err instanceof LedgerError && err.code === 'OBJECT_MISSING');
	});

	test('an aborted copy leaves nothing behind', async () => {
		const source = writeFile(dir, 'abort.bin', Buffer.alloc(10 * 1024 * 1024, 1));
		const controller = new AbortController();
		await assert.rejects(
			store.storeFile(source, () => controller.abort(), controller.signal),
			(err: unknown) => err instanceof LedgerError && err.code === 'CANCELLED',
		);
		assert.deepEqual(readdirSync(store.tmpDir), []);
		assert.equal(store.has(hashFileSync(source).sha256), false);
	});

	test('stale temp files are cleaned, fresh ones (a live writer) are kept', () => {
		const stale = writeFile(store.tmpDir, 'stale', 'x');
		const old = new Date(Date.now() - 3_600_000);
		utimesSync(stale, old, old);
		writeFile(store.tmpDir, 'fresh', 'y');
		assert.equal(store.cleanTmp(), 1);
		assert.deepEqual(readdirSync(store.tmpDir), ['fresh']);
	});
});
