// Workspace trust: in Restricted Mode the extension reads and displays the registry but writes
// nothing (no snapshot, restore, alias, approval, tag, rollback, gc, init) and runs no git — a
// repository's own .git/config can make git run commands (core.fsmonitor, filter drivers, textconv).
// Write commands call `requireTrustedWorkspace` first; the error says why and what to do.
import * as vscode from 'vscode';
import { LedgerError } from '../core/errors';
import { setGitDisabled } from '../core/snapshot/gitLineage';

export const UNTRUSTED_CODE = 'UNTRUSTED_WORKSPACE';

/** Throws a LedgerError naming the action when the workspace is not trusted. */
export function requireTrustedWorkspace(action: string): void {
	if (vscode.workspace.isTrusted) return;
	throw new LedgerError({
		code: UNTRUSTED_CODE,
		message: `${action} is not available in Restricted Mode: this folder is not trusted, so Model Ledger only reads its registry.`,
		fix: 'Trust the folder (Command Palette → "Workspaces: Manage Workspace Trust") to snapshot, restore, set aliases, approve or clean up.',
	});
}

/** Keeps git off while the workspace is untrusted (menus hide write commands with VS Code's own `isWorkspaceTrusted`). */
export function registerWorkspaceTrust(): vscode.Disposable {
	const apply = () => {
		setGitDisabled(vscode.workspace.isTrusted ? undefined : 'the workspace is not trusted');
	};
	apply();
	return vscode.workspace.onDidGrantWorkspaceTrust(apply);
}
