#!/usr/bin/env node
// `npm run package`: builds the production bundle and packs one VSIX per VS Code platform with
// @vscode/vsce, offline. better-sqlite3 13 ships a prebuilt Node-API binary per platform in
// node_modules/better-sqlite3/prebuilds/; each VSIX carries exactly its platform's one, which loads in
// every VS Code whose extension host is Node 22 or newer (desktop Electron, Server, Codespaces, WSL).
//
//   npm run package -- [--target T]... [--all] [--out FILE.vsix] [--out-dir DIR]
//     --target   linux-x64, linux-arm64, alpine-x64, alpine-arm64, darwin-x64, darwin-arm64,
//                win32-x64 or win32-arm64 (repeatable); default: the platform running this
//     --all      all eight
//     --out      file name (one target only); default DIR/model-ledger-<version>-<target>.vsix
//     --out-dir  where the VSIXs go (default: the repository root)
//
// A target whose binary is missing or is not what the target needs (format, CPU, C library,
// Node-API) is an error: no VSIX is written for it. Each VSIX is opened again afterwards to check
// that it holds that one binary and nothing of the other seven.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryMismatches, currentTarget, describeBinary, formatBinary, TARGETS } from './nativeTargets.mjs';
import { vsixEntries } from './vsix.mjs';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const sqliteDir = join(repoRoot, 'node_modules', 'better-sqlite3');

function parseArgs(argv) {
	const options = { targets: [], out: undefined, outDir: repoRoot };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		if (flag === '--target') options.targets.push(value());
		else if (flag === '--all') options.targets.push(...Object.keys(TARGETS));
		else if (flag === '--out') options.out = resolve(value());
		else if (flag === '--out-dir') options.outDir = resolve(value());
		else if (flag === '--help' || flag === '-h') {
			console.log(`usage: npm run package -- [--target ${Object.keys(TARGETS).join('|')}]... [--all] [--out FILE.vsix] [--out-dir DIR]`);
			process.exit(0);
		} else throw new Error(`unknown argument ${argv[i]} (try --help)`);
	}
	if (!options.targets.length) options.targets.push(currentTarget());
	options.targets = [...new Set(options.targets)];
	for (const t of options.targets) {
		if (!TARGETS[t]) throw new Error(`unknown target ${t}; VS Code's targets with a better-sqlite3 binary: ${Object.keys(TARGETS).join(', ')}`);
	}
	if (options.out && options.targets.length > 1) throw new Error('--out names one VSIX; with several targets use --out-dir');
	return options;
}

function runOrThrow(command, args, options) {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

/** The target's binary, checked: { file, info }. Throws when it is missing or built for something else. */
export function checkedBinary(target, dir = sqliteDir) {
	const { prebuild } = TARGETS[target];
	const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
	const file = join(dir, 'prebuilds', `${prebuild}.node`);
	if (!existsSync(file)) throw new Error(`better-sqlite3 ${version} has no prebuilt binary for ${target} (${relative(repoRoot, file)} is missing): no VSIX for ${target}.`);
	const info = describeBinary(file);
	const problems = binaryMismatches(target, info);
	if (problems.length) throw new Error(`${relative(repoRoot, file)} is not a ${target} binary: ${problems.join('; ')}. No VSIX for ${target}.`);
	return { file, info, version };
}

/** The Node-API version better-sqlite3's binaries are built for (NAPI_VERSION in its binding.gyp). */
export function nodeApiVersion(dir = sqliteDir) {
	const gyp = join(dir, 'binding.gyp');
	return existsSync(gyp) ? /NAPI_VERSION=(\d+)/.exec(readFileSync(gyp, 'utf8'))?.[1] : undefined;
}

/** The production dependency tree as npm sees it (better-sqlite3 and what it pulls in). */
function productionTree() {
	const out = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: repoRoot, encoding: 'utf8' });
	return out.split('\n').filter((p) => p && resolve(p) !== repoRoot);
}

