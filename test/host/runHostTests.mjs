#!/usr/bin/env node
// Runs the host test suites in a real VS Code (1.139, server + web workbench) against the VSIX users
// install (linux-x64 here), unpacked the way VS Code installs it. Usage:
//   node test/host/runHostTests.mjs [--scenario NAME]... [--vsix FILE]   (after `node esbuild.mjs --tests`)
//     --vsix   test this VSIX; without it the runner packs one (npm run package -- --target <this machine>)
// Environment:
//   HOST_SCREENSHOTS=dir          save PNGs: those tests ask for, and one at the end of each scenario
//   HOST_TEST_TIMEOUT_SECONDS=300 per-scenario limit; on expiry the server log is printed and it fails
//   MODEL_LEDGER_CACHE_DIR        cache folder (default ~/.cache/model-ledger)
// Prints `host: N passed, N failed` on its own line at the end and exits non-zero when anything failed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureHostTools, log, repoRoot } from './hostEnvironment.mjs';
import { packagedExtension, withTestHooks } from './packagedExtension.mjs';
import { isWorkbenchNoise, VSCodeSession } from './vscodeSession.mjs';
import { prepareWorkspace, scenarios } from './scenarios.mjs';

const suiteOut = join(repoRoot, 'out', 'test', 'host', 'suite');
const RESULT_MARKER = /\[\[host-suite-result:(\{.*\})\]\]/;
const SCREENSHOT_MARKER = /\[\[screenshot:([A-Za-z0-9._-]+)\]\]/;
// A test asks the runner to answer a modal dialog: `[[dialog:ID:Button label]]` (empty label: Escape).
const DIALOG_MARKER = /\[\[dialog:([A-Za-z0-9._-]+):(.*?)\]\]/;
// A test asks what the workbench shows in the elements a CSS selector matches: `[[dom:ID:selector]]`.
const DOM_MARKER = /\[\[dom:([A-Za-z0-9._-]+):(.*)\]\]/;

function parseArgs(argv) {
	const selected = [];
	let vsix;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--scenario') selected.push(argv[++i]);
		else if (argv[i].startsWith('--scenario=')) selected.push(argv[i].slice('--scenario='.length));
		else if (argv[i] === '--vsix') vsix = argv[++i];
		else if (argv[i].startsWith('--vsix=')) vsix = argv[i].slice('--vsix='.length);
		else if (argv[i] === '--help') {
			console.log(`usage: node test/host/runHostTests.mjs [--scenario ${Object.keys(scenarios).join('|')}]... [--vsix FILE]`);
			process.exit(0);
		} else throw new Error(`unknown argument ${argv[i]}`);
	}
	for (const name of selected) if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
	return { selected: selected.length ? selected : Object.keys(scenarios), vsix };
}

const cleanups = new Set();
let exiting = false;
async function cleanupAll() {
	for (const fn of [...cleanups].reverse()) {
		try {
			await fn();
		} catch (err) {
			log(`cleanup failed: ${err.message}`);
		}
		cleanups.delete(fn);
	}
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, async () => {
		if (exiting) return;
		exiting = true;
		log(`${signal}: stopping VS Code and removing temp folders`);
		await cleanupAll();
		process.exit(130);
	});
}

