// Lifecycle in the real VS Code: an alias set through the command shows in the Registry tree (on
// the version and on the model's "production → vN" line), a protected alias needs an approval,
// rollback is listed under the model's History node, and restoring a version changes the text of
// the prompt open in an editor, after which the status bar reads "matches vN". An editor with
// unsaved changes is refused unless `saveEditors`, and then its text is kept in the store.
//
// Runs after registry.test.ts and versionCompare.test.ts (files run in name order; those expect to
// make v1 themselves) and works with whatever versions exist; it puts the prompt back at the end.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LedgerEvent } from '../../../src/core/lifecycle/events';
import type { GcReport } from '../../../src/core/store/gc';
import type { VersionSummary } from '../../../src/core/model';
import type { RestoreResult } from '../../../src/core/store/restore';
import type { RollbackResult } from '../../../src/core/lifecycle/rollback';
import type { VerifyReport } from '../../../src/core/store/verify';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import type { RegistryNode } from '../../../src/extension/registry/registryTree';
import { statusText } from '../../../src/extension/registry/statusBar';
import { activatedExtension, requestScreenshot, testWorkspace, waitFor, snapshotCommand } from './hostTestSupport';

const MODEL = 'support-bot';
const PROMPT = 'prompts/system.md';

async function api(): Promise<ModelLedgerApi> {
	return (await activatedExtension()).exports as ModelLedgerApi;
}

function modelNode(ml: ModelLedgerApi): RegistryNode {
	const node = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	assert.ok(node, 'no model node in the Registry tree');
	return node;
}

function item(ml: ModelLedgerApi, node: RegistryNode): vscode.TreeItem {
	return ml.registryTree.getTreeItem(node);
}

function text(value: string | vscode.TreeItemLabel | boolean | undefined): string {
	return typeof value === 'string' ? value : value && typeof value === 'object' ? value.label : '';
}

function versionNode(ml: ModelLedgerApi, digest: string): RegistryNode | undefined {
	return ml.registryTree.getChildren(modelNode(ml)).find((n) => n.kind === 'version' && n.digest === digest);
}

/** The command failed with this LedgerError code (or, if the error lost its fields on the way, this message). */
async function rejectsWith(run: Thenable<unknown>, code: string, message: RegExp): Promise<void> {
	await assert.rejects(Promise.resolve(run), (err: unknown) => (err as { code?: string }).code === code || message.test(String(err)));
}

