// `Model Ledger: Snapshot…`: pick the model (or all), see what changed since the latest version,
// decide about uncommitted changes, pick the semver bump, write a message, watch cancellable
// progress (bytes hashed for big weights), then act on the result (compare with previous, set an
// alias). With an argument object that has `message`, nothing is asked:
//   executeCommand(COMMANDS.snapshot, { root?, model?, message, bump?, allowDirty?, allowSecrets? }) → SnapshotResult
import { appendAll } from '../../core/bulkArrays';
import * as vscode from 'vscode';
import { askText, createPicker, notify, notifyModal, pickOne, withProgress } from '../userInterface';
import { formatBytes } from '../../core/byteSize';
import { cancelled, LedgerError } from '../../core/errors';
import { readLineage } from '../../core/snapshot/gitLineage';
import type { WorkspaceLineage } from '../../core/snapshot/gitLineage';
import type { Ledger } from '../../core/ledger';
import type { Bump, VersionSummary, WorkingChanges } from '../../core/model';
import { createSnapshot, workingChanges } from '../../core/snapshot/snapshot';
import type { SnapshotInputs, SnapshotProgress, SnapshotResult } from '../../core/snapshot/snapshot';
import { collectModelFiles } from '../../core/snapshot/workspaceFiles';
import { nextSemver } from '../../core/lifecycle/versionLabels';
import { isInteractive } from '../commandArgs';
import { COMMANDS } from '../commands';
import type { CommandHandlers } from '../commands';
import { pickLedger, runReporting } from '../commandSupport';
import { compareTwoVersions } from '../compare/compareSelection';
import type { StoredFileCommands } from '../compare/diffCommands';
import { storedFileUri, workingFileUri } from '../registry/storedFiles';
import { changeCount, describeChanges, diffTitle, versionLabel, versionShortName } from '../registry/versionText';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';
import { requireTrustedWorkspace } from '../workspaceTrust';

export interface SnapshotArgs {
	root?: string;
	/** One model, several, or all when omitted. */
	model?: string | string[];
	/** When present, the command asks nothing. */
	message?: string;
	bump?: Bump;
	/** Snapshot even when tracked files have uncommitted changes (the patch is stored). Default false without UI. */
	allowDirty?: boolean;
	/** Store files even when the secret scan finds credentials in them (recorded in the manifest). Default false. */
	allowSecrets?: boolean;
}

const BUMPS: Bump[] = ['patch', 'minor', 'major'];

function modelList(model: SnapshotArgs['model']): string[] | undefined {
	if (model === undefined) return undefined;
	return Array.isArray(model) ? model : [model];
}

