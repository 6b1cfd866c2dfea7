// Issue 16 item 1: `init` on fixtures shaped like three real public layouts (built here, not copied):
// a fine-tuning recipe repo (huggingface/alignment-handbook), a prompt-flow repo (microsoft/promptflow's
// examples/flows: chat-with-pdf, web-classification) and a RAG app (Azure-Samples/rag-postgres-openai-python).
// Each fixture's first snapshot after init must hold exactly the files a user would version.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { initCommand } from '../../src/cli/commands/init';
import { proposeModels } from '../../src/core/init/initWorkspace';
import { Ledger } from '../../src/core/ledger';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { git, initGitRepo, makeTempDir, removeDir, writeFile } from './fixtures';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function workspace(name: string, files: Record<string, string>): string {
	const parent = makeTempDir('init');
	dirs.push(parent);
	const root = join(parent, name);
	for (const [path, content] of Object.entries(files)) writeFile(root, path, content);
	return root;
}

/** init, then one snapshot: per model, the paths (with roles) the first version holds. */
async function initAndSnapshot(root: string): Promise<{ human: string; versions: Record<string, string[]> }> {
	const { human, data } = initCommand(root);
	assert.equal(data.configCreated, true, human);
	const ledger = Ledger.at(root);
	try {
		const result = await createSnapshot(ledger, { message: 'first' });
		const versions: Record<string, string[]> = {};
		for (const v of result.created) versions[v.model] = ledger.readManifest(v).artifacts.map((a) => `${a.role} ${a.path}`).sort();
		return { human, versions };
	} finally {
		ledger.close();
	}
}

const RECIPE = (extra: string) => `# Model arguments
model_name_or_path: mistralai/Mistral-7B-v0.1
torch_dtype: bfloat16
${extra}
# Data training arguments
dataset_mixer:
  HuggingFaceH4/ultrachat_200k: 1.0
preprocessing_num_workers: 12

# SFT trainer config
bf16: true
gradient_accumulation_steps: 2
learning_rate: 2.0e-05
lr_scheduler_type: cosine
max_seq_length: 2048
num_train_epochs: 1
output_dir: data/zephyr-7b-sft-full
per_device_train_batch_size: 16
`;

const FLOW_DAG = (nodes: string) => `$schema: https://azuremlschemas.azureedge.net/promptflow/latest/Flow.schema.json
inputs:
  question:
    type: string
    default: what is BERT?
outputs:
  answer:
    type: string
    reference: \${qna.output}
nodes:
${nodes}`;