describe('Lifecycle: aliases, approvals, rollback, restore', function () {
	const ws = testWorkspace();
	const promptPath = join(ws, PROMPT);
	let original = '';
	let aText = '';
	let bText = '';
	let a: VersionSummary;
	let b: VersionSummary;

	before(async () => {
		await api();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		original = readFileSync(promptPath, 'utf8');
		aText = original.replace(/\n?$/, '\nLifecycle test: answer in two sentences.\n');
		bText = original.replace(/\n?$/, '\nLifecycle test: answer in one sentence.\n');
		writeFileSync(promptPath, aText);
		a = await snapshotCommand(MODEL, 'lifecycle A');
		writeFileSync(promptPath, bText);
		b = await snapshotCommand(MODEL, 'lifecycle B');
		assert.notEqual(a.digest, b.digest);
	});

	after(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		writeFileSync(promptPath, original);
	});

	it('sets an alias through the command and the tree shows it on the version and on the model line', async () => {
		const ml = await api();
		const event = (await vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: a.digest, alias: 'staging', note: 'host test' })) as LedgerEvent;
		assert.equal(event.type, 'alias.set');
		assert.equal(event.digest, a.digest);
		const node = await waitFor('@staging on the version in the tree', () => {
			const n = versionNode(ml, a.digest);
			return n && text(item(ml, n).description).includes('@staging') ? n : undefined;
		});
		assert.equal(item(ml, node).contextValue, 'version.aliased');

		// production is protected in the example's model-ledger.yaml: refused until approved.
		await rejectsWith(vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: b.digest, alias: 'production' }), 'NOT_APPROVED', /protected alias/);
		const approval = (await vscode.commands.executeCommand('modelLedger.approveVersion', { model: MODEL, ref: b.digest, note: 'eval passed' })) as LedgerEvent;
		assert.equal(approval.type, 'approved');
		await vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: b.digest, alias: 'production' });
		const modelLine = await waitFor('production → vN on the model line', () => {
			const d = text(item(ml, modelNode(ml)).description);
			return d.startsWith(`production → v${b.number}`) ? d : undefined;
		});
		assert.match(modelLine, /staging → v\d+/);
		await ml.registryView.reveal(node, { select: true, focus: false, expand: false });
		await requestScreenshot('lifecycle-aliases');
	});

	it('rolls an alias back; the History node lists the move first', async () => {
		const ml = await api();
		await vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: b.digest, alias: 'staging' });
		const result = (await vscode.commands.executeCommand('modelLedger.rollback', { model: MODEL, alias: 'staging' })) as RollbackResult;
		assert.equal(result.to.digest, a.digest);
		assert.equal(result.from?.digest, b.digest);
		const history = await waitFor('the History node to show the rollback', () => {
			const h = ml.registryTree.getChildren(modelNode(ml)).find((n) => n.kind === 'history');
			return h && text(item(ml, h).description).includes('(rollback)') ? h : undefined;
		});
		assert.equal(text(item(ml, history).label), 'History');
		const events = ml.registryTree.getChildren(history);
		assert.equal(text(item(ml, events[0]).label), `staging: v${b.number} → v${a.number} (rollback)`);
		assert.ok(events.some((e) => text(item(ml, e).label) === `approved v${b.number}`));

		const doc = (await vscode.commands.executeCommand('modelLedger.showEvents', { model: MODEL })) as vscode.TextDocument;
		assert.equal(doc.uri.scheme, 'model-ledger-events');
		assert.match(doc.getText(), /staging: v\d+ → v\d+ \(rollback\)/);
		assert.match(doc.getText(), /eval passed/);
	});

	it('restores a version: the open editor shows its text and the status bar reads "matches vN"', async () => {
		const ml = await api();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		const editor = await vscode.window.showTextDocument(vscode.Uri.file(promptPath));
		assert.equal(editor.document.getText(), bText);

		const preview = (await vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, ref: a.digest, dryRun: true })) as RestoreResult;
		assert.deepEqual(preview.files.filter((f) => f.action !== 'unchanged').map((f) => f.path), [PROMPT]);
		assert.equal(editor.document.getText(), bText, 'a dry run writes nothing');

		const result = (await vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, ref: a.digest })) as RestoreResult;
		assert.equal(result.version.digest, a.digest);
		assert.equal(readFileSync(promptPath, 'utf8'), aText);
		await waitFor('the open editor to show the restored text', () => editor.document.getText() === aText);
		const state = await waitFor('the status bar state to match the restored version', () => {
			const s = ml.workingState.models.find((m) => m.model === MODEL);
			return s?.matches?.digest === a.digest ? s : undefined;
		});
		assert.equal(statusText(state), `$(versions) ${MODEL} · matches v${a.number}`);
		await requestScreenshot('lifecycle-restored');
	});

	it('an editor with unsaved changes is refused, or saved first and its text kept in the store', async () => {
		const ml = await api();
		const editor = await vscode.window.showTextDocument(vscode.Uri.file(promptPath));
		const unsaved = 'Unsaved experiment in the editor.\n';
		await editor.edit((e) => e.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), unsaved));
		assert.ok(editor.document.isDirty);
		await rejectsWith(vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, ref: b.digest }), 'DIRTY_EDITORS', /unsaved changes/);
		assert.equal(readFileSync(promptPath, 'utf8'), aText);

		const result = (await vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, ref: b.digest, saveEditors: true, force: true })) as RestoreResult;
		const file = result.files.find((f) => f.path === PROMPT);
		assert.equal(file?.displaced?.inVersion, false);
		const ledger = ml.ledgers.all()[0].ledger;
		assert.equal(ledger.store.read(file!.displaced!.sha256).toString('utf8'), unsaved, 'the editor text is recoverable from the store');
		await waitFor('the editor to show version B', () => editor.document.getText() === bText && !editor.document.isDirty);
	});

	it('Verify Store finds the store whole; Clean Up Store without `yes` only previews', async () => {
		const report = (await vscode.commands.executeCommand('modelLedger.verifyStore', {})) as VerifyReport;
		assert.equal(report.ok, true, JSON.stringify(report.brokenVersions));
		assert.ok(report.objectsChecked > 0);
		const gc = (await vscode.commands.executeCommand('modelLedger.cleanUpStore', {})) as GcReport;
		assert.equal(gc.dryRun, true);
		assert.deepEqual(gc.incomplete, []);
		assert.equal(gc.kept['restore-backup'].count >= 1 || gc.kept.recent.count >= 1, true, 'the displaced editor text is kept');
	});
});
