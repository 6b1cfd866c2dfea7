// Remotes in the editor: Push and Pull commands (a version from the tree, or `{root?, model, ref}`),
// a badge per version in the Registry saying where its objects are, and on-demand pulls with a
// progress notification when a stored file, a restore or a diff needs an object that is only on the
// remote. The badge uses the remote listing cached by the last push/pull/status: rendering the
// tree never lists a bucket; "Refresh Remote Status" does, once.
import * as vscode from 'vscode';
import { notify, withProgress } from '../userInterface';
import { formatAge } from '../../core/relativeTime';
import type { VersionManifest } from '../../core/model';
import { pullObjects, pullVersions, pushVersions, readRemoteListing, remoteStatus, selectVersions, versionAvailability } from '../../core/remotes/remoteTransfer';
import type { PullReport, PushReport, RemoteStatusReport, TransferOptions, TransferProgress, VersionAvailability } from '../../core/remotes/remoteTransfer';
import { selectRemote } from '../../core/remotes/openRemote';
import { isInteractive, stringArg } from '../commandArgs';
import type { RegisteredCommands } from '../commands';
import { pickLedger, runReporting, versionTargetOf } from '../commandSupport';
import type { RegistryView } from '../registry/registryTree';
import { formatBytes } from '../../core/byteSize';
import { requireTrustedWorkspace } from '../workspaceTrust';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';

export const VERSION_STATE_SCHEME = 'model-ledger-version-state';

// Synced is the normal state: a quiet badge, no colour; the others colour the label like git's M/U.
const BADGES: Record<VersionAvailability['state'], { badge: string; color?: string; text: (a: VersionAvailability, remote: string) => string }> = {
	synced: { badge: '✓', text: (a, r) => `All ${a.objects} objects are here and on ${r}.` },
	local: { badge: '↑', color: 'charts.yellow', text: (a, r) => `${a.objects - a.onRemote} of ${a.objects} objects are not on ${r} yet: Push to share this version.` },
	remote: { badge: '↓', color: 'charts.blue', text: (a, r) => `${a.objects - a.local} of ${a.objects} objects are only on ${r}: Pull (or open a file) to fetch them.` },
	missing: { badge: '!', color: 'errorForeground', text: (a, r) => `${a.missing} of ${a.objects} objects are neither here nor on ${r}: push them from a machine that has them.` },
};

/** Where each version's objects are; cached per digest until a push, pull, refresh or registry change. */
export class RemoteStates implements vscode.FileDecorationProvider, vscode.Disposable {
	private readonly emitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
	readonly onDidChangeFileDecorations = this.emitter.event;
	private readonly cache = new Map<string, VersionAvailability | null>();

	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly manifestOf: (root: string, model: string, digest: string) => VersionManifest,
	) {}

	/** The state of one version (null: the folder has no remote). Cheap after the first call. */
	stateOf(root: string, model: string, digest: string): VersionAvailability | null {
		const key = `${root}\u0000${digest}`;
		if (this.cache.has(key)) return this.cache.get(key)!;
		const ledger = this.ledgers.forRoot(root)?.ledger;
		let state: VersionAvailability | null = null;
		try {
			if (ledger && ledger.config.remotes.length) {
				const remote = selectRemote(ledger.config);
				const listing = readRemoteListing(ledger, remote.name, remote.url);
				const manifest = this.manifestOf(root, model, digest);
				state = versionAvailability(ledger, { model, digest, number: manifest.number }, listing, manifest);
				if (!listing) state = { ...state, remote: { name: remote.name, listedAt: '' } };
			}
		} catch {
			state = null; // several remotes and no default, or an unreadable manifest: no badge
		}
		this.cache.set(key, state);
		return state;
	}

	uriOf(root: string, model: string, digest: string): vscode.Uri {
		return vscode.Uri.from({ scheme: VERSION_STATE_SCHEME, path: `/${model}/${digest}`, query: root });
	}

	provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
		if (uri.scheme !== VERSION_STATE_SCHEME) return undefined;
		const [, model, digest] = uri.path.split('/');
		const state = this.stateOf(uri.query, model, digest);
		if (!state) return undefined;
		const badge = BADGES[state.state];
		return new vscode.FileDecoration(badge.badge, tooltipLine(state), badge.color ? new vscode.ThemeColor(badge.color) : undefined);
	}

	/** Forgets cached states (all, or one folder's) and re-decorates. */
	invalidate(root?: string): void {
		for (const key of [...this.cache.keys()]) if (root === undefined || key.startsWith(`${root}\u0000`)) this.cache.delete(key);
		this.emitter.fire(undefined);
	}

	dispose(): void {
		this.emitter.dispose();
	}
}

