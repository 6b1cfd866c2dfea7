// The compare view: a webview panel per pair of versions (or a version and the working tree) showing
// the semantic diff from src/core/compare/versionDiff.ts. The page (src/webview/compareView.ts) builds its
// DOM from data with textContent only; the panel posts nothing before the page says `ready`, and
// re-sends its data whenever the page comes back after being hidden. Changed text files open in the
// native diff editor through the `model-ledger:` stored-file documents (src/extension/registry/storedFiles.ts).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { notify, pickOne, withProgress } from '../userInterface';
import { isInteractive, stringArg } from '../commandArgs';
import { COMPARE_VIEW_TYPE } from '../commands';
import type { RegisteredCommands } from '../commands';
import { Disposable, disposableOf, disposeAll } from '../dispose';
import { cancelled, describeError, LedgerError } from '../../core/errors';
import type { Ledger } from '../../core/ledger';
import { relative } from 'node:path';
import { diffVersions, metricHistory, metricKeys, WORKING_TREE } from '../../core/compare/versionDiff';
import type { DiffSide, VersionDiff } from '../../core/compare/versionDiff';
import { modelMatcher } from '../../core/snapshot/workspaceFiles';
import type { CompareModel, CompareTarget, HostMessage, PageMessage, PageState } from '../../webview/protocol';
import { PanelProbe, registerCompareViewTestCommand } from './compareViewProbe';
import { compareGates, compareMarkdown } from './compareGates';
import { pickLedger, readableVersionItems, runReporting, versionTargetOf } from '../commandSupport';
import type { VersionPickItem } from '../commandSupport';
import { storedFileUri, workingFileUri } from '../registry/storedFiles';
import { diffTitle, versionShortName } from '../registry/versionText';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';


/** `{root?, model, a, b}`: versions by any reference `Ledger.resolve` accepts; `b` may be `working`. */
export interface CompareArgs {
	root?: string;
	model: string;
	a: string;
	b: string;
}

export interface CompareOpened {
	title: string;
	root: string;
	model: string;
	a: DiffSide;
	b: DiffSide;
}

export interface OpenedDiff {
	path: string;
	left?: string;
	right?: string;
}

class ComparePanel extends Disposable {
	readonly panel: vscode.WebviewPanel;
	private pageReady = false;
	private model: CompareModel | undefined;
	private pending: HostMessage | undefined;
	/** Only in the host tests' build: what the page rendered, and presses (compareViewProbe.ts). */
	readonly probe: PanelProbe | undefined;
	lastOpened: OpenedDiff | undefined;
	lastCopied: string | undefined;
	loads = 0;

	/** Whether the page said `ready` since it was last shown (it drops everything posted before). */
	get ready(): boolean {
		return this.pageReady;
	}

	constructor(
		private readonly extensionUri: vscode.Uri,
		readonly entry: LedgerEntry,
		readonly key: string,
		readonly target: CompareTarget,
		title: string,
		onDispose: () => void,
		/** A panel VS Code restored after a window reload (WebviewPanelSerializer); else a new one is created. */
		restored?: vscode.WebviewPanel,
	) {
		super();
		this.panel = restored ?? vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, title, vscode.ViewColumn.Active, panelOptions(extensionUri));
		if (restored) restored.webview.options = panelOptions(extensionUri);
		this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'ledger.svg');
		this.panel.webview.html = this.html();
		this.probe = __TEST_HOOKS__ ? new PanelProbe(this.panel.webview) : undefined;
		this.register(disposableOf([
			this.panel.webview.onDidReceiveMessage((m: PageMessage) => void this.receive(m)),
			// A hidden webview is torn down (we keep no context): its page says `ready` again when shown.
			this.panel.onDidChangeViewState(() => {
				if (!this.panel.visible) this.pageReady = false;
			}),
			this.panel.onDidDispose(() => {
				onDispose();
				this.dispose();
			}),
		]));
	}

	private html(): string {
		const webview = this.panel.webview;
		const nonce = randomBytes(16).toString('base64');
		const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'compareView.js'));
		const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'compare.css'));
		const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
		return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Compare</title>
