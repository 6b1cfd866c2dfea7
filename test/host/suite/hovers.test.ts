// Hovers in the real VS Code: three support-bot versions (rag.yaml chunk_size 512 → 256 → 1024,
// production on v2), then `vscode.executeHoverProvider` on a tracked prompt and config (versions and
// aliases), on a key (its value history with the metric change), and on untracked files (nothing from
// us). Screenshots of a key hover and two file hovers. The versions are removed again afterwards so the
// suites that follow start from an empty registry, as they expect.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SnapshotResult } from '../../../src/core/snapshot/snapshot';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import { activatedExtension, requestScreenshot, testWorkspace, waitFor } from './hostTestSupport';

const MODEL = 'support-bot';
const RAG = 'config/rag.yaml';
const METRICS = 'eval/metrics.json';
// Not prompts/system.md: later suites rewrite that file and diff it at once, and a document model
// this suite loaded could still hold the old text when they read it.
const PROMPT = 'prompts/answer.md';

/** The Markdown of every hover any provider returns at a position. */
async function hoverTexts(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
	const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
	return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
}

/** Our hovers: theirs never say "Current content" or link our commands. */
function ours(texts: string[]): string[] {
	return texts.filter((t) => /Current content|command:modelLedger\.|in support\\-bot|since v\d/.test(t));
}

function positionOf(text: string, needle: string, delta = 0): vscode.Position {
	const offset = text.indexOf(needle);
	assert.ok(offset >= 0, `${needle} not found`);
	const before = text.slice(0, offset + delta);
	const line = before.split('\n').length - 1;
	return new vscode.Position(line, before.length - before.lastIndexOf('\n') - 1);
}

