#!/usr/bin/env node
// Second, optional entry point: the same host suites in desktop VS Code (Electron) through
// @vscode/test-electron, for machines that can download VS Code (a laptop, a public CI). On the
// project's offline machines the download fails and this says so; `npm test` uses
// runHostTests.mjs (VS Code server + chromium) instead.
//
//   (VSCODE_VERSION=stable|insiders|1.x.y)
// On Linux without a display, run it under `xvfb-run -a`.
//
// It tests the same artifact as runHostTests.mjs: this machine's VSIX (npm run package), unpacked.
// better-sqlite3 13's binary is Node-API, so the one in the VSIX loads in Electron as it is (VS Code
// 1.101+, whose Electron has Node-API 10); nothing is rebuilt or downloaded for Electron.
//
//   npm run test:host:electron [-- --scenario NAME]... [--vsix FILE]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot, log, repoRoot } from './hostEnvironment.mjs';
import { packagedExtension, withTestHooks } from './packagedExtension.mjs';
import { prepareWorkspace, scenarios } from './scenarios.mjs';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
	const selected = [];
	let vsix;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--scenario') selected.push(argv[++i]);
		else if (argv[i] === '--vsix') vsix = argv[++i];
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	for (const name of selected) if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
	return { selected: selected.length ? selected : Object.keys(scenarios), vsix };
}

function isNetworkError(err) {
	const text = `${err?.code ?? ''} ${err?.message ?? err}`;
	return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up|status code 4\d\d|status code 5\d\d/i.test(text);
}

async function main() {
	const { selected, vsix } = parseArgs(process.argv.slice(2));
	const { downloadAndUnzipVSCode, runTests } = require('@vscode/test-electron');
	const version = process.env.VSCODE_VERSION || 'stable';

	let vscodeExecutable;
	try {
		const cachePath = join(cacheRoot, 'vscode-test');
		log(`downloading VS Code ${version} (cached in ${cachePath})`);
		vscodeExecutable = await downloadAndUnzipVSCode({ version, cachePath });
	} catch (err) {
		if (isNetworkError(err)) {
			console.error(`[host] cannot download VS Code ${version}: ${err.message ?? err}
[host] This machine has no route to VS Code's download server. The same suites run here without it:
[host]     npm run test:host        (VS Code 1.139 server + headless chromium, installed from npm)`);
			return 2;
		}
		throw err;
	}

	const tempRoot = mkdtempSync(join(tmpdir(), 'model-ledger-electron-'));
	const cleanup = () => rmSync(tempRoot, { recursive: true, force: true });
	process.on('SIGINT', () => {
		cleanup();
		process.exit(130);
	});
	try {
		const { extensionDir: shippedDir } = await packagedExtension(tempRoot, vsix);
		let hookedDir;
		let failed = 0;
		for (const name of selected) {
			const scenario = scenarios[name];
			const extensionDir = scenario.testHooks ? (hookedDir ??= withTestHooks(shippedDir, tempRoot)) : shippedDir;
			const scenarioDir = mkdtempSync(join(tempRoot, `${name}-`));
			const workspace = prepareWorkspace(join(scenarioDir, 'workspace'));
			scenario.prepare?.(workspace, { nodeBin: process.execPath });
			if (scenario.settings) {
				mkdirSync(join(scenarioDir, 'user-data', 'User'), { recursive: true });
				writeFileSync(join(scenarioDir, 'user-data', 'User', 'settings.json'), JSON.stringify(scenario.settings, null, 2));
			}
			log(`scenario ${name}: ${scenario.description}`);
			try {
				await runTests({
					vscodeExecutablePath: vscodeExecutable,
					extensionDevelopmentPath: extensionDir,
					extensionTestsPath: join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
					launchArgs: [workspace, '--disable-extensions', ...(scenario.workspaceTrust ? [] : ['--disable-workspace-trust']), `--user-data-dir=${join(scenarioDir, 'user-data')}`],
					extensionTestsEnv: {
						...scenario.env({ tempRoot: scenarioDir, extensionDir }),
						MODEL_LEDGER_TEST_WORKSPACE: workspace,
						MODEL_LEDGER_HOST_SUITE: scenario.suite,
						MODEL_LEDGER_HOST_SCENARIO: name,
					},
				});
			} catch (err) {
				failed++;
				log(`scenario ${name} failed: ${err.message ?? err}`);
			}
		}
		return failed ? 1 : 0;
	} finally {
		cleanup();
	}
}

main().then(
	(code) => process.exit(code),
	(err) => {
		console.error(`[host] ${err.stack ?? err}`);
		process.exit(1);
	},
);
