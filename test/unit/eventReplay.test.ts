// Events are checked on replay by the rules `alias set` enforces on write (issue 20, item 4).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aliasMoves } from '../../src/core/lifecycle/aliasTimeline';
import { deriveAliases, parseEvents } from '../../src/core/lifecycle/events';
import { heldBefore } from '../../src/core/lifecycle/gates';
import { releaseLabels } from '../../src/core/lifecycle/releaseLabels';

const V1 = '1'.repeat(64);
const V2 = '2'.repeat(64);
const NOW = new Date('2026-11-30T12:00:00.000Z');
const line = (fields: Record<string, unknown>) => JSON.stringify({ by: { name: 'Ana' }, ...fields });

describe('event replay (issue 20.4)', () => {
	test('a protected alias moved to a version without an earlier approval is not applied and is marked unverified', () => {
		const text = [
			line({ id: 'a', type: 'approved', at: '2026-11-01T00:00:00.000Z', digest: V1 }),
			line({ id: 'b', type: 'alias.set', at: '2026-11-02T00:00:00.000Z', alias: 'production', digest: V1 }),
			// Planted: production → v2, never approved (an approval written after the move does not count).
			line({ id: 'c', type: 'alias.set', at: '2026-11-03T00:00:00.000Z', alias: 'production', digest: V2, from: V1 }),
			line({ id: 'd', type: 'approved', at: '2026-11-04T00:00:00.000Z', digest: V2 }),
			line({ id: 'e', type: 'alias.set', at: '2026-11-05T00:00:00.000Z', alias: 'staging', digest: V2 }),
		].join('\n');
		const { events, problems } = parseEvents(text, 'm', NOW);
		assert.deepEqual(problems, []);
		const aliases = deriveAliases(events, new Set([V1, V2]), ['production']);
		assert.equal(aliases.get('production'), V1);
		assert.equal(aliases.get('staging'), V2, 'unprotected aliases need no approval');
		const planted = events.find((e) => e.id === 'c');
		assert.match(planted?.unverified ?? '', /protected and no earlier event approves 222222222222/);
	});

	test('malformed fields skip the line with its number ("by": null, a bad digest, a time that is not a date)', () => {
		const text = [
			line({ id: 'ok', type: 'noted', at: '2026-11-01T00:00:00.000Z', note: 'fine' }),
			JSON.stringify({ id: 'n', type: 'noted', at: '2026-11-01T00:00:00.000Z', by: null }),
			line({ id: 'd', type: 'approved', at: '2026-11-01T00:00:00.000Z', digest: 'not-a-digest' }),
			line({ id: 't', type: 'noted', at: 'yesterday' }),
			line({ id: 's', type: 'alias.set', at: '2026-11-01T00:00:00.000Z', alias: 'x\u001b[2J', digest: V1 }),
		].join('\n');
		const { events, problems } = parseEvents(text, 'm', NOW);
		assert.deepEqual(events.map((e) => e.id), ['ok']);
		assert.deepEqual(problems.map((p) => p.line), [2, 3, 4, 5]);
		assert.match(problems[0].message, /`by` must be an object with a string `name`/);
	});

	test('times are compared as instants, and an event more than a day ahead is unverified', () => {
		const text = [
			line({ id: 'late', type: 'noted', at: '2026-11-01T10:00:00.000Z' }),
			// 09:00 in UTC: earlier, although "2026-11-01T11:00:00+02:00" sorts after as a string.
			line({ id: 'early', type: 'noted', at: '2026-11-01T11:00:00+02:00' }),
			line({ id: 'future', type: 'alias.set', at: '9999-12-31T23:59:59.999Z', alias: 'production', digest: V2 }),
		].join('\n');
		const { events } = parseEvents(text, 'm', NOW);
		assert.deepEqual(events.map((e) => e.id), ['early', 'late', 'future']);
		assert.equal(events[0].at, '2026-11-01T09:00:00.000Z');
		assert.match(events[2].unverified ?? '', /more than a day after now/);
		assert.equal(deriveAliases(events, new Set([V2])).get('production'), undefined);
	});

	test('an unverified event counts for nothing else either: not as having held an alias (gates, rollbacks), not in alias history or --at, not as a release label', () => {
		const text = [
			line({ id: 'a', type: 'alias.set', at: '2026-11-02T00:00:00.000Z', alias: 'staging', digest: V1 }),
			// Planted, dated a year ahead: would make V2 "held staging" (passing `require: [staging]`) and label it 9.9.9.
			line({ id: 'b', type: 'alias.set', at: '2027-11-02T00:00:00.000Z', alias: 'staging', digest: V2, from: V1 }),
			line({ id: 'c', type: 'released', at: '2027-11-02T00:00:01.000Z', digest: V2, label: '9.9.9' }),
		].join('\n');
		const { events } = parseEvents(text, 'm', NOW);
		deriveAliases(events, new Set([V1, V2]), []);
		assert.ok(events.find((e) => e.id === 'b')?.unverified);
		assert.equal(heldBefore(events, 'staging', V2), false);
		assert.equal(heldBefore(events, 'staging', V1), true);
		assert.deepEqual(aliasMoves(events, 'staging').map((m) => m.to), [V1]);
		assert.equal(releaseLabels(events).get(V2), undefined);
	});
});
