// Composition root: activation only constructs and registers (it is synchronous and cheap); heavy
// modules load on first use. This file is the entry of dist/extension.js, which holds only what
// activation needs: the Registry view, status bar, decorations, stored-file documents, the
// registry health check and one registration per command of the table (commands.ts). Everything
// that needs the core (YAML, git, globbing, diffing) is in dist/features.js (features.ts), loaded by
// the first command, hover or registry read.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DECORATIONS_SETTING, registerFileDecorations } from './registry/fileDecorations';
import type { LedgerFileDecorations } from './registry/fileDecorations';
import type { LedgerHoverProvider } from './hovers/hovers';
import { COMMANDS, COMPARE_VIEW_TYPE, CONTEXT_KEYS, isActivationCommand } from './commands';
import type { CommandHandler, CommandHandlers, CommandName, FeatureCommand } from './commands';
import { features } from './lazyFeatures';
import { registerRegistryTree } from './registry/registryTree';
import type { RegistryNode, RegistryTreeModel, RegistryTreeProvider, RegistryView } from './registry/registryTree';
import { RegistryHealth } from './registry/registryHealth';
import { LedgerStatusBar, STATUS_BAR_SETTING } from './registry/statusBar';
import { registerStoredFiles } from './registry/storedFiles';
import { WorkingState } from './registry/workingState';
import { WorkspaceLedgers } from './workspaceLedgers';

export const CONFIG_FILE = 'model-ledger.yaml';


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
	void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.noConfig, !hasConfig);

	const registryHealth = new RegistryHealth(workspaceRoot);
	context.subscriptions.push(registryHealth);

	if (hasConfig) {
		// Off the activation path: a broken native module must surface as one clear error (and in the
		// sidebar's welcome view) as soon as the workspace has a ledger, not only when a command runs.
		const timer = setTimeout(() => void registryHealth.check({ notify: true, force: false }), 0);
		context.subscriptions.push({ dispose: () => clearTimeout(timer) });
	}

	// Loads dist/features.js once and takes the handlers of its commands (swapped in behind the
	// registrations below). Set before registering: opening a ledger while registering comes back here.
	let loaded = false;
	let featureHandlers: CommandHandlers<FeatureCommand> | undefined;
	const loadFeatures = () => {
		if (loaded) return;
		// Required first: if the bundle cannot load, each command reports it on use and tries again.
		const { registerFeatures } = features();
		loaded = true;
		const registered = registerFeatures({ context, ledgers, registry, workingState, updateNoConfig });
		featureHandlers = registered.handlers;
		// eslint-disable-next-line no-restricted-syntax -- a fixed list of registrations
		context.subscriptions.push(...registered.disposables);
	};
	const featureHandler = (name: FeatureCommand): CommandHandler => (...args: unknown[]) => {
		loadFeatures();
		if (!featureHandlers) throw new Error(`Model Ledger: the command ${COMMANDS[name]} is not available: its features did not finish loading (see the earlier error).`);
		// eslint-disable-next-line no-restricted-syntax -- a command's own arguments
		return featureHandlers[name](...args);
	};

	// Constructing these reads no registry: a folder's Ledger is created (and the features loaded) on first use.
	const ledgers = new WorkspaceLedgers((root) => {
		const ledger = features().Ledger.at(root);
		loadFeatures();
		return ledger;
	});
	const updateNoConfig = () => void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.noConfig, ledgers.all().length === 0);
	// The tree's git and manifest queries live in dist/features.js, loaded by then (a ledger is open).
	const registry: RegistryView = registerRegistryTree(ledgers, () => features());
	const workingState = new WorkingState(
		ledgers,
		() => {
			const config = vscode.workspace.getConfiguration();
			return config.get<boolean>(STATUS_BAR_SETTING, true) || config.get<boolean>(DECORATIONS_SETTING, true);
		},
		// Hashing and globbing live in dist/features.js: loaded on the first working-tree pass.
		() => features(),
	);
	const decorations = registerFileDecorations(workingState);
	// Every command of the table, registered once: the Registry view's own handlers, and for the rest
	// the handler dist/features.js exports under the same name (loaded by the first one run).
	const activationHandlers = { ...registry.commands, ...registryHealth.commands };
	for (const name of Object.keys(COMMANDS) as CommandName[]) {
		const handler = isActivationCommand(name) ? activationHandlers[name] : featureHandler(name);
		context.subscriptions.push(vscode.commands.registerCommand(COMMANDS[name], handler));
	}
	// Compare panels come back after a window reload: VS Code hands us the panel and the page's saved
	// state; the features (and the core) load then, as for a command. 
	context.subscriptions.push(
		vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
			deserializeWebviewPanel: async (panel, state: unknown) => {
				loadFeatures();
				await features().restoreComparePanel(panel, state);
			},
		}),
	);
	// The hover implementation (and its parsers) loads on the first hover.
	let hovers: LedgerHoverProvider | undefined;
	context.subscriptions.push(
		ledgers,
		registry,
		registerStoredFiles(ledgers),
		vscode.languages.registerHoverProvider(
			{ scheme: 'file' },
			{
				provideHover: (document, position, token) => {
					hovers ??= new (features().LedgerHoverProvider)(ledgers, true);
					return hovers.provideHover(document, position, token);
				},
			},
		),
		vscode.workspace.onDidCloseTextDocument((d) => hovers?.forget(d)),
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
	// Secret findings in tracked files show as problems before a snapshot: the scan lives with the
	// features, loaded after activation (not during it) in a workspace that has a ledger.
	if (hasConfig) {
		const timer = setTimeout(() => {
			try {
				loadFeatures();
			} catch {
				// The stand-ins report a bundle that cannot load on first use.
			}
		}, 0);
		context.subscriptions.push({ dispose: () => clearTimeout(timer) });
	}

	return { registryTree: registry.provider, registryModel: registry.model, registryView: registry.view, workingState, decorations: decorations.decorations, ledgers };
}

export function deactivate(): void {}
