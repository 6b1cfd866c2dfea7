import * as assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMPARE_VIEW_TEST_COMMAND } from '../../../src/extension/compare/compareViewProbe';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import { activatedExtension, requestScreenshot, setColorTheme, testWorkspace } from './hostTestSupport';

type RegistryCheckResult = { ok: true; sqliteVersion: string; database: string } | { ok: false; error: string };

describe('Activation in the example workspace', () => {
	it('opens the test workspace', () => {
		const folder = vscode.workspace.workspaceFolders?.[0];
		assert.ok(folder, 'no workspace folder is open');
		assert.equal(realpathSync(folder.uri.fsPath), realpathSync(testWorkspace()));
		assert.ok(existsSync(join(folder.uri.fsPath, 'model-ledger.yaml')));
	});

	it('activates through workspaceContains:model-ledger.yaml', async () => {
		const extension = await activatedExtension();
		assert.ok(extension.packageJSON.activationEvents.includes('workspaceContains:model-ledger.yaml'));
	});

	it('registers every command it contributes', async () => {
		const extension = await activatedExtension();
		const contributed: string[] = (extension.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
		assert.ok(contributed.includes('modelLedger.checkRegistry'));
		const registered = new Set(await vscode.commands.getCommands(true));
		assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
	});

	it('has its view container in the activity bar', async () => {
		await activatedExtension();
		// The command exists only when the container is contributed; running it opens the sidebar.
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		await vscode.commands.executeCommand('modelLedger.registry.focus');
		await requestScreenshot('sidebar');
	});

	it('opens the registry index with the staged better-sqlite3', async () => {
		await activatedExtension();
		const uninitialized = (await vscode.commands.executeCommand('modelLedger.checkRegistry', { notify: false })) as RegistryCheckResult;
		assert.ok(uninitialized.ok, `registry check failed: ${uninitialized.ok ? '' : uninitialized.error}`);
		if (!existsSync(join(testWorkspace(), '.model-ledger'))) {
			// Before Initialize the check stays in memory, so it leaves nothing untracked in the repo.
			assert.equal(uninitialized.database, ':memory:');
			await vscode.commands.executeCommand('modelLedger.init', { root: testWorkspace() });
		}
		const result = (await vscode.commands.executeCommand('modelLedger.checkRegistry', { notify: false })) as RegistryCheckResult;
		assert.ok(result.ok, `registry check failed: ${result.ok ? '' : result.error}`);
		assert.match(result.sqliteVersion, /^3\.\d+\.\d+$/);
		assert.equal(realpathSync(result.database), realpathSync(join(testWorkspace(), '.model-ledger', 'cache', 'index.db')));
		console.log(`better-sqlite3 opened ${result.database}: SQLite ${result.sqliteVersion} under NODE_MODULE_VERSION ${process.versions.modules}`);
	});

	it('runs the VSIX as shipped: the host tests\' hooks are compiled out', async () => {
		const api = (await activatedExtension()).exports as ModelLedgerApi;
		// Opening the folder's ledger loads dist/features.js, where the compare view registers its commands.
		assert.ok(api.ledgers.forRoot(testWorkspace()), 'no ledger for the test workspace');
		const registered = new Set(await vscode.commands.getCommands(true));
		assert.ok(registered.has('modelLedger.compareVersions'), 'the features bundle did not register its commands');
		assert.ok(!registered.has(COMPARE_VIEW_TEST_COMMAND), `${COMPARE_VIEW_TEST_COMMAND} exists in the shipped build`);
	});

	it('can be looked at in light and dark themes', async () => {
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
		await requestScreenshot('sidebar-light');
		await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
		await requestScreenshot('sidebar-dark');
	});
});
