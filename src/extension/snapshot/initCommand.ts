// `Model Ledger: Initialize`: writes a model-ledger.yaml detected from the workspace (prompt folders,
// weights, RAG/train configs, metrics, DVC files) and opens it for editing. An existing file is
// never overwritten; it is opened instead. Argument object: `{ root? }` → InitResult (opens nothing).
import * as vscode from 'vscode';
import { notify } from '../userInterface';
import { cancelled, LedgerError } from '../../core/errors';
import { initWorkspace } from '../../core/init/initWorkspace';
import type { InitResult } from '../../core/init/initWorkspace';
import { isInteractive, stringArg } from '../commandArgs';
import type { CommandHandlers } from '../commands';
import { runReporting } from '../commandSupport';
import type { WorkspaceLedgers } from '../workspaceLedgers';
import { requireTrustedWorkspace } from '../workspaceTrust';

async function pickFolder(root?: string): Promise<vscode.WorkspaceFolder> {
	const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
	if (root !== undefined) {
		const folder = folders.find((f) => f.uri.fsPath === root);
		if (!folder) throw new LedgerError({ code: 'UNKNOWN_ROOT', message: `${root} is not an open workspace folder.`, fix: 'Pass the root of an open workspace folder, or omit `root`.' });
		return folder;
	}
	if (folders.length === 0) throw new LedgerError({ code: 'NO_FOLDER', message: 'No folder is open.', fix: 'Open the folder of your project (File → Open Folder…) and run Initialize again.' });
	if (folders.length === 1) return folders[0];
	const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Initialize Model Ledger in which folder?' });
	if (!picked) throw cancelled('Initialize');
	return picked;
}

/** `init`'s handler (registered by extension.ts from the command table). */
export function initCommands(ledgers: WorkspaceLedgers, onInitialized: () => void): CommandHandlers<'init'> {
	const init = (arg?: unknown) => {
		const headless = !isInteractive(arg);
		const root = stringArg(arg, 'root');
		return runReporting(!headless, root, async (): Promise<InitResult> => {
			requireTrustedWorkspace('Initialize');
			const folder = await pickFolder(root);
			const result = initWorkspace(folder.uri.fsPath);
			ledgers.refreshFolders();
			onInitialized();
			if (!headless) {
				if (result.template !== undefined) {
					// Nothing recognised: no config that matches nothing; the template opens unsaved for the user to adapt.
					const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: `# Save as model-ledger.yaml in ${folder.name} after adjusting the globs.\n${result.template}` });
					await vscode.window.showTextDocument(doc);
					void notify('info', `Found nothing to version in ${folder.name} (no prompts, configs, flows, eval results or model folders). model-ledger.yaml was not written; adapt the template and save it.`);
					return result;
				}
				await vscode.window.showTextDocument(vscode.Uri.file(result.configPath));
				const names = result.models.map((m) => m.name);
				const commit = result.git.repository ? ` Commit ${result.git.commit.join(', ')} so others see the versions.` : '';
				void notify('info', 
					result.configCreated
						? `Created model-ledger.yaml with ${names.length === 1 ? `model \`${names[0]}\`` : `${names.length} models (${names.join(', ')})`}. Adjust the globs, then run "Model Ledger: Snapshot…".${commit}`
						: `This folder already has a model-ledger.yaml; it was left as it is.${commit}`,
				);
			}
			return result;
		});
	};
	return { init };
}
