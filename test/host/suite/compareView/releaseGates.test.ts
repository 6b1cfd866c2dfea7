// Release gates in the real VS Code: a production gate written into the workspace's
// model-ledger.yaml (the extension reloads it), two versions where B regresses, the compare view's
// gate section read back rule by rule (screenshots in light and dark), Copy as Markdown, Set Alias
// refused with the failing rules and then overridden with a reason, Compare with Previous opening
// the compare view, and a working-tree compare that refreshes when a tracked file is saved.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LedgerEvent } from '../../../../src/core/lifecycle/events';
import type { VersionSummary } from '../../../../src/core/model';
import { COMPARE_VIEW_TEST_COMMAND } from '../../../../src/extension/compare/compareViewProbe';
import type { WorkspaceLedgers } from '../../../../src/extension/workspaceLedgers';
import { activatedExtension, compareRenderedAfter, compareViewState, snapshotCommand, requestScreenshot, setColorTheme, testWorkspace, waitFor, workspaceEdits } from '../hostTestSupport';

const MODEL = 'support-bot';
const GATE = `    gates:
      production:
        require: [approved]
        metrics:
          faithfulness: { min: 0.5, max_drop: 0.01 }
          latency_p95_ms: { max_rise: "5%" }
`;

describe('Release gates', function () {
	const ws = testWorkspace();
	const { edit, restore } = workspaceEdits(ws);
	let a: VersionSummary;
	let b: VersionSummary;


	before(async () => {
		const extension = await activatedExtension();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		edit('model-ledger.yaml', (t) => t.replace('    protected_aliases: [production]\n', `    protected_aliases: [production]\n${GATE}`));
		// The extension watches model-ledger.yaml and reloads it.
		const ledgers = (extension.exports as { ledgers: WorkspaceLedgers }).ledgers;
		await waitFor('the gate to be loaded', () => ledgers.forRoot(ws)?.ledger.model(MODEL).gates.length === 1, 20_000);
		a = await snapshotCommand(MODEL, 'gates: base');
		await vscode.commands.executeCommand('modelLedger.approveVersion', { model: MODEL, ref: a.digest, note: 'baseline reviewed' });
		// Whatever earlier suites left in production, A takes it (overriding if this workspace's history says so).
		await vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: a.digest, alias: 'production', note: 'gate test baseline', override: true });
		edit('eval/metrics.json', (t) =>
			t
				.replace(/"faithfulness": ([\d.]+)/, (_m, v: string) => `"faithfulness": ${(Number(v) - 0.05).toFixed(2)}`)
				.replace(/"latency_p95_ms": (\d+)/, (_m, v: string) => `"latency_p95_ms": ${Math.round(Number(v) * 1.2)}`),
		);
		b = await snapshotCommand(MODEL, 'gates: regression');
		await vscode.commands.executeCommand('modelLedger.approveVersion', { model: MODEL, ref: b.digest, note: 'approved before eval' });
	});

	after(async () => {
		restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('the compare view shows B against the production gate, rule by rule', async () => {
		const before = (await compareViewState()).reports;
		await vscode.commands.executeCommand('modelLedger.compareVersions', { model: MODEL, a: a.digest, b: b.digest });
		const { report } = await compareRenderedAfter(before, (s) => s.report!.gateRows.length > 0);
		assert.ok(report);
		assert.ok(report.sections.includes('gates'), `sections: ${report.sections.join(', ')}`);
		assert.deepEqual(report.gateRows, [
			'production: FAIL',
			'production require approved: pass',
			'production faithfulness min: pass',
			'production faithfulness max_drop: fail',
			'production latency_p95_ms max_rise: fail',
		]);
	});

	it('can be looked at in light and dark themes', async () => {
		await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
		const scrollTo = (section: string) => vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'click', target: { kind: 'section', section } });
		await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
		assert.equal(await scrollTo('gates'), true);
		await requestScreenshot('gates-light');
		assert.equal(await scrollTo('summary'), true);
		await requestScreenshot('gates-summary-light');
		await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
		assert.equal(await scrollTo('gates'), true);
		await requestScreenshot('gates-dark');
	});

	it('Copy as Markdown puts the CLI report, with the gate, on the clipboard', async () => {
		const clicked = await vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'click', target: { kind: 'copyMarkdown' } });
		assert.equal(clicked, true, 'the page has a Copy as Markdown button');
		const state = await waitFor('the copied report', async () => {
			const s = await compareViewState();
			return s.lastCopied ? s : undefined;
		});
		const text = state.lastCopied!;
		assert.match(text, /^### support-bot: v\d+ .* → v\d+ /);
		assert.match(text, /#### Gate `production`: ❌ fail \(2 of 4 rules\)/);
		assert.match(text, /\| faithfulness \| [\d.]+ \| [\d.]+ \| ▼ −0\.05/);
		assert.doesNotMatch(text, /\| answer\\_relevancy \|/, 'unchanged metrics are left out');
		assert.equal(await vscode.env.clipboard.readText(), text);
	});

	it('Set Alias on the gated alias is refused with the failing rules; Override records the reason', async () => {
		await assert.rejects(
			Promise.resolve(vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: b.digest, alias: 'production', note: 'ship it' })),
			(err: unknown) => (err as { code?: string }).code === 'GATE_FAILED' && /faithfulness max_drop/.test(String((err as Error).message)) && /latency_p95_ms max_rise/.test(String((err as Error).message)),
		);
		const event = (await vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: b.digest, alias: 'production', note: 'incident 7: roll forward', override: true })) as LedgerEvent;
		assert.equal(event.override, true);
		const extension = await activatedExtension();
		const ledger = (extension.exports as { ledgers: WorkspaceLedgers }).ledgers.forRoot(ws)!.ledger;
		const override = ledger.events(MODEL).find((e) => e.type === 'override' && e.digest === b.digest);
		assert.ok(override, 'an override event');
		assert.equal(override.note, 'incident 7: roll forward');
		assert.deepEqual(override.rules?.map((r) => r.rule), ['faithfulness max_drop', 'latency_p95_ms max_rise']);
	});

	it('Compare with Previous on a version opens the compare view', async () => {
		const before = await compareViewState();
		await vscode.commands.executeCommand('modelLedger.diffWithPrevious', { model: MODEL, version: b.digest });
		const state = await compareRenderedAfter(before.reports, (s) => s.title?.endsWith(`↔ v${b.number}`) === true);
		assert.match(state.title ?? '', new RegExp(`^${MODEL} v\\d+ ↔ v${b.number}$`));
	});

	it('a compare against the working tree refreshes when a tracked file is saved', async () => {
		await vscode.commands.executeCommand('modelLedger.compareVersions', { model: MODEL, a: b.digest, b: 'working' });
		// A new panel counts its renders from zero: wait for its own first one.
		const state = await compareRenderedAfter(0, (s) => s.title === `${MODEL} v${b.number} ↔ working tree`);
		assert.ok(!state.report!.metricRows.some((m) => m.key === 'faithfulness' && m.delta !== ''), 'no change yet');
		const loads = state.loads;
		const doc = await vscode.workspace.openTextDocument(join(ws, 'eval', 'metrics.json'));
		const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
		const text = doc.getText();
		const updated = text.replace(/"faithfulness": ([\d.]+)/, (_m, v: string) => `"faithfulness": ${(Number(v) + 0.1).toFixed(2)}`);
		await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), updated));
		await doc.save();
		const refreshed = await waitFor(
			'the compare view to refresh after the save',
			async () => {
				const s = await compareViewState();
				return s.loads > loads && s.report?.metricRows.some((m) => m.key === 'faithfulness' && m.delta === '+0.1') ? s : undefined;
			},
			20_000,
		);
		assert.ok(refreshed);
	});
});
