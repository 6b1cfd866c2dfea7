// Restore confirmation and renames in the real VS Code (issue 16 items 7 and 2). The runner's
// `restore-rename` scenario made v1 (the example) and v2 (system prompt edited, prompts/escalation.md
// added) with the CLI. The restore of v1 is started from its tree node (interactive: the modal
// confirmation). VS Code refuses to show dialogs to an extension under test, so the scenario sets
// MODEL_LEDGER_TEST_DIALOGS: the extension records the dialog there and takes the answer from it. It
// must offer "Restore and Delete 1 Extra File", and that choice must remove escalation.md (stored
// first) and leave the workspace matching v1.
// Then the system prompt is renamed and snapshotted: the compare view lists one rename, the file
// hover says where it was renamed, and "Diff with v1" opens v1's file under its old name.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SnapshotResult } from '../../../../src/core/snapshot/snapshot';
import type { RestoreResult } from '../../../../src/core/store/restore';
import type { ModelLedgerApi } from '../../../../src/extension/extension';
import type { RegistryNode } from '../../../../src/extension/registry/registryTree';
import { statusText } from '../../../../src/extension/registry/statusBar';
import { activatedExtension, compareRenderedAfter, compareViewState, requestScreenshot, testWorkspace, waitFor } from '../hostTestSupport';

const MODEL = 'support-bot';
const EXTRA = 'prompts/escalation.md';
const PROMPT = 'prompts/system.md';
const RENAMED = 'prompts/assistant.md';

async function api(): Promise<ModelLedgerApi> {
	return (await activatedExtension()).exports as ModelLedgerApi;
}

function versionNode(ml: ModelLedgerApi, number: number): Extract<RegistryNode, { kind: 'version' }> | undefined {
	const model = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	if (!model) return undefined;
	return ml.registryTree.getChildren(model).find((n): n is Extract<RegistryNode, { kind: 'version' }> => n.kind === 'version' && n.version.number === number);
}

interface DialogShown {
	message: string;
	detail: string;
	buttons: string[];
}

/** Runs `command` (which shows a modal confirmation), answering it with `button`; returns the result and what the dialog said. */
async function withDialogAnswer<T>(button: string, command: () => Thenable<T>): Promise<{ result: T | Error; shown: DialogShown }> {
	const dir = process.env.MODEL_LEDGER_TEST_DIALOGS;
	assert.ok(dir, 'MODEL_LEDGER_TEST_DIALOGS is not set: run through test/host/runHostTests.mjs --scenario restore-rename');
	const log = join(dir, 'shown.jsonl');
	const before = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
	writeFileSync(join(dir, 'answer'), button);
	const result = await Promise.resolve(command()).then(
		(r) => r,
		(err: Error) => err,
	);
	const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
	assert.equal(lines.length, before + 1, 'the command showed exactly one confirmation');
	return { result, shown: JSON.parse(lines[lines.length - 1]) as DialogShown };
}

function hoverText(hovers: vscode.Hover[]): string {
	return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('Restore confirmation and a renamed prompt', function () {
	const ws = testWorkspace();
	let v1Prompt = '';

	it('the restore confirmation offers "Restore and Delete 1 Extra File"; choosing it makes the workspace match v1', async () => {
		const ml = await api();
		const v1 = await waitFor('v1 in the Registry', () => versionNode(ml, 1), 20_000);
		assert.ok(existsSync(join(ws, EXTRA)));
		// A tree node as the argument: the interactive path, with the modal confirmation.
		const { result: answered, shown } = await withDialogAnswer('Restore and Delete 1 Extra File', () => vscode.commands.executeCommand('modelLedger.restoreVersion', v1) as Thenable<RestoreResult>);
		assert.match(shown.message, /^Restore support-bot v1 \(.+\)\? 1 file\(s\) will change\.$/);
		assert.deepEqual([...shown.buttons].sort(), ['Restore', 'Restore and Delete 1 Extra File']);
		assert.match(shown.detail, /also removes prompts\/escalation\.md \(their content is stored first/);
		assert.ok(!(answered instanceof Error), String(answered));
		const result = answered as RestoreResult;
		assert.equal(result.version.number, 1);
		assert.ok(!existsSync(join(ws, EXTRA)), 'the extra file was deleted');
		const deleted = result.files.find((f) => f.path === EXTRA);
		assert.equal(deleted?.action, 'delete');
		const ledger = ml.ledgers.all()[0].ledger;
		assert.match(ledger.store.read(deleted!.displaced!.sha256).toString('utf8'), /Hand the conversation to a human/, 'its content was stored first');
		const state = await waitFor('the status bar to read matches v1', () => {
			const s = ml.workingState.models.find((m) => m.model === MODEL);
			return s?.matches?.number === 1 ? s : undefined;
		});
		assert.equal(statusText(state), `$(versions) ${MODEL} · matches v1`);
		v1Prompt = readFileSync(join(ws, PROMPT), 'utf8');
	});

	it('Cancel in the confirmation changes nothing', async () => {
		const ml = await api();
		const v2 = versionNode(ml, 2)!;
		const { shown } = await withDialogAnswer('', () => vscode.commands.executeCommand('modelLedger.restoreVersion', v2));
		assert.match(shown.message, /^Restore support-bot v2/);
		assert.deepEqual(shown.buttons, ['Restore'], 'no extra file: no delete choice');
		assert.ok(!existsSync(join(ws, EXTRA)));
		assert.equal(readFileSync(join(ws, PROMPT), 'utf8'), v1Prompt);
	});

	it('a renamed prompt: the compare view lists one rename, the hover says where, and "Diff with v1" opens the old name', async () => {
		renameSync(join(ws, PROMPT), join(ws, RENAMED));
		const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message: 'rename the system prompt', allowDirty: true })) as SnapshotResult;
		const v3 = result.created[0];
		assert.equal(v3?.number, 3, JSON.stringify(result));

		const before = (await compareViewState()).reports;
		await vscode.commands.executeCommand('modelLedger.compareVersions', { model: MODEL, a: '1', b: '3' });
		const state = await compareRenderedAfter(before);
		const rows = state.report!.fileRows;
		assert.deepEqual(
			rows.filter((r) => r.includes('system.md') || r.includes('assistant.md')),
			[rows.find((r) => r.startsWith('renamed'))],
			`one rename row and no added/removed rows: ${JSON.stringify(rows)}`,
		);
		assert.match(rows.find((r) => r.startsWith('renamed')) ?? '', /prompts\/system\.md → prompts\/assistant\.md/);
		await requestScreenshot('compare-rename');

		const uri = vscode.Uri.file(join(ws, RENAMED));
		await vscode.window.showTextDocument(uri);
		const hover = await waitFor('the file hover', async () => {
			const text = hoverText((await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(0, 1))) as vscode.Hover[]);
			return /Renamed from/.test(text) ? text : undefined;
		});
		assert.match(hover, /Renamed from `prompts\/system\.md` in v3/);

		// Diff with v1 (a version that holds the file only under its old name).
		const opened = (await vscode.commands.executeCommand('modelLedger.diffFileWithVersion', { model: MODEL, path: RENAMED, version: '1' })) as { left: vscode.Uri; title: string };
		assert.equal(opened.left.path, `/${PROMPT}`, 'v1 is read under the name it had then');
		assert.match(opened.title, /assistant\.md \(v1 prompts\/system\.md ↔ working\)/);
		const left = await vscode.workspace.openTextDocument(opened.left);
		assert.equal(left.getText(), v1Prompt);
	});
});
