// Explorer decorations: tracked files that differ from their model's latest version get a badge
// and a tooltip (like git's M), so it is visible which edits a snapshot would record. Opt out with
// `modelLedger.explorerDecorations.enabled`. The badges are `Δ` (modified) and `+` (not in the
// version yet) rather than git's letters: VS Code shows both providers' badges side by side, and
// "M, M" next to an edited file said nothing about which one was ours.
import * as vscode from 'vscode';
import { workingFileUri } from './storedFiles';
import { versionShortName } from './versionText';
import type { WorkingState } from './workingState';

export const DECORATIONS_SETTING = 'modelLedger.explorerDecorations.enabled';
export const MODIFIED_BADGE = 'Δ';
export const ADDED_BADGE = '+';

export class LedgerFileDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
	private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
	readonly onDidChangeFileDecorations = this.emitter.event;
	private decorations = new Map<string, vscode.FileDecoration>();
	private readonly disposables: vscode.Disposable[] = [this.emitter];

	constructor(private readonly state: WorkingState) {
		this.disposables.push(
			state.onDidChange(() => this.update()),
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (e.affectsConfiguration(DECORATIONS_SETTING)) this.update();
			}),
		);
	}

	/** The decorated URIs (tests read this). */
	get decorated(): ReadonlyMap<string, vscode.FileDecoration> {
		return this.decorations;
	}

	private update(): void {
		const next = new Map<string, vscode.FileDecoration>();
		if (vscode.workspace.getConfiguration().get<boolean>(DECORATIONS_SETTING, true)) {
			for (const s of this.state.models) {
				if (!s.latest) continue; // before the first snapshot every file would be "new": no noise
				const name = `${s.model} ${versionShortName(s.latest)}`;
				for (const path of s.changes.modified) {
					const uri = workingFileUri(s.root, path).toString();
					const previous = next.get(uri);
					const tooltip = previous ? `${previous.tooltip}, ${name}` : `Modified since ${name} (Model Ledger)`;
					next.set(uri, new vscode.FileDecoration(MODIFIED_BADGE, tooltip, new vscode.ThemeColor('modelLedger.modifiedResourceForeground')));
				}
				for (const path of s.changes.added) {
					const uri = workingFileUri(s.root, path).toString();
					if (!next.has(uri)) next.set(uri, new vscode.FileDecoration(ADDED_BADGE, `Not in ${name} yet: the next snapshot adds it (Model Ledger)`, new vscode.ThemeColor('modelLedger.addedResourceForeground')));
				}
			}
		}
		const changed = new Set([...this.decorations.keys(), ...next.keys()]);
		this.decorations = next;
		if (changed.size) this.emitter.fire([...changed].map((u) => vscode.Uri.parse(u)));
	}

	provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
		return this.decorations.get(uri.toString());
	}

	dispose(): void {
		this.disposables.forEach((d) => d.dispose());
	}
}

export function registerFileDecorations(state: WorkingState): { decorations: LedgerFileDecorations; disposable: vscode.Disposable } {
	const decorations = new LedgerFileDecorations(state);
	return { decorations, disposable: vscode.Disposable.from(decorations, vscode.window.registerFileDecorationProvider(decorations)) };
}
