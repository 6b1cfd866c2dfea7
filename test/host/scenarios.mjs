// What the host suites run against: the scenarios (extension-host environment + suite folder) and
// the test workspace. Shared by runHostTests.mjs (VS Code server) and runElectron.mjs (desktop).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './hostEnvironment.mjs';

/**
 * A scenario is one VS Code session: an environment for the extension host and the suite folder
 * (under out/test/host/suite) whose `*.test.js` files run in it. All scenarios share one install
 * and one staged extension. Optional: `workspaceTrust: true` keeps VS Code's workspace trust on (the
 * others start with `--disable-workspace-trust`), `settings` adds user settings,
 * `prepare(workspace, { nodeBin })` runs on the prepared workspace before VS Code starts, and
 * `testHooks: true` runs the VSIX with its bundles rebuilt with the test hooks (packagedExtension.mjs
 * withTestHooks): the compare view's test command, dialogs answered from a folder. The other
 * scenarios run the VSIX exactly as shipped. `env` gets { tempRoot, extensionDir } (the unpacked
 * VSIX under test).
 */
export const scenarios = {
	default: {
		description: 'the extension in the example workspace',
		suite: '.',
		env: () => ({}),
	},
	'compare-view': {
		description: 'the compare view and release gates, read back from the page (test-hooks build)',
		suite: 'compareView',
		testHooks: true,
		env: () => ({}),
	},
	'broken-sqlite': {
		description: 'the VSIX of another platform: its better-sqlite3 carries only a binary for that platform',
		suite: 'broken-sqlite',
		env: ({ tempRoot, extensionDir }) => ({
			MODEL_LEDGER_SQLITE_MODULE: otherPlatformModule(join(tempRoot, 'other-platform'), extensionDir),
			MODEL_LEDGER_PACKAGED_PLATFORM: OTHER_PLATFORM,
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
		prepare: (workspace, { nodeBin }) => cliSnapshot(workspace, 'support-bot', 'before Restricted Mode', nodeBin),
	},
	'other-branches': {
		description: 'a version made and committed on another branch, then main checked out: only git holds its manifest',
		suite: 'otherBranches',
		env: () => ({}),
		prepare: (workspace, { nodeBin }) => {
			const git = (...args) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' });
			cliSnapshot(workspace, 'support-bot', 'on main', nodeBin);
			git('add', '-A');
			git('commit', '-q', '-m', 'support-bot v1');
			git('checkout', '-q', '-b', 'feature/shorter-prompt');
			const prompt = join(workspace, 'prompts', 'system.md');
			writeFileSync(prompt, `${readFileSync(prompt, 'utf8')}Answer in two sentences at most.\n`);
			cliSnapshot(workspace, 'support-bot', 'shorter answers', nodeBin);
			git('add', '-A');
			git('commit', '-q', '-m', 'support-bot v2 on a branch');
			git('checkout', '-q', 'main');
		},
	},
	'restore-rename': {
		description: 'restore confirmation with an extra file, and a prompt renamed between versions',
		suite: 'restoreRename',
		testHooks: true,
		// VS Code refuses to show dialogs to an extension under test: the extension writes them here and reads the answer.
		env: ({ tempRoot }) => {
			const dir = join(tempRoot, 'dialogs');
			mkdirSync(dir, { recursive: true });
			return { MODEL_LEDGER_TEST_DIALOGS: dir };
		},
		// v1: the example; v2: the system prompt edited and a new prompt added (an extra file for v1).
		prepare: (workspace, { nodeBin }) => {
			cliSnapshot(workspace, 'support-bot', 'before the extra prompt', nodeBin);
			const prompt = join(workspace, 'prompts', 'system.md');
			writeFileSync(prompt, `${readFileSync(prompt, 'utf8')}Cite the help-center article you used.\n`);
			writeFileSync(join(workspace, 'prompts', 'escalation.md'), 'Hand the conversation to a human when the customer asks twice.\n');
			cliSnapshot(workspace, 'support-bot', 'citations and an escalation prompt', nodeBin);
		},
	},
	'planted-text': {
		description: 'repository text that VS Code would render: $(icons), [links](command:…), bidi overrides in a version, its branch, author and a file name',
		suite: 'plantedText',
		// Test hooks: the notifications the extension hands VS Code are written to MODEL_LEDGER_TEST_NOTICES
		// (the test host shows none of an extension under test).
		testHooks: true,
		env: ({ tempRoot }) => ({ MODEL_LEDGER_TEST_NOTICES: join(tempRoot, 'notices.jsonl') }),
		prepare: (workspace, { nodeBin }) => plantHostileText(workspace, nodeBin),
	},
};

/** What the planted-text scenario plants; its suite asserts on how VS Code shows each. */
export const PLANTED = {
	branch: '$(check)-approved',
	author: 'Eve [x](command:workbench.action.quit) $(check)',
	message: '$(check) approved \u202egnp.exe [notes](command:workbench.action.quit)',
	label: '$(check) approved $(shield)',
	file: 'prompts/[Run](command:workbench.action.quit).md',
};

/**
 * A version as a malicious branch would bring it: made by the CLI on branch PLANTED.branch by author
 * PLANTED.author with PLANTED.message, then its manifest's label rewritten to PLANTED.label (and
 * renamed to the new bytes' sha256, as a hand-written manifest would be); then a prompt named
 * PLANTED.file that no version holds yet.
 */
function plantHostileText(workspace, nodeBin) {
	const git = (...args) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' });
	git('config', 'user.name', PLANTED.author);
	git('checkout', '-q', '-b', PLANTED.branch);
	const cli = (...args) => execFileSync(nodeBin, [join(repoRoot, 'dist', 'cli.js'), ...args, '-C', workspace], { stdio: 'pipe' });
	cli('snapshot', 'support-bot', '-m', PLANTED.message, '--json');
	const folder = join(workspace, '.model-ledger', 'versions', 'support-bot');
	const [name] = readdirSync(folder).filter((f) => f.endsWith('.yaml'));
	const text = readFileSync(join(folder, name), 'utf8').replace(/^label: .*$/m, `label: ${JSON.stringify(PLANTED.label)}`);
	rmSync(join(folder, name));
	writeFileSync(join(folder, `${createHash('sha256').update(text).digest('hex')}.yaml`), text);
	cli('reindex');
	writeFileSync(join(workspace, PLANTED.file), 'Planted prompt: its name is the attack.\n');
}

/** Snapshots `model` with the repo's CLI bundle (dist/cli.js, built by esbuild.mjs) and `nodeBin` (Node 22.14+). */
function cliSnapshot(workspace, model, message, nodeBin = process.execPath) {
	const cli = join(repoRoot, 'dist', 'cli.js');
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`node esbuild.mjs\` first (npm run test:host does).`);
	execFileSync(nodeBin, [cli, 'snapshot', model, '-m', message, '-C', workspace, '--json'], { stdio: 'pipe' });
}

/** A platform the host (linux-x64 or linux-arm64) is not: its binary is in better-sqlite3's prebuilds/. */
const OTHER_PLATFORM = process.arch === 'arm64' ? 'linux-x64' : 'linux-arm64';

/**
 * The unpacked VSIX's better-sqlite3 as the OTHER_PLATFORM VSIX has it: the same JS with that
 * platform's binary from the repo's node_modules/better-sqlite3/prebuilds instead of the host's.
 * Loaded in the extension host it finds no binary for its own platform.
 */
function otherPlatformModule(dir, extensionDir) {
	const packaged = join(extensionDir, 'node_modules', 'better-sqlite3');
	const target = join(dir, 'better-sqlite3');
	cpSync(packaged, target, { recursive: true, filter: (src) => !src.endsWith('.node') });
	mkdirSync(join(target, 'prebuilds'), { recursive: true });
	cpSync(join(repoRoot, 'node_modules', 'better-sqlite3', 'prebuilds', `${OTHER_PLATFORM}.node`), join(target, 'prebuilds', `${OTHER_PLATFORM}.node`));
	return target;
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

