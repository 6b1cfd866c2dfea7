// The pull-request review of examples/ci/github-actions.yml, run as CI would: a team repository whose
// base branch has production set (manifests and events committed, objects pushed to a shared-folder
// remote), a head branch that changes a prompt, a config and the metrics, and a fresh clone of the
// merge (no local cache) in which the workflow's own `run:` scripts are executed with bash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { copyExampleWorkspace, git, isolatedGitEnv, makeTempDir, removeDir, repoRoot } from './fixtures';
import { parseTables } from './markdownTables';

const CLI = join(repoRoot(), 'dist', 'cli.js');
const WORKFLOW = join(repoRoot(), 'examples', 'ci', 'github-actions.yml');
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

interface Step {
	id?: string;
	run?: string;
	env?: Record<string, string>;
}

function cli(cwd: string, ...args: string[]): string {
	const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: isolatedGitEnv(), encoding: 'utf8' });
	assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

/** A `model-ledger` on PATH that runs this build, as `npm install --global` would provide. */
function cliShim(): string {
	const bin = makeTempDir('bin');
	dirs.push(bin);
	const shim = join(bin, 'model-ledger');
	writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
	chmodSync(shim, 0o755);
	return bin;
}

function editJson(file: string, changes: Record<string, number>): void {
	writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), ...changes }, null, 2) + '\n');
}

describe('the pull-request workflow in a real repository', () => {
	test('snapshot the head, check it against production, and write a Markdown report of the change', () => {
		const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { env: Record<string, string>; jobs: { review: { steps: Step[] } } };
		const steps = workflow.jobs.review.steps.filter((s) => s.id);
		assert.deepEqual(
			steps.map((s) => s.id),
			['snapshot', 'check', 'report'],
		);

		// The team's repository: base branch with a gate, v1 approved, staged and in production.
		const origin = copyExampleWorkspace();
		dirs.push(origin);
		const remote = makeTempDir('remote');
		dirs.push(remote);
		const config = join(origin, 'model-ledger.yaml');
		writeFileSync(
			config,
			readFileSync(config, 'utf8').replace(
				'    protected_aliases: [production]\n',
				'    protected_aliases: [production]\n    gates:\n      production:\n        require: [approved, clean]\n        metrics:\n          faithfulness: { min: 0.8, max_drop: 0.02 }\n          latency_p95_ms: { max_rise: "10%" }\n',
			) + `remotes:\n  team:\n    url: file://${remote}\n`,
		);
		git(origin, 'commit', '-qam', 'gate production');
		cli(origin, 'snapshot', 'support-bot', '-m', 'baseline');
		cli(origin, 'approve', 'support-bot@1', '-m', 'eval reviewed');
		cli(origin, 'alias', 'set', 'support-bot@1', 'production');
		cli(origin, 'push');
		git(origin, 'add', '-A');
		git(origin, 'commit', '-qm', 'support-bot v1 in production');

		// The pull request: a head branch that changes a prompt, the RAG config and the eval results.
		git(origin, 'checkout', '-qb', 'cite-sources');
		writeFileSync(join(origin, 'prompts', 'system.md'), readFileSync(join(origin, 'prompts', 'system.md'), 'utf8') + '\nCite {{article_url}} for every answer.\n');
		const rag = join(origin, 'config', 'rag.yaml');
		writeFileSync(rag, readFileSync(rag, 'utf8').replace('top_k: 8', 'top_k: 12'));
		editJson(join(origin, 'eval', 'metrics.json'), { faithfulness: 0.86, latency_p95_ms: 2300 });
		git(origin, 'commit', '-qam', 'cite sources');
		git(origin, 'checkout', '-q', 'main');

		// CI: a fresh clone (no .model-ledger/cache) of the merge of head into base.
		const ci = join(makeTempDir('ci'), 'repo');
		dirs.push(join(ci, '..'));
		git(join(ci, '..'), 'clone', '-q', origin, ci);
		git(ci, 'config', 'user.name', 'CI');
		git(ci, 'config', 'user.email', 'ci@example.com');
		git(ci, 'checkout', '-q', '-b', 'pull/1/merge');
		git(ci, 'merge', '-q', '--no-ff', '-m', 'Merge cite-sources into main', 'origin/cite-sources');

		const output = join(ci, '..', 'github-output');
		const summary = join(ci, '..', 'step-summary');
		writeFileSync(output, '');
		const env = {
			...isolatedGitEnv(),
			...workflow.env,
			PATH: `${cliShim()}:${process.env.PATH}`,
			GITHUB_OUTPUT: output,
			GITHUB_STEP_SUMMARY: summary,
			PR_NUMBER: '1',
			PR_AUTHOR: 'ana',
		};
		for (const step of steps) {
			const r = spawnSync('bash', ['-e', '-c', step.run!], { cwd: ci, env, encoding: 'utf8' });
			assert.equal(r.status, 0, `step ${step.id}: ${r.stderr}`);
		}

		// The gate: faithfulness fell by 0.05 (> 0.02) and latency rose 25% (> 10%).
		assert.match(readFileSync(output, 'utf8'), /^exit=1$/m);
		const gate = JSON.parse(readFileSync(join(ci, 'gate.json'), 'utf8')) as { pass: boolean; version: { number: number }; against: { number: number }; rules: Array<{ rule: string; pass: boolean }> };
		assert.equal(gate.pass, false);
		assert.deepEqual([gate.version.number, gate.against.number], [2, 1]);
		assert.deepEqual(
			gate.rules.filter((r) => !r.pass).map((r) => r.rule),
			['require approved', 'faithfulness max_drop', 'latency_p95_ms max_rise'],
		);

		const report = readFileSync(join(ci, 'report.md'), 'utf8');
		assert.equal(readFileSync(summary, 'utf8'), report, 'the report is also the job summary');
		const tables = parseTables(report);
		const metrics = tables.find((t) => t.header[0] === 'Metric');
		assert.deepEqual(metrics?.rows, [
			['faithfulness', '0.91', '0.86', '▼ −0.05 (−5.5%) worse'],
			['latency_p95_ms', '1840', '2300', '▲ +460 (+25.0%) worse'],
		]);
		const params = tables.find((t) => t.header[1] === 'Param');
		assert.deepEqual(params?.rows, [['config/rag.yaml', 'retriever.top_k', '8', '12']]);
		const prompts = tables.find((t) => t.header[0] === 'Prompt');
		assert.deepEqual(prompts?.rows, [['prompts/system.md', 'changed', '+2 −0', '+article_url']]);
		const files = tables.find((t) => t.header[1] === 'Path');
		assert.deepEqual(files?.rows.map((r) => [r[0], r[1]]), [
			['modified', 'config/rag.yaml'],
			['modified', 'eval/metrics.json'],
			['modified', 'prompts/system.md'],
		]);
		const rules = tables.find((t) => t.header[0] === 'Rule');
		assert.deepEqual(rules?.rows.map((r) => [r[0], r[1]]), [
			['require approved', '❌ fail'],
			['require clean', '✅ pass'],
			['faithfulness min', '✅ pass'],
			['faithfulness max_drop', '❌ fail'],
			['latency_p95_ms max_rise', '❌ fail'],
		]);
		assert.match(report, /\+Cite \{\{article_url\}\} for every answer\./, 'the changed prompt line, pulled from the remote');
		assert.doesNotMatch(report, /^> /m, 'no warnings: the base version\'s objects came from the remote');
	});
});
