// What the host suites run against: the scenarios (extension-host environment + suite folder) and
// the test workspace. Shared by runHostTests.mjs (VS Code server) and runElectron.mjs (desktop).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { productionModules, repoRoot } from './hostEnvironment.mjs';

/**
 * A scenario is one VS Code session: an environment for the extension host and the suite folder
 * (under out/test/host/suite) whose `*.test.js` files run in it. All scenarios share one install
 * and one staged extension. Optional: `workspaceTrust: true` keeps VS Code's workspace trust on (the
 * others start with `--disable-workspace-trust`), `settings` adds user settings, and
 * `prepare(workspace)` runs on the prepared workspace before VS Code starts.
 */
export const scenarios = {
	default: {
		description: 'the extension in the example workspace',
		suite: '.',
		env: () => ({}),
	},
	'broken-sqlite': {
		description: 'better-sqlite3 built for the wrong ABI',
		suite: 'broken-sqlite',
		env: ({ tempRoot, hostAbi }) => ({
			MODEL_LEDGER_SQLITE_MODULE: makeWrongAbiModule(join(tempRoot, 'wrong-abi'), hostAbi),
			MODEL_LEDGER_EXPECTED_WRONG_ABI: process.versions.modules,
		}),
	},
	untrusted: {
		description: 'Restricted Mode: workspace trust on and the folder never trusted',
		suite: 'untrusted',
		workspaceTrust: true,
		// No startup modal (the window opens in Restricted Mode straight away); the banner stays.
		settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false },
		env: () => ({}),
		// The suite must find a version to read: one made by the CLI before the window opens.
		prepare: (workspace) => cliSnapshot(workspace, 'support-bot', 'before Restricted Mode'),
	},
};

/** Snapshots `model` with the repo's CLI bundle (dist/cli.js, built by esbuild.mjs) and this Node. */
function cliSnapshot(workspace, model, message) {
	const cli = join(repoRoot, 'dist', 'cli.js');
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`node esbuild.mjs\` first (npm run test:host does).`);
	execFileSync(process.execPath, [cli, 'snapshot', model, '-m', message, '-C', workspace, '--json'], { stdio: 'pipe' });
}

/**
 * Copies the repo's own better-sqlite3 (built by `npm install` for the Node running this script)
 * aside: loaded in the extension host (Node 24, or Electron) it fails with a real ABI mismatch.
 */
function makeWrongAbiModule(dir, hostAbi) {
	if (process.versions.modules === hostAbi) throw new Error(`The broken-module scenario needs the repo's better-sqlite3 built for another ABI than the host's (${hostAbi}); this Node has the same ABI.`);
	const source = join(repoRoot, 'node_modules');
	for (const name of productionModules(source)) cpSync(join(source, name), join(dir, 'node_modules', name), { recursive: true });
	return join(dir, 'node_modules', 'better-sqlite3');
}

/** Makes `target` a fresh git repository holding a copy of the example workspace, as the tests' workspace. */
export function prepareWorkspace(target) {
	const example = join(repoRoot, 'examples', 'support-bot');
	if (existsSync(join(example, 'model-ledger.yaml'))) {
		cpSync(example, target, { recursive: true, filter: (src) => !/[\\/]\.model-ledger[\\/]cache([\\/]|$)/.test(src) });
	} else {
		// The example workspace is not in the repo yet: a minimal stand-in with one prompt.
		mkdirSync(join(target, 'prompts'), { recursive: true });
		writeFileSync(join(target, 'model-ledger.yaml'), 'models:\n  support-bot:\n    prompts: "prompts/*.md"\n');
		writeFileSync(join(target, 'prompts', 'system.md'), 'You are a helpful support assistant for {{product}}.\n');
	}
	const git = (...args) => execFileSync('git', args, { cwd: target, stdio: 'pipe' });
	git('init', '-q', '-b', 'main');
	git('config', 'user.name', 'Model Ledger Tests');
	git('config', 'user.email', 'tests@model-ledger.invalid');
	git('config', 'commit.gpgsign', 'false');
	git('add', '-A');
	git('commit', '-q', '-m', 'Example workspace');
	return target;
}

