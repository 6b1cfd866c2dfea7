// One Ledger per workspace folder that has a model-ledger.yaml (multi-root: each is its own ledger),
// kept in sync with the disk: manifests or events written by this window, by the CLI in a terminal,
// or by a git pull/checkout fire one debounced change event, never a reload per file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ledger } from '../core/ledger';
import { CONTEXT_KEYS } from './commands';
import { Disposable, disposableOf, disposeAll } from './dispose';
import type { IDisposable } from './dispose';

// core/workspaceConfig's CONFIG_FILE, not imported from there: that module brings the YAML parser
// into the activation bundle.
const CONFIG_FILE = 'model-ledger.yaml';

export interface LedgerEntry {
	folder: vscode.WorkspaceFolder;
	root: string;
	/** Created on first access (`openLedger`: the Ledger class lives in dist/features.js, loaded on first use). */
	readonly ledger: Ledger;
}

/** A folder's entry whose Ledger is created (and the lazy half of the extension loaded) on first access. */
class LazyLedgerEntry implements LedgerEntry {
	private opened: Ledger | undefined;

	constructor(
		readonly folder: vscode.WorkspaceFolder,
		readonly root: string,
		private readonly openLedger: OpenLedger,
	) {}

	get ledger(): Ledger {
		this.opened ??= this.openLedger(this.root);
		return this.opened;
	}

	get isOpen(): boolean {
		return this.opened !== undefined;
	}

	close(): void {
		this.opened?.close();
	}
}

/** Opens the Ledger of a folder root; passed in by extension.ts (it lives in the lazily loaded bundle). */
export type OpenLedger = (root: string) => Ledger;

export type LedgerChangeKind = 'registry' | 'config' | 'workingFiles';

export interface LedgerChange {
	entry: LedgerEntry;
	kinds: Set<LedgerChangeKind>;
}

const DEBOUNCE_MS = 150;

export class WorkspaceLedgers extends Disposable {
	private readonly entries = new Map<string, LazyLedgerEntry>();
	private readonly watchers = new Map<string, IDisposable>();
	private readonly pending = new Map<string, { kinds: Set<LedgerChangeKind>; timer: NodeJS.Timeout }>();
	private readonly emitter = this.register(new vscode.EventEmitter<LedgerChange>());
	/** Fires after the ledger has re-read what changed on disk. */
	readonly onDidChange = this.emitter.event;

	/** `openLedger` creates a folder's Ledger when it is first needed (extension.ts loads the features then). */
	constructor(private readonly openLedger: OpenLedger) {
		super();
		this.refreshFolders();
		this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshFolders()));
	}

	/** All folders that have a ledger, in workspace order. */
	all(): LedgerEntry[] {
		return (vscode.workspace.workspaceFolders ?? []).map((f) => this.entries.get(f.uri.toString())).filter((e): e is LazyLedgerEntry => e !== undefined);
	}

	/** The ledger whose folder contains the file, if any. */
	forUri(uri: vscode.Uri): LedgerEntry | undefined {
		const folder = vscode.workspace.getWorkspaceFolder(uri);
		return folder ? this.entries.get(folder.uri.toString()) : undefined;
	}

	/** The ledger of a folder given by its root path (command arguments use paths). */
	forRoot(root: string): LedgerEntry | undefined {
		return this.all().find((e) => e.root === root);
	}

	/** Re-checks which folders have a model-ledger.yaml (after Initialize, or folders added/removed). */
	refreshFolders(): void {
		const seen = new Set<string>();
		for (const folder of vscode.workspace.workspaceFolders ?? []) {
			if (folder.uri.scheme !== 'file') continue;
			const key = folder.uri.toString();
			seen.add(key);
			this.watch(folder);
			const hasConfig = existsSync(join(folder.uri.fsPath, CONFIG_FILE));
			const existing = this.entries.get(key);
			if (hasConfig && !existing) {
				const entry = new LazyLedgerEntry(folder, folder.uri.fsPath, this.openLedger);
				this.entries.set(key, entry);
				this.emitter.fire({ entry, kinds: new Set(['config', 'registry']) });
			} else if (!hasConfig && existing) {
				existing.close();
				this.entries.delete(key);
				this.emitter.fire({ entry: existing, kinds: new Set(['config', 'registry']) });
			}
		}
		for (const [key, entry] of this.entries) {
			if (seen.has(key)) continue;
			entry.close();
			this.entries.delete(key);
		}
		for (const [key, watcher] of this.watchers) {
			if (seen.has(key)) continue;
			watcher.dispose();
			this.watchers.delete(key);
		}
		void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasLedger, this.entries.size > 0);
	}

	private watch(folder: vscode.WorkspaceFolder): void {
		const key = folder.uri.toString();
		if (this.watchers.has(key)) return;
		const disposables: IDisposable[] = [];
		const add = (glob: string, kind: LedgerChangeKind) => {
			const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
			const on = () => this.schedule(folder, kind);
			disposables.push(watcher, watcher.onDidCreate(on), watcher.onDidChange(on), watcher.onDidDelete(on));
		};
		add(CONFIG_FILE, 'config');
		add('.model-ledger/{versions,events}/**', 'registry');
		this.watchers.set(key, disposableOf(disposables));
	}

	/** Marks a folder's registry as changed (e.g. after this window wrote to it) and notifies soon. */
	schedule(folder: vscode.WorkspaceFolder, kind: LedgerChangeKind): void {
		const key = folder.uri.toString();
		const pending = this.pending.get(key);
		if (pending) {
			pending.kinds.add(kind);
			return;
		}
		const timer = setTimeout(() => this.flush(folder), DEBOUNCE_MS);
		this.pending.set(key, { kinds: new Set([kind]), timer });
	}

	private flush(folder: vscode.WorkspaceFolder): void {
		const key = folder.uri.toString();
		const pending = this.pending.get(key);
		this.pending.delete(key);
		if (!pending) return;
		if (pending.kinds.has('config')) this.refreshFolders();
		const entry = this.entries.get(key);
		if (!entry) return;
		// A Ledger not created yet reads the disk when it is: nothing to reload (and nothing to load).
		if (pending.kinds.has('config') && entry.isOpen) entry.ledger.reloadConfig();
		if (pending.kinds.has('registry') && entry.isOpen) {
			try {
				entry.ledger.sync();
			} catch {
				// A failing index (native module, busy) is reported by whoever reads it next.
			}
		}
		this.emitter.fire({ entry, kinds: pending.kinds });
	}

	override dispose(): void {
		if (this.isDisposed) return;
		for (const { timer } of this.pending.values()) clearTimeout(timer);
		this.pending.clear();
		disposeAll(this.watchers.values());
		this.watchers.clear();
		for (const entry of this.entries.values()) entry.close();
		super.dispose();
	}
}
