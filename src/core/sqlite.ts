// Loads better-sqlite3 lazily and turns an ABI mismatch or a missing binary into an error that
// names both ABIs and the fix, instead of the loader's raw message.
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteConstructor = typeof BetterSqlite3;

export class NativeModuleError extends Error {
	constructor(
		message: string,
		readonly runtimeAbi: string,
		readonly moduleAbi: string | undefined,
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
	const moduleName = process.env.MODEL_LEDGER_SQLITE_MODULE || 'better-sqlite3';
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const ctor = require(moduleName) as SqliteConstructor;
		// Opening a database is what actually dlopens the native binding.
		new ctor(':memory:').close();
		loaded = ctor;
		return ctor;
	} catch (err) {
		loadError = describeNativeFailure(err);
		throw loadError;
	}
}

/** Builds the user-facing explanation of a native module load failure. */
export function describeNativeFailure(err: unknown): NativeModuleError {
	const raw = err instanceof Error ? err.message : String(err);
	const runtimeAbi = process.versions.modules;
	const abiMatch = /NODE_MODULE_VERSION (\d+)/.exec(raw);
	const moduleAbi = abiMatch?.[1];
	const runtime = process.versions.electron ? `Electron ${process.versions.electron}` : `Node ${process.versions.node}`;
	let message: string;
	if (moduleAbi && moduleAbi !== runtimeAbi) {
		message =
			`Model Ledger cannot open its registry index: better-sqlite3 was compiled for NODE_MODULE_VERSION ${moduleAbi}, ` +
			`but this ${runtime} needs NODE_MODULE_VERSION ${runtimeAbi}. ` +
			`Fix: install the build of Model Ledger for this platform, or rebuild it with \`npm rebuild better-sqlite3\` under this runtime.`;
	} else {
		message =
			`Model Ledger cannot load its SQLite module (better-sqlite3) under ${runtime} (NODE_MODULE_VERSION ${runtimeAbi}): ${firstLine(raw)}. ` +
			`Fix: reinstall the extension, or run \`npm rebuild better-sqlite3\` under this runtime.`;
	}
	return new NativeModuleError(message, runtimeAbi, moduleAbi, err);
}

function firstLine(text: string): string {
	return text.split('\n')[0].trim();
}
