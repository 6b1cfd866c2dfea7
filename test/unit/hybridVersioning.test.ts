// Hybrid versioning as the seed's glossary defines it: "semantic for production, timestamp for
// experiments". Real ledgers of the example's hybrid `reranker` model.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { manifestDigest, serializeManifest } from '../../src/core/store/manifest';
import { rollback } from '../../src/core/lifecycle/rollback';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { exampleLedgers } from './fixtures';

const ledgers = exampleLedgers();
after(ledgers.cleanup);
const alice = { name: 'Alice' };
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}(\.\d+)?$/;

async function experiment(root: string, ledger: Ledger, n: number) {
	appendFileSync(join(root, 'config', 'reranker.toml'), `\n# experiment ${n}\nexperiment_${n} = ${n}\n`);
	const { created } = await createSnapshot(ledger, { models: ['reranker'], message: `exp ${n}` });
	return created[0];
}

describe('hybrid versioning', () => {
	test('snapshots are labelled by time; the first move of production gives the next semantic release label, once', async () => {
		const { root, ledger } = ledgers.open();
		const v1 = await experiment(root, ledger, 1);
		const v2 = await experiment(root, ledger, 2);
		const v3 = await experiment(root, ledger, 3);
		for (const v of [v1, v2, v3]) assert.match(v.label, TIMESTAMP);

		ledger.setAlias('reranker', '1', 'staging', alice);
		assert.equal(ledger.resolve('reranker', '1').releaseLabel, undefined, 'staging is not a release alias');
		ledger.setAlias('reranker', '1', 'production', alice);
		assert.equal(ledger.resolve('reranker', '1').releaseLabel, '1.0.0');
		ledger.setAlias('reranker', '3', 'production', alice);
		assert.equal(ledger.resolve('reranker', '3').releaseLabel, '1.1.0');
		ledger.setAlias('reranker', '2', 'production', alice, undefined, { bump: 'major' });
		assert.equal(ledger.resolve('reranker', '2').releaseLabel, '2.0.0');

		// A rollback to a released version does not release it again.
		rollback(ledger, 'reranker', 'production', alice);
		assert.equal(ledger.resolve('reranker', 'production').digest, v3.digest);
		assert.equal(ledger.resolve('reranker', '3').releaseLabel, '1.1.0');
		const released = ledger.events('reranker').filter((e) => e.type === 'released');
		assert.deepEqual(released.map((e) => e.label).sort(), ['1.0.0', '1.1.0', '2.0.0']);

		// The release label is a REF, shown next to the timestamp label in every listing.
		assert.equal(ledger.resolve('reranker', '1.1.0').digest, v3.digest);
		assert.equal(ledger.resolve('reranker', v3.label).digest, v3.digest);
		assert.deepEqual(
			ledger.listVersions('reranker').map((v) => [v.number, v.releaseLabel ?? null]),
			[
				[3, '1.1.0'],
				[2, '2.0.0'],
				[1, '1.0.0'],
			],
		);

		// Release labels are derived from the events file: a rebuilt index has them too.
		ledger.reindex();
		assert.equal(ledger.resolve('reranker', '2.0.0').digest, v2.digest);
	});

	test('manifests made by the old hybrid scheme keep reading, and new releases continue above their semantic part', async () => {
		const { root, ledger } = ledgers.open();
		const v1 = await experiment(root, ledger, 1);
		// Re-write v1's manifest as the old scheme labelled it (a teammate's branch from before).
		const manifest = ledger.readManifest(v1);
		const old = { ...manifest, label: '0.3.0+20261128.abc1234' };
		const text = serializeManifest(old);
		writeFileSync(ledger.manifestPath('reranker', manifestDigest(text)), text);
		ledger.sync();
		const reopened = Ledger.at(root);
		const oldVersion = reopened.resolve('reranker', '0.3.0+20261128.abc1234');
		assert.equal(oldVersion.label, '0.3.0+20261128.abc1234');
		assert.equal(readFileSync(reopened.manifestPath('reranker', oldVersion.digest), 'utf8'), text);
		reopened.setAlias('reranker', v1.digest, 'production', alice);
		assert.equal(reopened.resolve('reranker', v1.digest).releaseLabel, '0.4.0', 'continues above the old labels');
		reopened.close();
	});
});
