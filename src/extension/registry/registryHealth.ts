// Proves, on first use, that the registry index can be opened: better-sqlite3 is a native module, and
// a VSIX for another platform or a VS Code older than 1.101 (Node < 22.14) is the most likely way for
// this extension to break in a user's editor.
// A failure is shown once as an error notification and, through the `modelLedger.registryError`
// context key, in the sidebar's welcome view, so the user never meets a silent, dead sidebar.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { notify } from '../userInterface';
import { CONTEXT_KEYS } from '../commands';
import type { CommandHandlers } from '../commands';
import { Disposable } from '../dispose';
import { loadSqlite, NativeModuleError } from '../../core/index/sqlite';

export type RegistryCheckResult = { ok: true; sqliteVersion: string; database: string } | { ok: false; error: string };


// A native module that failed to load stays broken until the extension host restarts, and a second
// dlopen of the same file only says "Module did not self-register": keep the first, clear message.
let nativeLoadFailure: string | undefined;

/** Opens `<workspace>/.model-ledger/cache/index.db` (an in-memory database when there is no initialized ledger) and reports what happened. */
export function checkRegistryIndex(workspaceRoot: string | undefined): RegistryCheckResult {
	if (nativeLoadFailure) return { ok: false, error: nativeLoadFailure };
	try {
		let Database;
		try {
			Database = loadSqlite();
		} catch (err) {
			if (err instanceof NativeModuleError) nativeLoadFailure = err.message;
			throw err;
		}
		// Only an initialized ledger gets a file: its .gitignore keeps cache/ out of git, whereas an
		// index.db created in a workspace that was never initialized would show up as untracked.
		let file = ':memory:';
		const ledgerDir = workspaceRoot ? join(workspaceRoot, '.model-ledger') : undefined;
		if (ledgerDir && existsSync(ledgerDir)) {
			const cacheDir = join(ledgerDir, 'cache');
			mkdirSync(cacheDir, { recursive: true });
			file = join(cacheDir, 'index.db');
		}
		const db = new Database(file);
		try {
			const row = db.prepare('select sqlite_version() as version').get() as { version: string };
			return { ok: true, sqliteVersion: row.version, database: file };
		} finally {
			db.close();
		}
	} catch (err) {
		return { ok: false, error: err instanceof Error ? err.message : String(err) };
	}
}

export class RegistryHealth extends Disposable {
	private notified = false;

	constructor(private readonly workspaceRoot: () => string | undefined) {
		super();
	}

	/** Registered by extension.ts from the command table. */
	readonly commands: CommandHandlers<'checkRegistry'> = {
		// Invoked from the palette or the welcome view's button it always shows a failure again;
		// tests pass `{ notify: false }` to inspect the result without a notification.
		checkRegistry: (options?: { notify?: boolean }) => this.check({ notify: options?.notify ?? true, force: true }),
	};

	/** Checks the registry index; shows the failure as a notification once per session unless forced. */
	async check(options: { notify: boolean; force: boolean }): Promise<RegistryCheckResult> {
		const result = checkRegistryIndex(this.workspaceRoot());
		await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.registryError, !result.ok);
		if (!result.ok && options.notify && (options.force || !this.notified)) {
			this.notified = true;
			// Not awaited: the notification stays until the user closes it.
			void notify('error', result.error);
		}
		return result;
	}
}
