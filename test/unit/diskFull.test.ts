// A full disk (issue 20, item 7): the error says what to free and where, from the errors the
// platform really raises — Node's ENOSPC (writing to /dev/full) and SQLite's SQLITE_FULL.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { describeError, diskFull } from '../../src/core/errors';
import { makeTempDir, removeDir } from './fixtures';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

describe('disk-full errors say what to free and where (issue 20.7)', () => {
	test('ENOSPC from a real write (/dev/full) says what to free and where', { skip: process.platform !== 'linux' }, () => {
		let thrown: unknown;
		try {
			writeFileSync('/dev/full', 'x'.repeat(1024));
		} catch (err) {
			thrown = err;
		}
		assert.equal((thrown as NodeJS.ErrnoException).code, 'ENOSPC');
		const text = describeError(thrown);
		// A failed write carries no path: the message says where the registry writes.
		assert.match(text, /^The disk is full; the registry stays consistent/);
		assert.match(text, /Fix: Free space on the disk that holds the workspace's \.model-ledger\/cache\/ .*model-ledger gc --dry-run/);
		assert.equal(diskFull(thrown)?.code, 'DISK_FULL');
	});

	test('SQLITE_FULL from a real database at its size limit names index.db and the fix', () => {
		const dir = makeTempDir('full');
		dirs.push(dir);
		const db = new Database(join(dir, 'index.db'));
		db.exec('CREATE TABLE t (x BLOB)');
		db.pragma('max_page_count = 8');
		let thrown: unknown;
		try {
			for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4096));
		} catch (err) {
			thrown = err;
		}
		db.close();
		assert.equal((thrown as { code?: string }).code, 'SQLITE_FULL');
		assert.match(describeError(thrown), /The disk is full \(writing \.model-ledger\/cache\/index\.db\).*Fix: Free space/);
	});

	test('other errors are left as they are', () => {
		assert.equal(describeError(new Error('boom')), 'boom');
		assert.equal(diskFull(Object.assign(new Error('no'), { code: 'EACCES' })), undefined);
	});
});
