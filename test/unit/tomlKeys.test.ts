// Issue 16 item 3: TOML keys in hovers. The key path under the cursor in a TOML file must be spelled the
// way flattenValues indexes it (so the hover finds its history), at every offset of real TOML files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyHistory } from '../../src/core/query/keyHistory';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { flattenValues, parseStructured } from '../../src/core/parse/structuredFiles';
import { tomlKeyPathAt } from '../../src/core/parse/tomlKeys';
import { keyHoverMarkdown } from '../../src/extension/hovers/hoverText';
import { exampleLedgers, exampleWorkspacePath } from './fixtures';

const ledgers = exampleLedgers();
after(ledgers.cleanup);

function assertAgreesWithFlatten(relPath: string, text: string): Set<string> {
	const flat = flattenValues(parseStructured(relPath, text));
	const seen = new Set<string>();
	for (let offset = 0; offset <= text.length; offset++) {
		const found = tomlKeyPathAt(text, offset);
		if (!found) continue;
		seen.add(found.path);
		if (found.leaf) {
			assert.ok(found.path in flat, `${relPath}@${offset}: leaf ${found.path} is not a flattened key (${Object.keys(flat).join(', ')})`);
			assert.deepEqual(found.value, flat[found.path], `${relPath}@${offset}: the value of ${found.path}`);
		} else assert.ok(Object.keys(flat).some((k) => k.startsWith(`${found.path}.`) || k.startsWith(`${found.path}[`)), `${relPath}@${offset}: ${found.path} has no keys under it`);
	}
	return seen;
}

const PYPROJECT = `[project]
name = "reranker"
version = "0.1.0"
dependencies = [
  "torch>=2.1",  # comment with ] inside
  "transformers",
]

[tool.trainer]
"learning.rate" = 2e-5
lora = { r = 16, alpha = 32 }
prompt = """
Answer {{ question }} = [
"""
model.name = "base"

[[tool.trainer.stages]]
name = "sft"
epochs = 1

[[tool.trainer.stages]]
name = "dpo"
beta = 0.1
empty = []
`;

describe('issue 16 item 3: TOML keys in hovers', () => {
	test('issue 16 item 3: the key under the cursor agrees with the indexed keys at every offset of real TOML files', () => {
		const reranker = readFileSync(join(exampleWorkspacePath(), 'config/reranker.toml'), 'utf8');
		const seen = assertAgreesWithFlatten('config/reranker.toml', reranker);
		for (const path of ['model.max_length', 'training.learning_rate', 'training.early_stopping.patience', 'eval.datasets[1].name', 'eval.datasets[0].split']) assert.ok(seen.has(path), `${path} in ${[...seen].join(', ')}`);
		const seen2 = assertAgreesWithFlatten('pyproject.toml', PYPROJECT);
		for (const path of ['project.dependencies', 'tool.trainer["learning.rate"]', 'tool.trainer.lora', 'tool.trainer.prompt', 'tool.trainer.model.name', 'tool.trainer.stages[1].beta', 'tool.trainer.stages[1].empty']) {
			assert.ok(seen2.has(path), `${path} in ${[...seen2].join(', ')}`);
		}
	});

	test('issue 16 item 3: a TOML key hover shows the key history (example reranker.toml)', async () => {
		const { root, ledger } = ledgers.open();
		await createSnapshot(ledger, { models: ['reranker'], message: 'one' });
		const text = readFileSync(join(root, 'config/reranker.toml'), 'utf8');
		const key = tomlKeyPathAt(text, text.indexOf('learning_rate'));
		assert.equal(key?.path, 'training.learning_rate');
		assert.equal(key?.leaf, true);
		assert.equal(key?.value, 3e-5);
		const history = keyHistory(ledger, 'config/reranker.toml', key!.path);
		assert.ok(history.found);
		assert.match(keyHoverMarkdown(history, { root, canReveal: false }, key), /`training\.learning_rate` in reranker/);
	});
});
