// Select for Compare / Compare with Selected (the GitLens pattern) on versions. Comparing two
// versions opens the compare view when one is registered (`modelLedger.compareVersions`, issue 5),
// and otherwise a quick pick of the files that changed, each opening in the native diff editor.
import * as vscode from 'vscode';
import { LedgerError } from '../../core/errors';
import type { VersionSummary } from '../../core/model';
import { isInteractive } from '../commandArgs';
import { COMMANDS, CONTEXT_KEYS } from '../commands';
import type { RegisteredCommands } from '../commands';
import { pickLedger, resolveReadableVersion, runReporting, versionTargetOf } from '../commandSupport';
import type { OpenedDiff, StoredFileCommands } from './diffCommands';
import { versionShortName } from '../registry/versionText';
import type { WorkspaceLedgers } from '../workspaceLedgers';


export interface SelectedVersion {
	root: string;
	model: string;
	digest: string;
	name: string;
}

export type CompareOutcome = { opened: 'compareView'; result: unknown } | { opened: 'diff'; diff: OpenedDiff | undefined };

/** Opens the compare view when present, else the changed-files pick; `a` is the older side. */
export async function compareTwoVersions(ledgers: WorkspaceLedgers, files: StoredFileCommands, root: string, a: VersionSummary, b: VersionSummary): Promise<CompareOutcome> {
	const [older, newer] = a.number <= b.number ? [a, b] : [b, a];
	const commands = await vscode.commands.getCommands(true);
	if (commands.includes(COMMANDS.compareVersions)) {
		const result = await vscode.commands.executeCommand(COMMANDS.compareVersions, { root, model: older.model, a: older.digest, b: newer.digest });
		return { opened: 'compareView', result };
	}
	const entry = await pickLedger(ledgers, root);
	return { opened: 'diff', diff: await files.pickChangedFile(entry, older, newer) };
}

/** Select for Compare and the compares that use it (registered by extension.ts from the command table). */
export function compareSelectionCommands(ledgers: WorkspaceLedgers, files: StoredFileCommands): RegisteredCommands<'selectForCompare' | 'compareWithSelected' | 'compareSelectedVersions'> {
	let selected: SelectedVersion | undefined;
	const setSelected = (value: SelectedVersion | undefined) => {
		selected = value;
		void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasSelectionForCompare, value !== undefined);
	};
	const handlers = {
		selectForCompare: (arg?: unknown) =>
			runReporting(isInteractive(arg), undefined, async () => {
				const target = versionTargetOf(arg);
				if (!target) throw new LedgerError({ code: 'BAD_ARGUMENT', message: 'Select for Compare needs a version.', fix: 'Run it on a version in the Model Ledger sidebar, or pass {root?, model, version}.' });
				const entry = await pickLedger(ledgers, target.root);
				const v = resolveReadableVersion(entry.ledger, target.model, target.ref);
				setSelected({ root: entry.root, model: v.model, digest: v.digest, name: `${v.model} ${versionShortName(v)}` });
				return selected;
			}),
		compareWithSelected: (arg?: unknown) =>
			runReporting(isInteractive(arg), undefined, async () => {
				if (!selected) throw new LedgerError({ code: 'NO_SELECTION', message: 'No version is selected for compare.', fix: 'Right-click a version and choose "Select for Compare" first.' });
				const target = versionTargetOf(arg);
				if (!target) throw new LedgerError({ code: 'BAD_ARGUMENT', message: 'Compare with Selected needs a version.', fix: 'Run it on a version in the Model Ledger sidebar, or pass {root?, model, version}.' });
				const entry = await pickLedger(ledgers, target.root);
				const b = resolveReadableVersion(entry.ledger, target.model, target.ref);
				if (entry.root !== selected.root || b.model !== selected.model) {
					throw new LedgerError({ code: 'BAD_SELECTION', message: `${selected.name} and ${b.model} ${versionShortName(b)} belong to different models.`, fix: 'Compare versions of the same model.' });
				}
				const a = resolveReadableVersion(entry.ledger, selected.model, selected.digest);
				return compareTwoVersions(ledgers, files, entry.root, a, b);
			}),
		compareSelectedVersions: (arg?: unknown, selection?: unknown[]) =>
			runReporting(true, undefined, async () => {
				const nodes = (selection && selection.length ? selection : [arg]).map((n) => versionTargetOf(n)).filter((t) => t !== undefined);
				if (nodes.length !== 2 || nodes[0].model !== nodes[1].model || nodes[0].root !== nodes[1].root) {
					throw new LedgerError({ code: 'BAD_SELECTION', message: 'Select exactly two versions of the same model to compare.', fix: 'Ctrl/Cmd-click two versions under one model, then choose "Compare Selected Versions".' });
				}
				const entry = await pickLedger(ledgers, nodes[0].root);
				const [a, b] = nodes.map((t) => resolveReadableVersion(entry.ledger, t.model, t.ref));
				return compareTwoVersions(ledgers, files, entry.root, a, b);
			}),
	};
	return { handlers, disposable: { dispose: () => setSelected(undefined) } };
}
