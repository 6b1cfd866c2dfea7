#!/usr/bin/env node
// `npm start`: builds the extension, prepares a demo copy of the example workspace with a few real
// versions (made with the CLI, with real edits in between), and opens it in a real VS Code with the
// extension loaded. Desktop `code` when installed (unless --browser); otherwise VS Code's server with
// its web workbench on http://127.0.0.1:<port>, running until Ctrl-C.
//
//   node scripts/start.mjs [--browser] [--port N] [--screenshot FILE [--exit]]
//     --browser      use VS Code in the browser even when desktop `code` is installed
//     --port N       serve on this loopback port (default: a free one)
//     --screenshot   open the workbench in headless chromium, show the Model Ledger sidebar, save a PNG
//     --exit         with --screenshot: stop after taking it (a non-interactive check of the demo)
//     --prepare-only build and (re)create the demo workspace, print its folder, open nothing (the F5
//                    loop's pre-launch task in .vscode/launch.json)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cacheRoot, ensureHostTools, log, repoRoot } from '../test/host/hostEnvironment.mjs';
import { VSCodeSession } from '../test/host/vscodeSession.mjs';

function parseArgs(argv) {
	const options = { browser: false, port: undefined, screenshot: undefined, exit: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--browser') options.browser = true;
		else if (arg === '--port') options.port = Number(argv[++i]);
		else if (arg === '--screenshot') options.screenshot = resolve(argv[++i]);
		else if (arg === '--exit') options.exit = true;
		else if (arg === '--prepare-only') options.prepareOnly = true;
		else if (arg === '--help' || arg === '-h') {
			console.log('usage: npm start -- [--browser] [--port N] [--screenshot FILE [--exit]] [--prepare-only]');
			process.exit(0);
		} else throw new Error(`unknown argument ${arg} (try --help)`);
	}
	if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) throw new Error('--port needs a port number');
	if (options.exit && !options.screenshot) throw new Error('--exit goes with --screenshot FILE');
	if (options.screenshot) options.browser = true;
	return options;
}

function npmRun(script) {
	const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script], { cwd: repoRoot, stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`npm run ${script} failed`);
}

/** Replaces `from` with `to` in a workspace file; appends `fallback` when the example's text changed. */
function edit(workspace, file, from, to, fallback) {
	const path = join(workspace, file);
	const text = readFileSync(path, 'utf8');
	if (text.includes(from)) writeFileSync(path, text.replace(from, to));
	else if (fallback !== undefined) writeFileSync(path, text.endsWith('\n') ? text + fallback : `${text}\n${fallback}`);
}

function editMetrics(workspace, file, changes) {
	const path = join(workspace, file);
	if (!existsSync(path)) return;
	const metrics = JSON.parse(readFileSync(path, 'utf8'));
	for (const [key, value] of Object.entries(changes)) if (key in metrics) metrics[key] = value;
	writeFileSync(path, JSON.stringify(metrics, null, 2) + '\n');
}

/**
 * A fresh copy of the example workspace under the cache, as a git repository with three versions of
 * support-bot (an alias on the second) and one uncommitted prompt edit, all made with the real CLI.
 */
function prepareDemoWorkspace() {
	const example = join(repoRoot, 'examples', 'support-bot');
	if (!existsSync(join(example, 'model-ledger.yaml'))) throw new Error(`The example workspace ${example} is missing.`);
	const workspace = join(cacheRoot, 'demo', 'support-bot');
	rmSync(workspace, { recursive: true, force: true });
	cpSync(example, workspace, { recursive: true, filter: (src) => !/[\\/]\.model-ledger([\\/]|$)/.test(src) });

	const git = (...args) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' }).toString();
	const cli = (...args) => {
		const out = execFileSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd: workspace, stdio: 'pipe' }).toString().trim();
		if (out) log(`  model-ledger ${args.join(' ')}\n${out.replace(/^/gm, '      ')}`);
		return out;
	};
	const commit = (message) => {
		git('add', '-A');
		git('commit', '-q', '-m', message);
	};
	git('init', '-q', '-b', 'main');
	git('config', 'user.name', 'Ana Demo');
	git('config', 'user.email', 'ana@example.com');
	git('config', 'commit.gpgsign', 'false');
	commit('Support bot: RAG over the help center with a LoRA adapter');
	log(`preparing the demo workspace ${workspace}`);

	// v1: the baseline as it is in the example.
	cli('snapshot', '-m', 'Baseline: top_k 8, LoRA r8');
	commit('Record baseline versions');

	// v2: retrieve more candidates, make the answer prompt admit when excerpts do not answer.
	edit(workspace, 'config/rag.yaml', 'top_k: 8 ', 'top_k: 12', '# demo: retrieve more candidates\n');
	edit(workspace, 'prompts/answer.md', 'Cite at most {{ max_citations }} excerpts as [n].',
		'Cite at most {{ max_citations }} excerpts as [n]. If they do not answer the question, say so and set "needs_human" to true.',
		'If the excerpts do not answer the question, say so.\n');
	editMetrics(workspace, 'eval/metrics.json', { faithfulness: 0.94, answer_relevancy: 0.88, context_recall: 0.86, latency_p95_ms: 2015, cost_per_1k_usd: 0.47 });
	commit('Retrieve 12 candidates; admit when the excerpts do not answer');
	cli('snapshot', 'support-bot', '-m', 'top_k 12; answer prompt admits missing context');
	commit('Record support-bot version');
	// production is a protected alias in the example: a version needs an approval before it moves there.
	cli('approve', 'support-bot@latest', '-m', 'Faithfulness +0.03 on the 250-question eval');
	cli('alias', 'set', 'support-bot@latest', 'production', '-m', 'Ship the top_k 12 retriever');
	commit('Promote support-bot to production');

	// v3: a bigger adapter (rank 16) retrained, lower eval loss, slightly slower.
	edit(workspace, 'config/train.yaml', '  r: 8\n', '  r: 16\n');
	edit(workspace, 'config/train.yaml', '  alpha: 16\n', '  alpha: 32\n');
	const makeWeights = join(repoRoot, 'scripts', 'makeExampleWeights.mjs');
	if (existsSync(makeWeights)) {
		execFileSync(process.execPath, [makeWeights, '--out', join(workspace, 'checkpoints', 'adapter'), '--seed', '7', '--rank', '16'], { stdio: 'pipe' });
	}
	editMetrics(workspace, 'eval/metrics.json', { eval_loss: 1.196, faithfulness: 0.95, latency_p95_ms: 2090 });
	commit('Retrain the adapter with LoRA rank 16');
	cli('snapshot', 'support-bot', '--bump', 'minor', '-m', 'LoRA r16 adapter: eval loss 1.284 -> 1.196');
	commit('Record support-bot version');

	// Left uncommitted and unversioned, so the workspace shows a modified prompt.
	edit(workspace, 'prompts/system.md', 'Be concise: three short paragraphs at most.', 'Be concise: two short paragraphs at most.', 'Be concise.\n');
	try {
		cli('list');
	} catch {
		// listing is only for the log
	}
	return workspace;
}

