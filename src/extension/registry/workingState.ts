// Which tracked files differ from each model's latest version, for the status bar and the Explorer
// decorations. Recomputed (debounced) when the registry changes or a tracked file is written;
// hashing goes through the index's stat cache, so unchanged files are not re-read.
import * as vscode from 'vscode';
import { Disposable, disposeAll } from '../dispose';
import { describeError } from '../../core/errors';
import type { VersionSummary, WorkingChanges } from '../../core/model';
import type { versionMatchingWorkingTree } from '../../core/store/restore';
import type { workingChanges } from '../../core/snapshot/snapshot';
import type { modelMatcher } from '../../core/snapshot/workspaceFiles';
import type { WorkspaceLedgers } from '../workspaceLedgers';

export interface ModelState {
	root: string;
	model: string;
	latest: VersionSummary | undefined;
	changes: WorkingChanges;
	/** When the workspace differs from the latest version but holds another one exactly (after a restore). */
	matches?: VersionSummary;
	error?: string;
}

const DEBOUNCE_MS = 400;

/** The core functions a working-tree pass needs (from dist/features.js; extension.ts passes them in). */
export interface WorkingTreeQueries {
	modelMatcher: typeof modelMatcher;
	versionMatchingWorkingTree: typeof versionMatchingWorkingTree;
	workingChanges: typeof workingChanges;
}

export class WorkingState extends Disposable {
	private readonly emitter = this.register(new vscode.EventEmitter<void>());
	readonly onDidChange = this.emitter.event;
	private readonly watchers = new Map<string, vscode.Disposable>();
	private timer: NodeJS.Timeout | undefined;
	private states: ModelState[] = [];
	private matchers = new Map<string, Array<{ model: string; matches: (path: string) => boolean }>>();

	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly wanted: () => boolean,
		private readonly queries: () => WorkingTreeQueries,
	) {
		super();
		this.register(ledgers.onDidChange(() => this.schedule()));
	}

	get models(): readonly ModelState[] {
		return this.states;
	}

	/** Recomputes soon (several triggers in a burst cause one pass). */
	schedule(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.compute();
		}, DEBOUNCE_MS);
	}

	/** Recomputes now; returns the new state. */
	compute(): readonly ModelState[] {
		if (!this.wanted()) {
			this.states = [];
			this.emitter.fire();
			return this.states;
		}
		// Hashing and globbing live in dist/features.js: loaded here, after activation, on the first pass.
		const { modelMatcher, versionMatchingWorkingTree, workingChanges } = this.queries();
		const states: ModelState[] = [];
		const liveRoots = new Set<string>();
		for (const entry of this.ledgers.all()) {
			liveRoots.add(entry.root);
			this.watch(entry.folder, entry.root);
			let models;
			try {
				models = entry.ledger.config.models;
				this.matchers.set(entry.root, models.map((m) => ({ model: m.name, matches: modelMatcher(m) })));
			} catch {
				continue; // an invalid config is reported by the sidebar
			}
			for (const m of models) {
				try {
					const { latest, changes } = workingChanges(entry.ledger, m.name);
					const differs = changes.added.length + changes.modified.length + changes.removed.length > 0;
					const matches = latest && differs ? versionMatchingWorkingTree(entry.ledger, m.name) : undefined;
					states.push({ root: entry.root, model: m.name, latest, changes, ...(matches ? { matches } : {}) });
				} catch (err) {
					states.push({ root: entry.root, model: m.name, latest: undefined, changes: { added: [], removed: [], modified: [] }, error: describeError(err) });
				}
			}
		}
		for (const [root, watcher] of this.watchers) {
			if (liveRoots.has(root)) continue;
			watcher.dispose();
			this.watchers.delete(root);
		}
		this.states = states;
		this.emitter.fire();
		return states;
	}

	/** Models whose globs match a workspace-relative path. */
	modelsOf(root: string, path: string): string[] {
		return (this.matchers.get(root) ?? []).filter((m) => m.matches(path)).map((m) => m.model);
	}

	private watch(folder: vscode.WorkspaceFolder, root: string): void {
		if (this.watchers.has(root)) return;
		const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
		const on = (uri: vscode.Uri) => {
			const rel = vscode.workspace.asRelativePath(uri, false);
			// The index itself lives under .model-ledger: reacting to it would loop.
			if (rel.startsWith('.model-ledger/') || rel.startsWith('.git/')) return;
			if (this.modelsOf(root, rel).length > 0) this.schedule();
		};
		this.watchers.set(root, vscode.Disposable.from(watcher, watcher.onDidChange(on), watcher.onDidCreate(on), watcher.onDidDelete(on)));
	}

	override dispose(): void {
		if (this.isDisposed) return;
		if (this.timer) clearTimeout(this.timer);
		disposeAll(this.watchers.values());
		this.watchers.clear();
		super.dispose();
	}
}
