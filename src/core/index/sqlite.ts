// Loads better-sqlite3 lazily and turns every way it can fail to load into one error that says why
// and what to do, instead of the loader's raw message or a crash. better-sqlite3 13 is a Node-API
// addon with one prebuilt binary per platform (prebuilds/<platform>-<arch>.node, one per VSIX), so
// what can go wrong is: a runtime without Node-API 10 (Node < 22.14: it segfaults on the first query,
// measured on Node 20.20 and 22.12, so it is never tried), a package for another platform (no binary
// for this one), or a binary that does not load.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteConstructor = typeof BetterSqlite3;

/** Node-API version better-sqlite3 13's binaries are built for (NAPI_VERSION in its binding.gyp). */
export const REQUIRED_NODE_API = 10;
/** The first Node release line with Node-API 10 (22.14.0; 23.6.0 on the odd line). */
export const MIN_NODE = '22.14';

export type NativeFailure = 'node-too-old' | 'no-binary-for-platform' | 'binary-does-not-load' | 'abi-mismatch';

export class NativeModuleError extends Error {
	constructor(
		message: string,
		readonly reason: NativeFailure,
		readonly cause: unknown,
	) {
		super(message);
		this.name = 'NativeModuleError';
	}
}

let loaded: SqliteConstructor | undefined;
// A second require of a module that failed to load only says "Module did not self-register":
// keep the first, explanatory error and throw it again.
let loadError: NativeModuleError | undefined;

/** Returns the better-sqlite3 constructor, loading it on first use. Throws NativeModuleError when it cannot load. */
export function loadSqlite(): SqliteConstructor {
	if (loaded) return loaded;
	if (loadError) throw loadError;
	// Test hook (host scenario broken-sqlite): a better-sqlite3 folder to load instead of the bundled one.
	const moduleName = process.env.MODEL_LEDGER_SQLITE_MODULE || 'better-sqlite3';
	loadError = tooOldRuntime(process.versions);
	if (loadError) throw loadError;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const ctor = require(moduleName) as SqliteConstructor;
		// Opening a database is what actually dlopens the native binding.
		new ctor(':memory:').close();
		loaded = ctor;
		return ctor;
	} catch (err) {
		loadError = describeNativeFailure(err, packageDirOf(moduleName));
		throw loadError;
	}
}

function runtimeName(versions: NodeJS.ProcessVersions): string {
	return versions.electron ? `Electron ${versions.electron} (Node ${versions.node})` : `Node ${versions.node}`;
}

/** The error for a runtime too old for better-sqlite3 13 (no Node-API 10), or undefined when it is new enough. */
export function tooOldRuntime(versions: NodeJS.ProcessVersions): NativeModuleError | undefined {
	if (Number(versions.napi ?? 0) >= REQUIRED_NODE_API) return undefined;
	const fix = versions.electron
		? 'Fix: update VS Code (1.101 or later runs extensions on Node 22.15 or newer).'
		: `Fix: run Model Ledger with Node ${MIN_NODE} or newer (\`node --version\`; https://nodejs.org).`;
	return new NativeModuleError(
		`Model Ledger cannot load its SQLite module (better-sqlite3): it needs Node ${MIN_NODE} or newer (Node-API ${REQUIRED_NODE_API}), and this is ${runtimeName(versions)} (Node-API ${versions.napi ?? '?'}). ${fix}`,
		'node-too-old',
		undefined,
	);
}

/** The folder of the better-sqlite3 package `moduleName` resolves to, if it can be found. */
function packageDirOf(moduleName: string): string | undefined {
	try {
		return dirname(require.resolve(`${moduleName}/package.json`));
	} catch {
		return undefined;
	}
}

/** Name of the prebuilt binary better-sqlite3 loads here: <platform>-<arch>, `linuxmusl` on musl Linux (Alpine). */
export function prebuildName(platform: string = process.platform, arch: string = process.arch, musl: boolean = isMusl()): string {
	return `${platform === 'linux' && musl ? 'linuxmusl' : platform}-${arch}`;
}

/** VS Code's name for a platform (the `--target` of a platform-specific VSIX) given better-sqlite3's. */
export function vscodeTargetOf(prebuild: string): string {
	return prebuild.replace(/^linuxmusl-/, 'alpine-');
}

