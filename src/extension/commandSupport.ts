// What the commands share: finding the ledger an argument or tree node refers to, turning a
// command argument (tree node or argument object) into a version, and showing errors with their
// cause and fix (and a button to the file they are about).
import { join } from 'node:path';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { notify, notifyModal, pickOne } from './userInterface';
import { cancelled, describeError, isCancelled, LedgerError } from '../core/errors';
import type { Ledger } from '../core/ledger';
import type { VersionSummary } from '../core/model';
import { NativeModuleError } from '../core/index/sqlite';
import { adoptOtherRefVersions } from '../core/index/otherRefs';
import { otherRefVersionDescription, versionDescription, versionLabel } from './registry/versionText';
import { stringArg } from './commandArgs';
import { COMMANDS } from './commands';
import type { LedgerEntry, WorkspaceLedgers } from './workspaceLedgers';

/** The folder a command works on: `root` when given, the only ledger, or the user's pick. */
export async function pickLedger(ledgers: WorkspaceLedgers, root?: string, interactive = true): Promise<LedgerEntry> {
	const all = ledgers.all();
	if (root !== undefined) {
		const entry = ledgers.forRoot(root);
		if (!entry) throw new LedgerError({ code: 'UNKNOWN_ROOT', message: `${root} is not a workspace folder with a model-ledger.yaml.`, fix: 'Pass the root of an open workspace folder, or omit `root`.' });
		return entry;
	}
	if (all.length === 0) throw new LedgerError({ code: 'NO_CONFIG', message: 'No workspace folder has a model-ledger.yaml.', fix: 'Run "Model Ledger: Initialize" to create one.' });
	if (all.length === 1 || !interactive) return all[0];
	const active = vscode.window.activeTextEditor?.document.uri;
	const activeEntry = active ? ledgers.forUri(active) : undefined;
	const picked = await pickOne(
		all.map((entry) => ({ label: entry.folder.name, description: entry.root, entry, picked: entry === activeEntry })),
		{ title: 'Model Ledger: which workspace folder?' },
	);
	if (!picked) throw cancelled('Command');
	return picked.entry;
}

/** A version named by a command argument: a tree node or `{ root?, model, version }`. */
export interface VersionTarget {
	root?: string;
	model: string;
	/** Any reference `Ledger.resolve` accepts (latest, v3, 1.4.0, production, a digest). */
	ref: string;
}

/** Reads `{root, model, digest}` from a tree node, or `{root, model, version|ref}` from an argument object. */
export function versionTargetOf(arg: unknown, refKey = 'version'): VersionTarget | undefined {
	const model = stringArg(arg, 'model');
	if (model === undefined) return undefined;
	const root = stringArg(arg, 'root');
	// A tree node carries the version itself; code passes a reference.
	const version = (arg as { version?: unknown }).version;
	if (version && typeof version === 'object' && typeof (version as VersionSummary).digest === 'string') {
		return { root, model, ref: (version as VersionSummary).digest };
	}
	for (const key of [refKey, 'digest', 'ref']) {
		const ref = stringArg(arg, key);
		if (ref !== undefined) return { root, model, ref };
	}
	return undefined;
}

/** Resolves a version reference, accepting numbers as well as strings. */
export function resolveVersion(ledger: Ledger, model: string, ref: string | number): VersionSummary {
	return ledger.resolve(model, String(ref));
}

export type VersionPickItem = vscode.QuickPickItem & { version?: VersionSummary };

/**
 * Quick-pick items for a command that only reads (diff, compare): `versions` (this checkout's), then
 * under an "Other branches" separator the versions of `model` git holds only on other refs, those
 * `keep` accepts. Git is scanned here when the Registry has not done it yet; a failing scan (no git,
 * Restricted Mode) offers this checkout's versions only.
 */
export async function readableVersionItems(ledger: Ledger, model: string, versions: VersionSummary[], keep: (v: VersionSummary) => boolean = () => true): Promise<VersionPickItem[]> {
	const items: VersionPickItem[] = versions.map((v) => ({ label: versionLabel(v), description: versionDescription(v), version: v }));
	if (!ledger.hasAdoptedOtherRefs) await adoptOtherRefVersions(ledger).catch(() => undefined);
	const others = ledger.otherRefVersionsOf(model).filter((e) => keep(e.summary));
	if (others.length === 0) return items;
	return [
		...items,
		{ label: 'Other branches (read-only)', kind: vscode.QuickPickItemKind.Separator },
		...others.map((e) => ({ label: versionLabel(e.summary), description: otherRefVersionDescription(e.summary, e.refs), version: e.summary })),
	];
}

/** For commands that only read (open, diff): also the versions only on other git refs the Registry adopted. */
export function resolveReadableVersion(ledger: Ledger, model: string, ref: string | number): VersionSummary {
	return ledger.resolveReadable(model, String(ref));
}

/**
 * A modal warning with buttons; the chosen label, or undefined (Cancel, Escape). VS Code refuses to show
 * dialogs to an extension under test, so in the host tests' build (`__TEST_HOOKS__`, compiled out of
 * the shipped bundles) MODEL_LEDGER_TEST_DIALOGS names a folder: the dialog is appended to
 * `shown.jsonl` there and answered with the label in `answer` (read once).
 */
export async function confirmModal(message: string, detail: string, ...buttons: string[]): Promise<string | undefined> {
	const dir = __TEST_HOOKS__ ? process.env.MODEL_LEDGER_TEST_DIALOGS : undefined;
	if (__TEST_HOOKS__ && dir) return answerTestDialog(dir, message, detail, buttons);
	// eslint-disable-next-line no-restricted-syntax -- a dialog's few buttons
	return notifyModal('warning', message, detail, ...buttons);
}

function answerTestDialog(dir: string, message: string, detail: string, buttons: string[]): string | undefined {
	const answerFile = join(dir, 'answer');
	const answer = existsSync(answerFile) ? readFileSync(answerFile, 'utf8') : '';
	rmSync(answerFile, { force: true });
	appendFileSync(join(dir, 'shown.jsonl'), `${JSON.stringify({ message, detail, buttons })}\n`);
	return buttons.includes(answer) ? answer : undefined;
}

/** Shows an error with its cause and fix; a config error gets a button that opens the file at its line. */
export async function showCommandError(err: unknown, root?: string): Promise<void> {
	if (isCancelled(err)) return;
	if (err instanceof NativeModuleError) {
		await vscode.commands.executeCommand(COMMANDS.checkRegistry);
		return;
	}
	const message = describeError(err);
	const location = err instanceof LedgerError ? err.location : undefined;
	if (!location || !root) {
		void notify('error', message);
		return;
	}
	const open = 'Open ' + location.file;
	const choice = await notify('error', message, open);
	if (choice === open) {
		const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, location.file)));
		const line = Math.max(0, (location.line ?? 1) - 1);
		const column = Math.max(0, (location.column ?? 1) - 1);
		await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, column, line, column) });
	}
}

/** Runs a command body; shows failures when the command was started by the user (no argument object). */
export async function runReporting<T>(interactive: boolean, root: string | undefined, body: () => Promise<T>): Promise<T | undefined> {
	try {
		return await body();
	} catch (err) {
		if (isCancelled(err)) return undefined;
		if (!interactive) throw err;
		await showCommandError(err, root);
		return undefined;
	}
}