export class SnapshotCommand {
	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly files: StoredFileCommands,
	) {}

	/** Runs without UI; the registry change reaches the tree through WorkspaceLedgers. */
	async headless(args: SnapshotArgs): Promise<SnapshotResult> {
		requireTrustedWorkspace('Snapshot');
		const entry = await pickLedger(this.ledgers, args.root, false);
		if (args.bump !== undefined && !BUMPS.includes(args.bump)) throw new LedgerError({ code: 'BAD_ARGUMENT', message: `Unknown bump \`${String(args.bump)}\`.`, fix: 'Use patch, minor or major.' });
		const result = await createSnapshot(entry.ledger, { models: modelList(args.model), message: args.message ?? '', bump: args.bump ?? 'patch', requireClean: args.allowDirty !== true, allowSecrets: args.allowSecrets === true });
		this.ledgers.schedule(entry.folder, 'registry');
		return result;
	}

	async interactive(args: SnapshotArgs = {}): Promise<SnapshotResult | undefined> {
		requireTrustedWorkspace('Snapshot');
		const entry = await pickLedger(this.ledgers, args.root);
		const ledger = entry.ledger;
		const names = modelList(args.model) ?? (await this.pickModels(ledger));
		// Each model's files and the git lineage are read once: the preview shows them and the write stores them.
		const files = new Map(names.map((name) => [name, collectModelFiles(ledger.root, ledger.model(name))] as const));
		const previews = await withProgress({ location: vscode.ProgressLocation.Window, title: 'Model Ledger: checking what changed' }, async () =>
			names.map((name) => ({ name, ...workingChanges(ledger, name, files.get(name)) })),
		);
		const changed = previews.filter((p) => !p.latest || changeCount(p.changes) > 0);
		if (changed.length === 0) {
			const matches = previews.map((p) => `${p.name} already matches ${versionShortName(p.latest!)} (${p.latest!.label})`).join('; ');
			void notify('info', `Nothing changed: ${matches}.`);
			return { created: [], unchanged: previews.map((p) => ({ model: p.name, matches: p.latest! })), warnings: [] };
		}
		await this.confirmChanges(entry, previews);
		const lineage = await readLineage(entry.root);
		const allowDirty = args.allowDirty ?? (await this.confirmDirty(lineage));
		const bump = args.bump ?? (await this.pickBump(ledger, changed.map((p) => p.name)));
		const message = await askText({
			title: `Snapshot ${changed.map((p) => p.name).join(', ')}: message`,
			prompt: 'What this version is (it shows in the sidebar, the CLI and the audit trail).',
			placeHolder: 'e.g. shorter system prompt, top_k 8',
			ignoreFocusOut: true,
		});
		if (message === undefined) throw cancelled('Snapshot');
		const options = { models: changed.map((p) => p.name), message, bump, requireClean: !allowDirty, allowSecrets: args.allowSecrets === true, inputs: { files, lineage } };
		let result: SnapshotResult;
		try {
			result = await this.runWithProgress(entry, options);
		} catch (err) {
			if (!(err instanceof LedgerError) || err.code !== 'SECRET_FOUND' || options.allowSecrets) throw err;
			await this.confirmSecrets(entry, err);
			result = await this.runWithProgress(entry, { ...options, allowSecrets: true });
		}
		void this.announce(entry, result);
		return result;
	}

	private async pickModels(ledger: Ledger): Promise<string[]> {
		const models = ledger.config.models;
		if (models.length === 1) return [models[0].name];
		const all = { label: 'All models', iconPath: new vscode.ThemeIcon('layers'), description: models.map((m) => m.name).join(', '), names: models.map((m) => m.name) };
		const picked = await pickOne(
			[all, ...models.map((m) => {
				const latest = ledger.index.latestVersion(m.name);
				return { label: m.name, iconPath: new vscode.ThemeIcon('package'), description: latest ? `latest ${versionLabel(latest)}` : 'no versions yet', names: [m.name] };
			})],
			{ title: 'Snapshot: which model?', placeHolder: 'Each model whose files changed gets a new version' },
		);
		if (!picked) throw cancelled('Snapshot');
		return picked.names;
	}

	/** Lists added/removed/modified files; picking a file shows its diff; "Snapshot" continues. */
	private confirmChanges(entry: LedgerEntry, previews: Array<{ name: string; latest: VersionSummary | undefined; changes: WorkingChanges }>): Promise<void> {
		type Item = vscode.QuickPickItem & { go?: boolean; model?: string; path?: string; latest?: VersionSummary };
		const items: Item[] = [{ label: 'Snapshot these changes', iconPath: new vscode.ThemeIcon('check'), go: true, alwaysShow: true }];
		for (const p of previews) {
			const since = p.latest ? `since ${versionShortName(p.latest)} (${p.latest.label})` : 'first version';
			items.push({ label: `${p.name}: ${p.latest ? describeChanges(p.changes) : `${p.changes.added.length} files`} ${since}`, kind: vscode.QuickPickItemKind.Separator });
			if (p.latest && changeCount(p.changes) === 0) {
				items.push({ label: `no changes: ${p.name} matches ${versionShortName(p.latest)}`, iconPath: new vscode.ThemeIcon('pass'), model: p.name });
				continue;
			}
			const row = (icon: string, change: string) => (path: string): Item => ({ label: path, iconPath: new vscode.ThemeIcon(icon), description: change, model: p.name, path, latest: p.latest });
			appendAll(items, [...p.changes.modified.map(row('diff-modified', 'modified')), ...p.changes.added.map(row('diff-added', 'added')), ...p.changes.removed.map(row('diff-removed', 'removed'))]);
		}
		return new Promise((resolve, reject) => {
			const { pick, setItems } = createPicker<Item>();
			pick.title = 'Snapshot: what changed (pick a file to see its diff)';
			pick.placeholder = 'Accept "Snapshot these changes" to continue';
			setItems(items);
			pick.ignoreFocusOut = true;
			let done = false;
			pick.onDidAccept(() => {
				const item = pick.selectedItems[0];
				if (!item || item.go) {
					done = true;
					pick.hide();
					resolve();
					return;
				}
				if (item.path && item.latest && item.description !== 'added') {
					const left = storedFileUri({ root: entry.root, model: item.latest.model, digest: item.latest.digest, name: versionShortName(item.latest) }, item.path);
					const title = diffTitle(item.path, versionShortName(item.latest), item.description === 'removed' ? 'deleted' : 'working');
					if (item.description === 'removed') void vscode.window.showTextDocument(left, { preview: true, preserveFocus: true });
					else void vscode.commands.executeCommand('vscode.diff', left, workingFileUri(entry.root, item.path), title, { preview: true, preserveFocus: true });
				} else if (item.path) {
					void vscode.window.showTextDocument(workingFileUri(entry.root, item.path), { preview: true, preserveFocus: true });
				}
			});
			pick.onDidHide(() => {
				pick.dispose();
				if (!done) reject(cancelled('Snapshot'));
			});
			pick.show();
		});
	}

	private async confirmDirty(lineage: WorkspaceLineage): Promise<boolean> {
		if (!lineage.dirty) return false;
		const store = 'Snapshot with uncommitted changes (patch is stored)';
		const choice = await notifyModal(
			'warning',
			'The workspace has uncommitted changes to tracked files.',
			`The version records commit ${lineage.commit?.slice(0, 7) ?? '(none)'}${lineage.branch ? ` on ${lineage.branch}` : ''} plus the uncommitted changes to ${lineage.changedFiles.length} tracked file${lineage.changedFiles.length === 1 ? '' : 's'} as a patch, so it can be reproduced. Commit first for a clean lineage.`,
			store,
		);
		if (choice !== store) throw cancelled('Snapshot');
		return true;
	}

	/** The secret scan refused: show where, and let the user fix it or knowingly store it. */
	private async confirmSecrets(entry: LedgerEntry, err: LedgerError): Promise<void> {
		const open = err.location ? `Open ${err.location.file}` : undefined;
		const anyway = 'Snapshot Anyway (store them)';
		// eslint-disable-next-line no-restricted-syntax -- one or two buttons
		const choice = await notifyModal('warning', err.message, err.fix, ...(open ? [open] : []), anyway);
		if (choice === anyway) return;
		if (choice === open && err.location) {
			const line = Math.max(0, (err.location.line ?? 1) - 1);
			await vscode.window.showTextDocument(workingFileUri(entry.root, err.location.file), { selection: new vscode.Range(line, 0, line, 0) });
		}
		throw cancelled('Snapshot');
	}

	private async pickBump(ledger: Ledger, names: string[]): Promise<Bump> {
		// Hybrid snapshots are experiments labelled by time: only semver models ask for a bump.
		const semver = names.map((n) => ledger.model(n)).filter((m) => m.versioning === 'semver');
		const withVersions = semver.filter((m) => ledger.index.latestVersion(m.name));
		if (withVersions.length === 0) return 'patch';
		const preview = (bump: Bump) =>
			withVersions
				.map((m) => {
					const labels = ledger.index.labelsOf(m.name);
					return `${names.length > 1 ? `${m.name} ` : ''}${nextSemver(labels, bump)}`;
				})
				.join(', ');
		const detail: Record<Bump, string> = { patch: 'a fix or a small tweak', minor: 'a new capability, compatible', major: 'a breaking change (new model, new output format)' };
		const picked = await pickOne(
			BUMPS.map((bump) => ({ label: bump, description: `→ ${preview(bump)}`, detail: detail[bump], bump })),
			{ title: 'Snapshot: version bump', ignoreFocusOut: true },
		);
		if (!picked) throw cancelled('Snapshot');
		return picked.bump;
	}

	private runWithProgress(entry: LedgerEntry, options: { models: string[]; message: string; bump: Bump; requireClean: boolean; allowSecrets: boolean; inputs?: SnapshotInputs }): Promise<SnapshotResult> {
		return Promise.resolve(
			withProgress(
				{ location: vscode.ProgressLocation.Notification, title: `Snapshot ${options.models.join(', ')}`, cancellable: true },
				async (progress, token) => {
					const controller = new AbortController();
					const cancel = token.onCancellationRequested(() => controller.abort());
					let reported = 0;
					let model = '';
					let last = 0;
					const onProgress = (p: SnapshotProgress) => {
						if (p.model !== model) {
							model = p.model;
							reported = 0;
						}
						const now = Date.now();
						if (now - last < 100 && p.bytesDone < p.bytesTotal) return;
						last = now;
						const percent = p.bytesTotal ? (100 * p.bytesDone) / p.bytesTotal / options.models.length : 0;
						const bytes = p.bytesTotal ? ` — ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : '';
						progress.report({ message: `${p.model}: ${p.file ?? p.message}${bytes}`, increment: Math.max(0, percent - reported) });
						reported = Math.max(reported, percent);
					};
					try {
						return await createSnapshot(entry.ledger, { ...options, onProgress, signal: controller.signal });
					} catch (err) {
						if (controller.signal.aborted) throw cancelled('Snapshot');
						throw err;
					} finally {
						cancel.dispose();
						this.ledgers.schedule(entry.folder, 'registry');
					}
				},
			),
		);
	}

	private async announce(entry: LedgerEntry, result: SnapshotResult): Promise<void> {
		const warnings = result.warnings.length ? ` ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}: ${result.warnings.slice(0, 2).join(' ')}` : '';
		const unchanged = result.unchanged.map((u) => `${u.model} unchanged (matches ${versionShortName(u.matches)})`);
		if (result.created.length === 0) {
			void notify('info', `Nothing changed: ${unchanged.join('; ')}.${warnings}`);
			return;
		}
		const created = result.created.map((v) => `${v.model} ${versionShortName(v)} (${v.label})`).join(', ');
		const compare = 'Compare with Previous';
		const alias = 'Set Alias…';
		const first = result.created[0];
		const hasParent = first.number > 1 || entry.ledger.listVersions(first.model).length > 1;
		const buttons = hasParent ? [compare, alias] : [alias];
		// eslint-disable-next-line no-restricted-syntax -- a few buttons
		const choice = await notify('info', `Created ${created}.${unchanged.length ? ` ${unchanged.join('; ')}.` : ''}${warnings}`, ...buttons);
		await runReporting(true, entry.root, async () => {
			if (choice === compare) {
				const manifest = entry.ledger.readManifest(first);
				const parent = manifest.parent ? entry.ledger.index.versionByDigest(manifest.parent) : undefined;
				if (parent) await compareTwoVersions(this.ledgers, this.files, entry.root, parent, first);
			} else if (choice === alias) {
				await this.setAlias(entry, first);
			}
		});
	}

	/** The lifecycle feature's Set Alias (registered with this one), given a version node: it asks for the name. */
	private async setAlias(entry: LedgerEntry, version: VersionSummary): Promise<void> {
		// A version node (as from the sidebar), not an argument object: the alias name is still to be asked.
		await vscode.commands.executeCommand(COMMANDS.setAlias, { kind: 'version', root: entry.root, model: version.model, digest: version.digest, version, tags: [] });
	}
}

/** `snapshot`'s handler (registered by extension.ts from the command table). */
export function snapshotCommands(ledgers: WorkspaceLedgers, files: StoredFileCommands): CommandHandlers<'snapshot'> {
	const command = new SnapshotCommand(ledgers, files);
	const snapshot = (arg?: SnapshotArgs) => {
		// A tree node (model) or the status bar passes {root, model} without a message: ask the rest.
		const args: SnapshotArgs = arg && typeof arg === 'object' ? arg : {};
		if (!isInteractive(arg, 'message')) return command.headless(args);
		return runReporting(true, args.root, () => command.interactive(args));
	};
	return { snapshot };
}
