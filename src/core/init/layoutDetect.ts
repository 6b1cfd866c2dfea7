// What a file is, for `init`: by name and extension first, then by the keys or template variables in
// its first bytes. Each answer carries the reason `init` prints ("training keys: learning_rate, lora_r").
import type { LayoutScan } from './layoutScan';

/** Config keys of model-ledger.yaml, in ROLE_KEYS order. */
export type RoleKey = 'prompts' | 'rag' | 'weights' | 'params' | 'metrics' | 'data' | 'other';

export interface Finding {
	path: string;
	role: RoleKey;
	reason: string;
	/** A training config (decides recipe families). */
	training?: true;
	/** A prompt-flow definition (decides flow units). */
	flow?: true;
	/** A crewAI crew's agents or tasks (decides crew units: the folder above its `config/`). */
	crew?: true;
	/** An evaluation task config (its `include:`d template is a prompt too). */
	evalTask?: true;
}

const TRAINING_KEYS = new Set([
	'learning_rate', 'lr', 'num_epochs', 'num_train_epochs', 'epochs', 'lora_r', 'lora_alpha', 'lora_dropout', 'lora_target_modules',
	'base_model', 'model_name_or_path', 'gradient_accumulation_steps', 'per_device_train_batch_size', 'train_batch_size',
	'warmup_ratio', 'warmup_steps', 'weight_decay', 'max_seq_length', 'lr_scheduler_type', 'max_steps', 'micro_batch_size',
]);
const INFERENCE_KEYS = new Set([
	'temperature', 'max_tokens', 'max_new_tokens', 'top_p', 'top_k', 'chunk_size', 'chunk_overlap', 'embedding', 'embeddings',
	'embedding_model', 'embed_model', 'embedding_model_deployment_name', 'retriever', 'retrieval_mode', 'similarity_top_k',
	'vector_store', 'reranker', 'rerank', 'frequency_penalty', 'presence_penalty', 'deployment_name', 'chat_model_deployment_name',
	'prompt_token_limit', 'max_completion_tokens', 'search_type', 'n_results',
]);
/**
 * Keys of an evaluation task config (EleutherAI lm-evaluation-harness and the harnesses built on its
 * format): the prompt template (`doc_to_text`), the answer, the few-shot setup and the metrics. Two
 * of them, one specific to the format, make a task config: what the model is asked, so a prompt.
 */
const EVAL_TASK_KEYS = new Set([
	'doc_to_text', 'doc_to_target', 'doc_to_choice', 'metric_list', 'output_type', 'fewshot_config', 'fewshot_split', 'num_fewshot',
	'task_alias', 'filter_list', 'process_docs', 'process_results', 'dataset_path', 'dataset_name', 'test_split', 'validation_split',
	'training_split', 'task', 'include', 'tag', 'group', 'aggregate_metric_list', 'class',
]);
const EVAL_TASK_SPECIFIC = new Set(['doc_to_text', 'doc_to_target', 'doc_to_choice', 'metric_list', 'aggregate_metric_list', 'output_type', 'fewshot_config', 'task_alias', 'filter_list']);
/**
 * A YAML/JSON key holding a prompt's text (openai/evals' model-graded specs, agent and assistant
 * definitions): the key, then a block scalar (`prompt: |`) or a string of 40 characters or more on
 * its line, so `instructions: mock_instructions` is not a prompt. Keys as generic as `template` or
 * `system` are left out (Kubernetes templates, axolotl's dataset `system:` field).
 */
