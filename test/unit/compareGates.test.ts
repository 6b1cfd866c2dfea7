// The compare view's gate results, its Copy as Markdown text and the refused Set Alias wording,
// on a real ledger (no vscode: these are the plain functions the extension calls).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GateRefusedError } from '../../src/core/lifecycle/gates';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { diffVersions } from '../../src/core/compare/versionDiff';
import { compareGates, compareMarkdown, gateRefusalText } from '../../src/extension/compare/compareGates';
import { exampleLedgers, git } from './fixtures';
import { parseTables } from './markdownTables';

const ledgers = exampleLedgers();
after(ledgers.cleanup);
const ana = { name: 'Ana' };

describe('gates in the compare view', () => {
	test('B is checked against the gates of aliases A or B holds; Copy as Markdown is the changed-only report; the refusal lists the failing rules', async () => {
		const { root, ledger } = ledgers.open();
		const config = join(root, 'model-ledger.yaml');
		writeFileSync(config, readFileSync(config, 'utf8').replace('    protected_aliases: [production]\n', '    protected_aliases: [production]\n    gates:\n      production:\n        metrics:\n          faithfulness: { max_drop: 0.01 }\n      canary:\n        require: [clean]\n'));
		git(root, 'commit', '-qam', 'gates');
		const [a] = (await createSnapshot(ledger, { models: ['support-bot'] })).created;
		ledger.approve('support-bot', a.digest, ana);
		ledger.setAlias('support-bot', a.digest, 'production', ana);
		const metrics = join(root, 'eval', 'metrics.json');
		writeFileSync(metrics, readFileSync(metrics, 'utf8').replace('"faithfulness": 0.91', '"faithfulness": 0.85'));
		git(root, 'commit', '-qam', 'worse');
		const [b] = (await createSnapshot(ledger, { models: ['support-bot'] })).created;

		const diff = await diffVersions(ledger, 'support-bot', a.digest, b.digest, { all: true, promptText: true });
		const gates = compareGates(ledger, diff);
		assert.deepEqual(gates.map((g) => [g.gate, g.pass]), [['production', false]], 'only the alias A holds; canary is held by neither');
		assert.equal(gates[0].rules[0].detail, '0.85 < 0.91 − 0.01 (production v1)');
		assert.deepEqual(compareGates(ledger, await diffVersions(ledger, 'support-bot', a.digest, 'working')), [], 'the working tree takes no alias');

		const markdown = compareMarkdown({ folder: 'ws', model: 'support-bot', diff, metricKeys: [], history: null, gates, target: { root, model: 'support-bot', a: a.digest, b: b.digest } });
		const metricsTable = parseTables(markdown).find((t) => t.header[0] === 'Metric');
		assert.deepEqual(metricsTable?.rows.map((r) => r[0]), ['faithfulness'], 'unchanged metrics left out even though the view holds them all');
		assert.match(markdown, /#### Gate `production`: ❌ fail \(1 of 1 rules\)/);

		ledger.approve('support-bot', b.digest, ana);
		let refused: GateRefusedError | undefined;
		try {
			ledger.setAlias('support-bot', b.digest, 'production', ana);
		} catch (err) {
			refused = err as GateRefusedError;
		}
		assert.ok(refused instanceof GateRefusedError, String(refused));
		assert.deepEqual(gateRefusalText(refused.result), {
			message: 'production is gated: support-bot v2 fails 1 of 1 rule.',
			detail: '✗ faithfulness max_drop: 0.85 < 0.91 − 0.01 (production v1)',
		});
	});
});
