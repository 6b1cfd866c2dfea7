// One VS Code session: VS Code's server (from code-server's bundled VS Code, run directly so that
// `--enable-smoke-test-driver` is accepted) on a free loopback port, and the web workbench opened in
// headless chromium through playwright-core. Each process it starts is tracked by pid so that
// `close()` (also called on timeout, SIGINT and SIGTERM) leaves nothing behind.
import { spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { format } from 'node:util';
import { cleanEnv, log } from './hostEnvironment.mjs';

export const QUIET_SETTINGS = {
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.secondarySideBar.defaultVisibility': 'hidden',
	'chat.disableAIFeatures': true,
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'extensions.ignoreRecommendations': true,
	'update.mode': 'none',
	'telemetry.telemetryLevel': 'off',
	'git.openRepositoryInParentFolders': 'never',
};

/** Workbench chatter that says nothing about the extension under test (printed with HOST_VERBOSE=1). */
const WORKBENCH_NOISE = [
	/^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]/,
	/^(Resolving|Resolved) connection token/,
	/^Creating a socket \(renderer-/,
	/^Updating additional builtin extensions cache/,
	/ENOTFOUND open-vsx\.org/,
	/authentication provider '\w+' to register/,
];

export function isWorkbenchNoise(text) {
	return !process.env.HOST_VERBOSE && WORKBENCH_NOISE.some((re) => re.test(text));
}

/** Asks the OS for a free loopback port. */
export function freePort() {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolvePort(port));
		});
	});
}

export function chromiumPath() {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
	const found = candidates.find((p) => existsSync(p));
	if (!found) throw new Error(`No Chromium found (looked at ${candidates.join(', ')}). Install Debian's \`chromium\` or set CHROMIUM_PATH.`);
	return found;
}