describe('issue 16 item 1: init detects real layouts', () => {
	test('issue 16 item 1: a fine-tuning recipe repo (alignment-handbook shape) gets one model per recipe family', async () => {
		const root = workspace('alignment-handbook', {
			'README.md': '# The Alignment Handbook\n\nRobust recipes to align language models with {{ human }} preferences.\n',
			'recipes/zephyr-7b-beta/README.md': 'Instructions to train Zephyr-7b-β.\n',
			'recipes/zephyr-7b-beta/sft/config_full.yaml': RECIPE(''),
			'recipes/zephyr-7b-beta/sft/config_qlora.yaml': RECIPE('load_in_4bit: true\nlora_r: 16\nlora_alpha: 16\nlora_dropout: 0.05\n'),
			'recipes/zephyr-7b-beta/dpo/config_full.yaml': RECIPE('beta: 0.01\n'),
			'recipes/smollm2/sft/config.yaml': RECIPE('chat_template: "{% for message in messages %}{{ message.content }}{% endfor %}"\n'),
			'recipes/smollm2/dpo/config.yaml': RECIPE('beta: 0.5\n'),
			// Accelerate launcher settings are not training hyperparameters of a recipe.
			'recipes/accelerate_configs/zero3.yaml': 'compute_environment: LOCAL_MACHINE\ndistributed_type: DEEPSPEED\nmixed_precision: bf16\nnum_processes: 8\n',
			'recipes/launch.slurm': '#!/bin/bash\n',
			'scripts/sft.py': 'from alignment import ScriptArguments\n',
			'src/alignment/configs.py': 'learning_rate: float = 2e-5\n',
			// Test fixtures look like recipes but are not a model anyone versions.
			'tests/fixtures/config_sft_full.yaml': RECIPE(''),
			'setup.py': 'from setuptools import setup\n',
		});
		const { human, versions } = await initAndSnapshot(root);
		assert.deepEqual(Object.keys(versions).sort(), ['smollm2', 'zephyr-7b-beta']);
		assert.deepEqual(versions['zephyr-7b-beta'], [
			'params recipes/zephyr-7b-beta/dpo/config_full.yaml',
			'params recipes/zephyr-7b-beta/sft/config_full.yaml',
			'params recipes/zephyr-7b-beta/sft/config_qlora.yaml',
		]);
		assert.deepEqual(versions.smollm2, ['params recipes/smollm2/dpo/config.yaml', 'params recipes/smollm2/sft/config.yaml']);
		// What it found and why.
		assert.match(human, /Created model-ledger\.yaml with 2 models/);
		assert.match(human, /zephyr-7b-beta — a recipe family: training configs under recipes\/zephyr-7b-beta\//);
		assert.match(human, /recipes\/zephyr-7b-beta\/sft\/config_qlora\.yaml {2}\(training keys: model_name_or_path, lora_r, lora_alpha, lora_dropout\)/);
		const config = readFileSync(join(root, 'model-ledger.yaml'), 'utf8');
		assert.match(config, /params: "recipes\/zephyr-7b-beta\/\*\*\/\*\.yaml"/, 'a readable glob, so new recipes of the family join it');
		assert.doesNotMatch(config, /prompts\/\*\*|config\/\*\.yaml/, 'no guessed globs that match nothing');
	});

	test('a recipe folder with a few other configs (axolotl examples/ shape) gets a glob with exclusions, not every file by name', async () => {
		const files: Record<string, string> = {
			// Deployment settings beside the recipes: not training configs.
			'examples/cloud/modal.yaml': 'project_name: axolotl\ngpu: h100\nmemory: 128\n',
			'examples/cloud/baseten.yaml': 'project_name: axolotl\nsecrets: [HF_TOKEN]\n',
			// A second top-level folder of training configs makes examples/ one recipe family.
			'deepspeed_configs/zero2.json': '{"gradient_accumulation_steps": "auto", "train_batch_size": "auto", "zero_optimization": {"stage": 2}}\n',
			'deepspeed_configs/zero3.json': '{"gradient_accumulation_steps": "auto", "train_batch_size": "auto", "zero_optimization": {"stage": 3}}\n',
		};
		const families = ['llama-3', 'qwen3', 'gemma3', 'mistral', 'phi', 'falcon-h1'];
		for (const family of families) {
			files[`examples/${family}/qlora.yaml`] = RECIPE('load_in_4bit: true\nlora_r: 16\nlora_alpha: 32\n');
			files[`examples/${family}/fft.yaml`] = RECIPE('num_epochs: 3\n');
		}
		const root = workspace('axolotl', files);
		const { versions } = await initAndSnapshot(root);
		assert.deepEqual(versions.examples, families.flatMap((f) => [`params examples/${f}/fft.yaml`, `params examples/${f}/qlora.yaml`]).sort());
		const config = readFileSync(join(root, 'model-ledger.yaml'), 'utf8');
		assert.match(config, /params:\n {6}- "examples\/\*\*\/\*\.yaml"\n {6}- "!examples\/cloud\/\*\*"\n/, config);
		assert.doesNotMatch(config, /examples\/llama-3\/qlora\.yaml/, 'recipes are not listed one by one');
		// A recipe added later joins the model; the excluded folder stays out.
		writeFile(root, 'examples/olmo3/qlora.yaml', RECIPE('lora_r: 8\n'));
		writeFile(root, 'examples/cloud/runpod.yaml', 'project_name: axolotl\n');
		const ledger = Ledger.at(root);
		try {
			const { created } = await createSnapshot(ledger, { models: ['examples'], message: 'second' });
			const paths = ledger.readManifest(created[0]).artifacts.map((a) => a.path);
			assert.ok(paths.includes('examples/olmo3/qlora.yaml'));
			assert.ok(!paths.some((p) => p.startsWith('examples/cloud/')), paths.join(' '));
		} finally {
			ledger.close();
		}
	});

	test('templates that render code or configuration are not prompts: Dockerfiles, configs, HTML, scripts', async () => {
		const root = workspace('templates', {
			'cicd/Dockerfile-uv.jinja': 'FROM python:3.11\nRUN pip install {{ package }}\n',
			'cicd/cleanup.jinja': '{# run after the job #}\n#!/bin/bash\nrm -rf {{ dir }}\n',
			'deploy/nginx.conf.j2': 'server { listen {{ port }}; }\n',
			'deploy/values.yaml.j2': 'replicas: {{ replicas }}\n',
			'web/templates/index.html.jinja2': '<!doctype html>\n<title>{{ title }}</title>\n',
			'web/templates/page.jinja': '{% extends "base" %}\n<html><body>{{ body }}</body></html>\n',
			// Prompts: text for a model, and a chat template.
			'prompts/answer.jinja2': 'You are a support assistant. Answer {{ question }} from {{ context }}.\n',
			'chat_templates/chatml.jinja': '{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}\n',
		});
		const { versions } = await initAndSnapshot(root);
		assert.deepEqual(Object.values(versions).flat().sort(), ['prompt chat_templates/chatml.jinja', 'prompt prompts/answer.jinja2']);
	});

	test('issue 16 item 1: a prompt-flow repo (promptflow examples/flows shape) gets one model per flow', async () => {
		const root = workspace('promptflow', {
			'examples/flows/chat/chat-with-pdf/flow.dag.yaml': FLOW_DAG(
				'- name: rewrite_question_tool\n  type: python\n  source:\n    type: code\n    path: rewrite_question_tool.py\n  inputs:\n    question: ${inputs.question}\n',
			),
			'examples/flows/chat/chat-with-pdf/chat_with_pdf/qna_prompt.md': 'You are a chatbot having a conversation with a human.\n{% for i, c in context %}{{ c.text }}{% endfor %}\nQuestion: {{ question }}\n',
			'examples/flows/chat/chat-with-pdf/chat_with_pdf/rewrite_question_prompt.md': 'Rewrite the question using the history.\nHistory: {{ history }}\nQuestion: {{ question }}\n',
			'examples/flows/chat/chat-with-pdf/chat_with_pdf/main.py': 'def main(): pass\n',
			'examples/flows/chat/chat-with-pdf/chat_with_pdf/README.md': 'Run with {{ pf }} flow test.\n',
			'examples/flows/chat/chat-with-pdf/batch_run.yaml': 'flow: .\ndata: ./data/bert-paper-qna.jsonl\ninputs:\n  config:\n    EMBEDDING_MODEL_DEPLOYMENT_NAME: text-embedding-ada-002\n    CHAT_MODEL_DEPLOYMENT_NAME: gpt-4\n    PROMPT_TOKEN_LIMIT: 3000\n    MAX_COMPLETION_TOKENS: 256\n    CHUNK_SIZE: 1024\n    CHUNK_OVERLAP: 64\n',
			'examples/flows/chat/chat-with-pdf/data/bert-paper-qna.jsonl': '{"question": "what is BERT?"}\n',
			'examples/flows/chat/chat-with-pdf/requirements.txt': 'promptflow\n',
			'examples/flows/chat/chat-with-pdf/.promptflow/flow.tools.json': '{"code": {}}',
			'examples/flows/standard/web-classification/flow.dag.yaml': FLOW_DAG(
				'- name: classify_with_llm\n  type: llm\n  source:\n    type: code\n    path: classify_with_llm.jinja2\n  inputs:\n    deployment_name: gpt-35-turbo\n    model: gpt-3.5-turbo\n    max_tokens: 128\n    temperature: 0.2\n  connection: open_ai_connection\n  api: chat\n',
			),
			'examples/flows/standard/web-classification/classify_with_llm.jinja2': '# system:\nClassify {{url}} into one of: Movie, App, Academic.\n{{text_content}}\n',
			'examples/flows/standard/web-classification/summarize_text_content.jinja2': '# system:\nSummarize {{text}}\n',
			'examples/flows/standard/web-classification/summarize_text_content__variant_1.jinja2': '# system:\nSummarize in one line {{text}}\n',
			'examples/flows/standard/web-classification/fetch_text_content_from_url.py': 'import requests\n',
			'examples/flows/standard/web-classification/data.jsonl': '{"url": "https://www.youtube.com"}\n',
			'examples/flows/standard/web-classification/run.yml': 'flow: .\ndata: data.jsonl\ncolumn_mapping:\n  url: ${data.url}\n',
			'docs/how-to-guides/prompt.md': 'Use {{ variable }} in prompts.\n',
			// Recorded HTTP traffic of the test suite (promptflow-recording, vcrpy cassettes): not configs.
			'src/promptflow-recording/recordings/azure/test_run_resume.yaml': 'interactions:\n- request:\n    body: \'{"temperature": 0.2, "max_tokens": 256, "top_k": 3}\'\n',
			'src/promptflow-tools/tests/cassettes/test_llm.yaml': 'temperature: 0.2\nmax_tokens: 128\nchunk_size: 512\n',
			'src/promptflow/tests/fixtures/rag.yaml': 'temperature: 0.2\nmax_tokens: 128\nchunk_size: 512\n',
			'README.md': '# Prompt flow\n',
		});
		const { human, versions } = await initAndSnapshot(root);
		assert.deepEqual(Object.keys(versions).sort(), ['chat-with-pdf', 'web-classification']);
		assert.deepEqual(versions['chat-with-pdf'], [
			'params examples/flows/chat/chat-with-pdf/flow.dag.yaml',
			'prompt examples/flows/chat/chat-with-pdf/chat_with_pdf/qna_prompt.md',
			'prompt examples/flows/chat/chat-with-pdf/chat_with_pdf/rewrite_question_prompt.md',
			'rag examples/flows/chat/chat-with-pdf/batch_run.yaml',
		]);
		assert.deepEqual(versions['web-classification'], [
			'params examples/flows/standard/web-classification/flow.dag.yaml',
			'prompt examples/flows/standard/web-classification/classify_with_llm.jinja2',
			'prompt examples/flows/standard/web-classification/summarize_text_content.jinja2',
			'prompt examples/flows/standard/web-classification/summarize_text_content__variant_1.jinja2',
		]);
		assert.match(human, /chat-with-pdf — a prompt flow: examples\/flows\/chat\/chat-with-pdf\/flow\.dag\.yaml/);
		assert.match(human, /qna_prompt\.md {2}\(prompt by its name \(\*prompt\*\)\)/);
		assert.match(human, /classify_with_llm\.jinja2 {2}\(template file \(\.jinja2\)\)/);
		assert.match(readFileSync(join(root, 'model-ledger.yaml'), 'utf8'), /prompts: "examples\/flows\/chat\/chat-with-pdf\/chat_with_pdf\/\*\*\/\*_prompt\.md"/);
	});

	test('issue 16 item 1: a RAG app (rag-postgres-openai-python shape) gets one model for the workspace; in git it says what to commit', async () => {
		const root = workspace('rag-app', {
			'src/backend/fastapi_app/prompts/answer.txt': 'Assistant helps customers with questions about products.\nAnswer ONLY with the product details listed in the products.\n',
			'src/backend/fastapi_app/prompts/query.txt': 'Your job is to find search results based off the user question and past messages.\n',
			'src/backend/fastapi_app/prompts/query_fewshots.json': '[{"role": "user", "content": "good options for climbing gear?"}]\n',
			'src/backend/fastapi_app/rag_simple.py': 'class SimpleRAGChat: ...\n',
			'src/backend/fastapi_app/seed_data.json': '[{"id": 1, "name": "Climbing shoes", "price": 99}]\n',
			'evals/eval_config.json': '{\n  "testdata_path": "ground_truth.jsonl",\n  "requested_metrics": ["gpt_groundedness", "gpt_relevance"],\n  "target_parameters": {"overrides": {"top": 3, "retrieval_mode": "hybrid", "temperature": 0.3}}\n}\n',
			'evals/results/baseline/summary.json': '{"gpt_groundedness": {"pass_rate": 1.0, "mean_rating": 5.0}, "latency": {"mean": 2.56}}\n',
			'evals/results/baseline/eval_results.jsonl': '{"question": "q", "answer": "a"}\n',
			'evals/ground_truth.jsonl': '{"question": "q", "truth": "t"}\n',
			'evals/evaluate.py': 'import json\n',
			'infra/main.bicep': 'param location string\n',
			'tests/snapshots/simple_chat_flow_response.json': '{"results": [], "temperature": 0.3, "top_k": 3}\n',
			'pyproject.toml': '[tool.ruff]\nline-length = 120\n',
			'README.md': '# RAG on PostgreSQL\n',
		});
		initGitRepo(root);
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'app');
		const { human, versions } = await initAndSnapshot(root);
		assert.deepEqual(Object.keys(versions), ['rag-app']);
		assert.deepEqual(versions['rag-app'], [
			'metrics evals/results/baseline/summary.json',
			'prompt src/backend/fastapi_app/prompts/answer.txt',
			'prompt src/backend/fastapi_app/prompts/query.txt',
			'prompt src/backend/fastapi_app/prompts/query_fewshots.json',
			'rag evals/eval_config.json',
		]);
		assert.match(human, /evals\/eval_config\.json {2}\(inference\/RAG keys: retrieval_mode, temperature\)/);
		// Issue 16 item 9: inside git, which paths to commit.
		assert.match(human, /git add model-ledger\.yaml \.model-ledger\/versions \.model-ledger\/events \.model-ledger\/\.gitignore \.model-ledger\/\.gitattributes/);
	});

	test('an evaluation suite (lm-evaluation-harness shape): every task config and the templates they include, as two globs over the tasks folder', async () => {
		const files: Record<string, string> = {
			'lm_eval/__init__.py': '',
			'lm_eval/evaluator.py': 'def simple_evaluate(): ...\n',
			'README.md': '# Language Model Evaluation Harness\n',
			'pyproject.toml': '[project]\nname = "lm_eval"\n',
			// A task defined in Python: `task` with `class`.
			'lm_eval/tasks/fda/fda.yaml': 'task: fda\nclass: !function task.FDA\n',
			'lm_eval/tasks/fda/task.py': 'class FDA: ...\n',
			// A whole task in one file.
			'lm_eval/tasks/gsm8k/gsm8k.yaml': 'tag:\n  - math_word_problems\ntask: gsm8k\ndataset_path: openai/gsm8k\noutput_type: generate_until\ndoc_to_text: "Question: {{question}}\\nAnswer:"\ndoc_to_target: "{{answer}}"\nmetric_list:\n  - metric: exact_match\nnum_fewshot: 5\n',
			'lm_eval/tasks/gsm8k/README.md': '# GSM8K\n',
			// A task whose template is in a file one folder up.
			'lm_eval/tasks/shared/_common_template_yaml': 'output_type: multiple_choice\ndoc_to_choice: ["A", "B"]\n',
			'lm_eval/tasks/shared/variant/task_x.yaml': 'task: shared_x\ninclude: ../_common_template_yaml\n',
		};
		// Twelve benchmark families, each a group, three tasks and the template they include (no extension, as the harness names them).
		for (let i = 0; i < 12; i++) {
			const dir = `lm_eval/tasks/bench${i}/default`;
			files[`${dir}/_default_template_yaml`] = `dataset_path: org/bench${i}\ndoc_to_text: "{{question.strip()}}\\nAnswer:"\ndoc_to_target: answer\nmetric_list:\n  - metric: acc\n`;
			files[`${dir}/_bench${i}.yaml`] = `group: bench${i}\ntask:\n  - bench${i}_a\n  - bench${i}_b\naggregate_metric_list:\n  - metric: acc\n`;
			for (const t of ['a', 'b', 'c']) files[`${dir}/bench${i}_${t}.yaml`] = `"dataset_name": "${t}"\n"include": "_default_template_yaml"\n"task": "bench${i}_${t}"\n"task_alias": "${t}"\n`;
			files[`${dir}/utils.py`] = 'def process_docs(ds): return ds\n';
		}
		const root = workspace('lm-evaluation-harness', files);
		const { human, versions } = await initAndSnapshot(root);
		const config = readFileSync(join(root, 'model-ledger.yaml'), 'utf8');
		assert.match(config, / {4}prompts:\n {6}- "lm_eval\/tasks\/\*\*\/\*\.yaml"\n {6}- "lm_eval\/tasks\/\*\*\/\*_yaml"\n/, config);
		const held = versions['lm-evaluation-harness'];
		const expected = Object.keys(files)
			.filter((f) => f.startsWith('lm_eval/tasks/') && /(\.yaml|_yaml)$/.test(f))
			.map((f) => `prompt ${f}`)
			.sort();
		assert.deepEqual(held, expected, 'every task config and included template; no Python, no README');
		assert.equal(held.length, 12 * 5 + 4);
		assert.match(human, /bench0\/default\/_bench0\.yaml {2}\(evaluation task config: aggregate_metric_list, group, task\)/);
		assert.match(human, /bench0\/default\/bench0_a\.yaml {2}\(evaluation task config: task_alias, dataset_name, include\)/);
		const reasons = new Map(proposeModels(root).models[0].files.map((f) => [f.path, f.reason]));
		assert.equal(reasons.get('lm_eval/tasks/gsm8k/gsm8k.yaml'), 'evaluation task config: output_type, doc_to_text, doc_to_target');
		assert.equal(reasons.get('lm_eval/tasks/bench3/default/_default_template_yaml'), 'prompt template included by bench3_a.yaml');
		assert.equal(reasons.get('lm_eval/tasks/shared/_common_template_yaml'), 'prompt template included by task_x.yaml');
	});

	test('an eval registry (openai/evals shape): eval configs and model-graded prompt specs are prompts, solvers inference configs; LangChain saved prompts and skprompt.txt are prompts; a short `instructions:` value or a recipe\'s `system:` is no prompt', async () => {
		const files: Record<string, string> = {
			'evals/__init__.py': '',
			'evals/elsuite/basic/match.py': 'class Match: ...\n',
			// Model-graded specs: the grader's prompt as a block scalar, and as a long one-line string in JSON.
			'evals/registry/modelgraded/fact.yaml': 'fact:\n  prompt: |-\n    You are comparing a submitted answer to an expert answer.\n    [Question]: {input}\n  choice_strings: ABCDE\n  input_outputs:\n    input: completion\n',
			'evals/registry/modelgraded/closedqa.json': '{"closedqa": {"prompt": "You are assessing a submitted answer on a given task based on a criterion.", "choice_strings": "YN"}}\n',
			'evals/registry/solvers/defaults.yaml': 'generation/direct/gpt-4:\n  class: evals.solvers.providers.openai.openai_solver:OpenAISolver\n  args:\n    completion_fn_options:\n      extra_options:\n        temperature: 1\n        max_tokens: 512\n',
			// Not prompts: a placeholder instruction, and a training recipe whose dataset names its `system:` field.
			'agents/assistant.yaml': 'model: gpt-4\ninstructions: mock_instructions\n',
			// A LangChain saved prompt and a Semantic Kernel prompt function.
			'chains/joke.yaml': '_type: prompt\ninput_variables: ["adjective", "content"]\ntemplate: Tell me a {adjective} joke about {content}.\n',
			'skills/Summarize/skprompt.txt': 'Summarize this: {{$input}}\n',
			'recipes/dpo.yaml': 'base_model: Qwen/Qwen2-7B\nlearning_rate: 0.0001\nnum_epochs: 1\ndatasets:\n  - path: org/dpo\n    field_messages: conversation\n    system: |\n      You are a helpful assistant that answers every question at length and with care.\n',
		};
		for (let i = 0; i < 30; i++) {
			files[`evals/registry/evals/eval_${i}.yaml`] = `eval_${i}:\n  id: eval_${i}.dev.v0\n  metrics: [accuracy]\neval_${i}.dev.v0:\n  class: evals.elsuite.basic.match:Match\n  args:\n    samples_jsonl: eval_${i}/samples.jsonl\n`;
		}
		const root = workspace('evals', files);
		const { human, versions } = await initAndSnapshot(root);
		const held = Object.values(versions).flat();
		for (let i = 0; i < 30; i++) assert.ok(held.includes(`prompt evals/registry/evals/eval_${i}.yaml`), `eval_${i}.yaml: ${held.join(', ')}`);
		assert.ok(held.includes('prompt evals/registry/modelgraded/fact.yaml'), held.join(', '));
		assert.ok(held.includes('prompt evals/registry/modelgraded/closedqa.json'), held.join(', '));
		assert.ok(held.includes('rag evals/registry/solvers/defaults.yaml'), held.join(', '));
		assert.ok(held.includes('params recipes/dpo.yaml'), held.join(', '));
		assert.ok(!held.some((h) => h.endsWith('agents/assistant.yaml')), held.join(', '));
		assert.ok(held.includes('prompt chains/joke.yaml') && held.includes('prompt skills/Summarize/skprompt.txt'), held.join(', '));
		assert.match(human, /eval_0\.yaml {2}\(evaluation config: class, args, samples_jsonl\)/);
		const reasons = new Map(proposeModels(root).models[0].files.map((f) => [f.path, f.reason]));
		assert.equal(reasons.get('evals/registry/modelgraded/fact.yaml'), "holds a prompt's text (prompt:)");
		assert.equal(reasons.get('evals/registry/modelgraded/closedqa.json'), "holds a prompt's text (prompt:)");
	});

	test('crewAI crews (crewAI-examples shape): one model per crew, named by the folder above config/, holding its agents and tasks', async () => {
		const agents = (topic: string) => `researcher:\n  role: >\n    {${topic}} Senior Researcher\n  goal: >\n    Uncover developments in {${topic}}\n  backstory: >\n    You are a seasoned researcher.\n`;
		const tasks = 'research_task:\n  description: >\n    Research {topic} for {current_year}.\n  expected_output: >\n    A list of 10 bullet points.\n  agent: researcher\n';
		const root = workspace('crew-examples', {
			'README.md': '# Examples\n',
			// `crewai create crew`: the package's config/ folder.
			'crews/stock_analysis/pyproject.toml': '[project]\nname = "stock_analysis"\n',
			'crews/stock_analysis/src/stock_analysis/crew.py': 'from crewai import Agent, Crew\n',
			'crews/stock_analysis/src/stock_analysis/config/agents.yaml': agents('company'),
			'crews/stock_analysis/src/stock_analysis/config/tasks.yaml': tasks,
			// An older layout: config/ right in the crew's folder.
			'crews/screenplay_writer/config/agents.yaml': agents('topic'),
			'crews/screenplay_writer/config/tasks.yaml': tasks,
			'crews/screenplay_writer/main.py': 'print(1)\n',
			// A crew inside a crewAI flow.
			'flows/book_flow/src/book_flow/crews/outline_crew/config/agents.yaml': agents('title'),
			'flows/book_flow/src/book_flow/crews/outline_crew/config/tasks.yaml': tasks,
			'flows/book_flow/src/book_flow/main.py': 'from crewai.flow.flow import Flow\n',
		});
		const { human, versions } = await initAndSnapshot(root);
		assert.deepEqual(Object.keys(versions).sort(), ['outline_crew', 'screenplay_writer', 'stock_analysis'], human);
		assert.deepEqual(versions.stock_analysis, ['prompt crews/stock_analysis/src/stock_analysis/config/agents.yaml', 'prompt crews/stock_analysis/src/stock_analysis/config/tasks.yaml']);
		assert.deepEqual(versions.screenplay_writer, ['prompt crews/screenplay_writer/config/agents.yaml', 'prompt crews/screenplay_writer/config/tasks.yaml']);
		assert.match(human, /stock_analysis — a crewAI crew: crews\/stock_analysis\/src\/stock_analysis\/config\/agents\.yaml/);
		assert.match(human, /config\/tasks\.yaml {2}\(crewAI tasks: description, expected_output\)/);
		const ledger = Ledger.at(root);
		try {
			const v = ledger.readManifest(ledger.resolve('stock_analysis', 'latest'));
			assert.deepEqual(v.prompts['crews/stock_analysis/src/stock_analysis/config/tasks.yaml'].variables, ['current_year', 'topic']);
		} finally {
			ledger.close();
		}
	});

	test('among hundreds of task configs, the few init cannot tell by their first bytes join the glob instead of 110 names', async () => {
		const files: Record<string, string> = {};
		for (let i = 0; i < 110; i++) files[`evals/tasks/t${i % 11}/task_${i}.yaml`] = `task: t${i}\ndoc_to_text: "{{q}}"\nmetric_list:\n  - metric: acc\n`;
		// Their keys come after what init reads (16 KB of a comment, as a long license header would).
		for (let i = 0; i < 7; i++) files[`evals/tasks/t${i}/late_${i}.yaml`] = `# ${'x'.repeat(17 * 1024)}\ntask: late${i}\ndoc_to_text: "{{q}}"\n`;
		const root = workspace('suite', files);
		const { versions } = await initAndSnapshot(root);
		const config = readFileSync(join(root, 'model-ledger.yaml'), 'utf8');
		assert.match(config, / {4}prompts: "evals\/tasks\/\*\*\/\*\.yaml"\n/, config);
		assert.equal(versions.suite.length, 117, 'the 7 unrecognized configs are versioned too');
		const late = proposeModels(root).models[0].files.find((f) => f.path === 'evals/tasks/t0/late_0.yaml');
		assert.equal(late?.reason, 'among 110 files of its kind (not recognized by itself)');
	});

	test('role words in a file name count as whole words: paragraph, average and constraints are not RAG or training configs', async () => {
		const root = workspace('names', {
			'configs/paragraph_segmentation.yaml': 'dataset: wiki\nsplit: test\n',
			'configs/subscribes-to-average-utilitarianism.yaml': 'dataset: persona\nsplit: test\n',
			'configs/constraints.yaml': 'max_len: 10\n',
			'configs/storage.json': '{"bucket": "b"}\n',
			'configs/rag_config.yaml': 'index: docs\n',
			'configs/ragConfig.json': '{"index": "docs"}\n',
			'configs/retriever.yaml': 'index: docs\n',
			'configs/pretrain.yaml': 'steps: 10\n',
			'configs/train_lora.yaml': 'steps: 10\n',
			'prompts/notes.txt': 'Answer briefly.\n',
		});
		const { versions } = await initAndSnapshot(root);
		assert.deepEqual(versions.names, [
			'params configs/pretrain.yaml',
			'params configs/train_lora.yaml',
			'prompt prompts/notes.txt',
			'rag configs/ragConfig.json',
			'rag configs/rag_config.yaml',
			'rag configs/retriever.yaml',
		]);
	});

	test('issue 16 item 1: with nothing detected, init says so, shows a template and writes no config', () => {
		const root = workspace('plain', { 'src/main.py': 'print("hi")\n', 'README.md': '# A library\n', 'data/rows.csv': 'a,b\n1,2\n' });
		const { human, data } = initCommand(root);
		assert.equal(data.configCreated, false);
		assert.ok(!existsSync(join(root, 'model-ledger.yaml')), 'a config that matches nothing is never written');
		assert.ok(!existsSync(join(root, '.model-ledger')), 'nothing written at all');
		assert.match(human, /Found nothing to version in 3 files/);
		assert.match(human, / {2}models:\n {4}plain:\n {6}versioning: semver\n {6}prompts: prompts\/\*\*\/\*\.md/);
	});
});
