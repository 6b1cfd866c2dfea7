// Composition root: activation only constructs and registers (it is synchronous and cheap); heavy
// modules such as better-sqlite3 load on first use. Each feature adds one registration here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RegistryHealth } from './registryHealth';

export const CONFIG_FILE = 'model-ledger.yaml';
export const NO_CONFIG_CONTEXT_KEY = 'modelLedger.noConfig';

function workspaceRoot(): string | undefined {
	const folder = vscode.workspace.workspaceFolders?.[0];
	return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

export function activate(context: vscode.ExtensionContext): void {
	const root = workspaceRoot();
	const hasConfig = root !== undefined && existsSync(join(root, CONFIG_FILE));
	void vscode.commands.executeCommand('setContext', NO_CONFIG_CONTEXT_KEY, !hasConfig);

	const registryHealth = new RegistryHealth(workspaceRoot);
	context.subscriptions.push(registryHealth);

	if (hasConfig) {
		// Off the activation path: a broken native module must surface as one clear error (and in the
		// sidebar's welcome view) as soon as the workspace has a ledger, not only when a command runs.
		const timer = setTimeout(() => void registryHealth.check({ notify: true, force: false }), 0);
		context.subscriptions.push({ dispose: () => clearTimeout(timer) });
	}
}

export function deactivate(): void {}
