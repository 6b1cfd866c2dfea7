import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { VersionManifest } from '../../src/core/model';
import { RegistryIndex } from '../../src/core/index/registryIndex';
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

describe('RegistryIndex write transactions', () => {
	test('are never nested: better-sqlite3 would make the inner one a savepoint, so it is refused', () => {
		const index = openIndex();
		assert.throws(() => index.exclusive(() => index.batch(() => undefined)), /inside a write transaction/);
		// The outer transaction rolled back and the index takes writes again.
		assert.equal(index.exclusive(() => 1), 1);
	});
});

describe('RegistryIndex.bulkLoad', () => {
	test('drops the version tables’ indexes while loading and recreates the same ones', () => {
		const index = openIndex();
		const before = indexSql(index);
		assert.ok(before.some((sql) => sql.includes('spans_by_path')));
		const during = index.batch(() => index.bulkLoad(() => indexSql(index)));
		assert.ok(!during.some((sql) => /spans_by_path|spans_by_sha|spans_by_model|versions_by_model|versions_by_seq/.test(sql)), during.join('\n'));
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

/** A manifest with one config (params) and one prompt, whose contents are named by the given hashes. */
function manifest(number: number, configSha: string, promptSha: string, chunkSize: number, variables: string[]): VersionManifest {
	return {
		model: 'bot',
		number,
		label: `0.0.${number}`,
		createdAt: `2026-11-30T00:00:0${number}.000Z`,
		author: { name: 'a' },
		message: '',
		artifacts: [
			{ path: 'rag.yaml', role: 'rag', sha256: configSha, size: 10 },
			{ path: 'prompt.md', role: 'prompts', sha256: promptSha, size: 10 },
		],
		params: { 'rag.yaml': { chunk_size: chunkSize, top_k: 5 } },
		metrics: {},
		prompts: { 'prompt.md': { variables } },
		git: { commit: null, branch: null, dirty: false },
	} as unknown as VersionManifest;
}

describe('RegistryIndex per-content values (issue 18 item 1)', () => {
	const count = (index: RegistryIndex, table: string) => (index.readStatement(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
	test('an unchanged file adds no value rows; a changed one adds its own; queries still see every version', () => {
		const index = openIndex();
		const [c1, c2, p1] = ['c'.repeat(64), 'd'.repeat(64), 'e'.repeat(64)];
		index.batch(() => index.insertVersion('v1', manifest(1, c1, p1, 256, ['question'])));
		const valuesAfterFirst = count(index, 'content_values');
		assert.equal(valuesAfterFirst, 2);
		assert.equal(count(index, 'content_variables'), 1);
		index.batch(() => index.insertVersion('v2', manifest(2, c1, p1, 256, ['question'])));
		assert.equal(count(index, 'content_values'), valuesAfterFirst, 'same contents: no new rows');
		assert.equal(count(index, 'content_variables'), 1);
		index.batch(() => index.insertVersion('v3', manifest(3, c2, p1, 512, ['question'])));
		assert.equal(count(index, 'content_values'), valuesAfterFirst + 2, 'one changed config: its two keys');
		const rows = index.readStatement("SELECT digest, value FROM keyed_values WHERE file = 'rag.yaml' AND key = 'chunk_size' ORDER BY digest").all();
		assert.deepEqual(rows, [
			{ digest: 'v1', value: '256' },
			{ digest: 'v2', value: '256' },
			{ digest: 'v3', value: '512' },
		]);
		assert.equal(count(index, 'prompt_variables'), 3);
		index.batch(() => index.deleteVersion('v3'));
		assert.equal(count(index, 'keyed_values'), 4, 'a deleted version’s values are gone from the view');
	});
});
