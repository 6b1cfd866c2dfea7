// Status bar: the active model and whether the workspace matches its latest version
// (`support-bot v7`) or not (`support-bot v7 · 2 changed`); a click starts a snapshot of that model.
// The active model is the one that tracks the file in the active editor, else the first model.
import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../../core/displayText';
import { COMMANDS } from '../commands';
import { Disposable } from '../dispose';
import type { ModelState, WorkingState } from './workingState';
import { changeCount, describeChanges, escapeIcons, escapeMarkdown, markdownCode, versionShortName } from './versionText';
import type { WorkspaceLedgers } from '../workspaceLedgers';

export const STATUS_BAR_SETTING = 'modelLedger.statusBar.enabled';

/** Status bar text for a model's state. The status bar draws `$(name)` as an icon: only ours are. */
export function statusText(state: ModelState): string {
	const model = escapeIcons(oneLine(state.model));
	if (state.error) return `$(warning) ${model}`;
	if (!state.latest) return `$(versions) ${model} · no versions`;
	if (state.matches) return `$(versions) ${model} · matches ${escapeIcons(versionShortName(state.matches))}`;
	const n = changeCount(state.changes);
	return `$(versions) ${model} ${escapeIcons(versionShortName(state.latest))}${n ? ` · ${n} changed` : ''}`;
}

export class LedgerStatusBar extends Disposable {
	private readonly item = this.register(vscode.window.createStatusBarItem('modelLedger.status', vscode.StatusBarAlignment.Left, 50));
	private active: { root: string; model: string } | undefined;

	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly state: WorkingState,
	) {
		super();
		this.item.name = 'Model Ledger';
		this.register(state.onDidChange(() => this.render()));
		this.register(vscode.window.onDidChangeActiveTextEditor(() => this.render()));
		this.register(
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (e.affectsConfiguration(STATUS_BAR_SETTING)) this.render();
			}),
		);
	}

	private pickState(): ModelState | undefined {
		const models = this.state.models;
		const uri = vscode.window.activeTextEditor?.document.uri;
		const entry = uri?.scheme === 'file' ? this.ledgers.forUri(uri) : undefined;
		if (uri && entry) {
			const rel = relative(entry.root, uri.fsPath).split(sep).join('/');
			const names = this.state.modelsOf(entry.root, rel);
			const found = models.find((m) => m.root === entry.root && names.includes(m.model));
			if (found) this.active = { root: found.root, model: found.model };
		}
		return models.find((m) => m.root === this.active?.root && m.model === this.active?.model) ?? models[0];
	}

	render(): void {
		const enabled = vscode.workspace.getConfiguration().get<boolean>(STATUS_BAR_SETTING, true);
		const state = enabled ? this.pickState() : undefined;
		if (!state) {
			this.item.hide();
			return;
		}
		this.item.text = statusText(state);
		// No theme icons: the tooltip holds file paths and labels from the repository (markdownCode, escapeMarkdown).
		const md = new vscode.MarkdownString(undefined, false);
		if (state.error) {
			md.appendMarkdown(`**${escapeMarkdown(state.model)}**: ${escapeMarkdown(state.error)}`);
		} else if (!state.latest) {
			md.appendMarkdown(`**${escapeMarkdown(state.model)}** has no versions yet.\n\nClick to snapshot it.`);
		} else {
			const n = changeCount(state.changes);
			md.appendMarkdown(`**${escapeMarkdown(state.model)} ${versionShortName(state.latest)}** (${escapeMarkdown(state.latest.label)})\n\n`);
			if (n === 0) md.appendMarkdown('The workspace matches this version.');
			else if (state.matches) md.appendMarkdown(`The workspace holds ${versionShortName(state.matches)} (${escapeMarkdown(state.matches.label)}) exactly, not the latest version.\n\nClick to snapshot.`);
			else {
				md.appendMarkdown(`Since this version: ${describeChanges(state.changes)}\n\n`);
				const rows = [...state.changes.modified.map((p) => `M ${markdownCode(p)}`), ...state.changes.added.map((p) => `A ${markdownCode(p)}`), ...state.changes.removed.map((p) => `D ${markdownCode(p)}`)];
				md.appendMarkdown(rows.slice(0, 12).join('  \n') + (rows.length > 12 ? `  \n… ${rows.length - 12} more` : ''));
				md.appendMarkdown('\n\nClick to snapshot.');
			}
		}
		this.item.tooltip = md;
		this.item.command = { command: COMMANDS.snapshot, title: 'Snapshot…', arguments: [{ root: state.root, model: state.model }] };
		this.item.backgroundColor = undefined;
		this.item.show();
	}
}
