// The example workspace is what tests, the demo and new users start from: every file in it must be
// what its role says, consistent with the others, and reproducible from the weights script.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { parseDvcFile, parseDvcLock } from '../../src/core/snapshot/dataRefs';
import { findLockfiles } from '../../src/core/snapshot/lockfiles';
import { extractPromptVariables } from '../../src/core/parse/promptVariables';
import { readSafetensorsHeader } from '../../src/core/parse/safetensors';
import { flattenValues, isStructuredPath, parseStructured } from '../../src/core/parse/structuredFiles';
import { looksBinary } from '../../src/core/parse/textContent';
import { loadWorkspaceConfig } from '../../src/core/parse/workspaceConfig';
import { copyExampleWorkspace, exampleWorkspacePath, git, makeTempDir, removeDir, writeExampleAdapter, writeFile } from './fixtures';

const example = exampleWorkspacePath();
const read = (rel: string): string => readFileSync(join(example, rel), 'utf8');
const allFiles = globSync(['**/*'], { cwd: example, dot: true, ignore: ['.model-ledger/cache/**'] }).sort();

const temps: string[] = [];
after(() => temps.forEach(removeDir));

describe('example workspace: files', () => {
	test('every structured file parses and flattens to at least one key', () => {
		const structured = allFiles.filter(isStructuredPath);
		assert.ok(structured.length >= 8, `only ${structured.length} structured files`);
		for (const rel of structured) {
			const flat = flattenValues(parseStructured(rel, read(rel)));
			assert.ok(Object.keys(flat).length > 0, `${rel} flattened to nothing`);
		}
	});

	test('every file except the weights is UTF-8 text', () => {
		for (const rel of allFiles) {
			const binary = looksBinary(readFileSync(join(example, rel)));
			assert.equal(binary, rel.endsWith('.safetensors'), rel);
		}
	});

	test('model-ledger.yaml declares both models, and every glob matches a file', () => {
		const config = loadWorkspaceConfig(example);
		assert.deepEqual(config.models.map((m) => [m.name, m.versioning]), [['support-bot', 'semver'], ['reranker', 'hybrid']]);
		for (const model of config.models) {
			for (const [role, globs] of Object.entries(model.globs)) {
				for (const glob of globs ?? []) {
					assert.ok(globSync([glob], { cwd: example }).length > 0, `${model.name} ${role}: ${glob} matches nothing`);
				}
			}
		}
		const bot = config.models[0];
		assert.deepEqual(bot.metricsDirection.lowerIsBetter, ['latency_p95_ms', 'cost_per_1k_usd', 'eval_loss']);
		const metrics = flattenValues(parseStructured('eval/metrics.json', read('eval/metrics.json')));
		for (const key of [...bot.metricsDirection.higherIsBetter, ...bot.metricsDirection.lowerIsBetter]) {
			assert.equal(typeof metrics[key], 'number', `metric ${key} declared in model-ledger.yaml but not a number in eval/metrics.json`);
		}
	});

	test('RAG, training and reranker params have the keys the README promises', () => {
		const rag = flattenValues(parseStructured('config/rag.yaml', read('config/rag.yaml')));
		assert.equal(rag['retriever.top_k'], 8);
		assert.equal(rag['retriever.chunk_size'], 512);
		assert.equal(rag['retriever.chunk_overlap'], 64);
		assert.equal(rag['retriever.embedding_model'], 'text-embedding-3-small');
		assert.equal(rag['generation.stop'], '[]');
		const train = flattenValues(parseStructured('config/train.yaml', read('config/train.yaml')));
		assert.deepEqual([train['lora.r'], train['lora.alpha'], train['lora.dropout'], train['training.learning_rate'], train['training.epochs']], [8, 16, 0.05, 0.0002, 3]);
		assert.deepEqual([train['lora.target_modules[0]'], train['lora.target_modules[1]']], ['q_proj', 'v_proj']);
		const reranker = flattenValues(parseStructured('config/reranker.toml', read('config/reranker.toml')));
		assert.equal(reranker['training.learning_rate'], 3e-5);
		assert.equal(reranker['training.started_at'], '2026-11-20T09:15:00.000Z');
		assert.equal(reranker['eval.datasets[1].name'], 'support-queries-2026-11');
	});

	test('prompt templates expose their variables', () => {
		const expected: Record<string, string[]> = {
			'prompts/system.md': ['company_name', 'current_date', 'product_name', 'support_hours', 'tone'],
			'prompts/answer.md': ['conversation_summary', 'documents', 'language', 'question'],
			'prompts/handoff.md': ['agent_name', 'customer', 'handoff_reason', 'open_tickets'],
			'prompts/followup/clarify.md': ['best_score', 'best_title', 'product_area', 'question'],
		};
		assert.deepEqual(allFiles.filter((f) => f.startsWith('prompts/')), Object.keys(expected).sort());
		for (const [rel, variables] of Object.entries(expected)) assert.deepEqual(extractPromptVariables(read(rel)), variables, rel);
	});

	test('data references: the corpus pointer and the reranker pipeline lock', () => {
		assert.deepEqual(parseDvcFile('data/corpus.dvc', read('data/corpus.dvc')), [
			{ source: 'data/corpus.dvc', path: 'data/corpus', md5: '3f6c2a9e8b1d4c7f0a5e6b2d9c8f1a47.dir', size: 48213377, nfiles: 1284, kind: 'out' },
		]);
		const lock = parseDvcLock('dvc.lock', read('dvc.lock'));
		assert.deepEqual(lock.map((ref) => [ref.kind, ref.path]), [['out', 'data/reranker-pairs.jsonl'], ['dep', 'data/corpus'], ['dep', 'scripts/build_pairs.py']]);
		// The lock must describe the script as committed, or `dvc status` would call the stage changed.
		const script = readFileSync(join(example, 'scripts/build_pairs.py'));
		const scriptRef = lock.find((ref) => ref.path === 'scripts/build_pairs.py');
		assert.equal(scriptRef?.md5, createHash('md5').update(script).digest('hex'));
		assert.equal(scriptRef?.size, script.length);
		assert.equal(lock.find((ref) => ref.path === 'data/corpus')?.md5, '3f6c2a9e8b1d4c7f0a5e6b2d9c8f1a47.dir');
	});

	test('requirements.txt is the only lockfile', () => {
		assert.deepEqual(findLockfiles(example), ['requirements.txt']);
	});
});

