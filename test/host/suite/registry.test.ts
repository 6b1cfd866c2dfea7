// The user's everyday flows in the real VS Code: snapshot from the command (argument object, no UI),
// the Registry tree showing the new versions, two prompt versions in the native diff editor, a
// snapshot made by the CLI in a terminal reaching the tree without a reload, the status bar and
// Explorer decorations following an edit. Screenshots: the sidebar with versions, the diff editor.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SnapshotResult } from '../../../src/core/snapshot/snapshot';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import type { RegistryNode } from '../../../src/extension/registry/registryTree';
import { activatedExtension, requestScreenshot, setColorTheme, testWorkspace, waitFor } from './hostTestSupport';

const MODEL = 'support-bot';
const PROMPT = 'prompts/system.md';

async function api(): Promise<ModelLedgerApi> {
	const extension = await activatedExtension();
	return extension.exports as ModelLedgerApi;
}

function label(api: ModelLedgerApi, node: RegistryNode): string {
	const item = api.registryTree.getTreeItem(node);
	return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function modelNode(api: ModelLedgerApi): RegistryNode {
	const node = api.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	assert.ok(node, `no ${MODEL} node among ${api.registryTree.getChildren().map((n) => n.kind).join(', ')}`);
	return node;
}

function versionNodes(api: ModelLedgerApi): Array<Extract<RegistryNode, { kind: 'version' }>> {
	return api.registryTree.getChildren(modelNode(api)).filter((n): n is Extract<RegistryNode, { kind: 'version' }> => n.kind === 'version');
}

/** Polls the tree (as the view would after a change event) until a version with `number` is listed. */
function waitForVersion(api: ModelLedgerApi, number: number, timeoutMs = 10_000) {
	return waitFor(`v${number} in the Registry tree`, () => versionNodes(api).find((n) => n.version.number === number), timeoutMs);
}

function childByLabel(api: ModelLedgerApi, parent: RegistryNode, text: string): RegistryNode {
	const children = api.registryTree.getChildren(parent);
	const found = children.find((n) => label(api, n) === text);
	assert.ok(found, `no child "${text}" under ${label(api, parent)}; children: ${children.map((n) => label(api, n)).join(', ')}`);
	return found;
}

async function activeDiffTexts(): Promise<{ input: vscode.TabInputTextDiff; label: string; original: string; modified: string }> {
	const tab = await waitFor('a diff editor tab', () => {
		const t = vscode.window.tabGroups.activeTabGroup.activeTab;
		return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
	});
	const input = tab.input as vscode.TabInputTextDiff;
	const original = (await vscode.workspace.openTextDocument(input.original)).getText();
	const modified = (await vscode.workspace.openTextDocument(input.modified)).getText();
	return { input, label: tab.label, original, modified };
}

describe('Registry sidebar, snapshot command and stored files', function () {
	const ws = testWorkspace();
	const promptPath = join(ws, PROMPT);
	let firstText = '';
	let secondText = '';

	before(async () => {
		await api();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		// The chat panel would take a third of the window in the screenshots.
		await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
	});

	it('snapshots through the command with an argument object; the tree shows v1 with its label', async () => {
		const ledger = await api();
		firstText = readFileSync(promptPath, 'utf8');
		const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message: 'first from the host', bump: 'minor', allowDirty: true })) as SnapshotResult;
		assert.equal(result.created.length, 1, JSON.stringify(result));
		assert.equal(result.created[0].number, 1);
		const v1 = await waitForVersion(ledger, 1);
		assert.equal(label(ledger, v1), `v1 · ${result.created[0].label}`);
		const description = ledger.registryTree.getTreeItem(v1).description as string;
		assert.match(description, /first from the host/);
		assert.equal(ledger.registryTree.getTreeItem(v1).contextValue, 'version');
	});

	it('a changed prompt snapshots as v2, marked modified under Artifacts › Prompts', async () => {
		const ledger = await api();
		secondText = firstText.replace(/\n?$/, '\nAlways answer in the customer\'s language.\n');
		writeFileSync(promptPath, secondText);
		const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message: 'answer in the customer language', bump: 'patch', allowDirty: true })) as SnapshotResult;
		assert.equal(result.created[0]?.number, 2, JSON.stringify(result));
		const v2 = await waitForVersion(ledger, 2);
		assert.equal(label(ledger, v2), `v2 · ${result.created[0].label}`);
		assert.deepEqual(versionNodes(ledger).map((n) => n.version.number), [2, 1], 'newest first');
		const artifacts = childByLabel(ledger, v2, 'Artifacts');
		const prompts = childByLabel(ledger, artifacts, 'Prompts');
		const file = childByLabel(ledger, prompts, 'system.md');
		const item = ledger.registryTree.getTreeItem(file);
		assert.match(String(item.description), /modified/);
		assert.equal(item.contextValue, 'artifact.text.changed');
		assert.equal(item.resourceUri?.scheme, 'model-ledger');
		assert.equal(item.resourceUri?.path, `/${PROMPT}`);
	});

	it('nothing changed: a snapshot names the version that already matches', async () => {
		const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message: 'again', allowDirty: true })) as SnapshotResult;
		assert.equal(result.created.length, 0);
		assert.equal(result.unchanged[0]?.matches.number, 2);
	});

	it('diffs two prompt versions in the native diff editor with both stored texts', async () => {
		const opened = (await vscode.commands.executeCommand('modelLedger.diffVersions', { model: MODEL, a: 'v1', b: 'v2', path: PROMPT })) as { left: vscode.Uri; right: vscode.Uri; title: string };
		assert.equal(opened.title, 'system.md (v1 ↔ v2)');
		const diff = await activeDiffTexts();
		assert.equal(diff.label, 'system.md (v1 ↔ v2)');
		assert.equal(diff.input.original.scheme, 'model-ledger');
		assert.equal(diff.input.original.toString(), opened.left.toString());
		assert.equal(diff.original, firstText);
		assert.equal(diff.modified, secondText);
		assert.notEqual(diff.original, diff.modified);
		const doc = await vscode.workspace.openTextDocument(diff.input.modified);
		assert.equal(doc.languageId, 'markdown', 'the URI path keeps the file name, so the language mode is right');
		await requestScreenshot('diff-editor');
	});

	it('diffs the working file against a stored version (working file on the right)', async () => {
		writeFileSync(promptPath, secondText + 'Be brief.\n');
		// An open document follows the disk through a file watcher, asynchronously: wait for it, or the
		// diff may show the text from before the write.
		await waitFor('the open document to see the edit on disk', async () => (await vscode.workspace.openTextDocument(vscode.Uri.file(promptPath))).getText() === secondText + 'Be brief.\n', 10_000);
		const opened = (await vscode.commands.executeCommand('modelLedger.diffFileWithVersion', { model: MODEL, path: PROMPT, version: '1' })) as { left: vscode.Uri; right: vscode.Uri; title: string };
		const diff = await activeDiffTexts();
		assert.equal(diff.label, 'system.md (v1 ↔ working)');
		assert.equal(diff.input.modified.scheme, 'file');
		assert.equal(diff.original, firstText);
		assert.equal(diff.modified, secondText + 'Be brief.\n');
		assert.equal(opened.right.fsPath, diff.input.modified.fsPath);
	});

	it('shows the edited prompt in the status bar state and as an Explorer decoration', async () => {
		const ledger = await api();
		const state = await waitFor('the working state to see the edit', () => {
			const s = ledger.workingState.models.find((m) => m.model === MODEL);
			return s && s.latest?.number === 2 && s.changes.modified.includes(PROMPT) ? s : undefined;
		});
		assert.deepEqual(state.changes.added, []);
		const uri = vscode.Uri.file(promptPath).toString();
		const decoration = await waitFor('the decoration', () => ledger.decorations.decorated.get(uri));
		assert.equal(decoration.badge, 'Δ');
		assert.match(decoration.tooltip ?? '', /Modified since support-bot v2/);
		await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(promptPath));
		await new Promise((r) => setTimeout(r, 500));
		await requestScreenshot('explorer-decorations');
	});

	it('the palette flow previews the changed files and cancels cleanly', async () => {
		const ledger = await api();
		// Without `message` the command asks; `model` answers the first question.
		const running = Promise.resolve(vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL }));
		await new Promise((r) => setTimeout(r, 2000));
		await requestScreenshot('snapshot-preview');
		await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
		assert.equal(await running, undefined, 'a cancelled snapshot returns nothing');
		assert.equal(ledger.registryModel.listing(ws, MODEL).versions.length, 2, 'and creates nothing');
	});

	it('opens weights as a readable summary with the tensor table', async () => {
		const ledger = await api();
		const manifest = ledger.registryModel.manifest(ws, MODEL, versionNodes(ledger)[0].digest);
		const weights = manifest.artifacts.find((a) => a.role === 'weights');
		assert.ok(weights, 'the example has a safetensors adapter');
		const uri = (await vscode.commands.executeCommand('modelLedger.openFileAtVersion', { model: MODEL, version: 'latest', path: weights.path })) as vscode.Uri;
		const text = (await vscode.workspace.openTextDocument(uri)).getText();
		assert.match(text, /Binary file, shown as a summary/);
		assert.match(text, new RegExp(`sha256 +${weights.sha256}`));
		const tensorNames = Object.keys(manifest.weights[weights.path].tensors);
		assert.ok(tensorNames.length > 0);
		for (const name of tensorNames) assert.ok(text.includes(name), `summary lists tensor ${name}`);
	});

	it('shows a snapshot made by the CLI in a terminal without a reload', async function () {
		this.timeout(60_000);
		const ledger = await api();
		writeFileSync(promptPath, secondText + 'Cite the help-center article you used.\n');
		// The staged extension's CLI bundle with the host's own Node: its better-sqlite3 is built for this ABI.
		const cli = join((await activatedExtension()).extensionPath, 'dist', 'cli.js');
		const out = execFileSync(process.execPath, [cli, 'snapshot', MODEL, '-m', 'from the CLI', '-C', ws, '--json'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
		const created = (JSON.parse(out) as SnapshotResult).created;
		assert.equal(created[0]?.number, 3, out);
		const v3 = await waitForVersion(ledger, 3, 15_000);
		assert.match(String(ledger.registryTree.getTreeItem(v3).description), /from the CLI/);
	});

	it('filters versions by text and alias, and clears the filter', async () => {
		const ledger = await api();
		await vscode.commands.executeCommand('modelLedger.filterVersions', { text: 'CLI' });
		assert.deepEqual(versionNodes(ledger).map((n) => n.version.number), [3]);
		await vscode.commands.executeCommand('modelLedger.filterVersions', { text: '@production' });
		assert.deepEqual(versionNodes(ledger), []);
		assert.match(String(ledger.registryTree.getTreeItem(modelNode(ledger)).description), /0 of 3 match/);
		await vscode.commands.executeCommand('modelLedger.clearFilter');
		assert.deepEqual(versionNodes(ledger).map((n) => n.version.number), [3, 2, 1]);
	});

	it('Initialize leaves an existing model-ledger.yaml as it is', async () => {
		const config = join(ws, 'model-ledger.yaml');
		const before = readFileSync(config, 'utf8');
		const result = (await vscode.commands.executeCommand('modelLedger.init', { root: vscode.workspace.workspaceFolders![0].uri.fsPath })) as { configCreated: boolean; configPath: string };
		assert.equal(result.configCreated, false);
		assert.equal(readFileSync(config, 'utf8'), before);
	});

	it('Select for Compare / Compare with Selected hands both versions to the compare view when it exists', async () => {
		const selected = (await vscode.commands.executeCommand('modelLedger.selectForCompare', { model: MODEL, version: '1' })) as { digest: string; name: string };
		assert.equal(selected.name, `${MODEL} v1`);
		if (!(await vscode.commands.getCommands(true)).includes('modelLedger.compareVersions')) return; // the fallback is a quick pick (UI)
		const outcome = (await vscode.commands.executeCommand('modelLedger.compareWithSelected', { model: MODEL, version: '3' })) as { opened: string; result: { a: { number?: number }; b: { number?: number } } };
		assert.equal(outcome.opened, 'compareView');
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('can be looked at: the sidebar with versions expanded, dark and light', async () => {
		const ledger = await api();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		const v2 = versionNodes(ledger).find((n) => n.version.number === 2)!;
		const prompts = childByLabel(ledger, childByLabel(ledger, v2, 'Artifacts'), 'Prompts');
		const file = childByLabel(ledger, prompts, 'system.md');
		await ledger.registryView.reveal(file, { expand: true, select: true, focus: true });
		await new Promise((r) => setTimeout(r, 500));
		await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
		await requestScreenshot('registry-dark');
		await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
		await requestScreenshot('registry-light');
		await vscode.commands.executeCommand('modelLedger.diffWithPrevious', file);
		await activeDiffTexts();
		await requestScreenshot('diff-with-previous-light');
		await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
	});
});