/** Runs one scenario in its own VS Code session; resolves to { passed, failed, pending, ok }. */
async function runScenario(name, { tools, extensionDir, tempRoot, screenshotDir, timeoutSeconds }) {
	const scenario = scenarios[name];
	const scenarioDir = mkdtempSync(join(tempRoot, `${name}-`));
	const workspace = prepareWorkspace(join(scenarioDir, 'workspace'));
	scenario.prepare?.(workspace, { nodeBin: tools.nodeBin });
	const ackDir = join(scenarioDir, 'screenshot-acks');
	mkdirSync(ackDir);
	const session = new VSCodeSession({
		tools,
		tempDir: scenarioDir,
		workspaceTrust: scenario.workspaceTrust === true,
		settings: scenario.settings,
		env: {
			...scenario.env({ tempRoot: scenarioDir, extensionDir }),
			MODEL_LEDGER_TEST_WORKSPACE: workspace,
			MODEL_LEDGER_HOST_SUITE: scenario.suite,
			MODEL_LEDGER_HOST_SCENARIO: name,
			MODEL_LEDGER_SCREENSHOT_ACK_DIR: ackDir,
		},
	});
	const close = () => session.close();
	cleanups.add(close);
	log(`scenario ${name}: ${scenario.description}`);

	let result;
	let exitCode;
	const screenshots = [];
	let settle;
	const finished = new Promise((r) => (settle = r));

	const takeScreenshot = async (shotName) => {
		if (!screenshotDir) return undefined;
		const file = join(screenshotDir, `${name}-${shotName}.png`);
		try {
			if (await session.screenshot(file)) {
				screenshots.push(file);
				log(`screenshot ${file}`);
				return file;
			}
		} catch (err) {
			log(`screenshot ${shotName} failed: ${err.message}`);
		}
		return undefined;
	};
	// Screenshots run one after another in the order tests asked for them.
	let screenshotQueue = Promise.resolve();
	const onLog = (level, text) => {
		const resultMatch = RESULT_MARKER.exec(text);
		if (resultMatch) result = JSON.parse(resultMatch[1]);
		const shot = SCREENSHOT_MARKER.exec(text);
		if (shot) {
			screenshotQueue = screenshotQueue.then(async () => {
				await takeScreenshot(shot[1]);
				// The test waits for this file, so the page is captured in the state it asked for.
				writeFileSync(join(ackDir, `${shot[1]}.done`), '');
			});
		}
		const dialog = DIALOG_MARKER.exec(text);
		if (dialog) {
			screenshotQueue = screenshotQueue.then(async () => {
				let answer;
				try {
					answer = await session.answerDialog(dialog[2]);
				} catch (err) {
					answer = { error: err.message };
				}
				// The test waits for this file: what the dialog showed, or why it could not be answered.
				writeFileSync(join(ackDir, `${dialog[1]}.dialog.json`), JSON.stringify(answer));
			});
		}
		const dom = DOM_MARKER.exec(text);
		if (dom) {
			screenshotQueue = screenshotQueue.then(async () => {
				let shown;
				try {
					shown = { elements: await session.readElements(dom[2]) };
				} catch (err) {
					shown = { error: err.message };
				}
				writeFileSync(join(ackDir, `${dom[1]}.dom.json`), JSON.stringify(shown));
			});
		}
		if (isWorkbenchNoise(text)) return;
		const prefix = level === 'error' ? '[ext-host:error] ' : level === 'warn' ? '[ext-host:warn] ' : '';
		for (const line of text.split('\n')) process.stdout.write(`${prefix}${line}\n`);
	};
	const onExit = (code) => {
		exitCode = code;
		settle('exit');
	};

	let timer;
	const timedOut = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutSeconds * 1000)));
	let outcome;
	try {
		const startTimeout = timedOut.then(() => {
			throw new Error('timed out starting the server');
		});
		startTimeout.catch(() => {}); // raced below; must not surface as an unhandled rejection later
		await Promise.race([session.startServer(), startTimeout]);
		const url = session.workbenchUrl(workspace, {
			extensionDevelopmentPath: extensionDir,
			extensionTestsPath: join(suiteOut, 'index.js'),
		});
		await session.openWorkbench(url, { onLog, onExit });
		outcome = await Promise.race([finished, timedOut]);
		// The exit call and the last console lines travel separately: give the result line a moment.
		for (let i = 0; i < 20 && outcome === 'exit' && !result; i++) await new Promise((r) => setTimeout(r, 100));
	} catch (err) {
		outcome = 'error';
		log(`scenario ${name} failed to run: ${err.stack || err.message}`);
	} finally {
		clearTimeout(timer);
	}
	await screenshotQueue;
	// Always one at the end: on a failure it shows what the workbench looked like.
	await takeScreenshot('final');
	if (outcome === 'timeout') {
		log(`scenario ${name} timed out after ${timeoutSeconds} s (HOST_TEST_TIMEOUT_SECONDS); server log follows`);
		process.stdout.write(session.serverLog() + '\n');
	} else if (!result) {
		log(`scenario ${name}: the suite ended without reporting its results (extension host crashed or the test entry failed); server log follows`);
		process.stdout.write(session.serverLog() + '\n');
	}
	await close();
	cleanups.delete(close);
	rmSync(scenarioDir, { recursive: true, force: true });

	const ok = outcome === 'exit' && exitCode === 0 && result !== undefined && result.failed === 0;
	const counts = result ?? { passed: 0, failed: 0, pending: 0 };
	// A session that died or hung without reporting counts as one failure, never as a pass.
	if (!ok && counts.failed === 0) counts.failed = 1;
	log(`scenario ${name}: ${counts.passed} passed, ${counts.failed} failed${counts.pending ? `, ${counts.pending} pending` : ''} (exit ${exitCode ?? outcome})`);
	return { ...counts, ok, screenshots };
}

async function main() {
	const started = Date.now();
	const { selected, vsix } = parseArgs(process.argv.slice(2));
	if (!existsSync(join(suiteOut, 'index.js'))) throw new Error(`${join(suiteOut, 'index.js')} is missing: run \`node esbuild.mjs --tests\` first (npm run test:host does).`);
	const timeoutSeconds = Number(process.env.HOST_TEST_TIMEOUT_SECONDS || 300);
	const screenshotDir = process.env.HOST_SCREENSHOTS ? resolve(process.env.HOST_SCREENSHOTS) : undefined;
	if (screenshotDir) mkdirSync(screenshotDir, { recursive: true });

	const tools = await ensureHostTools();

	const tempRoot = mkdtempSync(join(tmpdir(), 'model-ledger-host-'));
	cleanups.add(() => rmSync(tempRoot, { recursive: true, force: true }));
	const { extensionDir: shippedDir } = await packagedExtension(tempRoot, vsix);
	let hookedDir;
	const extensionFor = (name) => (scenarios[name].testHooks ? (hookedDir ??= withTestHooks(shippedDir, tempRoot)) : shippedDir);

	const totals = { passed: 0, failed: 0, pending: 0 };
	const failedScenarios = [];
	for (const name of selected) {
		const r = await runScenario(name, { tools, extensionDir: extensionFor(name), tempRoot, screenshotDir, timeoutSeconds });
		totals.passed += r.passed;
		totals.failed += r.failed;
		totals.pending += r.pending;
		if (!r.ok) failedScenarios.push(name);
	}
	await cleanupAll();
	log(`host tests finished in ${Math.round((Date.now() - started) / 1000)} s${failedScenarios.length ? `; failed scenarios: ${failedScenarios.join(', ')}` : ''}`);
	console.log(`host: ${totals.passed} passed, ${totals.failed} failed${totals.pending ? `, ${totals.pending} skipped` : ''}`);
	return failedScenarios.length === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	async (err) => {
		log(err.stack || err.message);
		await cleanupAll();
		console.log('host: 0 passed, 1 failed');
		process.exit(1);
	},
);
