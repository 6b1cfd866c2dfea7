// Restricted Mode in the real VS Code: the runner's `untrusted` scenario starts the server with
// workspace trust on and never trusts the folder (the CLI made v1 before the window opened). The
// extension still reads — the Registry lists the version, a stored file opens, a hover answers —
// but every write command refuses with the reason, and no manifest is written.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../../../src/extension/extension';
import type { RegistryNode } from '../../../../src/extension/registry/registryTree';
import { UNTRUSTED_CODE } from '../../../../src/extension/workspaceTrust';
import { activatedExtension, requestScreenshot, testWorkspace, waitFor } from '../hostTestSupport';

const MODEL = 'support-bot';
const PROMPT = 'prompts/system.md';

async function api(): Promise<ModelLedgerApi> {
	return (await activatedExtension()).exports as ModelLedgerApi;
}

function versionNodes(ml: ModelLedgerApi): Array<Extract<RegistryNode, { kind: 'version' }>> {
	const model = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	if (!model) return [];
	return ml.registryTree.getChildren(model).filter((n): n is Extract<RegistryNode, { kind: 'version' }> => n.kind === 'version');
}

/** The command refused because the folder is not trusted (the LedgerError code, or its message if the fields were lost). */
async function refusesUntrusted(run: Thenable<unknown>, action: string): Promise<void> {
	await assert.rejects(Promise.resolve(run), (err: unknown) => {
		const text = String((err as Error)?.message ?? err);
		assert.ok((err as { code?: string }).code === UNTRUSTED_CODE || /not available in Restricted Mode/.test(text), `${action}: refused for another reason: ${text}`);
		assert.match(text, new RegExp(`${action} is not available in Restricted Mode`));
		return true;
	});
}

describe('Restricted Mode: reads, never writes', function () {
	const ws = testWorkspace();
	const versionsDir = join(ws, '.model-ledger', 'versions', MODEL);
	const manifests = () => readdirSync(versionsDir).sort();
	const promptPath = join(ws, PROMPT);
	let original = '';
	let initial: string[] = [];

	before(async () => {
		await api();
		original = readFileSync(promptPath, 'utf8');
		initial = manifests();
		assert.equal(initial.length, 1, `the runner's CLI snapshot made one manifest: ${initial.join(', ')}`);
	});

	after(() => writeFileSync(promptPath, original));

	it('the folder is not trusted', () => {
		assert.equal(vscode.workspace.isTrusted, false);
	});

	it('the Registry lists the model and the version the CLI made', async () => {
		const ml = await api();
		const [v1] = await waitFor('v1 in the Registry tree', () => (versionNodes(ml).length ? versionNodes(ml) : undefined), 15_000);
		assert.equal(v1.version.number, 1);
		assert.match(String(ml.registryTree.getTreeItem(v1).description), /before Restricted Mode/);
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		await requestScreenshot('restricted-registry');
	});

	it('opens a stored file and answers a hover', async () => {
		const uri = (await vscode.commands.executeCommand('modelLedger.openFileAtVersion', { model: MODEL, version: '1', path: PROMPT })) as vscode.Uri;
		assert.equal((await vscode.workspace.openTextDocument(uri)).getText(), original);
		const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(promptPath), new vscode.Position(0, 1))) ?? [];
		const texts = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
		assert.ok(
			texts.some((t) => /Current content = support\\-bot v1/.test(t)),
			`no Model Ledger hover: ${texts.join('\n---\n')}`,
		);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('snapshot, alias, restore and clean-up refuse and say why; no manifest is written', async () => {
		// A change to snapshot, so a refusal is the only reason nothing is stored.
		writeFileSync(promptPath, original + '\nRestricted Mode test: one more line.\n');
		await refusesUntrusted(vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message: 'x', allowDirty: true }), 'Snapshot');
		await refusesUntrusted(vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: '1', alias: 'staging' }), 'Setting an alias');
		await refusesUntrusted(vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, version: '1', yes: true }), 'Restore');
		await refusesUntrusted(vscode.commands.executeCommand('modelLedger.cleanUpStore', { yes: true }), 'Cleaning up the store');
		assert.match(readFileSync(promptPath, 'utf8'), /Restricted Mode test/, 'restore did not touch the workspace');
		assert.deepEqual(manifests(), initial);
		const ml = await api();
		assert.deepEqual(ml.ledgers.all()[0].ledger.listVersions(MODEL).map((v) => v.number), [1]);
		assert.deepEqual(ml.ledgers.all()[0].ledger.events(MODEL).filter((e) => e.type !== 'created').map((e) => e.type), [], 'no alias event');
	});
});