const PROMPT_KEYS = 'prompt|system_prompt|prompt_template|user_prompt|system_message|instructions?';
const PROMPT_KEY_LINE = new RegExp(`^[ \\t]*["']?(${PROMPT_KEYS})["']?[ \\t]*:[ \\t]*(?:[|>][-+0-9]*[ \\t]*$|["']?[^\\n]{40,})|"(${PROMPT_KEYS})"\\s*:\\s*"[^"\\n]{40}`, 'm');
const TEMPLATE_EXTS = new Set(['.jinja2', '.j2', '.jinja', '.prompt', '.mustache', '.hbs']);
const STRUCTURED_EXTS = new Set(['.yaml', '.yml', '.json', '.toml']);
const TEXT_EXTS = new Set(['.md', '.txt']);
/** Files every repository has that are documentation, not prompts, whatever `{{ }}` they show. */
const DOC_NAMES = /^(readme|changelog|changes|license|licence|contributing|code_of_conduct|security|support|agents|claude|notice|authors|history)\b/i;
const TRAINER_OUTPUTS = new Set(['trainer_state.json', 'all_results.json', 'train_results.json', 'eval_results.json']);
const HF_FOLDER_FILES = new Set(['config.json', 'generation_config.json', 'adapter_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model', 'vocab.json', 'merges.txt', 'added_tokens.json']);
const TEMPLATE_VARIABLE = /\{\{-?\s*([A-Za-z_][\w]*)[\w.[\]'"]*\s*(?:\|[^}]*)?-?\}\}|\{%-?\s*(?:for|if|set|include|macro)\b/g;

/** What a template renders when its name says so: `nginx.conf.j2`, `index.html.jinja`, `values.yaml.j2`. */
const CODE_EXTS = /\.(html?|xml|ya?ml|json|toml|ini|cfg|conf|py|sh|bash|js|ts|css|sql|tf|service|env|in)$/i;
/** A first line that starts a Dockerfile, a script or a markup document, not text for a model. */
const CODE_FIRST_LINE = /^(?:FROM|RUN|ARG|COPY|ENV|WORKDIR)\s|^#!|^<(?:!doctype|html|\?xml)/i;

/**
 * Whether a template file (`.jinja`, `.j2`, …) renders code, configuration or documentation (a
 * README template) rather than a prompt: by the name without its template extension (`Dockerfile-uv`, `deploy.yaml`), else by its first
 * line that is not a template tag or comment. Chat templates (`{% for message in messages %}`) and
 * prompt text are prompts.
 */
function rendersCode(stem: string, head: () => string | undefined): boolean {
	if (/^dockerfile|^makefile$/i.test(stem) || CODE_EXTS.test(stem) || DOC_NAMES.test(stem)) return true;
	const first = head()
		?.split('\n')
		.map((line) => line.trim())
		.find((line) => line !== '' && !/^\{[%#{]/.test(line));
	return first !== undefined && CODE_FIRST_LINE.test(first);
}

/** Folders holding a Hugging Face model: a `config.json` beside weights or an adapter. */
export function huggingFaceFolders(files: string[]): Set<string> {
	const byDir = new Map<string, Set<string>>();
	for (const file of files) {
		const slash = file.lastIndexOf('/');
		const dir = slash < 0 ? '' : file.slice(0, slash);
		const set = byDir.get(dir) ?? new Set<string>();
		set.add(file.slice(slash + 1));
		byDir.set(dir, set);
	}
	const folders = new Set<string>();
	for (const [dir, names] of byDir) {
		const hasWeights = [...names].some((n) => n.endsWith('.safetensors'));
		if ((names.has('config.json') && (hasWeights || names.has('tokenizer.json') || names.has('tokenizer_config.json'))) || names.has('adapter_config.json')) folders.add(dir);
	}
	return folders;
}

/** What one file is, or undefined when it is nothing init versions (code, data, docs, assets). */
export function classify(path: string, scan: LayoutScan, hfFolders: Set<string>): Finding | undefined {
	const slash = path.lastIndexOf('/');
	const dir = slash < 0 ? '' : path.slice(0, slash);
	const name = path.slice(slash + 1);
	const lower = name.toLowerCase();
	const dot = lower.lastIndexOf('.');
	const ext = dot > 0 ? lower.slice(dot) : '';
	const segments = dir.toLowerCase().split('/');
	const inPrompts = segments.some((s) => s === 'prompts' || s === 'prompt' || s === 'prompt_templates' || s === 'templates_prompts');
	const inEval = segments.some((s) => /^evals?$|^evaluation/.test(s) || s === 'eval_results' || s === 'results');

	if (lower === 'flow.dag.yaml' || lower === 'flow.flex.yaml') return { path, role: 'params', reason: `prompt flow definition (${lower}: nodes, connections, model settings)`, flow: true };
	if (ext === '.prompty') return { path, role: 'prompts', reason: 'Prompty template (.prompty)' };
	if (TEMPLATE_EXTS.has(ext)) return rendersCode(name.slice(0, dot), () => scan.head(path)) ? undefined : { path, role: 'prompts', reason: `template file (${ext})` };
	if (ext === '.dvc' || lower === 'dvc.lock') return { path, role: 'data', reason: 'DVC data reference' };
	if (ext === '.safetensors') return { path, role: 'weights', reason: 'safetensors weights' };
	if (TRAINER_OUTPUTS.has(lower)) return { path, role: 'metrics', reason: `Hugging Face trainer output (${lower})` };
	if (hfFolders.has(dir) && HF_FOLDER_FILES.has(lower)) return { path, role: 'other', reason: `Hugging Face model folder file (${lower})` };

	const words = nameWords(name.slice(0, dot > 0 ? dot : undefined));
	if (TEXT_EXTS.has(ext)) {
		if (DOC_NAMES.test(name)) return undefined;
		if (words.some((w) => w.startsWith('prompt'))) return { path, role: 'prompts', reason: 'prompt by its name (*prompt*)' };
		if (lower === 'skprompt.txt') return { path, role: 'prompts', reason: 'Semantic Kernel prompt (skprompt.txt)' };
		if (inPrompts) return { path, role: 'prompts', reason: 'in a prompts/ folder' };
		const head = scan.head(path);
		const vars = head ? templateVariables(head) : [];
		if (vars.length > 0) return { path, role: 'prompts', reason: `text with template variables (${vars.slice(0, 4).join(', ')})` };
		return undefined;
	}
	if (!STRUCTURED_EXTS.has(ext)) return undefined;
	if (inPrompts) return { path, role: 'prompts', reason: 'in a prompts/ folder' };
	if (ext === '.json' && /^(metrics|scores)/.test(lower)) return { path, role: 'metrics', reason: 'metrics file by its name' };
	if (ext === '.json' && /results/.test(lower)) return { path, role: 'metrics', reason: 'results file by its name' };
	const head = scan.head(path);
	const keys = head ? keysOf(head) : new Set<string>();
	const training = [...keys].filter((k) => TRAINING_KEYS.has(k));
	const inference = [...keys].filter((k) => INFERENCE_KEYS.has(k));
	const evalTask = [...keys].filter((k) => EVAL_TASK_KEYS.has(k));
	// `task` with `include` (a task reusing a family's template), `group` (a group of tasks) or `class` (a task in Python) is the format too.
	if (evalTask.length >= 2 && (evalTask.some((k) => EVAL_TASK_SPECIFIC.has(k)) || (keys.has('task') && (keys.has('include') || keys.has('group') || keys.has('class'))))) {
		return { path, role: 'prompts', reason: `evaluation task config: ${[...evalTask.filter((k) => EVAL_TASK_SPECIFIC.has(k)), ...evalTask.filter((k) => !EVAL_TASK_SPECIFIC.has(k))].slice(0, 3).join(', ')}`, evalTask: true };
	}
	// crewAI: `config/agents.yaml` (each agent's role, goal and backstory) and `config/tasks.yaml` (each
	// task's description and expected output) are the crew's prompts, with `{topic}` fields.
	if (keys.has('role') && keys.has('goal') && keys.has('backstory')) return { path, role: 'prompts', reason: 'crewAI agents: role, goal, backstory', crew: true };
	if (keys.has('description') && keys.has('expected_output')) return { path, role: 'prompts', reason: 'crewAI tasks: description, expected_output', crew: true };
	// LangChain's saved prompts (`_type: prompt`, `input_variables`, `template`).
	if (keys.has('input_variables') && (keys.has('template') || keys.has('messages'))) return { path, role: 'prompts', reason: 'LangChain prompt: input_variables, template' };
	// openai/evals' registry: an eval named by its Python class with its arguments and samples.
	if (keys.has('class') && keys.has('args') && (keys.has('samples_jsonl') || keys.has('metrics'))) {
		return { path, role: 'prompts', reason: `evaluation config: class, args${keys.has('samples_jsonl') ? ', samples_jsonl' : ', metrics'}`, evalTask: true };
	}
	if (training.length >= 2 && training.length >= inference.length) return { path, role: 'params', reason: `training keys: ${training.slice(0, 4).join(', ')}`, training: true };
	const promptKey = head ? PROMPT_KEY_LINE.exec(head) : null;
	if (promptKey) return { path, role: 'prompts', reason: `holds a prompt's text (${promptKey[1] ?? promptKey[2]}:)` };
	if (inference.length >= 2) return { path, role: 'rag', reason: `inference/RAG keys: ${inference.slice(0, 4).join(', ')}` };
	// By whole words of the name: `rag_config`, `retriever`, `train_lora`, `hparams`; never `paragraph`, `average` or `constraints`.
	if (words.some((w) => w === 'rag' || w.startsWith('retriev'))) return { path, role: 'rag', reason: 'RAG config by its name' };
	if (words.some((w) => /^(pre)?train(ing|er)?$|^fine-?tun(e|ing)$|^(sft|dpo|orpo|kto|ppo|grpo)$|^h?params$|^hyperparam(eter)?s$/.test(w)) && keys.size > 0) return { path, role: 'params', reason: 'training config by its name' };
	if (ext === '.json' && inEval && words.some((w) => /^(summary|scores?|metrics?)$/.test(w))) return { path, role: 'metrics', reason: 'evaluation summary' };
	return undefined;
}

/** The lower-cased words of a file name without its extension: split at `_ - . ` and camelCase humps (`ragConfig` → rag, config). */
export function nameWords(stem: string): string[] {
	return stem
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
}

/** Key names of a YAML, JSON or TOML head (any depth), lower-cased. */
export function keysOf(text: string): Set<string> {
	const keys = new Set<string>();
	const add = (k: string) => keys.add(k.toLowerCase());
	for (const m of text.matchAll(/^[ \t]*(?:-[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*:(?:[ \t]|$)/gm)) add(m[1]);
	for (const m of text.matchAll(/"([A-Za-z_][\w.-]*)"\s*:/g)) add(m[1]);
	for (const m of text.matchAll(/^[ \t]*([A-Za-z_][\w.-]*)[ \t]*=/gm)) add(m[1]);
	return keys;
}

/** Jinja/Mustache variables (`{{ question }}`) and whether statements are present, in first-seen order. */
export function templateVariables(text: string): string[] {
	const names: string[] = [];
	for (const m of text.matchAll(TEMPLATE_VARIABLE)) {
		const name = m[1] ?? '{% … %}';
		if (!names.includes(name)) names.push(name);
	}
	return names;
}
