// Release gates end to end through the built CLI on a real ledger in a real git repository:
// config validation, `check` with each rule kind, the refused move, the override event, rollback,
// `alias history`, `--at` before and after a move, and the Markdown report parsed back as tables.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import MarkdownIt from 'markdown-it';
import { parseTime } from '../../src/core/lifecycle/aliasTimeline';
import { parseWorkspaceConfig } from '../../src/core/parse/workspaceConfig';
import { copyExampleWorkspace, git, parseErrorOf, removeDir, runCli } from './fixtures';
import { parseTables } from './markdownTables';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const run = runCli;

function ok(cwd: string, ...args: string[]): string {
	const r = run(cwd, ...args);
	assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

const GATE = `    gates:
      production:
        require: [approved, clean, staging]
        metrics:
          context_recall: { min: 0.6, max_drop: 0.02 }
          latency_p95_ms: { max: 2500, max_rise: "10%" }
`;

/** The example workspace with a production gate, committed; v1 made, approved, staged and released. */
function gatedWorkspace(): string {
	const dir = copyExampleWorkspace();
	dirs.push(dir);
	const config = join(dir, 'model-ledger.yaml');
	writeFileSync(config, readFileSync(config, 'utf8').replace('    protected_aliases: [production]\n', `    protected_aliases: [production]\n${GATE}`));
	git(dir, 'commit', '-qam', 'gate production');
	ok(dir, 'snapshot', 'support-bot', '-m', 'v1');
	ok(dir, 'approve', 'support-bot@1', '-m', 'reviewed');
	ok(dir, 'alias', 'set', 'support-bot@1', 'staging');
	ok(dir, 'alias', 'set', 'support-bot@1', 'production');
	return dir;
}

function setMetrics(dir: string, changes: Record<string, number | null>): void {
	const file = join(dir, 'eval', 'metrics.json');
	const metrics = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
	for (const [k, v] of Object.entries(changes)) {
		if (v === null) delete metrics[k];
		else metrics[k] = v;
	}
	writeFileSync(file, JSON.stringify(metrics, null, 2) + '\n');
}

interface CheckJson {
	model: string;
	version: { number: number; digest: string };
	gate: string;
	against: { number: number } | null;
	pass: boolean;
	rules: Array<{ rule: string; pass: boolean; actual: unknown; expected: string; detail: string }>;
}

function check(dir: string, ref: string): { code: number; result: CheckJson; text: string } {
	const r = run(dir, 'check', `support-bot@${ref}`, '--gate', 'production', '--json');
	const text = run(dir, 'check', `support-bot@${ref}`, '--gate', 'production');
	return { code: r.code, result: JSON.parse(r.stdout) as CheckJson, text: text.stdout };
}

function rule(result: CheckJson, name: string) {
	const found = result.rules.find((r) => r.rule === name);
	assert.ok(found, `rule ${name} in ${result.rules.map((r) => r.rule).join(', ')}`);
	return found;
}

describe('gates in model-ledger.yaml', () => {
	const base = 'models:\n  bot:\n    prompts: p/*.md\n    gates:\n';
	test('a valid gate parses every rule kind', () => {
		const config = parseWorkspaceConfig(`${base}      production:\n        require: [approved, clean, staging]\n        metrics:\n          recall_at_5: { min: 0.6, max_drop: 0.02 }\n          latency_ms: { max: 1000, max_rise: "10%" }\n`);
		const [gate] = config.models[0].gates;
		assert.equal(gate.alias, 'production');
		assert.deepEqual(gate.require, [{ kind: 'approved' }, { kind: 'clean' }, { kind: 'held', alias: 'staging' }]);
		assert.deepEqual(gate.metrics, [
			{ metric: 'recall_at_5', min: 0.6, maxDrop: { absolute: 0.02 } },
			{ metric: 'latency_ms', max: 1000, maxRise: { percent: 10 } },
		]);
		assert.equal(config.models[0].releaseAlias, 'production');
	});

	test('mistakes are errors with file, line and column', () => {
		const cases: Array<[string, number, number, RegExp]> = [
			[`${base}      production:\n        requires: [approved]\n`, 6, 9, /unknown key `requires` in the gate of `production`/],
			[`${base}      production:\n        metrics:\n          recall: { min: 0.6, max_dorp: 0.1 }\n`, 7, 31, /unknown key `max_dorp` in the rule for `recall`/],
			[`${base}      production:\n        metrics:\n          recall: { min: high }\n`, 7, 26, /`min` of `recall` must be a number/],
			[`${base}      production:\n        metrics:\n          latency: { max_rise: "ten%" }\n`, 7, 32, /must be a non-negative number or a percentage/],
			[`${base}      production:\n        require: [approved, Signed]\n`, 6, 29, /lists `Signed`/],
			[`${base}      Prod:\n        require: [approved]\n`, 5, 7, /invalid alias name `Prod`/],
			[`${base}      production: {}\n`, 5, 7, /the gate of `production` has no rules/],
		];
		for (const [text, line, column, message] of cases) {
			const err = parseErrorOf(() => parseWorkspaceConfig(text));
			assert.match(err.message, message);
			assert.deepEqual([err.location?.file, err.location?.line, err.location?.column], ['model-ledger.yaml', line, column], `${err.message} at ${JSON.stringify(err.location)}`);
			assert.ok(err.fix, 'says what to do');
		}
	});
});

describe('check, alias set and overrides through the CLI', () => {
	test('a passing check lists every rule kind with its values and exits 0', () => {
		const dir = gatedWorkspace();
		setMetrics(dir, { context_recall: 0.81, latency_p95_ms: 1900 });
		git(dir, 'commit', '-qam', 'small regression within limits');
		ok(dir, 'snapshot', 'support-bot', '-m', 'v2');
		ok(dir, 'approve', 'support-bot@2', '-m', 'ok');
		ok(dir, 'alias', 'set', 'support-bot@2', 'staging');
		const { code, result, text } = check(dir, '2');
		assert.equal(code, 0, text);
		assert.equal(result.pass, true);
		assert.equal(result.against?.number, 1);
		assert.deepEqual(
			result.rules.map((r) => [r.rule, r.pass]),
			[
				['require approved', true],
				['require clean', true],
				['require staging', true],
				['context_recall min', true],
				['context_recall max_drop', true],
				['latency_p95_ms max', true],
				['latency_p95_ms max_rise', true],
			],
		);
		assert.equal(rule(result, 'context_recall max_drop').detail, '0.81 ≥ 0.82 − 0.02 (production v1)');
		assert.equal(rule(result, 'latency_p95_ms max_rise').expected, '<= 2024');
		assert.match(text, /PASS: all 7 rules pass/);
		// A passing gate lets the alias move without an override.
		assert.match(ok(dir, 'alias', 'set', 'support-bot@2', 'production'), /production → v2/);
	});

	test('a failing check says which rules fail and why; the move is refused; --override records who, why and the rules', () => {
		const dir = gatedWorkspace();
		setMetrics(dir, { context_recall: 0.55, latency_p95_ms: 2600 });
		// Made with uncommitted changes: `clean` fails too.
		ok(dir, 'snapshot', 'support-bot', '-m', 'v2 dirty');
		ok(dir, 'approve', 'support-bot@2', '-m', 'looks fine');
		const { code, result, text } = check(dir, '2');
		assert.equal(code, 1);
		assert.equal(result.pass, false);
		const failing = result.rules.filter((r) => !r.pass).map((r) => r.rule);
		assert.deepEqual(failing, ['require clean', 'require staging', 'context_recall min', 'context_recall max_drop', 'latency_p95_ms max', 'latency_p95_ms max_rise']);
		assert.equal(rule(result, 'context_recall max_drop').detail, '0.55 < 0.82 − 0.02 (production v1)');
		assert.equal(rule(result, 'context_recall min').detail, '0.55 < 0.6');
		assert.equal(rule(result, 'latency_p95_ms max').detail, '2600 > 2500');
		assert.equal(rule(result, 'require clean').detail, 'v2 was made with uncommitted changes');
		assert.match(text, /context_recall max_drop\s+0\.55\s+>= 0\.8\s+FAIL\s+0\.55 < 0\.82 − 0\.02/);
		assert.match(text, /FAIL: 6 of 7 rules fail/);

		const refused = run(dir, 'alias', 'set', 'support-bot@2', 'production');
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /`production` is gated: support-bot v2 fails 6 of 7 rules: .*context_recall min \(0\.55 < 0\.6\)/);
		assert.match(refused.stderr, /--override -m/);
		assert.equal(JSON.parse(ok(dir, 'show', 'support-bot@production', '--json')).number, 1, 'production did not move');

		assert.equal(run(dir, 'alias', 'set', 'support-bot@2', 'production', '--override').code, 2, 'an override needs a reason');
		ok(dir, 'alias', 'set', 'support-bot@2', 'production', '--override', '-m', 'incident 42: ship the fix now');
		assert.equal(JSON.parse(ok(dir, 'show', 'support-bot@production', '--json')).number, 2);
		const events = JSON.parse(ok(dir, 'events', 'support-bot', '--json')) as Array<{ type: string; note?: string; by: { name: string }; rules?: Array<{ rule: string }>; override?: boolean }>;
		const override = events.find((e) => e.type === 'override');
		assert.ok(override, 'an override event is recorded');
		assert.equal(override.note, 'incident 42: ship the fix now');
		assert.equal(override.by.name, 'Test User');
		assert.deepEqual(override.rules?.map((r) => r.rule), failing);
		assert.equal(events.find((e) => e.type === 'alias.set')?.override, true);
		const line = readFileSync(join(dir, '.model-ledger', 'events', 'support-bot.jsonl'), 'utf8').split('\n').find((l) => l.includes('"override"'));
		assert.ok(line, 'the override is in the git-carried events file');

		// Rollback is not gated: v1 held production before.
		assert.match(ok(dir, 'rollback', 'support-bot'), /rolled back to v1/);
		const history = ok(dir, 'alias', 'history', 'support-bot', 'production');
		assert.match(history, /3 moves/);
		assert.match(history, /override: require clean/);
		assert.match(history, /incident 42/);
		assert.match(history, /rollback/);
	});

	test('a metric the gate names but the version lacks fails that rule, saying so; protected aliases still need an approval', () => {
		const dir = gatedWorkspace();
		setMetrics(dir, { context_recall: null });
		git(dir, 'commit', '-qam', 'metrics without recall');
		ok(dir, 'snapshot', 'support-bot', '-m', 'v2');
		const { result } = check(dir, '2');
		assert.equal(rule(result, 'context_recall min').pass, false);
		assert.equal(rule(result, 'context_recall min').detail, 'v2 has no metric context_recall');
		assert.equal(rule(result, 'context_recall max_drop').detail, 'v2 has no metric context_recall');
		const refused = run(dir, 'alias', 'set', 'support-bot@2', 'production', '--override', '-m', 'try');
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /protected alias: support-bot v2 has not been approved/, 'an override does not skip the approval of a protected alias');
		assert.equal(run(dir, 'check', 'support-bot@2', '--gate', 'staging').code, 1);
		assert.match(run(dir, 'check', 'support-bot@2', '--gate', 'staging').stderr, /no gate for `staging`.*Its gated aliases: production/);
	});

	test('--at shows what an alias pointed to before and after a move; alias history lists every move', async () => {
		const dir = gatedWorkspace();
		setMetrics(dir, { context_recall: 0.83 });
		git(dir, 'commit', '-qam', 'better recall');
		ok(dir, 'snapshot', 'support-bot', '-m', 'v2');
		ok(dir, 'approve', 'support-bot@2', '-m', 'ok');
		ok(dir, 'alias', 'set', 'support-bot@2', 'staging');
		const before = new Date();
		await new Promise((r) => setTimeout(r, 20));
		ok(dir, 'alias', 'set', 'support-bot@2', 'production', '-m', 'better recall');
		const after = new Date(Date.now() + 10);
		const at = (time: Date) => JSON.parse(ok(dir, 'show', 'support-bot@production', '--at', time.toISOString(), '--json')).number as number;
		assert.equal(at(before), 1, 'before the move: v1');
		assert.equal(at(after), 2, 'after the move: v2');
		const beforeAll = run(dir, 'show', 'support-bot@production', '--at', '2020-01-01');
		assert.equal(beforeAll.code, 1);
		assert.match(beforeAll.stderr, /pointed to no version at 2020-01-01T00:00:00\.000Z/);
		assert.match(run(dir, 'show', 'support-bot@2', '--at', '2020-01-01').stderr, /`--at` applies to alias refs/);
		assert.match(run(dir, 'show', 'support-bot@production', '--at', 'yesterday').stderr, /not an ISO 8601 date or time/);
		// cat and restore take --at too: the bytes of v1's metrics, and a restore of v1.
		const catThen = ok(dir, 'cat', 'support-bot@production', 'eval/metrics.json', '--at', before.toISOString());
		assert.equal(JSON.parse(catThen).context_recall, 0.82);
		const restored = JSON.parse(ok(dir, 'restore', 'support-bot@production', '--at', before.toISOString(), '--dry-run', '--json'));
		assert.equal(restored.version.number, 1);
		const diff = JSON.parse(ok(dir, 'diff', 'support-bot@production', '@production', '--at', before.toISOString(), '--json'));
		assert.deepEqual([diff.a.number, diff.b.number], [1, 1], '--at applies to every alias ref of a diff');
		const history = JSON.parse(ok(dir, 'alias', 'history', 'support-bot', 'production', '--json'));
		assert.deepEqual(
			history.moves.map((m: { from: { number: number } | null; to: { number: number }; note?: string }) => [m.from?.number ?? null, m.to.number, m.note ?? null]),
			[
				[1, 2, 'better recall'],
				[null, 1, null],
			],
		);
	});
});