function isMusl(): boolean {
	if (process.platform !== 'linux') return false;
	// As better-sqlite3 decides: which libc loader is mapped into this process, else the process report.
	try {
		const maps = readFileSync('/proc/self/maps', 'latin1');
		if (/\/ld-musl-[^/\s]*\.so/.test(maps)) return true;
		if (/\/(?:ld-linux[^/\s]*|libc)\.so\.\d/.test(maps)) return false;
	} catch {
		// no /proc: fall through
	}
	const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
	return !report?.header?.glibcVersionRuntime;
}

/** The prebuilt binaries a better-sqlite3 folder holds (names without .node). */
function prebuildsIn(packageDir: string | undefined): string[] {
	const dir = packageDir && join(packageDir, 'prebuilds');
	if (!dir || !existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.node'))
		.map((f) => f.slice(0, -'.node'.length))
		.sort();
}

/**
 * Builds the user-facing explanation of a native module load failure. `packageDir` is the
 * better-sqlite3 folder that was loaded (to say which binaries it carries); `expected` the binary
 * this runtime needs.
 */
export function describeNativeFailure(err: unknown, packageDir: string | undefined, expected: string = prebuildName(), versions: NodeJS.ProcessVersions = process.versions): NativeModuleError {
	const raw = err instanceof Error ? err.message : String(err);
	const runtime = `${runtimeName(versions)} on ${expected}`;
	const abiMatch = /NODE_MODULE_VERSION (\d+)/.exec(raw);
	if (abiMatch && abiMatch[1] !== versions.modules) {
		// Only a non-Node-API build (compiled by hand from an old better-sqlite3) is tied to one ABI.
		return new NativeModuleError(
			`Model Ledger cannot load its SQLite module: its better-sqlite3 was compiled for NODE_MODULE_VERSION ${abiMatch[1]}, but this ${runtime} needs NODE_MODULE_VERSION ${versions.modules}. ` +
				`Fix: reinstall Model Ledger (its own build loads in every Node 22+ and VS Code 1.101+), or run \`npm rebuild better-sqlite3\` under this runtime.`,
			'abi-mismatch',
			err,
		);
	}
	const available = prebuildsIn(packageDir);
	const target = vscodeTargetOf(expected);
	if (packageDir && !available.includes(expected)) {
		const has = available.length ? `only for ${available.map(vscodeTargetOf).join(', ')}` : 'for no platform';
		return new NativeModuleError(
			`Model Ledger cannot load its SQLite module: this copy of Model Ledger carries a better-sqlite3 binary ${has}, and this is ${runtime}. ` +
				`Fix: install Model Ledger for ${target} (the Marketplace and Open VSX pick it by themselves; a downloaded file must be model-ledger-<version>-${target}.vsix).`,
			'no-binary-for-platform',
			err,
		);
	}
	// glibc reports an ELF for another CPU as "cannot open shared object file: No such file or
	// directory" although the file is there: say what the file really is.
	const built = packageDir ? elfCpu(join(packageDir, 'prebuilds', `${expected}.node`)) : undefined;
	const actually = built && built !== process.arch ? ` (the file is a Linux binary for ${built}, not ${process.arch})` : '';
	return new NativeModuleError(
		`Model Ledger cannot load its SQLite module: better-sqlite3's binary for ${expected} does not load in this ${runtime}${actually}: ${firstLine(raw)}. ` +
			`Fix: reinstall Model Ledger for ${target} (model-ledger-<version>-${target}.vsix); if it persists, report it with this message.`,
		'binary-does-not-load',
		err,
	);
}

const ELF_CPUS: Record<number, string> = { 0x3e: 'x64', 0xb7: 'arm64', 0x03: 'ia32', 0x28: 'arm' };

/** The CPU (Node's process.arch names) an ELF file is built for, or undefined when it is not ELF. */
export function elfCpu(file: string): string | undefined {
	try {
		const header = Buffer.alloc(20);
		const fd = openSync(file, 'r');
		try {
			readSync(fd, header, 0, 20, 0);
		} finally {
			closeSync(fd);
		}
		if (header.readUInt32BE(0) !== 0x7f454c46) return undefined;
		return ELF_CPUS[header.readUInt16LE(18)] ?? `ELF machine 0x${header.readUInt16LE(18).toString(16)}`;
	} catch {
		return undefined;
	}
}

function firstLine(text: string): string {
	return text.split('\n')[0].trim();
}
