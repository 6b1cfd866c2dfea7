// Runs in the runner's `broken-sqlite` scenario: MODEL_LEDGER_SQLITE_MODULE points at a
// better-sqlite3 compiled for another Node ABI than the extension host's.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, requestScreenshot } from '../hostTestSupport';

type RegistryCheckResult = { ok: true; sqliteVersion: string } | { ok: false; error: string };

describe('A better-sqlite3 built for the wrong ABI', () => {
	it('still activates the extension and registers its commands', async () => {
		const extension = await activatedExtension();
		const registered = new Set(await vscode.commands.getCommands(true));
		for (const { command } of extension.packageJSON.contributes.commands as { command: string }[]) assert.ok(registered.has(command), `${command} is not registered`);
	});

	it('reports a clear error naming both ABIs and the fix, instead of crashing', async () => {
		await activatedExtension();
		const wrongAbi = process.env.MODEL_LEDGER_EXPECTED_WRONG_ABI;
		assert.ok(wrongAbi, 'MODEL_LEDGER_EXPECTED_WRONG_ABI is not set');
		const result = (await vscode.commands.executeCommand('modelLedger.checkRegistry', { notify: false })) as RegistryCheckResult;
		assert.equal(result.ok, false, 'the registry opened although its native module is built for another ABI');
		if (result.ok) return;
		console.log(`registry error shown to the user: ${result.error}`);
		assert.match(result.error, new RegExp(`NODE_MODULE_VERSION ${wrongAbi}\\b`));
		assert.match(result.error, new RegExp(`NODE_MODULE_VERSION ${process.versions.modules}\\b`));
		assert.match(result.error, /Fix:/);
	});

	it('shows the error in the sidebar instead of a dead view', async () => {
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		await vscode.commands.executeCommand('modelLedger.registry.focus');
		// The error notification raised at activation, listed in the notification center.
		await vscode.commands.executeCommand('notifications.showList');
		await requestScreenshot('registry-error');
	});
});
