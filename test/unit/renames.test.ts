// Issue 16 item 2: renames in `diff`, key history, used-by and hovers, on a real ledger shaped like
// alignment-handbook (recipes/<model>/*.yaml moved to a new folder, identical bytes) and a promptflow
// flow (a prompt renamed and edited in the same version).
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keyHistoryCommand } from '../../src/cli/commands/keyHistory';
import { diffCommand } from '../../src/cli/commands/diff';
import { setTableWidth } from '../../src/cli/format';
import { keyHistory, variableHistory } from '../../src/core/query/keyHistory';
import { Ledger } from '../../src/core/ledger';
import { pathInVersion } from '../../src/core/query/pathFollow';
import { pairRenames, textSimilarity } from '../../src/core/compare/renames';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { usedBy } from '../../src/core/query/usedBy';
import { diffVersions } from '../../src/core/compare/versionDiff';
import { fileHoverMarkdown, keyHoverMarkdown } from '../../src/extension/hovers/hoverText';
import { makeTempDir, removeDir, writeFile } from './fixtures';

const RECIPE = (lr: string, r: number) => `# Model arguments
model_name_or_path: mistralai/Mistral-7B-v0.1
torch_dtype: bfloat16
use_flash_attention_2: true

# LoRA arguments
lora_r: ${r}
lora_alpha: 16
lora_dropout: 0.1
lora_target_modules:
- q_proj
- k_proj
- v_proj
- o_proj

# Data training arguments
dataset_mixer:
  HuggingFaceH4/ultrachat_200k: 1.0
dataset_splits:
- train_sft
- test_sft
preprocessing_num_workers: 12

# SFT trainer config
bf16: true
do_eval: true
gradient_accumulation_steps: 2
learning_rate: ${lr}
log_level: info
lr_scheduler_type: cosine
max_seq_length: 2048
num_train_epochs: 1
output_dir: data/zephyr-7b-sft-qlora
per_device_train_batch_size: 4
save_strategy: "no"
seed: 42
`;

const QNA = `# system:
You are an AI assistant reading a transcript of a conversation between an AI and a human.
Given an input question and conversation history, infer the user's real intent.

The conversation history is provided just in case of a context (e.g. "What is this?" where "this" is defined in previous conversation).

Return the output as query used for next round user message.

# user:
EXAMPLE
Conversation history:
Human: I want to find the best restaurants nearby, could you recommend some?
AI: Sure, I can help you with that. Here are some of the best restaurants nearby: Rock Bar.
Human: How do I get to Rock Bar?

Output: directions to Rock Bar
END OF EXAMPLE

{% for i, c in context %}{{ c.text }}{% endfor %}
Question: {{ question }}
`;

