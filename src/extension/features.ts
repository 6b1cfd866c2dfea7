// The second half of the extension, bundled on its own into dist/features.js and required on first
// use (a command, a hover, the first registry read), never at activation: it holds the core (YAML,
// TOML, git, globbing, diffing, remotes) and every command that needs it. extension.ts registers a
// stand-in for each of these commands; the first one invoked calls `registerFeatures` and re-runs.
import type * as vscode from 'vscode';
import { registerCompareSelection } from './compare/compareSelection';
import { registerCompareView } from './compare/compareView';
import { registerDiffCommands } from './compare/diffCommands';
import { registerRevealVersion } from './hovers/hovers';
import { registerInitCommand } from './snapshot/initCommand';
import { registerLifecycleCommands } from './lifecycle/lifecycleCommands';
import type { RegistryView } from './registry/registryTree';
import { registerRemoteCommands } from './remotes/remoteCommands';
import { registerSecretDiagnostics } from './snapshot/secretDiagnostics';
import { registerSnapshotCommand } from './snapshot/snapshotCommand';
import type { WorkingState } from './registry/workingState';
import type { WorkspaceLedgers } from './workspaceLedgers';
import { registerWorkspaceTrust } from './workspaceTrust';

export { Ledger } from '../core/ledger';
export { versionMatchingWorkingTree } from '../core/store/restore';
export { workingChanges } from '../core/snapshot/snapshot';
export { modelMatcher } from '../core/snapshot/workspaceFiles';
export { LedgerHoverProvider } from './hovers/hovers';
export { restoreComparePanel } from './compare/compareView';

export interface FeatureHost {
	context: vscode.ExtensionContext;
	ledgers: WorkspaceLedgers;
	registry: RegistryView;
	workingState: WorkingState;
	updateNoConfig: () => void;
}

/** Registers every command that needs the core; the returned disposables go to the extension context. */
export function registerFeatures(host: FeatureHost): vscode.Disposable[] {
	const { context, ledgers, registry, workingState, updateNoConfig } = host;
	// First: git stays off in an untrusted workspace before any feature can run it.
	const trust = registerWorkspaceTrust();
	const diff = registerDiffCommands(ledgers);
	return [
		trust,
		registerRemoteCommands(ledgers, registry),
		diff.disposable,
		registerRevealVersion(registry),
		registerCompareSelection(ledgers, diff.commands),
		registerCompareView(context, ledgers),
		registerSnapshotCommand(ledgers, diff.commands),
		registerInitCommand(ledgers, updateNoConfig),
		registerLifecycleCommands(ledgers, workingState),
		// Secret findings in tracked files, as problems, before a snapshot refuses them.
		registerSecretDiagnostics(ledgers),
	];
}
