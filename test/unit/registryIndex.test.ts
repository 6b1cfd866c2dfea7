import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RegistryIndex } from '../../src/core/registryIndex';
import { removeDir } from './fixtures';

const dirs: string[] = [];
const indexes: RegistryIndex[] = [];
after(() => {
	indexes.forEach((i) => i.close());
	dirs.forEach(removeDir);
});

function openIndex(): RegistryIndex {
	const dir = mkdtempSync(join(tmpdir(), 'ml-index-'));
	dirs.push(dir);
	const index = RegistryIndex.open(join(dir, 'index.db'));
	indexes.push(index);
	return index;
}

function indexSql(index: RegistryIndex): string[] {
	return (index.readStatement("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { sql: string }[]).map((r) => r.sql);
}

describe('RegistryIndex.bulkLoad', () => {
	test('drops the version tables’ indexes while loading and recreates the same ones', () => {
		const index = openIndex();
		const before = indexSql(index);
		assert.ok(before.some((sql) => sql.includes('keyed_values_by_key')));
		const during = index.batch(() => index.bulkLoad(() => indexSql(index)));
		assert.ok(!during.some((sql) => /artifacts_by_path|keyed_values_by_key|versions_by_model|prompt_variables_by_path/.test(sql)), during.join('\n'));
		assert.ok(during.some((sql) => sql.includes('events_by_model')));
		assert.deepEqual(indexSql(index), before);
	});

	test('a failed load rolls back to the indexes it started with', () => {
		const index = openIndex();
		const before = indexSql(index);
		assert.throws(() => index.batch(() => index.bulkLoad(() => { throw new Error('boom'); })), /boom/);
		assert.deepEqual(indexSql(index), before);
	});

	test('refuses to run outside a write transaction', () => {
		const index = openIndex();
		assert.throws(() => index.bulkLoad(() => undefined), /inside batch/);
	});
});
