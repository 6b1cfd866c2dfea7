// Secret diagnostics in the real VS Code: a key typed into a tracked config is marked in the editor
// and the Problems view (file, line, which detector) before any snapshot — from the unsaved text —
// and the mark goes when the key is removed; a tracked prompt written on disk (not open) is marked
// too; an untracked file with the same key gets no mark from us. The secret is never in a message.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activatedExtension, requestScreenshot, testWorkspace, waitFor } from './hostTestSupport';

// Assembled at run time so this file does not look like it holds a credential.
const KEY = 'sk-' + 'proj-' + 'Q7m2Xr9LpB4nV8tK1wZ6yH3cJ5dF0gS2';
const TOKEN = 'ghp_' + 'Xk9LmP4rT8vW1zN6bY3cH5dF0gS2aE7iO4pQ';
const RAG = 'config/rag.yaml';
const LEAK_PROMPT = 'prompts/secret-diagnostics-leak.md';
const UNTRACKED = 'notes-secret-diagnostics.md';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
	return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Model Ledger');
}

describe('Secret diagnostics on tracked files', function () {
	const ws = testWorkspace();
	const ragUri = vscode.Uri.file(join(ws, RAG));
	let original = '';

	before(async function () {
		await activatedExtension();
		original = readFileSync(join(ws, RAG), 'utf8');
	});

	after(async function () {
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === ragUri.toString());
		if (doc && doc.getText() !== original) {
			const edit = new vscode.WorkspaceEdit();
			edit.replace(ragUri, new vscode.Range(0, 0, doc.lineCount, 0), original);
			await vscode.workspace.applyEdit(edit);
			await doc.save();
		}
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		writeFileSync(join(ws, RAG), original);
		for (const rel of [LEAK_PROMPT, UNTRACKED]) rmSync(join(ws, rel), { force: true });
	});

	it('marks a key typed into a tracked config (unsaved) with file, line and detector, and clears the mark when it is removed', async function () {
		const doc = await vscode.workspace.openTextDocument(ragUri);
		await vscode.window.showTextDocument(doc);
		assert.deepEqual(ours(ragUri), [], 'the example config holds no secret');
		const insertAt = doc.lineCount;
		const edit = new vscode.WorkspaceEdit();
		edit.insert(ragUri, new vscode.Position(insertAt, 0), `\nauth:\n  api_key: ${KEY}\n`);
		assert.ok(await vscode.workspace.applyEdit(edit));
		const marks = await waitFor('a secret diagnostic on config/rag.yaml', () => (ours(ragUri).length ? ours(ragUri) : undefined));
		assert.equal(marks.length, 1, JSON.stringify(marks.map((d) => d.message)));
		const [mark] = marks;
		// The inserted text starts with a blank line: `api_key` is two lines below the old end.
		const line = doc.getText().split('\n').findIndex((l) => l.includes('api_key:'));
		assert.equal(mark.range.start.line, line);
		assert.equal(doc.getText(mark.range), KEY, 'the squiggle covers the key itself');
		assert.equal(mark.code, 'OpenAI-style API key (sk-…)');
		assert.equal(mark.severity, vscode.DiagnosticSeverity.Error);
		assert.match(mark.message, /^Secret: OpenAI-style API key \(sk-…\)\. A snapshot refuses this file/);
		assert.ok(!mark.message.includes(KEY), 'the message never holds the secret');
		await requestScreenshot('secret-diagnostic');

		const undo = new vscode.WorkspaceEdit();
		undo.replace(ragUri, new vscode.Range(0, 0, doc.lineCount, 0), original);
		assert.ok(await vscode.workspace.applyEdit(undo));
		await waitFor('the secret diagnostic to clear', () => ours(ragUri).length === 0);
		await doc.save();
	});

	it('marks a tracked prompt written on disk (not open), and clears the mark when the file is deleted', async function () {
		const uri = vscode.Uri.file(join(ws, LEAK_PROMPT));
		writeFileSync(uri.fsPath, `Answer politely.\nCall the API with ${TOKEN} if needed.\n`);
		const marks = await waitFor('a secret diagnostic on a prompt on disk', () => (ours(uri).length ? ours(uri) : undefined));
		assert.equal(marks[0].range.start.line, 1);
		assert.equal(marks[0].range.start.character, 'Call the API with '.length);
		assert.equal(marks[0].code, 'GitHub token');
		rmSync(uri.fsPath);
		await waitFor('the mark of the deleted prompt to clear', () => ours(uri).length === 0);
	});

	it('gives no mark to a file no model tracks, even with the same key', async function () {
		const uri = vscode.Uri.file(join(ws, UNTRACKED));
		writeFileSync(uri.fsPath, `api_key: ${KEY}\n`);
		const doc = await vscode.workspace.openTextDocument(uri);
		await vscode.window.showTextDocument(doc);
		// A tracked file edited in the same way is marked within the debounce; give ours the same time and more.
		await new Promise((r) => setTimeout(r, 1500));
		assert.deepEqual(ours(uri), []);
		assert.ok(existsSync(uri.fsPath));
	});
});
