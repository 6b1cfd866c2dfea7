// Composition root: activation only constructs and registers (it is synchronous and cheap); heavy
// modules such as better-sqlite3 load on first use. Each feature adds one registration here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { registerCompareSelection } from './compareSelection';
import { registerCompareView } from './compareView';
import { registerDiffCommands } from './diffCommands';
import { DECORATIONS_SETTING, registerFileDecorations } from './fileDecorations';
import type { LedgerFileDecorations } from './fileDecorations';
import { registerInitCommand } from './initCommand';
import { registerHovers } from './hovers';
import { registerLifecycleCommands } from './lifecycleCommands';
import { registerRegistryTree } from './registryTree';
import { registerRemoteCommands } from './remoteCommands';
import type { RegistryNode, RegistryTreeModel, RegistryTreeProvider } from './registryTree';
import { RegistryHealth } from './registryHealth';
import { registerSnapshotCommand } from './snapshotCommand';
import { LedgerStatusBar, STATUS_BAR_SETTING } from './statusBar';
import { registerStoredFiles } from './storedFiles';
import { WorkingState } from './workingState';
import { WorkspaceLedgers } from './workspaceLedgers';
import { registerWorkspaceTrust } from './workspaceTrust';

export const CONFIG_FILE = 'model-ledger.yaml';
export const NO_CONFIG_CONTEXT_KEY = 'modelLedger.noConfig';

function workspaceRoot(): string | undefined {
	const folder = vscode.workspace.workspaceFolders?.[0];
	return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

/** What `activate` returns: other extensions and the host tests read the registry tree through it. */
export interface ModelLedgerApi {
	registryTree: RegistryTreeProvider;
	registryModel: RegistryTreeModel;
	registryView: vscode.TreeView<RegistryNode>;
	workingState: WorkingState;
	decorations: LedgerFileDecorations;
	ledgers: WorkspaceLedgers;
}

export function activate(context: vscode.ExtensionContext): ModelLedgerApi {
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

	// Constructing these reads no registry: the Ledger opens its index on first use.
	const ledgers = new WorkspaceLedgers();
	const updateNoConfig = () => void vscode.commands.executeCommand('setContext', NO_CONFIG_CONTEXT_KEY, ledgers.all().length === 0);
	const registry = registerRegistryTree(ledgers);
	const diff = registerDiffCommands(ledgers);
	const workingState = new WorkingState(ledgers, () => {
		const config = vscode.workspace.getConfiguration();
		return config.get<boolean>(STATUS_BAR_SETTING, true) || config.get<boolean>(DECORATIONS_SETTING, true);
	});
	const decorations = registerFileDecorations(workingState);
	context.subscriptions.push(
		// First: git stays off in an untrusted workspace before any feature can run it.
		registerWorkspaceTrust(),
		ledgers,
		registry,
		registerStoredFiles(ledgers),
		registerRemoteCommands(ledgers, registry),
		diff.disposable,
		registerHovers(context, ledgers, registry),
		registerCompareSelection(ledgers, diff.commands),
		registerCompareView(context, ledgers),
		registerSnapshotCommand(ledgers, diff.commands),
		registerInitCommand(ledgers, updateNoConfig),
		registerLifecycleCommands(ledgers, workingState),
		workingState,
		new LedgerStatusBar(ledgers, workingState),
		decorations.disposable,
		ledgers.onDidChange(updateNoConfig),
		vscode.workspace.onDidChangeConfiguration((e) => {
			if (e.affectsConfiguration(STATUS_BAR_SETTING) || e.affectsConfiguration(DECORATIONS_SETTING)) workingState.schedule();
		}),
	);
	// The first working-tree comparison hashes files: after activation, not during it.
	if (hasConfig) workingState.schedule();

	return { registryTree: registry.provider, registryModel: registry.model, registryView: registry.view, workingState, decorations: decorations.decorations, ledgers };
}

export function deactivate(): void {}