/** Lays out the extension for vsce in `stage`, with only `prebuild`'s binary in better-sqlite3/prebuilds. */
function stageExtension(stage, pkg, prebuild) {
	for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) cpSync(join(repoRoot, file), join(stage, file));
	// Built already: vsce must not build again in the staging folder.
	const staged = { ...pkg, scripts: { ...pkg.scripts } };
	delete staged.scripts['vscode:prepublish'];
	writeFileSync(join(stage, 'package.json'), JSON.stringify(staged, null, 2) + '\n');
	cpSync(join(repoRoot, 'dist'), join(stage, 'dist'), { recursive: true });
	cpSync(join(repoRoot, 'media'), join(stage, 'media'), { recursive: true });
	// vsce asks npm for the production tree, so all of it is staged (.vscodeignore keeps the run-time
	// part); better-sqlite3 without its C++ sources and with one binary.
	for (const dir of productionTree()) {
		const rel = relative(repoRoot, dir);
		const isSqlite = resolve(dir) === sqliteDir;
		cpSync(dir, join(stage, rel), {
			recursive: true,
			filter: (src) => {
				const inner = relative(dir, src).replaceAll('\\', '/');
				if (inner.startsWith('node_modules')) return false;
				if (!isSqlite || inner === '') return true;
				if (inner === 'prebuilds') return true;
				if (inner.startsWith('prebuilds/')) return inner === `prebuilds/${prebuild}.node`;
				return !/^(deps|src|build)(\/|$)/.test(inner);
			},
		});
	}
}

/** Checks a written VSIX: exactly one native binary, the target's. */
async function checkVsix(out, target) {
	const want = `extension/node_modules/better-sqlite3/prebuilds/${TARGETS[target].prebuild}.node`;
	const natives = (await vsixEntries(out)).filter((name) => name.endsWith('.node'));
	if (natives.length !== 1 || natives[0] !== want) throw new Error(`${out} holds ${natives.join(', ') || 'no native binary'}; it must hold exactly ${want}.`);
}

async function packageTarget(target, options, pkg, vsce) {
	const { info, version } = checkedBinary(target);
	const { prebuild } = TARGETS[target];
	const [platform, arch] = target.split('-');
	const napiVersion = nodeApiVersion();
	const out = options.out ?? join(options.outDir, `${pkg.name}-${pkg.version}-${target}.vsix`);
	mkdirSync(resolve(out, '..'), { recursive: true });
	const stage = mkdtempSync(join(tmpdir(), `model-ledger-package-${target}-`));
	try {
		stageExtension(stage, pkg, prebuild);
		const args = ['package', '--target', target, '--out', out];
		console.log(`[package] ${target}: vsce ${args.join(' ')}`);
		runOrThrow(vsce, args, { cwd: stage });
		await checkVsix(out, target);
		console.log(
			`[package] ${target}: ${out}\n` +
				`[package]   platform ${platform === 'alpine' ? 'linux (musl)' : platform}, arch ${arch}: better-sqlite3 ${version} prebuilds/${prebuild}.node, ${formatBinary(info)}` +
				`${napiVersion ? `, Node-API ${napiVersion}` : ''}; loads in Node 22+ and in VS Code 1.101+ (Electron or server).`,
		);
		return out;
	} finally {
		rmSync(stage, { recursive: true, force: true });
	}
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
	// Fail before building when a target has no binary.
	for (const target of options.targets) checkedBinary(target);
	console.log('[package] production build (vscode:prepublish)');
	runOrThrow('npm', ['run', 'vscode:prepublish'], { cwd: repoRoot });
	const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
	const written = [];
	for (const target of options.targets) written.push(await packageTarget(target, options, pkg, vsce));
	console.log(`[package] wrote ${written.length} VSIX${written.length > 1 ? 's' : ''}:\n${written.map((f) => `  ${f}`).join('\n')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((err) => {
		console.error(`[package] ${err.message}`);
		process.exit(1);
	});
}