describe('example workspace: adapter weights', () => {
	const weights = 'checkpoints/adapter/adapter_model.safetensors';

	test('the header lists eight rank-8 LoRA tensors and PEFT metadata', () => {
		const summary = readSafetensorsHeader(join(example, weights), weights);
		assert.deepEqual(summary.metadata, { format: 'pt' });
		const names = Object.keys(summary.tensors);
		assert.equal(names.length, 8);
		for (const name of names) {
			assert.match(name, /^base_model\.model\.model\.layers\.[01]\.self_attn\.[qv]_proj\.lora_[AB]\.weight$/);
			assert.equal(summary.tensors[name].dtype, 'F32');
			assert.deepEqual(summary.tensors[name].shape, name.includes('lora_A') ? [8, 64] : [64, 8]);
		}
	});

	test('the adapter agrees with train.yaml and adapter_config.json', () => {
		const train = flattenValues(parseStructured('config/train.yaml', read('config/train.yaml')));
		const peft = flattenValues(parseStructured('checkpoints/adapter/adapter_config.json', read('checkpoints/adapter/adapter_config.json')));
		assert.equal(peft.r, train['lora.r']);
		assert.equal(peft.lora_alpha, train['lora.alpha']);
		assert.equal(peft.base_model_name_or_path, train.base_model);
	});

	test('the committed file is exactly what the script writes with its defaults', () => {
		const out = makeTempDir('weights');
		temps.push(out);
		const regenerated = readFileSync(writeExampleAdapter(out));
		assert.ok(regenerated.equals(readFileSync(join(example, weights))), 'scripts/makeExampleWeights.mjs no longer reproduces the committed adapter; rerun it and commit the result');
		assert.equal(readFileSync(join(out, 'adapter_config.json'), 'utf8'), read('checkpoints/adapter/adapter_config.json'));
	});
});

describe('copyExampleWorkspace', () => {
	test('makes a committed git repository on main with the test identity', () => {
		const dir = copyExampleWorkspace();
		temps.push(dir);
		assert.equal(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
		assert.equal(git(dir, 'status', '--porcelain'), '');
		assert.equal(git(dir, 'log', '-1', '--format=%an <%ae>'), 'Test User <test@example.com>');
		const tracked = git(dir, 'ls-files').split('\n').sort();
		assert.deepEqual(tracked, allFiles);
	});

	test('without git, copies files only', () => {
		const dir = copyExampleWorkspace({ git: false });
		temps.push(dir);
		assert.equal(existsSync(join(dir, '.git')), false);
		assert.equal(readFileSync(join(dir, 'model-ledger.yaml'), 'utf8'), read('model-ledger.yaml'));
	});

	test('leaves out .model-ledger/cache but keeps the rest of .model-ledger', () => {
		const source = copyExampleWorkspace({ git: false });
		temps.push(source);
		writeFile(source, '.model-ledger/cache/index.db', 'sqlite');
		writeFile(source, '.model-ledger/cache/objects/sha256/ab/cdef', 'blob');
		writeFile(source, '.model-ledger/versions/support-bot/abc.yaml', 'schema: 1\n');
		writeFile(source, 'notes/cache/keep.txt', 'a folder named cache elsewhere is copied');
		const copy = copyExampleWorkspace({ from: source });
		temps.push(copy);
		assert.equal(existsSync(join(copy, '.model-ledger/cache')), false);
		assert.equal(readFileSync(join(copy, '.model-ledger/versions/support-bot/abc.yaml'), 'utf8'), 'schema: 1\n');
		assert.equal(existsSync(join(copy, 'notes/cache/keep.txt')), true);
		assert.equal(git(copy, 'status', '--porcelain'), '');
	});
});
