import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LedgerEvent } from '../../src/core/lifecycle/events';
import type { VersionSummary } from '../../src/core/model';
import type { RestoreResult } from '../../src/core/store/restore';
import { aliasLine, eventsMarkdown, eventSummary, restorePreview } from '../../src/extension/lifecycle/lifecycleText';

function version(number: number, aliases: string[] = [], numberShared = false): VersionSummary {
	return {
		model: 'm',
		number,
		label: `1.0.${number}`,
		digest: String(number).repeat(64).slice(0, 64),
		createdAt: '2026-01-01T00:00:00.000Z',
		author: { name: 'A' },
		message: '',
		aliases,
		git: { commit: null, branch: null, dirty: false },
		artifactCount: 1,
		numberShared,
	};
}

const event = (fields: Partial<LedgerEvent>): LedgerEvent => ({ id: 'x', type: 'alias.set', model: 'm', at: '2026-01-02T03:04:05.000Z', by: { name: 'Bob' }, ...fields });

describe('lifecycle text', () => {
	const v6 = version(6);
	const v7 = version(7, ['production', 'canary']);
	const v8 = version(8, ['staging']);
	const names = new Map([v6, v7, v8].map((v) => [v.digest, v]));

	test('events read as from → to, with rollbacks and unknown versions', () => {
		assert.equal(eventSummary(event({ alias: 'production', from: v6.digest, digest: v7.digest }), names), 'production: v6 → v7');
		assert.equal(eventSummary(event({ alias: 'production', from: v7.digest, digest: v6.digest, rollback: true }), names), 'production: v7 → v6 (rollback)');
		assert.equal(eventSummary(event({ type: 'alias.removed', alias: 'staging', from: v8.digest }), names), 'staging removed (was v8)');
		assert.equal(eventSummary(event({ type: 'approved', digest: 'f'.repeat(64) }), names), 'approved ffffffffff');
		assert.equal(eventSummary(event({ type: 'tagged', digest: v8.digest, tag: 'rc1' }), names), 'tagged v8 #rc1');
	});

	test('a number two branches share is named as the CLI names it: v2 (fc78108), never v2 fc78108', () => {
		const ours = { ...version(2, [], true), digest: `fc78108${'a'.repeat(57)}` };
		const theirs = { ...version(2, [], true), digest: `dfdea5c${'b'.repeat(57)}` };
		const shared = new Map([ours, theirs].map((v) => [v.digest, v]));
		assert.equal(eventSummary(event({ alias: 'production', from: theirs.digest, digest: ours.digest }), shared), 'production: v2 (dfdea5c) → v2 (fc78108)');
		assert.equal(eventSummary(event({ type: 'tagged', digest: ours.digest, tag: 'rc1' }), shared), 'tagged v2 (fc78108) #rc1');
		const plan: RestoreResult = { version: ours, dryRun: true, extra: ['x.md'], notLocal: [], files: [{ path: 'a.md', action: 'create', sha256: 'c'.repeat(64), size: 1, mode: 0o644 }] };
		const preview = restorePreview(plan);
		assert.equal(preview.message, 'Restore m v2 (fc78108, 1.0.2)? 1 file(s) will change.');
		assert.match(preview.detail, /not in v2 \(fc78108\)/);
	});

	test('the model line puts production first', () => {
		assert.equal(aliasLine([v8, v7, v6]), 'production → v7 · staging → v8 · canary → v7');
		assert.equal(aliasLine([v6]), '');
	});

	test('the events document escapes table cells', () => {
		const md = eventsMarkdown('m', [event({ alias: 'production', digest: v7.digest, note: 'a | b\nc' })], [v7]);
		assert.match(md, /\| 2026-01-02 03:04:05 \| production: → v7 \| Bob \| a \\\| b c \|/);
		assert.match(md, /Aliases now: production → v7/);
	});

	test('the restore confirmation lists changes and says unsaved work is stored', () => {
		const plan: RestoreResult = {
			version: v6,
			dryRun: true,
			extra: ['prompts/new.md'],
			notLocal: [],
			files: [
				{ path: 'a.md', action: 'overwrite', sha256: 'a'.repeat(64), size: 1, mode: 0o644, displaced: { sha256: 'b'.repeat(64), objectPath: '/o/bb', inVersion: false, stored: false } },
				{ path: 'b.md', action: 'create', sha256: 'c'.repeat(64), size: 1, mode: 0o644 },
				{ path: 'c.md', action: 'unchanged', sha256: 'd'.repeat(64), size: 1, mode: 0o644 },
			],
		};
		const p = restorePreview(plan);
		assert.equal(p.changes, 2);
		assert.equal(p.unsaved, 1);
		assert.match(p.message, /Restore m v6 \(1\.0\.6\)\? 2 file\(s\) will change/);
		assert.match(p.detail, /replace a\.md {2}\(your current content is stored first\)/);
		assert.match(p.detail, /create b\.md/);
		assert.doesNotMatch(p.detail, /c\.md/);
		assert.match(p.detail, /Left as they are \(not in v6\): prompts\/new\.md/);
	});
});