</head>
<body>
<main id="root" aria-live="polite"><p>Loading…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
	}

	/** Sends a message now when the page is listening, else keeps the latest for its `ready`. */
	private post(message: HostMessage): void {
		if (!this.pageReady) {
			this.pending = message;
			return;
		}
		void this.panel.webview.postMessage(message);
	}

	/** Rebuilds the comparison (after a save of a tracked file, or a window reload) and shows it. */
	async load(): Promise<CompareModel> {
		this.loads++;
		const model = await buildCompareModel(this.entry, { root: this.target.root, model: this.target.model, a: this.target.a, b: this.target.b });
		this.show(model);
		return model;
	}

	/** Whether this panel compares against the working tree and `path` (absolute) is one of the model's files. */
	tracks(path: string): boolean {
		if (this.target.b !== WORKING_TREE) return false;
		const rel = relative(this.entry.root, path).split('\\').join('/');
		if (rel.startsWith('..') || rel.startsWith('.model-ledger/')) return false;
		try {
			return modelMatcher(this.entry.ledger.model(this.target.model))(rel);
		} catch {
			return false;
		}
	}

	show(model: CompareModel): void {
		this.model = model;
		this.pending = undefined;
		this.panel.title = titleOf(model.diff);
		this.post({ type: 'show', model });
	}

	fail(message: string): void {
		this.post({ type: 'error', message });
	}

	private async receive(message: PageMessage): Promise<void> {
		if (__TEST_HOOKS__ && this.probe?.receive(message)) return;
		switch (message.type) {
			case 'ready':
				this.pageReady = true;
				if (this.model) this.post({ type: 'show', model: this.model });
				else if (this.pending) this.post(this.pending);
				this.pending = undefined;
				break;
			case 'selectMetric':
				await this.selectMetric(message.metric);
				break;
			case 'copyMarkdown':
				if (!this.model) break;
				this.lastCopied = compareMarkdown(this.model);
				await vscode.env.clipboard.writeText(this.lastCopied);
				void vscode.window.setStatusBarMessage('Model Ledger: comparison copied as Markdown', 3000);
				break;
			case 'openDiff':
				try {
					await this.openDiff(message.path);
				} catch (err) {
					void notify('error', `Cannot open the diff of ${message.path}: ${(err as Error).message}`);
				}
				break;
		}
	}

	private async selectMetric(metric: string): Promise<void> {
		if (!this.model || !this.model.metricKeys.includes(metric)) return;
		try {
			const history = metricHistory(this.entry.ledger, this.model.model, metric);
			this.model = { ...this.model, history };
			this.post({ type: 'history', history });
		} catch (err) {
			void notify('error', (err as Error).message);
		}
	}

	/** Opens the native diff editor for one file: stored A against stored B (or the working file). */
	async openDiff(path: string): Promise<OpenedDiff> {
		const diff = this.model?.diff;
		if (!diff) throw new Error('the comparison is still loading');
		// The page only offers files that differ; anything else is not a request we honour.
		const rename = diff.artifacts.renamed.find((r) => r.to === path);
		const listed = rename !== undefined || [...diff.artifacts.changed, ...diff.artifacts.added, ...diff.artifacts.removed].some((x) => x.path === path);
		if (!listed) throw new Error(`${path} is not a file that differs between the two sides`);
		const inA = !diff.artifacts.added.some((x) => x.path === path);
		const inB = !diff.artifacts.removed.some((x) => x.path === path);
		// A renamed file: A's bytes under its old path against B's under the new one.
		const pathA = rename?.from ?? path;
		const uriOf = (side: DiffSide, rel: string): vscode.Uri =>
			side.working ? workingFileUri(this.entry.root, rel) : storedFileUri({ root: this.entry.root, model: side.model, digest: side.digest!, name: `v${side.number}` }, rel);
		const left = inA ? uriOf(diff.a, pathA) : undefined;
		const right = inB ? uriOf(diff.b, path) : undefined;
		const title = rename
			? `${rename.from} (${sideName(diff.a)}) ↔ ${path} (${sideName(diff.b)}) · renamed`
			: diffTitle(path, inA ? sideName(diff.a) : `not in ${sideName(diff.a)}`, inB ? sideName(diff.b) : `not in ${sideName(diff.b)}`);
		if (left && right) await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
		else await vscode.window.showTextDocument((left ?? right)!, { preview: true });
		this.lastOpened = { path, left: left?.toString(), right: right?.toString() };
		return this.lastOpened;
	}

	override dispose(): void {
		if (this.isDisposed) return;
		this.probe?.reset();
		super.dispose();
		this.panel.dispose();
	}
}

function sideName(side: DiffSide): string {
	return side.working ? 'working tree' : versionShortName({ number: side.number!, digest: side.digest!, numberShared: side.numberShared === true });
}

function titleOf(diff: VersionDiff): string {
	return `${diff.a.model} ${sideName(diff.a)} ↔ ${sideName(diff.b)}`;
}

