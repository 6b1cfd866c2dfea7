// The second half of the extension, bundled on its own into dist/features.js and required on first
// use (a command, a hover, the first registry read), never at activation: it holds the core (YAML,
// TOML, git, globbing, diffing, remotes) and every command that needs it. extension.ts registers
// every command of the table (commands.ts) at activation; the first one of these invoked loads this
// bundle and calls the handler `registerFeatures` returns under the same name (no re-run).
import type * as vscode from 'vscode';
import type { CommandHandlers, FeatureCommand } from './commands';
import { compareSelectionCommands } from './compare/compareSelection';
import { compareViewCommands } from './compare/compareView';
import { diffCommands } from './compare/diffCommands';
import { revealVersionCommands } from './hovers/hovers';
import { initCommands } from './snapshot/initCommand';
import { lifecycleCommands } from './lifecycle/lifecycleCommands';
import type { RegistryView } from './registry/registryTree';
import { remoteCommands } from './remotes/remoteCommands';
import { registerSecretDiagnostics } from './snapshot/secretDiagnostics';
import { snapshotCommands } from './snapshot/snapshotCommand';
import type { WorkingState } from './registry/workingState';
import type { WorkspaceLedgers } from './workspaceLedgers';
import { registerWorkspaceTrust } from './workspaceTrust';

export { Ledger } from '../core/ledger';
export { versionMatchingWorkingTree } from '../core/store/restore';
export { workingChanges } from '../core/snapshot/snapshot';
export { modelMatcher } from '../core/snapshot/workspaceFiles';
export { adoptOtherRefVersions } from '../core/index/otherRefs';
export { runInfoLines } from '../core/snapshot/runMetadata';
export { LedgerHoverProvider } from './hovers/hovers';
export { restoreComparePanel } from './compare/compareView';

export interface FeatureHost {
	context: vscode.ExtensionContext;
	ledgers: WorkspaceLedgers;
	registry: RegistryView;
	workingState: WorkingState;
	updateNoConfig: () => void;
}

/** The handler of every command that needs the core, by name, and what to dispose with the extension. */
export interface Features {
	handlers: CommandHandlers<FeatureCommand>;
	disposables: vscode.Disposable[];
}

/** Creates every command handler that needs the core (and their providers, listeners, diagnostics). */
export function registerFeatures(host: FeatureHost): Features {
	const { context, ledgers, registry, workingState, updateNoConfig } = host;
	// First: git stays off in an untrusted workspace before any feature can run it.
	const trust = registerWorkspaceTrust();
	const diff = diffCommands(ledgers);
	const remotes = remoteCommands(ledgers, registry);
	const selection = compareSelectionCommands(ledgers, diff.commands);
	const compareView = compareViewCommands(context, ledgers);
	const lifecycle = lifecycleCommands(ledgers, workingState);
	return {
		handlers: {
			...diff.handlers,
			...remotes.handlers,
			...revealVersionCommands(registry),
			...selection.handlers,
			...compareView.handlers,
			...snapshotCommands(ledgers, diff.commands),
			...initCommands(ledgers, updateNoConfig),
			...lifecycle.handlers,
		},
		disposables: [
			trust,
			remotes.disposable,
			selection.disposable,
			compareView.disposable,
			lifecycle.disposable,
			// Secret findings in tracked files, as problems, before a snapshot refuses them.
			registerSecretDiagnostics(ledgers),
		],
	};
}