/** Kills a process group started with `detached: true`, then its leader, ignoring ones already gone. */
function killGroup(pid, signal) {
	for (const target of [-pid, pid]) {
		try {
			process.kill(target, signal);
		} catch {
			// already exited
		}
	}
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

export class VSCodeSession {
	/**
	 * @param {object} options
	 * @param {{nodeBin: string, vscodeServerMain: string, playwrightCore: string}} options.tools
	 * @param {string} options.tempDir folder owned by this session (server data, XDG dirs, logs)
	 * @param {Record<string,string>} [options.env] extra environment for the server and so the extension host
	 * @param {number} [options.port] loopback port (default: a free one)
	 * @param {boolean} [options.workspaceTrust] keep workspace trust on (default: `--disable-workspace-trust`)
	 * @param {Record<string,unknown>} [options.settings] user settings on top of QUIET_SETTINGS
	 */
	constructor({ tools, tempDir, env = {}, port, workspaceTrust = false, settings = {} }) {
		this.tools = tools;
		this.workspaceTrust = workspaceTrust;
		this.settings = settings;
		this.tempDir = tempDir;
		this.env = env;
		this.serverLogFile = join(tempDir, 'server.log');
		this.server = undefined;
		this.browser = undefined;
		this.page = undefined;
		this.port = port;
	}

	async startServer() {
		this.port ??= await freePort();
		const dirs = Object.fromEntries(['server-data', 'user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'home'].map((d) => [d, join(this.tempDir, d)]));
		for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
		const args = [
			this.tools.vscodeServerMain,
			'--host', '127.0.0.1',
			'--port', String(this.port),
			'--without-connection-token',
			'--enable-smoke-test-driver',
			'--server-data-dir', dirs['server-data'],
			'--user-data-dir', dirs['user-data'],
			'--extensions-dir', dirs.extensions,
			'--disable-telemetry',
			...(this.workspaceTrust ? [] : ['--disable-workspace-trust']),
			'--accept-server-license-terms',
		];
		const env = {
			...cleanEnv(),
			XDG_CONFIG_HOME: dirs['xdg-config'],
			XDG_DATA_HOME: dirs['xdg-data'],
			XDG_CACHE_HOME: dirs['xdg-cache'],
			VSCODE_AGENT_FOLDER: dirs['server-data'],
			...this.env,
		};
		// The server keeps the web workbench's user settings in <user-data-dir>/User: a quiet, offline
		// workbench whose screenshots show the extension rather than welcome pages and chat panels.
		const userSettings = join(dirs['user-data'], 'User');
		mkdirSync(userSettings, { recursive: true });
		writeFileSync(join(userSettings, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...this.settings }, null, 2));
		const logStream = createWriteStream(this.serverLogFile);
		this.server = spawn(this.tools.nodeBin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		this.server.stdout.pipe(logStream, { end: false });
		this.server.stderr.pipe(logStream, { end: false });
		const exited = new Promise((resolveExit) => this.server.once('exit', (code, signal) => resolveExit(`exit ${code ?? signal}`)));
		const ready = new Promise((resolveReady) => {
			let seen = '';
			this.server.stdout.on('data', (chunk) => {
				seen += chunk.toString();
				if (/Extension host agent listening on|Web UI available at|Server bound to/.test(seen)) resolveReady('ready');
			});
		});
		const result = await Promise.race([ready, exited, new Promise((r) => setTimeout(() => r('timeout'), 60_000))]);
		if (result !== 'ready') throw new Error(`VS Code server did not start (${result}).\n${this.serverLog()}`);
		log(`VS Code server (pid ${this.server.pid}) listening on http://127.0.0.1:${this.port}`);
	}

	/** The workbench URL for a folder, with the smoke-test payload (extension under development, tests). */
	workbenchUrl(folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
		const remote = (p) => `vscode-remote://127.0.0.1:${this.port}${p}`;
		const payload = [];
		if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
		if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
		let url = `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`;
		if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
		return url;
	}

	/**
	 * Opens the workbench in headless chromium. `onLog(level, text)` receives the extension host's
	 * console; `onExit(code)` the tests' result.
	 */
	async openWorkbench(url, { onLog, onExit }) {
		const require = createRequire(this.tools.playwrightCore);
		const { chromium } = require('playwright-core');
		this.browser = await chromium.launch({
			executablePath: chromiumPath(),
			headless: true,
			// The runner handles signals itself so it can also stop the server and remove temp folders.
			handleSIGINT: false,
			handleSIGTERM: false,
			handleSIGHUP: false,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
			env: { ...cleanEnv(), HOME: join(this.tempDir, 'home'), XDG_CONFIG_HOME: join(this.tempDir, 'xdg-config'), XDG_CACHE_HOME: join(this.tempDir, 'xdg-cache') },
		});
		const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
		this.page = await context.newPage();
		await this.page.exposeFunction('codeAutomationLog', (level, args) => {
			if (process.env.HOST_LOG_RAW) appendFileSync(process.env.HOST_LOG_RAW, JSON.stringify([level, args]) + '\n');
			// Console calls arrive as their arguments (printf-style format string first): format like Node.
			const text = Array.isArray(args) ? format(...args.map((a) => (typeof a === 'string' || typeof a === 'number' ? a : JSON.stringify(a)))) : String(args);
			onLog(level, text);
		});
		await this.page.exposeFunction('codeAutomationExit', (code) => onExit(Number(code)));
		this.page.on('pageerror', (err) => log(`workbench page error: ${err.message}`));
		// Playwright's default 30 s is not enough on a shared 2-core machine under load (measured: load 25).
		await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
	}

	/** Waits until the workbench has rendered, then saves a PNG of the page. */
	async screenshot(file) {
		if (!this.page) return false;
		await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
		// Let pending layout, theme changes and notifications paint before capturing.
		await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 400)))));
		await this.page.screenshot({ path: file });
		return true;
	}

	/**
	 * Waits for a modal dialog (showWarningMessage with modal: true renders as one in the workbench),
	 * reads its message, detail and buttons, and clicks the button labelled exactly `button`
	 * (none clicked when `button` is empty: Escape dismisses it). Returns what the dialog showed.
	 */
	async answerDialog(button) {
		if (!this.page) throw new Error('no page');
		const box = this.page.locator('.monaco-dialog-box');
		await box.waitFor({ state: 'visible', timeout: 60_000 });
		const shown = await box.evaluate((el) => ({
			message: el.querySelector('.dialog-message-text')?.textContent ?? '',
			detail: el.querySelector('.dialog-message-detail')?.textContent ?? '',
			buttons: [...el.querySelectorAll('.dialog-buttons .monaco-button')].map((b) => (b.textContent ?? '').trim()),
		}));
		if (button) await box.locator('.dialog-buttons .monaco-button').filter({ hasText: new RegExp(`^${button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().click();
		else await this.page.keyboard.press('Escape');
		await box.waitFor({ state: 'hidden', timeout: 30_000 });
		return shown;
	}

	/**
	 * What the elements matching `selector` show, as rendered: each one's text, the codicons drawn
	 * inside it (`check` for `.codicon-check`) and the targets of the links inside it. Waits up to 30 s
	 * for one to be visible; none visible: an empty list.
	 */
	async readElements(selector) {
		if (!this.page) throw new Error('no page');
		const found = this.page.locator(selector);
		await found
			.first()
			.waitFor({ state: 'visible', timeout: 30_000 })
			.catch(() => {});
		return found.evaluateAll((elements) =>
			elements.map((el) => ({
				text: el.textContent ?? '',
				icons: [...el.querySelectorAll('.codicon')].map((i) => [...i.classList].filter((c) => c.startsWith('codicon-') && !c.startsWith('codicon-modifier')).map((c) => c.slice('codicon-'.length)).join(' ')),
				links: [...el.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
			})),
		);
	}

	/** The server's output plus the tail of each of its log files, for failure reports. */
	serverLog() {
		const parts = [];
		if (existsSync(this.serverLogFile)) parts.push(`--- server output (${this.serverLogFile}) ---\n${readFileSync(this.serverLogFile, 'utf8').slice(-20_000)}`);
		const logsRoot = join(this.tempDir, 'user-data', 'logs');
		const walk = (dir) => {
			if (!existsSync(dir)) return;
			for (const name of readdirSync(dir)) {
				const p = join(dir, name);
				if (statSync(p).isDirectory()) walk(p);
				else if (name.endsWith('.log')) parts.push(`--- ${p} ---\n${readFileSync(p, 'utf8').slice(-6_000)}`);
			}
		};
		walk(logsRoot);
		return parts.join('\n');
	}

	/** Closes the browser and kills the server's process group; safe to call more than once. */
	async close() {
		const browser = this.browser;
		this.browser = undefined;
		this.page = undefined;
		if (browser) {
			await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]);
		}
		const server = this.server;
		this.server = undefined;
		if (server?.pid) {
			killGroup(server.pid, 'SIGTERM');
			for (let i = 0; i < 50 && isAlive(server.pid); i++) await new Promise((r) => setTimeout(r, 100));
			killGroup(server.pid, 'SIGKILL');
		}
	}

	/** Synchronous last resort for process exit: kill what is still running. */
	killNow() {
		if (this.server?.pid) killGroup(this.server.pid, 'SIGKILL');
		const browserPid = this.browser?.process?.()?.pid;
		if (browserPid) killGroup(browserPid, 'SIGKILL');
	}
}