describe('issue 16 item 2: renames', () => {
	let dir: string;
	let ledger: Ledger;

	before(async () => {
		dir = makeTempDir('renames');
		writeFile(dir, 'model-ledger.yaml', 'models:\n  zephyr:\n    prompts: "**/*_prompt.md"\n    params: "recipes/**/*.yaml"\n');
		for (const name of ['config_full.yaml', 'config_qlora.yaml', 'sft_full.yaml', 'dpo_full.yaml', 'dpo_qlora.yaml']) {
			writeFile(dir, `recipes/zephyr-7b/${name}`, RECIPE(name.includes('dpo') ? '5.0e-7' : '2.0e-05', name.length));
		}
		writeFile(dir, 'flows/chat/rewrite_question_prompt.md', QNA);
		ledger = Ledger.at(dir);
		await createSnapshot(ledger, { message: 'v1' });
		// v2: upstream moved zephyr-7b/ to zephyr-7b-beta/, identical files.
		renameSync(join(dir, 'recipes/zephyr-7b'), join(dir, 'recipes/zephyr-7b-beta'));
		await createSnapshot(ledger, { message: 'v2: pure rename' });
		// v3: the prompt renamed and one line edited.
		renameSync(join(dir, 'flows/chat/rewrite_question_prompt.md'), join(dir, 'flows/chat/qna_prompt.md'));
		writeFile(dir, 'flows/chat/qna_prompt.md', QNA.replace('Return the output as query used for next round user message.', 'Return only the rewritten query, nothing else.'));
		await createSnapshot(ledger, { message: 'v3: prompt renamed and edited' });
		// v4: a real change after the rename, so the history has a change to attribute.
		writeFile(dir, 'recipes/zephyr-7b-beta/config_qlora.yaml', RECIPE('1.0e-04', 'config_qlora.yaml'.length));
		await createSnapshot(ledger, { message: 'v4: learning rate' });
	});
	after(() => {
		ledger.close();
		removeDir(dir);
	});

	test('issue 16 item 2: a diff across a pure rename lists one rename per file and no added/removed files or param rows', async () => {
		const d = await diffVersions(ledger, 'zephyr', 'v1', 'v2');
		assert.equal(d.artifacts.renamed.length, 5);
		assert.deepEqual(d.artifacts.added, []);
		assert.deepEqual(d.artifacts.removed, []);
		assert.deepEqual(d.artifacts.changed, []);
		assert.deepEqual(d.params, [], 'param rows of renamed configs are compared across the rename');
		const full = d.artifacts.renamed.find((r) => r.to === 'recipes/zephyr-7b-beta/config_full.yaml');
		assert.equal(full?.from, 'recipes/zephyr-7b/config_full.yaml');
		assert.equal(full?.similarity, 100);
		// A wide terminal: at the default 100 columns the long `a → b` paths are cut with … (issue 15.15).
		setTableWidth(200);
		const { human, data } = await diffCommand(ledger, ['zephyr@v1', '@v2'], {}).finally(() => setTableWidth(undefined));
		assert.match(human, /files: 0 changed, 5 renamed, 0 added, 0 removed, 1 unchanged/);
		assert.match(human, /renamed\s+recipes\/zephyr-7b\/config_full\.yaml → recipes\/zephyr-7b-beta\/config_full\.yaml\s+params\s+identical/);
		assert.match(human, /Params: no changes/);
		// The JSON document: artifacts.renamed [{from, to, similarity, …}].
		const json = JSON.parse(JSON.stringify(data)) as { artifacts: { renamed: Array<{ from: string; to: string; similarity: number }> } };
		assert.ok(json.artifacts.renamed.every((r) => r.from.startsWith('recipes/zephyr-7b/') && r.to.startsWith('recipes/zephyr-7b-beta/') && r.similarity === 100));
	});

	test('issue 16 item 2: a renamed-and-edited prompt is one rename with its similarity and line changes', async () => {
		const d = await diffVersions(ledger, 'zephyr', 'v2', 'v3', { promptText: true });
		assert.deepEqual(d.artifacts.added, []);
		assert.deepEqual(d.artifacts.removed, []);
		assert.equal(d.artifacts.renamed.length, 1);
		const r = d.artifacts.renamed[0];
		assert.equal(r.from, 'flows/chat/rewrite_question_prompt.md');
		assert.equal(r.to, 'flows/chat/qna_prompt.md');
		assert.ok(r.similarity >= 50 && r.similarity < 100, `similarity ${r.similarity}`);
		assert.equal(d.prompts.length, 1);
		assert.equal(d.prompts[0].renamedFrom, 'flows/chat/rewrite_question_prompt.md');
		assert.equal(d.prompts[0].change, 'changed');
		assert.equal(d.prompts[0].linesAdded, 1);
		assert.equal(d.prompts[0].linesRemoved, 1);
		assert.deepEqual(d.prompts[0].variablesRemoved, []);
		const { human } = await diffCommand(ledger, ['zephyr@v2', '@v3'], {});
		assert.match(human, new RegExp(`renamed\\s+flows/chat/rewrite_question_prompt\\.md → flows/chat/qna_prompt\\.md\\s+prompt\\s+${r.similarity}% similar`));
		assert.match(human, /flows\/chat\/qna_prompt\.md \(renamed from flows\/chat\/rewrite_question_prompt\.md\): \+1 -1 lines/);
	});

	test('issue 16 item 2: key history across the rename is unbroken and says where it was renamed', () => {
		const h = keyHistory(ledger, 'recipes/zephyr-7b-beta/config_qlora.yaml', 'learning_rate');
		assert.equal(h.models.length, 1);
		const { runs, renames } = h.models[0];
		assert.deepEqual(
			runs.map((r) => [r.value, r.first.number, r.last.number, r.count]),
			[
				[2e-5, 1, 3, 3],
				[1e-4, 4, 4, 1],
			],
		);
		assert.deepEqual(renames?.map((r) => [r.from, r.to, r.at.number, r.before.number]), [['recipes/zephyr-7b/config_qlora.yaml', 'recipes/zephyr-7b-beta/config_qlora.yaml', 2, 1]]);
		const { human } = keyHistoryCommand(ledger, 'recipes/zephyr-7b-beta/config_qlora.yaml', 'learning_rate', dir);
		assert.match(human, /learning_rate = 0.00002 in v1–v3, 0.0001 since v4|learning_rate = 2e-5 in v1–v3, 0.0001 since v4/);
		assert.match(human, /recipes\/zephyr-7b\/config_qlora\.yaml → recipes\/zephyr-7b-beta\/config_qlora\.yaml: renamed in v2/);
		const hover = keyHoverMarkdown(h, { root: dir, canReveal: false });
		assert.match(hover, /Renamed from `recipes\/zephyr-7b\/config_qlora\.yaml` in v2/);
	});

	test('issue 16 item 2: used-by and the prompt hover follow the renamed-and-edited prompt', () => {
		const used = usedBy(ledger, 'flows/chat/qna_prompt.md');
		assert.deepEqual(used.renames.map((r) => [r.from, r.at.number]), [['flows/chat/rewrite_question_prompt.md', 3]]);
		const earlier = used.history.find((h) => h.path === 'flows/chat/rewrite_question_prompt.md');
		assert.deepEqual(
			earlier?.ranges.map((r) => [r.first.number, r.last.number, r.count]),
			[[1, 2, 2]],
		);
		const vars = variableHistory(ledger, 'flows/chat/qna_prompt.md');
		assert.deepEqual(vars.models[0].changes, [], 'the variables did not change across the rename');
		const hover = fileHoverMarkdown(used, { root: dir, canReveal: false }, vars);
		assert.match(hover, /Renamed from `flows\/chat\/rewrite_question_prompt\.md` in v3 \(\d+% similar\)/);
	});

	test('issue 16: "Diff with v1"" of a renamed file opens v1 under its earlier name (pathInVersion)', () => {
		const [v4, , , v1] = ledger.listVersions('zephyr');
		assert.equal(pathInVersion(ledger, 'zephyr', 'recipes/zephyr-7b-beta/config_qlora.yaml', v1.digest), 'recipes/zephyr-7b/config_qlora.yaml');
		assert.equal(pathInVersion(ledger, 'zephyr', 'recipes/zephyr-7b-beta/config_qlora.yaml', v4.digest), 'recipes/zephyr-7b-beta/config_qlora.yaml');
		assert.equal(pathInVersion(ledger, 'zephyr', 'flows/chat/qna_prompt.md', v1.digest), 'flows/chat/rewrite_question_prompt.md');
		assert.equal(pathInVersion(ledger, 'zephyr', 'recipes/nowhere.yaml', v1.digest), undefined);
	});
});

describe('issue 16 item 2: pairing rules', () => {
	const file = (path: string, sha256: string, size: number) => ({ path, sha256, size });

	test('identical content pairs first, preferring the same base name', () => {
		const removed = [file('a/x.yaml', 's1', 10), file('a/y.yaml', 's1', 10)];
		const added = [file('b/y.yaml', 's1', 10)];
		const pairs = pairRenames(removed, added, () => undefined);
		assert.deepEqual(pairs.map((p) => [p.from.path, p.to.path, p.similarity]), [['a/y.yaml', 'b/y.yaml', 100]]);
	});

	test('below 50% similar text stays an addition and a removal', () => {
		const a = 'one\ntwo\nthree\nfour\n';
		const b = 'uno\ndos\ntres\nfour\n';
		assert.ok(textSimilarity(a, b) < 50);
		const pairs = pairRenames([file('p.md', 'x', a.length)], [file('q.md', 'y', b.length)], (f) => (f.path === 'p.md' ? a : b));
		assert.deepEqual(pairs, []);
	});

	test('binary files pair only by identical content', () => {
		const pairs = pairRenames([file('w.bin', 'x', 100)], [file('v.bin', 'y', 100)], () => undefined);
		assert.deepEqual(pairs, []);
	});
});