/** The metric the chart starts with: the first one that changed, else the first recorded. */
function initialMetric(diff: VersionDiff, keys: string[]): string | undefined {
	return diff.metrics.find((m) => m.change === 'changed' && m.delta !== null)?.key ?? keys[0];
}

function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
	return {
		enableScripts: true,
		enableFindWidget: true,
		localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
	};
}

/** Builds what the page shows (the diff with every key, prompt previews, one metric's history, gate results). */
export async function buildCompareModel(entry: LedgerEntry, args: CompareArgs): Promise<CompareModel> {
	const ledger = entry.ledger;
	const diff = await diffVersions(ledger, args.model, args.a, args.b, { all: true, promptText: true });
	const keys = metricKeys(ledger, args.model);
	const metric = initialMetric(diff, keys);
	return {
		folder: entry.folder.name,
		model: args.model,
		diff,
		metricKeys: keys,
		history: metric ? metricHistory(ledger, args.model, metric) : null,
		gates: compareGates(ledger, diff),
		target: { root: entry.root, model: args.model, a: args.a, b: args.b },
	};
}

/** Reads `{root?, model, a, b}`, or a version (tree node / `{model, version}`) to compare with its previous version. */
function compareArgsOf(ledger: Ledger | undefined, arg: unknown): CompareArgs | undefined {
	if (!arg || typeof arg !== 'object') return undefined;
	const a = arg as Record<string, unknown>;
	const ref = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
	if (typeof a.model === 'string' && ref(a.a) && ref(a.b)) return { root: typeof a.root === 'string' ? a.root : undefined, model: a.model, a: ref(a.a)!, b: ref(a.b)! };
	const target = versionTargetOf(arg);
	if (!target || !ledger) return undefined;
	const version = ledger.resolveReadable(target.model, target.ref);
	const previous = ledger.listVersions(target.model).find((v) => v.number < version.number);
	if (!previous) throw new LedgerError({ code: 'NO_PREVIOUS', message: `${target.model} v${version.number} is the first version: there is nothing before it to compare with.`, fix: 'Compare it with the working tree or a later version instead.' });
	return { root: target.root, model: target.model, a: previous.digest, b: version.digest };
}

async function askCompareArgs(entry: LedgerEntry): Promise<CompareArgs> {
	const ledger = entry.ledger;
	const models = ledger.config.models.map((m) => m.name);
	let model = models[0];
	if (models.length > 1) {
		const picked = await pickOne(models.map((m) => ({ label: m, description: `${ledger.listVersions(m).length} versions` })), { title: 'Compare versions of which model?' });
		if (!picked) throw cancelled('Compare');
		model = picked.label;
	}
	const versions = ledger.listVersions(model);
	if (versions.length === 0) throw new LedgerError({ code: 'NO_VERSIONS', message: `\`${model}\` has no versions yet.`, fix: 'Snapshot it first ("Model Ledger: Snapshot…").' });
	// The previous version first: "what changed in the latest" is the usual question.
	const ordered = versions.length > 1 ? [versions[1], versions[0], ...versions.slice(2)] : versions;
	const items = await readableVersionItems(ledger, model, ordered);
	const base = await pickOne(items, { title: `${model}: compare from (A)`, placeHolder: 'The older side of the comparison', matchOnDescription: true });
	if (!base?.version) throw cancelled('Compare');
	const baseDigest = base.version.digest;
	const working: VersionPickItem = { label: 'Working tree', iconPath: new vscode.ThemeIcon('edit'), description: 'the files as they are now, not snapshotted' };
	const rest = items.filter((i) => i.version?.digest !== baseDigest);
	if (rest.at(-1)?.kind === vscode.QuickPickItemKind.Separator) rest.pop(); // A was the only other-branch version
	const other = await pickOne([working, ...rest], { title: `${model}: compare ${base.label} with (B)`, matchOnDescription: true });
	if (!other) throw cancelled('Compare');
	return { root: entry.root, model, a: baseDigest, b: other.version?.digest ?? WORKING_TREE };
}

let restoreHook: ((panel: vscode.WebviewPanel, state: PageState | undefined) => Promise<void>) | undefined;

/**
 * Reopens a compare panel VS Code kept across a window reload (called by the activation bundle's
 * WebviewPanelSerializer once the features are loaded): the page's saved state names the comparison.
 */
export async function restoreComparePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
	if (!restoreHook) {
		panel.dispose();
		return;
	}
	await restoreHook(panel, state as PageState | undefined);
}