function tooltipLine(state: VersionAvailability): string {
	const name = state.remote?.name ?? 'the remote';
	if (state.remote && !state.remote.listedAt && state.state !== 'missing' && state.state !== 'remote') {
		return `Objects: ${state.local} of ${state.objects} here; ${name} not checked yet (Refresh Remote Status, Push or Pull).`;
	}
	const when = state.remote?.listedAt ? ` (${name} as of ${formatAge(state.remote.listedAt)})` : '';
	return BADGES[state.state].text(state, name) + when;
}

function progressText(verb: string, p: TransferProgress): string {
	return `${verb} ${p.objectsDone}/${p.objectsTotal} objects · ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} · ${formatBytes(p.bytesPerSecond)}/s`;
}

/** Runs a transfer under a cancellable progress notification. */
async function withTransferProgress<T>(title: string, verb: string, run: (options: TransferOptions) => Promise<T>): Promise<T> {
	return withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
		const abort = new AbortController();
		const sub = token.onCancellationRequested(() => abort.abort());
		let reported = 0;
		try {
			return await run({
				signal: abort.signal,
				onProgress: (p) => {
					const fraction = p.bytesTotal ? p.bytesDone / p.bytesTotal : p.objectsTotal ? p.objectsDone / p.objectsTotal : 0;
					const increment = Math.max(0, fraction * 100 - reported);
					reported += increment;
					progress.report({ message: progressText(verb, p), increment });
				},
			});
		} finally {
			sub.dispose();
		}
	});
}