function findDesktopCode() {
	const result = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
	return result.status === 0 ? result.stdout.trim() : undefined;
}

function openInDesktop(code, workspace) {
	// better-sqlite3 13 is Node-API: node_modules/better-sqlite3/prebuilds loads in Electron as it is
	// (VS Code 1.101 or later), so the repository itself is the extension.
	console.log(`\nOpening the demo workspace in desktop VS Code (${code}) with the extension from ${repoRoot}.\n`);
	const child = spawn(code, ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, workspace], { stdio: 'inherit' });
	child.on('exit', (status) => process.exit(status ?? 0));
}

async function openInBrowser(workspace, options) {
	const tools = await ensureHostTools();
	const tempRoot = mkdtempSync(join(tmpdir(), 'model-ledger-start-'));
	const session = new VSCodeSession({ tools, tempDir: join(tempRoot, 'session'), port: options.port });
	mkdirSync(session.tempDir, { recursive: true });
	let stopping = false;
	const stop = async (code) => {
		if (stopping) return;
		stopping = true;
		log('stopping VS Code and removing temp folders');
		await session.close();
		rmSync(tempRoot, { recursive: true, force: true });
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(0));

	try {
		// The repository is the extension (dist/ just built, better-sqlite3's Node-API binary loads in the
		// server's Node 24); `npm test` is what checks the packaged VSIX.
		await session.startServer();
		const url = session.workbenchUrl(workspace, { extensionDevelopmentPath: repoRoot });
		console.log(`\nModel Ledger is running in VS Code ${'(web workbench, VS Code server 1.139)'}. Open:\n\n    ${url}\n\nPress Ctrl-C to stop.\n`);
		if (options.screenshot) {
			await session.openWorkbench(url, { onLog: () => {}, onExit: () => {} });
			await showSidebarAndCapture(session, options.screenshot);
			if (options.exit) await stop(0);
		}
	} catch (err) {
		log(err.stack || err.message);
		if (session.server) process.stdout.write(session.serverLog() + '\n');
		await stop(1);
	}
	// Keep running until a signal arrives.
	setInterval(() => {}, 1 << 30);
}

async function showSidebarAndCapture(session, file) {
	const page = session.page;
	await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
	const icon = page.locator('.activitybar [aria-label^="Model Ledger"]').first();
	await icon.waitFor({ timeout: 60_000 });
	await icon.click();
	// Let the extension activate and the registry view fill in.
	try {
		await page.getByText('support-bot', { exact: false }).first().waitFor({ timeout: 30_000 });
	} catch {
		log('the sidebar shows no "support-bot" yet; taking the screenshot anyway');
	}
	await page.waitForTimeout(3_000);
	mkdirSync(resolve(file, '..'), { recursive: true });
	await session.screenshot(file);
	log(`screenshot ${file}`);
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	log('building');
	npmRun('build');
	const workspace = prepareDemoWorkspace();
	if (options.prepareOnly) {
		console.log(workspace);
		return;
	}
	const code = options.browser ? undefined : findDesktopCode();
	if (code) openInDesktop(code, workspace);
	else await openInBrowser(workspace, options);
}

main().catch((err) => {
	log(err.stack || err.message);
	process.exit(1);
});