describe('ISO 8601 times for --at', () => {
	test('dates, times, offsets; impossible dates are refused', () => {
		assert.equal(parseTime('2026-11-01').toISOString(), '2026-11-01T00:00:00.000Z');
		assert.equal(parseTime('2026-11-01T12:00Z').toISOString(), '2026-11-01T12:00:00.000Z');
		assert.equal(parseTime('2026-11-01T13:00:00+01:00').toISOString(), '2026-11-01T12:00:00.000Z');
		assert.equal(parseTime('2026-11-01T12:00:00.250').toISOString(), '2026-11-01T12:00:00.250Z');
		for (const bad of ['2026-02-30', '2026-13-01', '2026-11-01T25:00', 'next week', '']) assert.throws(() => parseTime(bad), /not an ISO 8601/);
	});
});

describe('the Markdown report for a pull request', () => {
	test('diff --format markdown: changed-only tables (metrics ▲/▼, params, prompts, files) and the gate result, parsed back as tables', () => {
		const dir = gatedWorkspace();
		setMetrics(dir, { context_recall: 0.79, faithfulness: 0.93 });
		const rag = join(dir, 'config', 'rag.yaml');
		writeFileSync(rag, readFileSync(rag, 'utf8').replace(/top_k: \d+/, 'top_k: 9'));
		writeFileSync(join(dir, 'prompts', 'system.md'), readFileSync(join(dir, 'prompts', 'system.md'), 'utf8') + '\nAlways cite {{source_url}} | and <b>never</b> guess.\n');
		git(dir, 'commit', '-qam', 'head');
		ok(dir, 'snapshot', 'support-bot', '-m', 'v2');
		const markdown = ok(dir, 'diff', 'support-bot@production', '@latest', '--format', 'markdown', '--gate', 'production');
		const tables = parseTables(markdown);
		const metrics = tables.find((t) => t.header[0] === 'Metric');
		assert.ok(metrics, markdown);
		assert.deepEqual(metrics.header, ['Metric', 'v1', 'v2', 'Change']);
		assert.deepEqual(
			metrics.rows.map((r) => [r[0], r[3]]),
			[
				['context_recall', '▼ −0.03 (−3.7%) worse'],
				['faithfulness', '▲ +0.02 (+2.2%) better'],
			],
			'only changed metrics, with ▲/▼',
		);
		const params = tables.find((t) => t.header[1] === 'Param');
		assert.ok(params?.rows.some((r) => r[0] === 'config/rag.yaml' && r[1].endsWith('top_k') && r[3] === '9'), JSON.stringify(params));
		const prompts = tables.find((t) => t.header[0] === 'Prompt');
		assert.deepEqual(prompts?.rows[0].slice(0, 4), ['prompts/system.md', 'changed', '+2 −0', '+source_url']);
		const files = tables.find((t) => t.header[1] === 'Path');
		assert.deepEqual(files?.rows.map((r) => r[1]).sort(), ['config/rag.yaml', 'eval/metrics.json', 'prompts/system.md']);
		const gate = tables.find((t) => t.header[0] === 'Rule');
		assert.ok(gate, 'gate table');
		assert.equal(gate.rows.find((r) => r[0] === 'context_recall max_drop')?.[1], '❌ fail');
		assert.match(markdown, /#### Gate `production`: ❌ fail/);
		// The prompt's `|`, `<b>` and braces stayed text: no extra cells, no HTML.
		assert.ok(!/<b>/.test(new MarkdownIt().render(markdown).replace(/<details>[\s\S]*?<\/details>/g, '')), 'no raw HTML from the prompt outside the code block');
		// --format json is today's --json.
		assert.deepEqual(JSON.parse(ok(dir, 'diff', 'support-bot@1', '@2', '--format', 'json')), JSON.parse(ok(dir, 'diff', 'support-bot@1', '@2', '--json')));
	});
});
