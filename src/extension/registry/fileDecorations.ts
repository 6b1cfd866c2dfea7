// Explorer decorations: tracked files that differ from their model's latest version get a badge
// and a tooltip (like git's M), so it is visible which edits a snapshot would record. Opt out with
// `modelLedger.explorerDecorations.enabled`. The badges are `Δ` (modified) and `+` (not in the
// version yet) rather than git's letters: VS Code shows both providers' badges side by side, and
// "M, M" next to an edited file said nothing about which one was ours.
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { workingFileUri } from './storedFiles';
import { versionShortName } from './versionText';
import type { WorkingState } from './workingState';

export const DECORATIONS_SETTING = 'modelLedger.explorerDecorations.enabled';
export const MODIFIED_BADGE = 'Δ';
export const ADDED_BADGE = '+';

export class LedgerFileDecorations extends Disposable implements vscode.FileDecorationProvider {
	private readonly emitter = this.register(new vscode.EventEmitter<vscode.Uri[]>());
	readonly onDidChangeFileDecorations = this.emitter.event;
	private decorations = new Map<string, vscode.FileDecoration>();

	constructor(private readonly state: WorkingState) {
		super();
		this.register(state.onDidChange(() => this.update()));
		this.register(
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
}

export function registerFileDecorations(state: WorkingState): { decorations: LedgerFileDecorations; disposable: vscode.Disposable } {
	const decorations = new LedgerFileDecorations(state);
	return { decorations, disposable: vscode.Disposable.from(decorations, vscode.window.registerFileDecorationProvider(decorations)) };
}