describe('Hovers on tracked files', function () {
	const ws = testWorkspace();
	const saved = new Map<string, string>();
	const ragUri = vscode.Uri.file(join(ws, RAG));
	const promptUri = vscode.Uri.file(join(ws, PROMPT));
	let api: ModelLedgerApi;

	const edit = (rel: string, from: string, to: string) => {
		const path = join(ws, rel);
		if (!saved.has(rel)) saved.set(rel, readFileSync(path, 'utf8'));
		const text = readFileSync(path, 'utf8');
		assert.ok(text.includes(from), `${rel}: ${from} not found`);
		writeFileSync(path, text.replace(from, to));
	};
	const snapshot = async (message: string) => {
		const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message, allowDirty: true })) as SnapshotResult;
		assert.equal(result.created.length, 1, JSON.stringify(result));
		return result.created[0];
	};

	before(async function () {
		this.timeout(120_000);
		api = (await activatedExtension()).exports as ModelLedgerApi;
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
		assert.equal(api.ledgers.all()[0].ledger.listVersions(MODEL).length, 0, 'the hover suite expects an empty registry');
		await snapshot('baseline');
		edit(RAG, 'chunk_size: 512', 'chunk_size: 256');
		edit(METRICS, '"faithfulness": 0.91', '"faithfulness": 0.93');
		const v2 = await snapshot('smaller chunks');
		await vscode.commands.executeCommand('modelLedger.approveVersion', { model: MODEL, ref: v2.number, note: 'eval passed' });
		await vscode.commands.executeCommand('modelLedger.setAlias', { model: MODEL, ref: v2.number, alias: 'production', note: 'ship it' });
		edit(RAG, 'chunk_size: 256', 'chunk_size: 1024');
		edit(METRICS, '"faithfulness": 0.93', '"faithfulness": 0.89');
		await snapshot('bigger chunks');
	});

	after(async function () {
		this.timeout(60_000);
		await vscode.workspace.getConfiguration('modelLedger.hovers').update('enabled', undefined, vscode.ConfigurationTarget.Workspace);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		for (const [rel, text] of saved) writeFileSync(join(ws, rel), text);
		// Manifests are immutable by design; the test removes its own so later suites begin at v1.
		for (const dir of ['versions/support-bot', 'events']) {
			const abs = join(ws, '.model-ledger', dir);
			for (const f of readdirSync(abs)) rmSync(join(abs, f), { force: true });
		}
		await vscode.commands.executeCommand('modelLedger.refresh');
		await waitFor('the registry to be empty again', () => api.ledgers.all()[0].ledger.listVersions(MODEL).length === 0);
	});

	it('a prompt unchanged since v1: every version as one range, with the production alias', async () => {
		const texts = ours(await hoverTexts(promptUri, new vscode.Position(0, 1)));
		assert.equal(texts.length, 1, texts.join('\n---\n'));
		// One range for the three versions, the aliased one named in it.
		assert.match(texts[0], /Current content = support\\-bot v1–v3 \(\*\*production\*\* v2\) · unchanged since v1 \(/);
		assert.match(texts[0], /Variables \(v3\): /);
		assert.match(texts[0], /\[Show v1 in sidebar\]\(command:modelLedger\.revealVersion\?/);
	});

	it('a config that changed: the version holding it now, and the earlier contents with their alias', async () => {
		const text = readFileSync(join(ws, RAG), 'utf8');
		// A comment line: no key under the cursor, so the file hover answers (anywhere in a config).
		const texts = ours(await hoverTexts(ragUri, positionOf(text, 'Every key', 2)));
		assert.equal(texts.length, 1, texts.join('\n---\n'));
		assert.match(texts[0], /^Current content = support\\-bot v3 · last changed in v3 \(.+\) · earlier contents used by v1, v2 \(\*\*production\*\*\)/);
		assert.match(texts[0], /\[Diff with production\]\(command:modelLedger\.diffFileWithProduction\?/);
	});

	it('a key: its value in each version, newest first, with the metric change where it changed', async () => {
		const text = readFileSync(join(ws, RAG), 'utf8');
		const texts = ours(await hoverTexts(ragUri, positionOf(text, 'chunk_size', 3)));
		assert.equal(texts.length, 1, texts.join('\n---\n'));
		const lines = texts[0].split('\n');
		assert.equal(lines[0], '`retriever.chunk_size` in support\\-bot');
		assert.match(lines[1], /^- `1024` since v3 · .+ · faithfulness −0\\\.04 \(worse\)$/);
		assert.match(lines[2], /^- `256` v2 \(\*\*production\*\*\) · .+ · faithfulness \+0\\\.02 \(better\)$/);
		assert.equal(lines[3], '- `512` v1');
		assert.match(texts[0], /\[Diff with v2\]\(command:modelLedger\.diffFileWithVersion\?/);

		// The links run: "Diff with v2" opens v2's stored file against the working file.
		const link = /\[Diff with v2\]\(command:modelLedger\.diffFileWithVersion\?([^)\s]+)/.exec(texts[0])!;
		const [arg] = JSON.parse(decodeURIComponent(link[1])) as [Record<string, unknown>];
		const opened = (await vscode.commands.executeCommand('modelLedger.diffFileWithVersion', arg)) as { left: vscode.Uri; right: vscode.Uri };
		assert.match((await vscode.workspace.openTextDocument(opened.left)).getText(), /chunk_size: 256/);
		assert.equal(opened.right.fsPath, ragUri.fsPath);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('nothing from us on untracked files, or when hovers are turned off', async () => {
		for (const rel of ['README.md', 'scripts/build_pairs.py']) {
			const texts = await hoverTexts(vscode.Uri.file(join(ws, rel)), new vscode.Position(0, 1));
			assert.deepEqual(ours(texts), [], `${rel}: ${texts.join('\n---\n')}`);
		}
		await vscode.workspace.getConfiguration('modelLedger.hovers').update('enabled', false, vscode.ConfigurationTarget.Workspace);
		try {
			assert.deepEqual(ours(await hoverTexts(promptUri, new vscode.Position(0, 1))), []);
		} finally {
			await vscode.workspace.getConfiguration('modelLedger.hovers').update('enabled', undefined, vscode.ConfigurationTarget.Workspace);
		}
		assert.equal(ours(await hoverTexts(promptUri, new vscode.Position(0, 1))).length, 1, 'back on');
	});

	it('looks right on screen: a key hover and two file hovers', async () => {
		const text = readFileSync(join(ws, RAG), 'utf8');
		const editor = await vscode.window.showTextDocument(ragUri, { preview: false });
		const at = positionOf(text, 'chunk_size', 3);
		editor.selection = new vscode.Selection(at, at);
		editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
		await vscode.commands.executeCommand('editor.action.showHover');
		await new Promise((r) => setTimeout(r, 1200));
		await requestScreenshot('hover-key');

		// A comment line of the config: the file hover, with the diff links. Reopening the editor closes
		// the key hover (showHover on an open hover would only focus it).
		await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
		const again = await vscode.window.showTextDocument(ragUri, { preview: false });
		const comment = positionOf(text, 'Every key', 4);
		again.selection = new vscode.Selection(comment, comment);
		await vscode.commands.executeCommand('editor.action.showHover');
		await new Promise((r) => setTimeout(r, 1200));
		await requestScreenshot('hover-config-file');

		const prompt = await vscode.window.showTextDocument(promptUri, { preview: false });
		prompt.selection = new vscode.Selection(new vscode.Position(0, 2), new vscode.Position(0, 2));
		await vscode.commands.executeCommand('editor.action.showHover');
		await new Promise((r) => setTimeout(r, 1200));
		await requestScreenshot('hover-file');
	});
});
