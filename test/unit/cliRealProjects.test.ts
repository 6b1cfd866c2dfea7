// Issue 15 (real projects): a new user's workspace shaped like a training-recipes repository (nested
// recipe folders of YAML configs) — paths, model names, refs, empty globs and models removed from
// model-ledger.yaml, run through the built CLI as a real process on a real git repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyPathAt } from '../../src/core/parse/yamlKeys';
import { git, initGitRepo, isolatedGitEnv, makeTempDir, removeDir, repoRoot, writeFile } from './fixtures';

const CLI = join(repoRoot(), 'dist', 'cli.js');
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function run(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: isolatedGitEnv(), encoding: 'utf8' });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(cwd: string, ...args: string[]): string {
	const r = run(cwd, ...args);
	assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

const SFT = `# Model arguments
model_name_or_path: example-org/base-7b
torch_dtype: bfloat16
dataset_mixture:
  datasets:
    - id: example-org/chat_200k
      split: train
  seed: 0
learning_rate: 2.0e-05
num_train_epochs: 1
`;

/** A recipes repository with one model, committed, with one snapshot. */
function recipesRepo(config = 'models:\n  zephyr:\n    params: recipes/zephyr-7b/**/*.yaml\n'): string {
	const root = makeTempDir('recipes');
	dirs.push(root);
	initGitRepo(root);
	writeFile(root, 'model-ledger.yaml', config);
	writeFile(root, 'recipes/zephyr-7b/sft/config_full.yaml', SFT);
	writeFile(root, 'recipes/zephyr-7b/dpo/config_full.yaml', 'beta: 0.01\nlearning_rate: 5.0e-7\n');
	git(root, 'add', '-A');
	git(root, 'commit', '-qm', 'recipes');
	return root;
}

describe('issue 15 part 1: CLI on a recipes repository', () => {
	test('issue 15 item 8: every command taking a path reads it relative to the current folder, the workspace root, or absolute inside the workspace', () => {
		const root = recipesRepo();
		ok(root, 'snapshot', '-m', 'first');
		const sub = join(root, 'recipes', 'zephyr-7b');
		const forms = [
			{ cwd: root, arg: 'recipes/zephyr-7b/sft/config_full.yaml' },
			{ cwd: root, arg: './recipes/zephyr-7b/sft/config_full.yaml' },
			{ cwd: sub, arg: 'sft/config_full.yaml' },
			{ cwd: sub, arg: './sft/../sft/config_full.yaml' },
			{ cwd: sub, arg: 'recipes/zephyr-7b/sft/config_full.yaml' },
			{ cwd: sub, arg: join(root, 'recipes/zephyr-7b/sft/config_full.yaml') },
			{ cwd: makeTempDir('elsewhere'), arg: join(root, 'recipes/zephyr-7b/sft/config_full.yaml'), C: true },
		];
		for (const { cwd, arg, C } of forms) {
			const extra = C ? ['-C', root] : [];
			const what = `${arg} from ${cwd}`;
			assert.equal(ok(cwd, ...extra, 'cat', 'zephyr@v1', arg), SFT, `cat ${what}`);
			const used = JSON.parse(ok(cwd, ...extra, 'used-by', arg, '--json')) as { path: string };
			assert.equal(used.path, 'recipes/zephyr-7b/sft/config_full.yaml', `used-by ${what}`);
			const history = JSON.parse(ok(cwd, ...extra, 'key-history', arg, 'learning_rate', '--json')) as { file: string; found: boolean };
			assert.equal(history.file, 'recipes/zephyr-7b/sft/config_full.yaml', `key-history ${what}`);
			assert.equal(history.found, true);
		}
		// cat of a file that is in the version but deleted from the workspace: still resolved from a subfolder.
		rmSync(join(root, 'recipes/zephyr-7b/dpo/config_full.yaml'));
		assert.match(ok(sub, 'cat', 'zephyr@v1', 'dpo/config_full.yaml'), /beta: 0.01/);
		// Outside the workspace: the same error from every command, exit 1.
		const outsideFile = writeFile(makeTempDir('outside'), 'x.yaml', 'a: 1\n');
		dirs.push(join(outsideFile, '..'));
		for (const args of [['cat', 'zephyr@v1', outsideFile], ['used-by', outsideFile], ['key-history', outsideFile, 'a'], ['cat', 'zephyr@v1', '../../../x.yaml'], ['used-by', '../outside.yaml']]) {
			const r = run(args[0] === 'used-by' && args[1].startsWith('..') ? root : sub, ...args);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /is outside the workspace .*Fix: Give a path inside the workspace/, args.join(' '));
		}
	});

	test('issue 15 item 12: an unknown model is named with the closest name by every command; an empty ref is a usage error; status in a fresh workspace', () => {
		const root = recipesRepo();
		// Fresh workspace, no versions: never "no versions yet" and "matches the latest version" together.
		const fresh = ok(root, 'status');
		assert.match(fresh, /zephyr: no versions yet; the first snapshot would record:\n {2}added {5}recipes\/zephyr-7b\/dpo\/config_full\.yaml/);
		assert.doesNotMatch(fresh, /matches the latest version/);
		ok(root, 'snapshot');
		for (const args of [['show', 'zephir'], ['show', 'zephir@latest'], ['list', 'zephir'], ['status', 'zephir'], ['events', 'zephir'], ['diff', 'zephir@v1'], ['cat', 'zephir@v1', 'x.yaml'], ['history', 'zephir', '--metric', 'f1'], ['approve', 'zephir@1'], ['alias', 'set', 'zephir@1', 'staging'], ['tag', 'zephir@1', 'rc'], ['restore', 'zephir@1', '--dry-run'], ['snapshot', 'zephir'], ['alias', 'list', 'zephir']]) {
			const r = run(root, ...args);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /Unknown model `zephir` — did you mean `zephyr`\?.*Fix: Models in model-ledger\.yaml: zephyr/, args.join(' '));
			assert.doesNotMatch(r.stderr, /no versions yet|Run `model-ledger snapshot`/, args.join(' '));
		}
		// A configured model without versions still says so.
		writeFile(root, 'model-ledger.yaml', 'models:\n  zephyr:\n    params: recipes/zephyr-7b/**/*.yaml\n  mistral:\n    params: recipes/zephyr-7b/sft/*.yaml\n');
		assert.match(run(root, 'show', 'mistral').stderr, /Model `mistral` has no versions yet/);
		for (const args of [['show', 'zephyr@'], ['cat', 'zephyr@', 'x'], ['diff', 'zephyr@'], ['diff', 'zephyr@1', '@'], ['diff', 'zephyr@1', 'zephyr@'], ['approve', 'zephyr@'], ['show', '@1']]) {
			const r = run(root, ...args);
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /has nothing after @|names no model before @/, args.join(' '));
			assert.equal(r.stdout, '');
		}
	});

	test('issue 15 item 13: a model whose globs match nothing gets no version; the refusal says what the globs matched and how to fix them', () => {
		// The default `init` layout (prompts/, config/) in a repository that keeps its configs under recipes/.
		const root = recipesRepo('models:\n  zephyr:\n    prompts: prompts/**/*.md\n    params: config/train.yaml\n');
		const r = run(root, 'snapshot');
		assert.equal(r.code, 1, r.stdout + r.stderr);
		assert.match(r.stderr, /`zephyr` has no file to version, so no version was created: `prompts: prompts\/\*\*\/\*\.md` matches no file\. `params: config\/train\.yaml` matches no file\./);
		assert.match(r.stderr, /Fix: Edit the globs in model-ledger\.yaml/);
		assert.deepEqual(JSON.parse(ok(root, 'list', '--json')), []);
		assert.match(ok(root, 'status'), /zephyr: no versions yet, and its globs match no file/);
		// Two models, one empty (its folder does not exist at this commit): the other is versioned, the empty one named.
		writeFile(root, 'model-ledger.yaml', 'models:\n  zephyr:\n    params: recipes/zephyr-7b/**/*.yaml\n  smollm:\n    params: recipes/smollm3/**/*.yaml\n');
		const both = run(root, 'snapshot', '--json');
		assert.equal(both.code, 0, both.stderr);
		const result = JSON.parse(both.stdout) as { created: Array<{ model: string; artifactCount: number }>; warnings: string[] };
		assert.deepEqual(result.created.map((c) => c.model), ['zephyr']);
		assert.ok(result.warnings.some((w) => /`smollm` has no file to version, so no version was created: `params: recipes\/smollm3\/\*\*\/\*\.yaml` matches no file/.test(w)), result.warnings.join('\n'));
		// A model that had files and whose folder is gone at an older commit: refused, never an empty version.
		const named = run(root, 'snapshot', 'smollm');
		assert.equal(named.code, 1);
		const versions = JSON.parse(ok(root, 'list', '--json')) as Array<{ artifactCount: number }>;
		assert.ok(versions.every((v) => v.artifactCount > 0));
	});

	test('show lists the prompt files that have variables and counts the rest (an eval registry of task configs)', () => {
		const root = recipesRepo('models:\n  evals:\n    prompts: registry/**/*.yaml\n');
		writeFile(root, 'registry/modelgraded/fact.yaml', 'fact:\n  prompt: |-\n    [Question]: {input}\n    [Submission]: {completion}\n');
		for (let i = 0; i < 3; i++) writeFile(root, `registry/evals/eval_${i}.yaml`, `eval_${i}:\n  class: evals.Match\n  args:\n    samples_jsonl: s${i}.jsonl\n`);
		ok(root, 'snapshot', '-m', 'first');
		const shown = ok(root, 'show', 'evals');
		assert.match(shown, /\nPrompt variables\n {2}registry\/modelgraded\/fact\.yaml: completion, input\n {2}and 3 prompt files without variables\n/, shown);
		assert.doesNotMatch(shown, /eval_0\.yaml:/);
		const json = JSON.parse(ok(root, 'show', 'evals', '--json')) as { prompts: Record<string, { variables: string[] }> };
		assert.deepEqual(json.prompts['registry/evals/eval_0.yaml'].variables, [], '--json still lists every prompt file');
	});

	test('issue 15 item 14: versions of a model removed or renamed in model-ledger.yaml are listed as no longer configured and stay readable', () => {
		const root = recipesRepo();
		ok(root, 'snapshot', '-m', 'as zephyr');
		// Renamed in model-ledger.yaml: zephyr → zephyr-beta.
		writeFile(root, 'model-ledger.yaml', 'models:\n  zephyr-beta:\n    params: recipes/zephyr-7b/**/*.yaml\n');
		ok(root, 'snapshot', '-m', 'as zephyr-beta');
		const all = ok(root, 'list');
		assert.match(all, /zephyr-beta +v1/);
		assert.match(all, /zephyr +v1/);
		assert.match(all, /No longer configured in model-ledger\.yaml \(versions kept and readable with list, show, cat, diff\): zephyr$/m);
		const listed = JSON.parse(ok(root, 'list', '--json')) as Array<{ model: string; configured: boolean }>;
		assert.deepEqual(listed.map((v) => [v.model, v.configured]).sort(), [['zephyr', false], ['zephyr-beta', true]]);
		// Readable by name: list, show, cat, diff between its versions, events, history.
		assert.match(ok(root, 'list', 'zephyr'), /zephyr +v1 .*as zephyr/);
		assert.match(ok(root, 'show', 'zephyr@v1'), /zephyr v1 \(0\.1\.0\)/);
		assert.equal(ok(root, 'cat', 'zephyr@1', 'recipes/zephyr-7b/sft/config_full.yaml'), SFT);
		assert.match(ok(root, 'diff', 'zephyr@1', '@1'), /files: 0 changed/);
		assert.match(ok(root, 'events', 'zephyr'), /created/);
		assert.match(ok(root, 'status'), /zephyr: no longer configured in model-ledger\.yaml; its versions stay readable \(latest v1, 0\.1\.0\)/);
		// Writing to it says why it is refused, and how to undo.
		const alias = run(root, 'alias', 'set', 'zephyr@1', 'staging');
		assert.equal(alias.code, 1);
		assert.match(alias.stderr, /Model `zephyr` is no longer configured in model-ledger\.yaml \(it has 1 version\)\..*Fix: Its versions stay readable/);
		// A typo is still a typo, with the closest name among both kinds.
		assert.match(run(root, 'list', 'zepyhr').stderr, /Unknown model `zepyhr` — did you mean `zephyr`\?.*no longer configured, with versions: zephyr/);
		assert.ok(readFileSync(join(root, 'model-ledger.yaml'), 'utf8').includes('zephyr-beta'));
	});

	test('issue 15 item 16: YAML with a repeated key takes the last value, as PyYAML does, and warns with file:line', () => {
		const root = recipesRepo();
		// A recipe edited by hand: `learning_rate` set twice, and a nested repeat.
		writeFile(root, 'recipes/zephyr-7b/dpo/config_full.yaml', 'beta: 0.01\nlearning_rate: 5.0e-7\nwarmup_ratio: 0.1\nlearning_rate: 1.0e-6\noptim:\n  name: adamw\n  name: adamw_torch\n');
		const r = run(root, 'snapshot', '--json');
		assert.equal(r.code, 0, r.stderr);
		const { warnings } = JSON.parse(r.stdout) as { warnings: string[] };
		assert.ok(warnings.includes('recipes/zephyr-7b/dpo/config_full.yaml:4: duplicate key `learning_rate` (first at line 2); the last value is used, as PyYAML does.'), warnings.join('\n'));
		assert.ok(warnings.includes('recipes/zephyr-7b/dpo/config_full.yaml:7: duplicate key `name` (first at line 6); the last value is used, as PyYAML does.'), warnings.join('\n'));
		assert.ok(!warnings.some((w) => /opaque|Invalid YAML/.test(w)), warnings.join('\n'));
		const shown = JSON.parse(ok(root, 'show', 'zephyr', '--json')) as { params: Record<string, Record<string, unknown>>; warnings: string[] };
		assert.deepEqual(shown.params['recipes/zephyr-7b/dpo/config_full.yaml'], { beta: 0.01, learning_rate: 0.000001, warmup_ratio: 0.1, 'optim.name': 'adamw_torch' });
		assert.ok(shown.warnings.some((w) => w.startsWith('recipes/zephyr-7b/dpo/config_full.yaml:4: duplicate key')), 'the warning is kept in the version');
		const history = JSON.parse(ok(root, 'key-history', 'recipes/zephyr-7b/dpo/config_full.yaml', 'learning_rate', '--json')) as { found: boolean };
		assert.equal(history.found, true);
		// The repeat removed: a diff compares the values the file means, not "every key removed".
		writeFile(root, 'recipes/zephyr-7b/dpo/config_full.yaml', 'beta: 0.01\nlearning_rate: 1.0e-6\nwarmup_ratio: 0.1\noptim:\n  name: adamw_torch\n');
		const diff = JSON.parse(ok(root, 'diff', 'zephyr@latest', '--json')) as { params: Array<{ file: string; key: string }> };
		assert.deepEqual(diff.params.filter((p) => p.file === 'recipes/zephyr-7b/dpo/config_full.yaml'), []);
	});

	test('issue 15 item 11: every key form the tool prints — diff\'s `nodes[name="…"]`, positional `nodes[3]`, quoted `["a.b"]` — is accepted by key-history and the hover', () => {
		// A DAG flow: nodes named in a list; v2 moves the classifier node and changes its deployment.
		const flow = (order: string[], deployment: string) =>
			[
				'inputs:',
				'  question: {type: string}',
				'nodes:',
				...order.map((name) =>
					name === 'classify_with_llm'
						? `- name: classify_with_llm\n  type: llm\n  inputs:\n    deployment_name: ${deployment}\n    temperature: 0.2\n  "api.version": 2024-02-01`
						: `- name: ${name}\n  type: python\n  inputs:\n    url: \${inputs.question}`,
				),
			].join('\n') + '\n';
		const root = makeTempDir('flow');
		dirs.push(root);
		initGitRepo(root);
		writeFile(root, 'model-ledger.yaml', 'models:\n  web-classification:\n    rag: flow.dag.yaml\n');
		writeFile(root, 'flow.dag.yaml', flow(['fetch_text', 'prepare_examples', 'summarize', 'classify_with_llm', 'convert_to_dict'], 'gpt-35-turbo'));
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'flow');
		ok(root, 'snapshot');
		writeFile(root, 'flow.dag.yaml', flow(['fetch_text', 'classify_with_llm', 'prepare_examples', 'summarize', 'convert_to_dict'], 'gpt-4o'));
		ok(root, 'snapshot');
		const diff = JSON.parse(ok(root, 'diff', 'web-classification@1', '@2', '--json')) as { params: Array<{ key: string; a: unknown; b: unknown }> };
		const printed = diff.params.map((p) => p.key);
		assert.deepEqual(printed, ['nodes[name="classify_with_llm"].inputs.deployment_name'], 'moving the node is not a change; its deployment is');
		assert.match(ok(root, 'diff', 'web-classification@1', '@2'), /nodes\[name="classify_with_llm"\]\.inputs\.deployment_name/);

		type History = { found: boolean; subtree: boolean; models: Array<{ runs: Array<{ value: unknown; first: { number: number }; last: { number: number }; count: number }> }> };
		const history = (key: string) => JSON.parse(ok(root, 'key-history', 'flow.dag.yaml', key, '--json')) as History;
		// Each run as [value, first version, last version, how many].
		const runs = (h: History) => h.models[0].runs.map((r) => [r.value, r.first.number, r.last.number, r.count]);
		// Exactly the key diff printed: the item is followed to its new position.
		assert.deepEqual(runs(history(printed[0])), [
			['gpt-35-turbo', 1, 1, 1],
			['gpt-4o', 2, 2, 1],
		]);
		assert.match(ok(root, 'key-history', 'flow.dag.yaml', printed[0]), /"gpt-35-turbo" in v1, "gpt-4o" since v2/);
		// Positional forms still work, and mean the position.
		assert.deepEqual(runs(history('nodes[3].inputs.deployment_name')), [
			['gpt-35-turbo', 1, 1, 1],
			[undefined, 2, 2, 1],
		]);
		assert.deepEqual(runs(history('nodes[1].name')), [
			['prepare_examples', 1, 1, 1],
			['classify_with_llm', 2, 2, 1],
		]);
		// A subtree, a quoted key under a named item, and an item named in only some versions.
		assert.equal(history('nodes[name="classify_with_llm"].inputs').subtree, true);
		assert.deepEqual(runs(history('nodes[name="classify_with_llm"]["api.version"]')), [['2024-02-01', 1, 2, 2]]);
		const missing = run(root, 'key-history', 'flow.dag.yaml', 'nodes[name="no_such_node"].type');
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /No version of `flow\.dag\.yaml` has the key `nodes\[name="no_such_node"\]\.type`/);

		// The hover reads the key under the cursor the way diff prints it, and asks key-history with it.
		const text = readFileSync(join(root, 'flow.dag.yaml'), 'utf8');
		const at = keyPathAt(text, text.indexOf('deployment_name'));
		assert.equal(at?.path, 'nodes[1].inputs.deployment_name');
		assert.equal(at?.semanticPath, printed[0]);
	});
});
