// The compare view in the real VS Code: two versions made through the snapshot command, the panel
// opened through `modelLedger.compareVersions`, and what the page rendered read back through its
// own `rendered` message (the page reports its DOM after each render). Clicking a changed prompt is
// driven through the page's click handler and must open the native diff editor; a prompt holding
// `<script>` must show as text with no script run. Screenshots in light and dark themes.
//
// Runs after registry.test.ts (files run in name order) and works with whatever versions exist.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { VersionSummary } from '../../../../src/core/model';
import type { CompareOpened } from '../../../../src/extension/compare/compareView';
import { COMPARE_VIEW_TEST_COMMAND } from '../../../../src/extension/compare/compareViewProbe';
import { activatedExtension, compareRenderedAfter, compareViewState, snapshotCommand, requestScreenshot, setColorTheme, testWorkspace, waitFor, workspaceEdits } from '../hostTestSupport';

const MODEL = 'support-bot';
const PROMPT = 'prompts/system.md';
const INJECTION =
	'<script>window.__modelLedgerInjected = true</script><img src=x onerror="window.__modelLedgerInjected = true"></script></div>' +
	'<a href="javascript:window.__modelLedgerInjected=true">javascript link</a> [release notes](command:workbench.action.quit) https://attacker.example';

describe('Compare view', function () {
	const ws = testWorkspace();
	const { edit, restore } = workspaceEdits(ws);
	let a: VersionSummary;
	let b: VersionSummary;


	before(async () => {
		await activatedExtension();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		a = await snapshotCommand(MODEL, 'compare: base');
		edit('config/rag.yaml', (t) => t.replace(/top_k: (\d+)/, (_m, n: string) => `top_k: ${Number(n) + 4}`));
		edit('eval/metrics.json', (t) => t.replace(/"faithfulness": ([\d.]+)/, (_m, v: string) => `"faithfulness": ${(Number(v) + 0.02).toFixed(2)}`));
		edit(PROMPT, (t) => `${t.replace('{{tone}}', 'friendly')}\nNever render ${INJECTION} from a customer.\n`);
		b = await snapshotCommand(MODEL, 'compare: tuned');
		assert.notEqual(a.digest, b.digest);
		// An alias on A, set by the CLI as a user would: the chart marks it on A's point.
		const cli = join((await activatedExtension()).extensionPath, 'dist', 'cli.js');
		execFileSync(process.execPath, [cli, 'alias', 'set', `${MODEL}@${a.digest}`, 'staging', '-C', ws], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
	});

	after(async () => {
		// Leave the workspace files as we found them (the versions stay: they are history).
		restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('opens for two versions and renders the changed keys and metric deltas', async () => {
		const before = (await compareViewState()).reports;
		const opened = (await vscode.commands.executeCommand('modelLedger.compareVersions', { model: MODEL, a: a.digest, b: b.digest })) as CompareOpened;
		assert.equal(opened.a.number, a.number);
		assert.equal(opened.b.number, b.number);
		const { report, title } = await compareRenderedAfter(before);
		assert.ok(report);
		assert.equal(title, `${MODEL} v${a.number} ↔ v${b.number}`);
		assert.equal(report.title, `${MODEL}: v${a.number} ↔ v${b.number}`);
		for (const section of ['summary', 'metrics', 'params', 'prompts', 'files', 'chart']) assert.ok(report.sections.includes(section), `section ${section} in ${report.sections.join(', ')}`);
		assert.ok(report.paramRows.includes('config/rag.yaml retriever.top_k'), `params shown: ${report.paramRows.join('; ')}`);
		assert.ok(!report.showAllKeys && !report.paramRows.includes('config/rag.yaml retriever.index'), 'only changed keys until "Show all keys"');
		const faithfulness = report.metricRows.find((m) => m.key === 'faithfulness');
		assert.deepEqual(faithfulness, { key: 'faithfulness', delta: '+0.02', verdict: 'better' });
		assert.ok(report.diffButtons.includes(PROMPT));
		assert.equal(report.chartMetric, 'faithfulness');
		assert.ok(report.chartPoints >= 2, `chart points: ${report.chartPoints}`);
		assert.ok(report.chartAliases.includes(`v${a.number} @staging`), `aliased points: ${report.chartAliases.join(", ")}`);
	});

	it('shows a prompt holding <script> as text; no script runs', async () => {
		const { report } = await compareViewState();
		assert.ok(report);
		assert.ok(report.promptLines.some((line) => line.includes(INJECTION)), `prompt preview lines: ${JSON.stringify(report.promptLines)}`);
		assert.equal(report.scriptsInContent, 0, 'no <script> element was created from data');
		assert.equal(report.imagesInContent, 0, 'no <img> element was created from data');
		// Issue 20.5: `</script>`, a javascript: link, a command: Markdown link and a bare URL stay text too.
		assert.equal(report.linksInContent, 0, 'no link or element with href/src/handlers was created from data');
		assert.equal(report.injectedScriptRan, false);
	});

	it('can be looked at in light and dark themes', async () => {
		// The chat side bar is not ours: give the editor area the room.
		await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
		const scrollTo = (section: string) => vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'click', target: { kind: 'section', section } });
		await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
		await requestScreenshot('compare-light');
		assert.equal(await scrollTo('prompts'), true);
		await requestScreenshot('compare-prompts-light');
		await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
		await requestScreenshot('compare-prompts-dark');
		assert.equal(await scrollTo('chart'), true);
		await requestScreenshot('compare-chart-dark');
		await setColorTheme('Default High Contrast', vscode.ColorThemeKind.HighContrast);
		await requestScreenshot('compare-chart-high-contrast');
		await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
		assert.equal(await scrollTo('summary'), true);
		await requestScreenshot('compare-dark');
	});

	it('toggles all keys, and keeps that across hide and show', async () => {
		let state = await compareViewState();
		const clicked = await vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'click', target: { kind: 'toggleAllKeys' } });
		assert.equal(clicked, true);
		state = await compareRenderedAfter(state.reports);
		assert.equal(state.report!.showAllKeys, true);
		assert.ok(state.report!.paramRows.includes('config/rag.yaml retriever.index'), 'unchanged keys are listed');
		// Hide the panel behind another editor in its group, then bring it back: the page is rebuilt.
		const doc = await vscode.workspace.openTextDocument(join(ws, 'config/rag.yaml'));
		await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Active });
		const hidden = await compareViewState();
		await vscode.commands.executeCommand('modelLedger.compareVersions', { model: MODEL, a: a.digest, b: b.digest });
		state = await compareRenderedAfter(hidden.reports);
		assert.equal(state.report!.showAllKeys, true, 'the toggle survived hide/show');
		await vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'click', target: { kind: 'toggleAllKeys' } });
		await compareRenderedAfter(state.reports);
	});

	it('clicking a changed prompt opens the native diff editor on the two stored versions', async () => {
		const clicked = await vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'click', target: { kind: 'openDiff', path: PROMPT } });
		assert.equal(clicked, true, 'the page has a diff button for the prompt');
		const tab = await waitFor('a diff editor tab', () => {
			const t = vscode.window.tabGroups.activeTabGroup.activeTab;
			return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
		});
		const input = tab.input as vscode.TabInputTextDiff;
		assert.equal(input.original.scheme, 'model-ledger');
		assert.equal(input.modified.scheme, 'model-ledger');
		assert.equal(input.original.path, `/${PROMPT}`);
		assert.equal(tab.label, `system.md (v${a.number} ↔ v${b.number})`);
		const original = (await vscode.workspace.openTextDocument(input.original)).getText();
		const modified = (await vscode.workspace.openTextDocument(input.modified)).getText();
		assert.ok(!original.includes(INJECTION));
		assert.ok(modified.includes(INJECTION));
	});
});
