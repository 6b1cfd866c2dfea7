// Runs in the runner's `broken-sqlite` scenario: MODEL_LEDGER_SQLITE_MODULE points at the
// better-sqlite3 of another platform's VSIX (its JS, and a prebuilt binary for that platform only),
// as when a VSIX for the wrong platform is installed by hand.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, requestScreenshot } from '../hostTestSupport';

type RegistryCheckResult = { ok: true; sqliteVersion: string } | { ok: false; error: string };

describe("Another platform's VSIX (no better-sqlite3 binary for this one)", () => {
	it('still activates the extension and registers its commands', async () => {
		const extension = await activatedExtension();
		const registered = new Set(await vscode.commands.getCommands(true));
		for (const { command } of extension.packageJSON.contributes.commands as { command: string }[]) assert.ok(registered.has(command), `${command} is not registered`);
	});

	it('reports a clear error naming both platforms and the fix, instead of crashing', async () => {
		await activatedExtension();
		const packaged = process.env.MODEL_LEDGER_PACKAGED_PLATFORM;
		assert.ok(packaged, 'MODEL_LEDGER_PACKAGED_PLATFORM is not set');
		const here = `${process.platform}-${process.arch}`;
		const result = (await vscode.commands.executeCommand('modelLedger.checkRegistry', { notify: false })) as RegistryCheckResult;
		assert.equal(result.ok, false, 'the registry opened although its native module is for another platform');
		if (result.ok) return;
		console.log(`registry error shown to the user: ${result.error}`);
		assert.match(result.error, new RegExp(`binary only for ${packaged}, and this is Node [0-9.]+ on ${here}\\.`));
		assert.match(result.error, new RegExp(`Fix: install Model Ledger for ${here} .*model-ledger-<version>-${here}\\.vsix`));
		assert.doesNotMatch(result.error, /Cannot find module|did not self-register/, 'the raw loader message leaks through instead of the explanation');
	});

	it('shows the error in the sidebar instead of a dead view', async () => {
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		await vscode.commands.executeCommand('modelLedger.registry.focus');
		// The error notification raised at activation, listed in the notification center.
		await vscode.commands.executeCommand('notifications.showList');
		await requestScreenshot('registry-error');
	});
});