/** Push/Pull commands, the version badges, and on-demand pulls with progress. */
export function remoteCommands(ledgers: WorkspaceLedgers, registry: RegistryView): RegisteredCommands<'push' | 'pull' | 'refreshRemoteStatus'> {
	const states = new RemoteStates(ledgers, (root, model, digest) => registry.model.manifest(root, model, digest));
	registry.provider.decorateVersion = (node, item) => {
		const state = states.stateOf(node.root, node.model, node.digest);
		if (!state) return;
		item.resourceUri = states.uriOf(node.root, node.model, node.digest);
		if (item.tooltip instanceof vscode.MarkdownString) item.tooltip.appendMarkdown(`\n\n---\n\n${tooltipLine(state).replace(/[\\`*_[\]<>]/g, '\\$&')}`);
	};

	// Objects missing locally are pulled with a progress notification (stored files, restore, diffs).
	const installFetch = (entry: LedgerEntry) => {
		entry.ledger.fetchMissing = async (shas) => {
			// An untrusted folder's model-ledger.yaml could name any endpoint: no network on its say-so.
			if (entry.ledger.config.remotes.length === 0 || !vscode.workspace.isTrusted) return;
			const report = await withTransferProgress(`Model Ledger: pulling ${shas.length} object(s)`, 'Pulled', (options) => pullObjects(entry.ledger, shas, options));
			states.invalidate(entry.root);
			if (report.corrupt.length) throw new Error(report.corrupt[0].message);
		};
	};
	ledgers.all().forEach(installFetch);

	const target = async (arg: unknown): Promise<{ entry: LedgerEntry; refs: Array<{ model: string; ref: string }> }> => {
		const t = versionTargetOf(arg);
		const entry = await pickLedger(ledgers, t?.root ?? stringArg(arg, 'root'), isInteractive(arg));
		return { entry, refs: t ? [{ model: t.model, ref: t.ref }] : [] };
	};
	const after = (entry: LedgerEntry) => {
		states.invalidate(entry.root);
		registry.model.invalidate(entry.root);
	};

	const push = (arg?: unknown) =>
		runReporting<PushReport>(isInteractive(arg), undefined, async () => {
			requireTrustedWorkspace('Push');
			const { entry, refs } = await target(arg);
			const versions = selectVersions(entry.ledger, refs);
			const remote = selectRemote(entry.ledger.config, remoteArg(arg));
			const report = await withTransferProgress(`Model Ledger: pushing to ${remote.name}`, 'Pushed', (options) => pushVersions(entry.ledger, versions, { ...options, remote: remote.name }));
			after(entry);
			const what = refs.length ? `${refs[0].model}@${refs[0].ref}` : `${versions.length} version(s)`;
			const missing = report.missingEverywhere.length ? ` ${report.missingEverywhere.length} object(s) are in neither place.` : '';
			const message = report.uploaded.length
				? `Pushed ${what}: ${report.uploaded.length} object(s), ${formatBytes(report.bytesUploaded)} at ${formatBytes(report.bytesPerSecond)}/s to ${remote.name}.${missing}`
				: `${remote.name} already has every object of ${what}.${missing}`;
			if (missing) void notify('warning', message);
			else void notify('info', message);
			return report;
		});

	const pull = (arg?: unknown) =>
		runReporting<PullReport>(isInteractive(arg), undefined, async () => {
			requireTrustedWorkspace('Pull');
			const { entry, refs } = await target(arg);
			const versions = selectVersions(entry.ledger, refs);
			const remote = selectRemote(entry.ledger.config, remoteArg(arg));
			const report = await withTransferProgress(`Model Ledger: pulling from ${remote.name}`, 'Pulled', (options) => pullVersions(entry.ledger, versions, { ...options, remote: remote.name }));
			after(entry);
			const what = refs.length ? `${refs[0].model}@${refs[0].ref}` : `${versions.length} version(s)`;
			const problems = [
				report.corrupt.length ? `${report.corrupt.length} refused as corrupt (${report.corrupt.map((c) => c.path).join(', ')})` : '',
				report.notOnRemote.length ? `${report.notOnRemote.length} not on ${remote.name}` : '',
			].filter(Boolean);
			const message = `Pulled ${what}: ${report.pulled.length} object(s), ${formatBytes(report.bytesPulled)}${report.alreadyLocal ? `; ${report.alreadyLocal} already here` : ''}.${problems.length ? ` ${problems.join('; ')}.` : ''}`;
			if (problems.length) void notify('warning', message);
			else void notify('info', message);
			return report;
		});

	const refresh = (arg?: unknown) =>
		runReporting<RemoteStatusReport>(isInteractive(arg), undefined, async () => {
			requireTrustedWorkspace('Listing a remote');
			const { entry } = await target(arg);
			const report = await withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing remote objects' }, () => remoteStatus(entry.ledger, { remote: remoteArg(arg) }));
			after(entry);
			return report;
		});

	const disposable = vscode.Disposable.from(
		states,
		vscode.window.registerFileDecorationProvider(states),
		ledgers.onDidChange((change) => {
			installFetch(change.entry);
			if (change.kinds.has('registry') || change.kinds.has('config')) states.invalidate(change.entry.root);
		}),
		{ dispose: () => (registry.provider.decorateVersion = undefined) },
	);
	return { handlers: { push, pull, refreshRemoteStatus: refresh }, disposable };
}

function remoteArg(arg: unknown): string | undefined {
	return stringArg(arg, 'remote');
}
