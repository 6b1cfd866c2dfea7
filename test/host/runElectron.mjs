#!/usr/bin/env node
// Second, optional entry point: the same host suites in desktop VS Code (Electron) through
// @vscode/test-electron, for machines that can download VS Code (a laptop, a public CI). On the
// project's offline machines the download fails and this says so; `npm test` uses
// runHostTests.mjs (VS Code server + chromium) instead.
//
//   npm run test:host:electron [-- --scenario NAME]...    (VSCODE_VERSION=stable|insiders|1.x.y)
// On Linux without a display, run it under `xvfb-run -a`.
//
// Desktop VS Code loads better-sqlite3 into Electron, so the staged extension gets an Electron build
// of it: prebuild-install (a better-sqlite3 dependency) fetches the prebuilt binary for the
// downloaded VS Code's Electron version, which also needs the network.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheRoot, log, nativeModuleAbi, repoRoot, stageExtension } from './hostEnvironment.mjs';
import { prepareWorkspace, scenarios } from './scenarios.mjs';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
	const selected = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--scenario') selected.push(argv[++i]);
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	for (const name of selected) if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
	return selected.length ? selected : Object.keys(scenarios);
}

function isNetworkError(err) {
	const text = `${err?.code ?? ''} ${err?.message ?? err}`;
	return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up|status code 4\d\d|status code 5\d\d/i.test(text);
}

/** Electron version of a downloaded VS Code, asked from its own executable run as Node. */
function electronVersionOf(vscodeExecutable) {
	return execFileSync(vscodeExecutable, ['-e', 'process.stdout.write(process.versions.electron)'], {
		env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
		encoding: 'utf8',
	}).trim();
}

/** Stages the extension with node_modules copied from the repo, then fetches better-sqlite3's Electron binary into it. */
function stageForElectron(target, electronVersion) {
	stageExtension(target, join(repoRoot, 'node_modules'));
	const staged = join(target, 'node_modules', 'better-sqlite3');
	const prebuildInstall = join(dirname(require.resolve('prebuild-install/package.json', { paths: [join(repoRoot, 'node_modules', 'better-sqlite3')] })), 'bin.js');
	// prebuild-install reads the package's name and version to find the binary; it replaces build/Release.
	execFileSync(process.execPath, [prebuildInstall, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform, '--verbose'], {
		cwd: staged,
		stdio: 'inherit',
	});
	const abi = nativeModuleAbi(join(staged, 'build', 'Release', 'better_sqlite3.node'));
	log(`staged better-sqlite3 for Electron ${electronVersion} (NODE_MODULE_VERSION ${abi})`);
	return target;
}

async function main() {
	const selected = parseArgs(process.argv.slice(2));
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
		let electronVersion;
		try {
			electronVersion = electronVersionOf(vscodeExecutable);
			stageForElectron(join(tempRoot, 'extension'), electronVersion);
		} catch (err) {
			console.error(`[host] cannot get better-sqlite3 for Electron ${electronVersion ?? '?'}: ${err.message ?? err}
[host] Rebuild it by hand (needs internet): npx @electron/rebuild --version ${electronVersion ?? '<electron>'} --only better-sqlite3`);
			return 2;
		}
		let failed = 0;
		for (const name of selected) {
			const scenario = scenarios[name];
			const scenarioDir = mkdtempSync(join(tempRoot, `${name}-`));
			const workspace = prepareWorkspace(join(scenarioDir, 'workspace'));
			scenario.prepare?.(workspace);
			if (scenario.settings) {
				mkdirSync(join(scenarioDir, 'user-data', 'User'), { recursive: true });
				writeFileSync(join(scenarioDir, 'user-data', 'User', 'settings.json'), JSON.stringify(scenario.settings, null, 2));
			}
			log(`scenario ${name}: ${scenario.description}`);
			try {
				await runTests({
					vscodeExecutablePath: vscodeExecutable,
					extensionDevelopmentPath: join(tempRoot, 'extension'),
					extensionTestsPath: join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
					launchArgs: [workspace, '--disable-extensions', ...(scenario.workspaceTrust ? [] : ['--disable-workspace-trust']), `--user-data-dir=${join(scenarioDir, 'user-data')}`],
					extensionTestsEnv: {
						...scenario.env({ tempRoot: scenarioDir, hostAbi: undefined }),
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
