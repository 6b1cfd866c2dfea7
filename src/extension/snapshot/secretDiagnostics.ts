// Secret findings as problems: a file a model tracks that holds a credential is marked (file, line,
// which detector) in the editor and the Problems view before the user snapshots, with the same
// detectors the snapshot runs (so the snapshot's refusal is never a surprise). Open documents are
// scanned as they are edited (their unsaved text); the other tracked files from disk once the
// features load, then each file again when it changes on disk, and all when the config changes.
import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { scanSnapshotLabels } from '../../core/secrets/secretLabels';
import { scanText } from '../../core/secrets/secretScan';
import type { SecretFinding } from '../../core/secrets/secretRules';
import { isNeverText, scanFileAndValues, scanStructuredText } from '../../core/secrets/secretValues';
import { collectModelFiles, modelMatcher } from '../../core/snapshot/workspaceFiles';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';

/** The `source` of every diagnostic this module reports. */
export const SECRET_DIAGNOSTIC_SOURCE = 'Model Ledger';

const EDIT_DEBOUNCE_MS = 300;

export function registerSecretDiagnostics(ledgers: WorkspaceLedgers): vscode.Disposable {
	const diagnostics = new SecretDiagnostics(ledgers);
	diagnostics.scanWorkspace();
	vscode.workspace.textDocuments.forEach((d) => diagnostics.scanDocument(d));
	const timers = new Map<string, NodeJS.Timeout>();
	return vscode.Disposable.from(
		diagnostics,
		vscode.workspace.onDidOpenTextDocument((d) => diagnostics.scanDocument(d)),
		vscode.workspace.onDidChangeTextDocument((e) => {
			const key = e.document.uri.toString();
			clearTimeout(timers.get(key));
			timers.set(
				key,
				setTimeout(() => {
					timers.delete(key);
					diagnostics.scanDocument(e.document);
				}, EDIT_DEBOUNCE_MS),
			);
		}),
		// A closed document's file keeps its marks from disk (it is still tracked and still holds what it holds).
		vscode.workspace.onDidCloseTextDocument((d) => diagnostics.scanFileOnDisk(d.uri)),
		ledgers.onDidChange((change) => {
			if (change.kinds.has('config')) diagnostics.scanWorkspace(change.entry);
		}),
		// Files written on disk (a terminal, git, another tool): only the file that changed is read again.
		// eslint-disable-next-line no-restricted-syntax -- one watcher per workspace folder
		...(vscode.workspace.workspaceFolders ?? []).map((folder) => {
			const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
			const on = (uri: vscode.Uri) => {
				const rel = vscode.workspace.asRelativePath(uri, false);
				if (!rel.startsWith('.model-ledger/') && !rel.startsWith('.git/')) diagnostics.scanFileOnDisk(uri);
			};
			return vscode.Disposable.from(watcher, watcher.onDidCreate(on), watcher.onDidChange(on), watcher.onDidDelete(on));
		}),
		{ dispose: () => timers.forEach((t) => clearTimeout(t)) },
	);
}

class SecretDiagnostics implements vscode.Disposable {
	private readonly collection = vscode.languages.createDiagnosticCollection('model-ledger-secrets');

	constructor(private readonly ledgers: WorkspaceLedgers) {}

	dispose(): void {
		this.collection.dispose();
	}

	/** An open document: its current (possibly unsaved) text, when a model tracks the file. */
	scanDocument(document: vscode.TextDocument): void {
		const tracked = this.trackedPath(document.uri);
		if (!tracked) {
			if (document.uri.scheme === 'file') this.collection.delete(document.uri);
			return;
		}
		const text = document.getText();
		const lines = scanText(text, tracked.rel);
		const seen = new Set(lines.map((f) => f.line));
		const findings = [...lines, ...scanStructuredText(text, tracked.rel).filter((f) => !seen.has(f.line)), ...scanSnapshotLabels(undefined, null, [tracked.rel])];
		this.collection.set(document.uri, findings.map((f) => toDiagnostic(f, document)));
	}

	/** A tracked file that is not open: read from disk (streamed, as the snapshot reads it). */
	scanFileOnDisk(uri: vscode.Uri): void {
		if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && !d.isClosed)) return;
		const tracked = this.trackedPath(uri);
		if (!tracked || isNeverText(tracked.rel) || !existsSync(uri.fsPath)) {
			this.collection.delete(uri);
			return;
		}
		let findings: SecretFinding[];
		try {
			findings = [...scanFileAndValues(uri.fsPath, tracked.rel).findings, ...scanSnapshotLabels(undefined, null, [tracked.rel])];
		} catch {
			findings = [];
		}
		this.collection.set(uri, findings.map((f) => toDiagnostic(f)));
	}

	/** Every file the models of one folder (or all folders) track, except open ones (their text is scanned instead). */
	scanWorkspace(only?: LedgerEntry): void {
		for (const entry of only ? [only] : this.ledgers.all()) {
			let models;
			try {
				models = entry.ledger.config.models;
			} catch {
				continue; // a broken config is reported elsewhere; nothing is tracked until it parses
			}
			const tracked = new Set<string>();
			for (const model of models) for (const file of collectModelFiles(entry.root, model).files) tracked.add(file.path);
			// Marks of files no longer tracked go.
			this.collection.forEach((uri) => {
				const rel = relative(entry.root, uri.fsPath).split(sep).join('/');
				if (!rel.startsWith('..') && !tracked.has(rel)) this.collection.delete(uri);
			});
			// eslint-disable-next-line no-restricted-syntax -- path segments: bounded by the path's length
			for (const rel of tracked) this.scanFileOnDisk(vscode.Uri.joinPath(entry.folder.uri, ...rel.split('/')));
		}
	}

	private trackedPath(uri: vscode.Uri): { entry: LedgerEntry; rel: string } | undefined {
		if (uri.scheme !== 'file') return undefined;
		const entry = this.ledgers.forUri(uri);
		if (!entry) return undefined;
		const rel = relative(entry.root, uri.fsPath).split(sep).join('/');
		if (rel.startsWith('..')) return undefined;
		try {
			return entry.ledger.config.models.some((m) => modelMatcher(m)(rel)) ? { entry, rel } : undefined;
		} catch {
			return undefined;
		}
	}
}

function toDiagnostic(finding: SecretFinding, document?: vscode.TextDocument): vscode.Diagnostic {
	const line = Math.max(0, finding.line - 1);
	const start = new vscode.Position(line, Math.max(0, finding.column - 1));
	// The token under the position, so the squiggle covers the secret (and not the whole line).
	const word = document?.getWordRangeAtPosition(start, /[^\s"'`,;{}()[\]<>]+/);
	const range = word ?? new vscode.Range(start, start.translate(0, 1));
	const fileName = / in the file's name/.test(finding.kind);
	const diagnostic = new vscode.Diagnostic(
		fileName ? new vscode.Range(0, 0, 0, 0) : range,
		`Secret: ${finding.kind}. A snapshot refuses this file; read the value from an environment variable (e.g. \${OPENAI_API_KEY}) instead.`,
		vscode.DiagnosticSeverity.Error,
	);
	diagnostic.source = SECRET_DIAGNOSTIC_SOURCE;
	diagnostic.code = finding.kind;
	return diagnostic;
}