/** The compare view's commands (registered by extension.ts from the command table) and the panels they open. */
export function compareViewCommands(context: vscode.ExtensionContext, ledgers: WorkspaceLedgers): RegisteredCommands<'compareVersions'> {
	const panels = new Map<string, ComparePanel>();
	let lastActive: ComparePanel | undefined;
	const forget = (key: string): void => {
		if (lastActive === panels.get(key)) lastActive = undefined;
		panels.delete(key);
	};
	const track = (panel: ComparePanel): ComparePanel => {
		panels.set(panel.key, panel);
		panel.panel.onDidChangeViewState((e) => {
			if (e.webviewPanel.active) lastActive = panel;
		});
		return panel;
	};

	/** A panel VS Code brings back after a window reload: reopen the same comparison from the page's saved state. */
	const restore = async (webviewPanel: vscode.WebviewPanel, state: PageState | undefined): Promise<void> => {
		const target = state?.model?.target;
		if (!target) {
			webviewPanel.dispose();
			return;
		}
		const entry = ledgers.forRoot(target.root);
		if (!entry) {
			webviewPanel.dispose();
			return;
		}
		const key = `${target.root}\0${target.model}\0${target.a}\0${target.b}`;
		if (panels.has(key)) {
			webviewPanel.dispose();
			panels.get(key)!.panel.reveal();
			return;
		}
		const panel = track(new ComparePanel(context.extensionUri, entry, key, target, webviewPanel.title, () => forget(key), webviewPanel));
		lastActive = panel;
		try {
			await panel.load();
		} catch (err) {
			panel.fail(describeError(err));
		}
	};

	restoreHook = restore;

	// Saving a tracked file refreshes every panel that compares against the working tree (debounced per panel).
	const refreshTimers = new Map<ComparePanel, ReturnType<typeof setTimeout>>();
	const onSave = vscode.workspace.onDidSaveTextDocument((doc) => {
		if (doc.uri.scheme !== 'file') return;
		for (const panel of panels.values()) {
			if (!panel.tracks(doc.uri.fsPath)) continue;
			clearTimeout(refreshTimers.get(panel));
			refreshTimers.set(
				panel,
				setTimeout(() => {
					refreshTimers.delete(panel);
					panel.load().catch((err: unknown) => panel.fail(describeError(err)));
				}, 300),
			);
		}
	});

	const open = async (arg?: unknown): Promise<CompareOpened | undefined> => {
		const entry = await pickLedger(ledgers, stringArg(arg, 'root'));
		const args = compareArgsOf(entry.ledger, arg) ?? (await askCompareArgs(entry));
		// Resolve now so a panel is keyed by digests (v3 and 1.4.0 are the same comparison) and errors come before it opens.
		const a = entry.ledger.resolveReadable(args.model, args.a);
		const b = args.b === WORKING_TREE ? undefined : entry.ledger.resolveReadable(args.model, args.b);
		const key = `${entry.root}\0${args.model}\0${a.digest}\0${b?.digest ?? WORKING_TREE}`;
		let panel = panels.get(key);
		const title = `${args.model} ${versionShortName(a)} ↔ ${b ? versionShortName(b) : 'working tree'}`;
		if (panel) panel.panel.reveal();
		else panel = track(new ComparePanel(context.extensionUri, entry, key, { root: entry.root, model: args.model, a: a.digest, b: b?.digest ?? WORKING_TREE }, title, () => forget(key)));
		lastActive = panel;
		let model: CompareModel;
		try {
			model = await withProgress({ location: vscode.ProgressLocation.Window, title: `Comparing ${title}` }, () =>
				buildCompareModel(entry, { ...args, a: a.digest, b: b?.digest ?? WORKING_TREE }),
			);
		} catch (err) {
			panel.fail(describeError(err));
			throw err;
		}
		panel.show(model);
		return { title: titleOf(model.diff), root: entry.root, model: args.model, a: model.diff.a, b: model.diff.b };
	};

	const handlers = {
		// An argument object with `a` and `b` answers every question; then errors go back to the caller instead of a notification.
		compareVersions: (arg?: unknown) => runReporting(isInteractive(arg, 'a', 'b'), undefined, () => open(arg)),
	};
	const disposable = vscode.Disposable.from(
		onSave,
		// The host tests' build only: reads what the active panel's page rendered and presses its buttons.
		__TEST_HOOKS__ ? registerCompareViewTestCommand(() => lastActive) : { dispose: () => undefined },
		{ dispose: () => disposeAll([...panels.values()]) },
		{ dispose: () => [...refreshTimers.values()].forEach((t) => clearTimeout(t)) },
	);
	return { handlers, disposable };
}
