// The one place the extension hands VS Code text to show in a notification, a dialog, a quick pick
// or an input box. Much of that text comes from repository content (model and alias names, version
// labels, messages, branch and author names, file paths, error text echoing them), and VS Code
// renders some of it: `[text](command:…)` becomes a link in notifications and input-box prompts,
// `$(name)` an icon in quick-pick items and prompts, and bidi overrides reorder any of it. So every
// call goes through the helpers in registry/versionText.ts here; ESLint refuses the raw
// `vscode.window.show*Message` / `showQuickPick` / `createQuickPick` / `showInputBox` elsewhere in
// src/extension (eslint.config.mjs).
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { escapeControls, oneLine } from '../core/displayText';
import { escapeIcons, noticeText, plainShownText } from './registry/versionText';

export type NoticeKind = 'info' | 'warning' | 'error';

/* eslint-disable no-restricted-syntax -- the few buttons of one message; this module is where the raw calls live */
async function show<T extends string>(kind: NoticeKind, message: string, options: vscode.MessageOptions, buttons: T[]): Promise<T | undefined> {
	// A button may name a file (`Open prompts/…`): shown with its controls visible, answered as given.
	const shown = buttons.map((b) => escapeControls(b));
	// The host tests' build only: VS Code shows no notification of an extension under test in the
	// test host, so what is handed to it is written down for the planted-text suite to check.
	const noticeLog = __TEST_HOOKS__ ? process.env.MODEL_LEDGER_TEST_NOTICES : undefined;
	if (__TEST_HOOKS__ && noticeLog) appendFileSync(noticeLog, `${JSON.stringify({ kind, message, detail: options.detail, modal: options.modal === true, buttons: shown })}\n`);
	const showMessage = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
	const picked = await showMessage(message, options, ...shown);
	return picked === undefined ? undefined : buttons[shown.indexOf(picked)];
}
/* eslint-enable no-restricted-syntax */

/** A notification (toast): its text cannot form a link or hide characters; the button clicked, if any. */
export function notify<T extends string>(kind: NoticeKind, message: string, ...buttons: T[]): Promise<T | undefined> {
	return show(kind, noticeText(message), {}, buttons);
}

/** A modal dialog (message and detail are plain text there; controls are still made visible). */
export function notifyModal<T extends string>(kind: NoticeKind, message: string, detail: string | undefined, ...buttons: T[]): Promise<T | undefined> {
	return show(kind, noticeText(message), { modal: true, detail: detail === undefined ? undefined : noticeText(detail) }, buttons);
}

/** A quick pick's title and placeholder are plain text in VS Code: only controls need escaping. */
function plainPickOptions<O extends { title?: string; placeHolder?: string }>(options: O): O {
	return { ...options, title: options.title === undefined ? undefined : escapeControls(options.title), placeHolder: options.placeHolder === undefined ? undefined : escapeControls(options.placeHolder) };
}

/**
 * showQuickPick over items made plain (plainShownText 'picker': one line, controls visible, `$(…)`
 * shown as text; an item's own icon goes in `iconPath`); the caller's item is returned as it was.
 */
export async function pickOne<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions = {}): Promise<T | undefined> {
	const shown = items.map((item) => plainShownText({ ...item }, 'picker'));
	const picked = await vscode.window.showQuickPick(shown, plainPickOptions(options));
	// The caller's own item back, with its text as it was (a label may be used as a value).
	return picked && items[shown.indexOf(picked)];
}

/** pickOne for plain strings (model names): the string picked. */
export async function pickString(values: string[], options: vscode.QuickPickOptions = {}): Promise<string | undefined> {
	const picked = await pickOne(values.map((value) => ({ label: value, value })), options);
	return picked?.value;
}

/** A quick pick to drive by hand; set its items with `setItems` so they are made plain like pickOne's. */
export function createPicker<T extends vscode.QuickPickItem>(): { pick: vscode.QuickPick<T>; setItems(items: T[]): void; setTitle(title: string): void } {
	const pick = vscode.window.createQuickPick<T>();
	return {
		pick,
		setItems: (items) => (pick.items = items.map((item) => plainShownText({ ...item }, 'picker'))),
		setTitle: (title) => (pick.title = escapeControls(title)),
	};
}

/** showInputBox with its title and placeholder plain, and its prompt (which VS Code renders with links and icons) escaped for both. */
export function askText(options: vscode.InputBoxOptions): Thenable<string | undefined> {
	return vscode.window.showInputBox({ ...plainPickOptions(options), prompt: options.prompt === undefined ? undefined : escapeIcons(noticeText(options.prompt)) });
}

/**
 * withProgress with its title and every reported message made plain: in a notification they are
 * parsed for links like any message (a file named `[Run](command:….md` would be one), in the
 * status bar (ProgressLocation.Window) for icons.
 */
export function withProgress<R>(options: vscode.ProgressOptions, task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>): Thenable<R> {
	const plain = (text: string | undefined) => (text === undefined ? undefined : options.location === vscode.ProgressLocation.Notification ? noticeText(text) : escapeIcons(oneLine(text)));
	return vscode.window.withProgress({ ...options, title: plain(options.title) }, (progress, token) =>
		task({ report: (value) => progress.report({ ...value, message: plain(value.message) }) }, token),
	);
}
