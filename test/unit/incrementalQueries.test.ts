import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { keyHistory, variableHistory } from '../../src/core/query/keyHistory';
import { followPath } from '../../src/core/query/pathFollow';
import { usedBy } from '../../src/core/query/usedBy';
import { pathTimeline } from '../../src/core/query/versionsByPath';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { copyExampleWorkspace, git, removeDir } from './fixtures';

/**
 * Issue 18 item 1: after a new version, used-by and key history bring what they keep up to date
 * (one model's list replaced, the new contents looked up) instead of recomputing from every version.
 * An incremental answer must never drift: a ledger kept open through many changes in a row — new
 * versions of one model or both, a value that comes back, a config that does not parse, an alias
 * moved, a version whose manifest is removed, a reindex — answers exactly what a ledger opened
 * afresh on the same index computes from nothing.
 */
describe('queries kept across new versions equal a fresh computation', () => {
	const roots: string[] = [];
	after(() => roots.forEach(removeDir));

	const rag = 'config/rag.yaml';
	const train = 'config/train.yaml';
	const prompt = 'prompts/answer.md';
	const questions = (ledger: Ledger) => ({
		usedByRag: usedBy(ledger, rag),
		usedByPrompt: usedBy(ledger, prompt),
		chunk: keyHistory(ledger, rag, 'retriever.chunk_size'),
		chunkHover: keyHistory(ledger, rag, 'retriever.chunk_size', { maxMetricChanges: 6 }),
		filters: keyHistory(ledger, rag, 'retriever.filters'),
		seed: keyHistory(ledger, train, 'seed'),
		variables: variableHistory(ledger, prompt),
		follow: followPath(ledger, rag),
	});

	test('twenty changes in a row, each answered by the kept ledger and by a fresh one', async () => {
		const root = copyExampleWorkspace({ git: true });
		roots.push(root);
		// Two models holding the same config, so a snapshot of one leaves the other's list as it was.
		const config = readFileSync(join(root, 'model-ledger.yaml'), 'utf8').replace('    params: config/reranker.toml\n', '    params: config/reranker.toml\n    rag: config/rag.yaml\n');
		writeFileSync(join(root, 'model-ledger.yaml'), config);
		git(root, 'commit', '-qam', 'reranker reads the RAG config');
		const ragText = readFileSync(join(root, rag), 'utf8');
		const trainText = readFileSync(join(root, train), 'utf8');
		const promptText = readFileSync(join(root, prompt), 'utf8');
		const live = Ledger.at(root);
		const t0 = Date.parse('2026-03-01T08:00:00Z');
		const chunk = [512, 256, 256, 1024, 512, 512, 256, 2048, 2048, 512, 256, 256, 1024, 512, 512, 128, 128, 512, 256, 1024];
		let compared = 0;
		const check = (what: string) => {
			const kept = questions(live);
			const fresh = Ledger.at(root);
			try {
				assert.deepEqual(kept, questions(fresh), `${what}: the kept ledger's answers equal a fresh computation`);
			} finally {
				fresh.close();
			}
			compared++;
		};
		try {
			for (let i = 0; i < chunk.length; i++) {
				let text = ragText.replace('chunk_size: 512', `chunk_size: ${chunk[i]}`);
				if (i % 5 === 3) text = text.replace('locale: en', 'locale: de');
				writeFileSync(join(root, rag), text);
				writeFileSync(join(root, train), i === 7 ? trainText.replace('seed: 42', 'seed: [42') : trainText.replace('seed: 42', `seed: ${42 + (i % 3)}`));
				if (i % 4 === 1) writeFileSync(join(root, prompt), `${promptText}\nAnswer in {{ language_${i % 8} }}.\n`);
				writeFileSync(join(root, 'eval/metrics.json'), JSON.stringify({ faithfulness: 0.8 + i / 100, latency_p95_ms: 900 - i }, null, 2));
				writeFileSync(join(root, 'eval/reranker-metrics.json'), JSON.stringify({ ndcg_at_10: 0.6 + i / 100 }, null, 2));
				// The reranker stops reading the RAG config: its next version no longer holds it ("removed in").
				if (i === 17) {
					writeFileSync(join(root, 'model-ledger.yaml'), config.replace('    params: config/reranker.toml\n    rag: config/rag.yaml\n', '    params: config/reranker.toml\n'));
					live.reloadConfig();
				}
				const models = i % 3 === 2 ? ['support-bot', 'reranker'] : i % 3 === 1 ? ['reranker'] : ['support-bot'];
				const otherList = pathTimeline(live, rag).get('reranker');
				const made = await createSnapshot(live, { models, message: `step ${i}`, now: new Date(t0 + i * 3600_000) });
				assert.ok(made.created.length > 0, `step ${i} created a version`);
				if (otherList && models.length === 1 && models[0] === 'support-bot') {
					// The incremental path, not a rebuild: the other model's list is the same object.
					assert.equal(pathTimeline(live, rag).get('reranker'), otherList, `step ${i}: reranker's list kept`);
				}
				check(`step ${i} (${models.join(' + ')})`);
				if (i === 17) assert.ok(keyHistory(live, rag, 'retriever.chunk_size').models.find((m) => m.model === 'reranker')?.removed, `the reranker's file is removed in its new version`);
				if (i === 5) {
					live.setAlias('support-bot', 'latest', 'staging', { name: 'Test User', email: 'test@example.com' });
					check('an alias set');
				}
				if (i === 11) {
					// A version leaves (its manifest removed, as a checkout of an older commit does): replayed as a removal.
					const dir = join(root, '.model-ledger', 'versions', 'support-bot');
					const v = live.listVersions('support-bot').find((x) => x.number === 3)!;
					rmSync(join(dir, `${v.digest}.yaml`));
					assert.ok(!readdirSync(dir).includes(`${v.digest}.yaml`));
					live.sync();
					check('a version removed');
				}
				if (i === 15) {
					live.reindex();
					check('after a reindex (a new epoch)');
				}
			}
		} finally {
			live.close();
		}
		assert.equal(compared, chunk.length + 3);
	});
});
