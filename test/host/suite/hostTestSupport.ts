// Helpers shared by the host tests. Not a test file: esbuild bundles it into each test that imports it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VersionSummary } from '../../../src/core/model';
import type { SnapshotResult } from '../../../src/core/snapshot/snapshot';
import { COMPARE_VIEW_TEST_COMMAND } from '../../../src/extension/compare/compareViewProbe';
import type { CompareTestState } from '../../../src/extension/compare/compareViewProbe';

export const EXTENSION_ID = 'model-ledger.model-ledger';

/**
 * Edits a suite makes to workspace files, each file's first content kept so `restore()` (in `after`)
 * leaves the workspace as the suite found it. An edit that changes nothing is a bug in the test.
 */
export function workspaceEdits(ws: string): { edit(rel: string, change: (text: string) => string): void; restore(): void } {
	const originals = new Map<string, string>();
	return {
		edit(rel, change) {
			const path = join(ws, rel);
			const text = readFileSync(path, 'utf8');
			if (!originals.has(rel)) originals.set(rel, text);
			const changed = change(text);
			assert.notEqual(changed, text, `edit of ${rel} changed nothing`);
			writeFileSync(path, changed);
		},
		restore() {
			for (const [rel, text] of originals) writeFileSync(join(ws, rel), text);
		},
	};
}

/** The temp copy of the example workspace the runner opened (a git repository). */
export function testWorkspace(): string {
	const dir = process.env.MODEL_LEDGER_TEST_WORKSPACE;
	assert.ok(dir, 'MODEL_LEDGER_TEST_WORKSPACE is not set: run the host tests through test/host/runHostTests.mjs');
	return dir;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** Waits until the extension has been activated by VS Code itself (through its activation events). */
export async function activatedExtension(): Promise<vscode.Extension<unknown>> {
	const extension = vscode.extensions.getExtension(EXTENSION_ID);
	assert.ok(extension, `extension ${EXTENSION_ID} is not installed in the host`);
	await waitFor('the extension to activate', () => extension.isActive);
	return extension;
}

/**
 * Asks the runner for a PNG of the workbench named `name` (saved when HOST_SCREENSHOTS is set) and
 * waits until it has been taken, so the picture shows the state the test is in.
 */
export async function requestScreenshot(name: string): Promise<void> {
	const ackDir = process.env.MODEL_LEDGER_SCREENSHOT_ACK_DIR;
	if (!ackDir) return; // not under the runner (e.g. @vscode/test-electron): nothing to capture with
	console.log(`[[screenshot:${name}]]`);
	await waitFor(`screenshot ${name}`, () => existsSync(join(ackDir, `${name}.done`)), 30_000);
}

/** What a modal dialog showed (the runner reads it from the workbench page). */
export interface DialogShown {
	message: string;
	detail: string;
	buttons: string[];
}

/**
 * Has the runner click `button` (exact label; '' presses Escape) in the next modal dialog, and returns
 * what the dialog showed. Start the command that opens the dialog first, without awaiting it.
 */
export async function answerDialog(id: string, button: string): Promise<DialogShown> {
	const ackDir = process.env.MODEL_LEDGER_SCREENSHOT_ACK_DIR;
	if (!ackDir) throw new Error('answerDialog needs the host runner (test/host/runHostTests.mjs)');
	console.log(`[[dialog:${id}:${button}]]`);
	const file = join(ackDir, `${id}.dialog.json`);
	await waitFor(`dialog ${id} answered`, () => existsSync(file), 90_000);
	const shown = JSON.parse(readFileSync(file, 'utf8')) as DialogShown & { error?: string };
	if (shown.error) throw new Error(`dialog ${id}: ${shown.error}`);
	return shown;
}

/** One element of the workbench as rendered: its text, the codicons drawn in it, the targets of its links. */
export interface ElementShown {
	text: string;
	icons: string[];
	links: string[];
}

let domRequests = 0;

/**
 * What the workbench page shows in the elements `selector` matches (the runner reads the DOM), so a
 * test can check what VS Code made of the text the extension gave it: an icon, a link, plain text.
 */
export async function readWorkbench(selector: string): Promise<ElementShown[]> {
	const ackDir = process.env.MODEL_LEDGER_SCREENSHOT_ACK_DIR;
	if (!ackDir) throw new Error('readWorkbench needs the host runner (test/host/runHostTests.mjs)');
	const id = `dom-${++domRequests}`;
	console.log(`[[dom:${id}:${selector}]]`);
	const file = join(ackDir, `${id}.dom.json`);
	await waitFor(`the workbench's ${selector}`, () => existsSync(file), 90_000);
	const shown = JSON.parse(readFileSync(file, 'utf8')) as { elements?: ElementShown[]; error?: string };
	if (shown.error) throw new Error(`reading ${selector}: ${shown.error}`);
	return shown.elements ?? [];
}

/** Switches the colour theme (user settings) and waits for VS Code to apply it. */
export async function setColorTheme(theme: string, kind: vscode.ColorThemeKind): Promise<void> {
	await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
	await waitFor(`theme ${theme}`, () => vscode.window.activeColorTheme.kind === kind, 10_000);
}

/** Snapshots `model` through the Snapshot command (an argument object: no questions); the version made, or the one it matches. */
export async function snapshotCommand(model: string, message: string): Promise<VersionSummary> {
	const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model, message, allowDirty: true })) as SnapshotResult;
	const version = result.created[0] ?? result.unchanged[0]?.matches;
	assert.ok(version, `snapshot returned nothing: ${JSON.stringify(result)}`);
	return version;
}

/** What the active compare panel's page last reported (the test-hooks build only). */
export function compareViewState(): Promise<CompareTestState> {
	return vscode.commands.executeCommand(COMPARE_VIEW_TEST_COMMAND, { action: 'state' }) as Promise<CompareTestState>;
}

/** Waits for the compare page's next render report (after `after` reports had been seen) that passes `check`. */
export async function compareRenderedAfter(after: number, check: (s: CompareTestState) => boolean = () => true): Promise<CompareTestState> {
	return waitFor(`the compare page to render (report #${after + 1})`, async () => {
		const state = await compareViewState();
		return state.reports > after && state.report && check(state) ? state : undefined;
	});
}
