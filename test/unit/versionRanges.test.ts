import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentRanges, describeRanges, rangeText, shaRuns } from '../../src/core/query/versionRanges';
import type { PathVersion, VersionRef } from '../../src/core/query/versionsByPath';

function ref(model: string, number: number, extra: Partial<VersionRef> = {}): VersionRef {
	return { model, number, label: `${number}`, digest: `${model}${number}`.padEnd(64, '0'), createdAt: new Date(Date.UTC(2026, 0, number)).toISOString(), author: 'Ana', aliases: [], ...extra };
}

/** A model's timeline from [number, content] pairs, oldest first. */
function timeline(model: string, pairs: Array<[number, string, Partial<VersionRef>?]>): PathVersion[] {
	return pairs.map(([n, sha, extra]) => ({ sha, ref: ref(model, n, extra) }));
}

describe('version ranges (issue 18 item 1: results carry runs, not version lists)', () => {
	test('contents of a path as ranges of consecutive versions per model, with counts, aliases, newest, first/last seen', () => {
		const bot = timeline('bot', [
			[1, 'a'],
			[2, 'a', { aliases: ['production'] }],
			[3, 'a'],
			[4, 'b'],
			// v5 and v6 did not hold the file: v7–v9 is one run of three versions.
			[7, 'b'],
			[8, 'b'],
			[9, 'a'],
		]);
		const other = timeline('other', [[1, 'a']]);
		const contents = contentRanges(
			new Map([
				['other', other],
				['bot', bot],
			]),
		);
		const a = contents.get('a')!;
		assert.deepEqual(
			a.ranges.map((r) => [r.model, r.first.number, r.last.number, r.count, r.aliased.map((v) => v.number)]),
			[
				['bot', 1, 3, 3, [2]],
				['bot', 9, 9, 1, []],
				['other', 1, 1, 1, []],
			],
		);
		assert.equal(a.count, 5);
		assert.equal(a.newest.number, 9);
		assert.equal(a.firstSeen, ref('bot', 1).createdAt);
		const b = contents.get('b')!;
		assert.deepEqual(
			b.ranges.map((r) => rangeText(r)),
			['v4–v8 (3 versions)'],
		);
		assert.equal(describeRanges(a.ranges), 'bot v1–v3 [production v2], v9 · other v1');
		assert.equal(describeRanges(b.ranges, { withModel: true }), 'bot v4–v8 (3 versions)');
	});

	test('runs of equal content for key history; a number two versions share is named with its digest', () => {
		const runs = shaRuns('bot', timeline('bot', [[1, 'a'], [2, 'a'], [2, 'b', { numberShared: true, digest: 'fc78108'.padEnd(64, '1') }], [3, 'b']]));
		assert.deepEqual(
			runs.map((r) => [r.sha, r.count, rangeText(r)]),
			[
				['a', 2, 'v1, v2'],
				['b', 2, 'v2 (fc78108), v3'],
			],
		);
	});
});
