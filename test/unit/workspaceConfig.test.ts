import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import type { ParseError } from '../../src/core/errors';
import { parseWorkspaceConfig } from '../../src/core/parse/workspaceConfig';
import { collectModelFiles, modelMatcher } from '../../src/core/snapshot/workspaceFiles';
import { makeTempDir, parseErrorOf, removeDir, writeFile } from './fixtures';

function parseError(text: string): ParseError {
	return parseErrorOf(() => parseWorkspaceConfig(text));
}

describe('model-ledger.yaml', () => {
	test('reads roles, globs, strategy, metric directions and protected aliases', () => {
		const config = parseWorkspaceConfig(
			[
				'models:',
				'  bot:',
				'    versioning: hybrid',
				'    prompts: [prompts/**/*.md, extra/*.txt]',
				'    rag: config/rag.yaml',
				'    metrics:',
				'      file: eval/metrics.json',
				'      higher_is_better: [faithfulness]',
				'      lower_is_better: [latency_ms]',
				'    protected_aliases: [production]',
				'  other-model:',
				'    weights: w/*.safetensors',
			].join('\n'),
		);
		assert.equal(config.models.length, 2);
		const [bot, other] = config.models;
		assert.equal(bot.name, 'bot');
		assert.equal(bot.versioning, 'hybrid');
		assert.deepEqual(bot.globs.prompt, ['prompts/**/*.md', 'extra/*.txt']);
		assert.deepEqual(bot.globs.rag, ['config/rag.yaml']);
		assert.deepEqual(bot.globs.metrics, ['eval/metrics.json']);
		assert.deepEqual(bot.metricsDirection, { higherIsBetter: ['faithfulness'], lowerIsBetter: ['latency_ms'] });
		assert.deepEqual(bot.protectedAliases, ['production']);
		assert.equal(bot.line, 2);
		assert.equal(other.versioning, 'semver', 'semver is the default strategy');
		assert.deepEqual(other.globs.weights, ['w/*.safetensors']);
	});

	test('malformed YAML names file, line and column', () => {
		const err = parseError('models:\n  bot:\n    prompts: "unclosed\n    rag: x\n');
		assert.equal(err.location?.file, 'model-ledger.yaml');
		assert.ok(err.location?.line !== undefined && err.location.line >= 3, `line ${err.location?.line}`);
		assert.match(err.toString(), /^model-ledger\.yaml:\d+:\d+: invalid YAML/);
		assert.ok(err.fix);
	});

	test('unknown keys are reported with their line, not ignored', () => {
		const err = parseError('models:\n  bot:\n    prompts: p/*.md\n    promts: q/*.md\n');
		assert.equal(err.location?.line, 4);
		assert.equal(err.location?.column, 5);
		assert.match(err.message, /unknown key `promts`/);
		const top = parseError('models:\n  bot:\n    prompts: p/*.md\nmodel: x\n');
		assert.equal(top.location?.line, 4);
		assert.match(top.message, /unknown top-level key `model`/);
	});

	test('invalid strategy, model name, empty model and escaping globs are refused', () => {
		assert.match(parseError('models:\n  bot:\n    versioning: calver\n    prompts: p\n').message, /versioning/);
		assert.match(parseError('models:\n  ../evil:\n    prompts: p\n').message, /invalid model name/);
		assert.match(parseError('models:\n  a/b:\n    prompts: p\n').message, /invalid model name/);
		assert.match(parseError('models:\n  bot:\n    versioning: git\n').message, /lists no files/);
		assert.match(parseError('models:\n  bot:\n    prompts: ../outside/*.md\n').message, /leaves the workspace/);
		assert.match(parseError('models:\n  bot:\n    prompts: /etc/passwd\n').message, /absolute/);
		assert.match(parseError('models:\n  bot:\n    prompts: [1, {a: b}]\n').message, /must list strings/);
		assert.match(parseError('- just\n- a list\n').message, /mapping/);
	});

	test('`!glob` takes files out of a role; a role of exclusions only, or one that escapes, is refused', () => {
		const config = parseWorkspaceConfig('models:\n  recipes:\n    params: [examples/**/*.yaml, "!examples/cloud/**"]\n');
		assert.deepEqual(config.models[0].globs.params, ['examples/**/*.yaml', '!examples/cloud/**']);
		const onlyExcludes = parseError('models:\n  recipes:\n    params: ["!examples/cloud/**"]\n');
		assert.match(onlyExcludes.message, /only excludes files/);
		assert.equal(onlyExcludes.location?.line, 3);
		assert.match(parseError('models:\n  bot:\n    prompts: [p/*.md, "!../x"]\n').message, /leaves the workspace/);
		assert.match(parseError('models:\n  bot:\n    prompts: [p/*.md, "!/etc/x"]\n').message, /absolute/);
		assert.match(parseError('models:\n  bot:\n    prompts: [p/*.md, "!"]\n').message, /is empty/);
	});

	test('exclusions apply to what snapshot collects and to what the model is said to track', () => {
		const root = makeTempDir('exclude');
		try {
			for (const f of ['examples/llama/qlora.yaml', 'examples/cloud/modal.yaml', 'examples/cloud/gpu/big.yaml', 'examples/phi/fft.yml']) writeFile(root, f, 'lr: 1\n');
			const config = parseWorkspaceConfig('models:\n  recipes:\n    params: [examples/**/*.yaml, "!examples/cloud/**"]\n    other: examples/**/*.yml\n');
			const model = config.models[0];
			assert.deepEqual(collectModelFiles(root, model).files, [
				{ path: 'examples/llama/qlora.yaml', role: 'params' },
				{ path: 'examples/phi/fft.yml', role: 'other' },
			]);
			const tracks = modelMatcher(model);
			assert.equal(tracks('examples/llama/qlora.yaml'), true);
			assert.equal(tracks('examples/cloud/modal.yaml'), false, 'restore may not write an excluded path');
			assert.equal(tracks('examples/cloud/gpu/big.yaml'), false);
		} finally {
			removeDir(root);
		}
	});

	test('a missing file is a LedgerError that says to run init', async () => {
		const { loadWorkspaceConfig } = await import('../../src/core/parse/workspaceConfig');
		assert.throws(() => loadWorkspaceConfig('/nonexistent-folder-for-test'), (err: unknown) => err instanceof LedgerError && /init/.test(err.fix ?? ''));
	});
});
