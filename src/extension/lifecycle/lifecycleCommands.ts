// Lifecycle commands: Set Alias…, Remove Alias, Approve…, Tag…, Rollback, Restore…, Show Events,
// Verify Store, Clean Up Store…. From the tree (a node is the first argument) or the palette they
// ask what they need; with an argument object they ask nothing and return what they did:
//   executeCommand('modelLedger.setAlias', { root?, model, ref, alias, note?, override? }) → LedgerEvent
//   executeCommand('modelLedger.restoreVersion', { root?, model, ref, force?, dryRun?, deleteExtra?, saveEditors? }) → RestoreResult
//   executeCommand('modelLedger.cleanUpStore', { root?, yes? }) → GcReport (a dry run unless yes)
import { join } from 'node:path';
import * as vscode from 'vscode';
import { askText, notify, notifyModal, pickOne, pickString, withProgress } from '../userInterface';
import { cancelled, LedgerError } from '../../core/errors';
import type { LedgerEvent } from '../../core/lifecycle/events';
import { collectGarbage } from '../../core/store/gc';
import type { GcReport } from '../../core/store/gc';
import { osAuthor, readLineage } from '../../core/snapshot/gitLineage';
import type { Author, VersionSummary } from '../../core/model';
import { restoreVersion } from '../../core/store/restore';
import type { RestoreResult } from '../../core/store/restore';
import { aliasHistory, rollback } from '../../core/lifecycle/rollback';
import type { RollbackResult } from '../../core/lifecycle/rollback';
import { GateRefusedError } from '../../core/lifecycle/gates';
import { verifyStore } from '../../core/store/verify';
import type { VerifyReport } from '../../core/store/verify';
import { isInteractive, stringArg } from '../commandArgs';
import type { CommandHandlers, RegisteredCommands } from '../commands';
import { confirmModal, pickLedger, resolveVersion, runReporting, versionTargetOf } from '../commandSupport';
import { gateRefusalText } from '../compare/compareGates';
import { eventsMarkdown, gcPreview, restorePreview, restoreSummary, verifyMarkdown, verifySummary } from './lifecycleText';
import { versionDescription, versionLabel, versionShortName } from '../registry/versionText';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';
import { requireTrustedWorkspace } from '../workspaceTrust';

export const EVENTS_SCHEME = 'model-ledger-events';
const REPORT_SCHEME = 'model-ledger-report';
const COMMON_ALIASES = ['production', 'staging', 'champion', 'challenger', 'canary'];
const OVERRIDE = 'Override…';

type Arg = Record<string, unknown> | undefined;
type LifecycleCommand = 'setAlias' | 'removeAlias' | 'approveVersion' | 'tagVersion' | 'rollback' | 'restoreVersion' | 'showEvents' | 'verifyStore' | 'cleanUpStore';

const str = stringArg;

async function authorOf(root: string): Promise<Author> {
	try {
		return (await readLineage(root)).author;
	} catch {
		return osAuthor();
	}
}

/** Something the workspace's working state needs to hear about after a restore. */
export interface WorkingStateLike {
	compute(): unknown;
}

export class LifecycleCommands {
	private readonly reports = new Map<string, string>();
	private readonly reportEmitter = new vscode.EventEmitter<vscode.Uri>();
	private readonly eventsEmitter = new vscode.EventEmitter<vscode.Uri>();

	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly workingState?: WorkingStateLike,
	) {}

	// --- asking -----------------------------------------------------------------------------------

	private async modelOf(entry: LedgerEntry, arg: Arg, title: string): Promise<string> {
		const given = str(arg, 'model');
		if (given) return entry.ledger.model(given).name;
		const models = entry.ledger.config.models;
		if (models.length === 1) return models[0].name;
		if (!isInteractive(arg)) throw new LedgerError({ code: 'MISSING_ARGUMENT', message: 'Which model? Pass `model` in the argument object.' });
		const picked = await pickOne(models.map((m) => ({ label: m.name })), { title });
		if (!picked) throw cancelled('Command');
		return picked.label;
	}

	private async versionOf(entry: LedgerEntry, model: string, arg: Arg, title: string): Promise<VersionSummary> {
		const target = versionTargetOf(arg, 'ref');
		if (target) return resolveVersion(entry.ledger, model, target.ref);
		if (!isInteractive(arg)) throw new LedgerError({ code: 'MISSING_ARGUMENT', message: 'Which version? Pass `ref` (a number, label, alias or digest) in the argument object.' });
		const versions = entry.ledger.listVersions(model);
		if (versions.length === 0) throw new LedgerError({ code: 'NO_VERSIONS', message: `${model} has no versions yet.`, fix: 'Snapshot it first ("Model Ledger: Snapshot…").' });
		const picked = await pickOne(
			versions.map((v) => ({ label: versionLabel(v), description: versionDescription(v), version: v })),
			{ title, matchOnDescription: true },
		);
		if (!picked) throw cancelled('Command');
		return picked.version;
	}

	private async noteOf(arg: Arg, title: string, prompt: string): Promise<string | undefined> {
		if (arg && 'note' in arg) return str(arg, 'note');
		if (!isInteractive(arg)) return undefined;
		const note = await askText({ title, prompt, placeHolder: 'optional' });
		if (note === undefined) throw cancelled('Command');
		return note.trim() || undefined;
	}

	private changed(entry: LedgerEntry): void {
		// The tree and open events documents refresh from the ledgers' change event.
		this.ledgers.schedule(entry.folder, 'registry');
	}

	// --- aliases, approvals, tags -----------------------------------------------------------------

	async setAlias(arg: Arg): Promise<LedgerEvent> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), isInteractive(arg));
		const model = await this.modelOf(entry, arg, 'Set Alias: which model?');
		const version = await this.versionOf(entry, model, arg, `Set Alias: which version of ${model}?`);
		let alias = str(arg, 'alias');
		if (!alias) {
			if (!isInteractive(arg)) throw new LedgerError({ code: 'MISSING_ARGUMENT', message: 'Which alias? Pass `alias` in the argument object.' });
			alias = await this.pickAliasName(entry, model, version);
		}
		const note = await this.noteOf(arg, `Set ${alias} → ${model} ${versionShortName(version)}`, 'Why (recorded in the audit trail)');
		const by = await authorOf(entry.root);
		let event: LedgerEvent;
		// `override: true` with a `note` moves a gated alias past a failing gate (recorded as an override event).
		const override = arg?.override === true;
		try {
			event = await this.setGatedAlias(entry, arg, model, version, alias, by, note, override);
		} catch (err) {
			if (!(err instanceof LedgerError) || err.code !== 'NOT_APPROVED' || !isInteractive(arg)) throw err;
			const approve = `Approve ${versionShortName(version)} and Set`;
			const choice = await notifyModal('warning', 
				`${alias} is a protected alias: ${model} ${versionShortName(version)} has not been approved.`,
				`Approving records you (${by.name}) as the approver, with the note you give, in the audit trail.`,
				approve,
			);
			if (choice !== approve) throw cancelled('Command');
			const why = await askText({ title: `Approve ${model} ${versionShortName(version)}`, prompt: 'Approval note (what was checked)' });
			if (why === undefined) throw cancelled('Command');
			entry.ledger.approve(model, version.digest, by, why.trim() || undefined);
			event = await this.setGatedAlias(entry, arg, model, version, alias, by, note, override);
		}
		this.changed(entry);
		if (isInteractive(arg)) void notify('info', `${model}: ${alias} → ${versionShortName(version)} (${version.label}).`);
		return event;
	}

	/**
	 * Sets the alias; a gated alias that refuses the version shows the failing rules with *Override…*,
	 * which asks for the reason and moves it anyway (the ledger records the override event).
	 */
	private async setGatedAlias(entry: LedgerEntry, arg: Arg, model: string, version: VersionSummary, alias: string, by: Author, note: string | undefined, override: boolean): Promise<LedgerEvent> {
		try {
			return entry.ledger.setAlias(model, version.digest, alias, by, note, { override });
		} catch (err) {
			if (!(err instanceof GateRefusedError) || !isInteractive(arg)) throw err;
			const text = gateRefusalText(err.result);
			const choice = await notifyModal('warning', text.message, `${text.detail}\n\nOverride records your reason, these rules and you (${by.name}) in the audit trail.`, OVERRIDE);
			if (choice !== OVERRIDE) throw cancelled('Command');
			const reason = await askText({
				title: `Override the ${alias} gate for ${model} ${versionShortName(version)}`,
				prompt: 'Why does this version go out despite the gate? (recorded in the audit trail)',
				ignoreFocusOut: true,
				validateInput: (v) => (v.trim() ? undefined : 'A reason is required for an override.'),
			});
			if (reason === undefined) throw cancelled('Command');
			return entry.ledger.setAlias(model, version.digest, alias, by, reason.trim(), { override: true });
		}
	}

	private async pickAliasName(entry: LedgerEntry, model: string, version: VersionSummary): Promise<string> {
		const current = entry.ledger.index.aliasesOf(model);
		const versions = new Map(entry.ledger.listVersions(model).map((v) => [v.digest, v]));
		const protectedAliases = entry.ledger.model(model).protectedAliases;
		const names = [...new Set([...current.keys(), ...protectedAliases, ...COMMON_ALIASES])];
		const items: Array<vscode.QuickPickItem & { alias?: string }> = names.map((name) => {
			const at = current.get(name);
			const where = at ? `now ${versions.get(at) ? versionShortName(versions.get(at)!) : at.slice(0, 10)}` : 'not set';
			return { label: name, description: [where, protectedAliases.includes(name) ? 'protected: needs an approval' : ''].filter(Boolean).join(' · '), alias: name };
		});
		items.push({ label: 'Another name…', iconPath: new vscode.ThemeIcon('edit') });
		const picked = await pickOne(items, { title: `Set Alias: point which alias at ${model} ${versionShortName(version)}?` });
		if (!picked) throw cancelled('Command');
		if (picked.alias) return picked.alias;
		const typed = await askText({
			title: 'Alias name',
			prompt: 'Lower-case letters, digits and -, starting with a letter',
			validateInput: (v) => (/^[a-z][a-z0-9-]*$/.test(v) ? (v === 'latest' ? '`latest` is computed and cannot be set' : undefined) : 'Use lower-case letters, digits and -, starting with a letter'),
		});
		if (!typed) throw cancelled('Command');
		return typed;
	}

	async removeAlias(arg: Arg): Promise<LedgerEvent> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), isInteractive(arg));
		const model = await this.modelOf(entry, arg, 'Remove Alias: which model?');
		let alias = str(arg, 'alias');
		if (!alias) {
			const target = versionTargetOf(arg, 'ref');
			const onVersion = target ? resolveVersion(entry.ledger, model, target.ref).aliases : [...entry.ledger.index.aliasesOf(model).keys()];
			if (onVersion.length === 0) throw new LedgerError({ code: 'UNKNOWN_ALIAS', message: `${model} has no alias to remove here.` });
			if (onVersion.length === 1 && target) alias = onVersion[0];
			else if (!isInteractive(arg)) throw new LedgerError({ code: 'MISSING_ARGUMENT', message: 'Which alias? Pass `alias` in the argument object.' });
			else {
				const picked = await pickString(onVersion, { title: `Remove which alias of ${model}?` });
				if (!picked) throw cancelled('Command');
				alias = picked;
			}
		}
		const note = await this.noteOf(arg, `Remove ${alias} of ${model}`, 'Why (recorded in the audit trail)');
		const event = entry.ledger.removeAlias(model, alias, await authorOf(entry.root), note);
		this.changed(entry);
		return event;
	}

	async approve(arg: Arg): Promise<LedgerEvent> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), isInteractive(arg));
		const model = await this.modelOf(entry, arg, 'Approve Version: which model?');
		const version = await this.versionOf(entry, model, arg, `Approve which version of ${model}?`);
		const note = await this.noteOf(arg, `Approve ${model} ${versionShortName(version)} (${version.label})`, 'Approval note: what was checked (recorded with your name)');
		const event = entry.ledger.approve(model, version.digest, await authorOf(entry.root), note);
		this.changed(entry);
		if (isInteractive(arg)) void notify('info', `Approved ${model} ${versionShortName(version)} as ${event.by.name}.`);
		return event;
	}

	async tag(arg: Arg): Promise<LedgerEvent> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), isInteractive(arg));
		const model = await this.modelOf(entry, arg, 'Tag Version: which model?');
		const version = await this.versionOf(entry, model, arg, `Tag which version of ${model}?`);
		let tag = str(arg, 'tag');
		if (!tag) {
			if (!isInteractive(arg)) throw new LedgerError({ code: 'MISSING_ARGUMENT', message: 'Which tag? Pass `tag` in the argument object.' });
			tag = await askText({ title: `Tag ${model} ${versionShortName(version)}`, prompt: 'Tag (letters, digits, . _ -), e.g. baseline or exp-42' });
			if (!tag) throw cancelled('Command');
		}
		const event = entry.ledger.tag(model, version.digest, tag.trim(), await authorOf(entry.root), str(arg, 'note'));
		this.changed(entry);
		return event;
	}

	async rollback(arg: Arg): Promise<RollbackResult> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), isInteractive(arg));
		const model = await this.modelOf(entry, arg, 'Rollback: which model?');
		const ledger = entry.ledger;
		const events = ledger.index.events(model);
		const versions = new Map(ledger.listVersions(model).map((v) => [v.digest, v]));
		const name = (d: string | undefined) => (d ? (versions.get(d) ? versionShortName(versions.get(d)!) : d.slice(0, 10)) : 'nothing');
		const target = (alias: string) => [...aliasHistory(events, alias).previous].reverse().find((d) => versions.has(d));
		let alias = str(arg, 'alias');
		if (!alias) {
			const onNode = arg && 'version' in arg ? ((arg.version as VersionSummary).aliases ?? []) : [...ledger.index.aliasesOf(model).keys()];
			const candidates = onNode.filter((a) => target(a));
			if (candidates.length === 0) throw new LedgerError({ code: 'NOTHING_TO_ROLL_BACK', message: `No alias of ${model}${onNode.length ? ` (${onNode.join(', ')})` : ''} has an earlier version to roll back to.`, fix: 'Aliases get a history when they are moved (Set Alias…).' });
			if (candidates.length === 1 || !isInteractive(arg)) alias = candidates.includes('production') ? 'production' : candidates[0];
			else {
				const picked = await pickOne(
					candidates.map((a) => ({ label: a, description: `${name(ledger.index.aliasesOf(model).get(a))} → ${name(target(a))}` })),
					{ title: `Roll back which alias of ${model}?` },
				);
				if (!picked) throw cancelled('Command');
				alias = picked.label;
			}
		}
		if (isInteractive(arg)) {
			const to = target(alias);
			const from = ledger.index.aliasesOf(model).get(alias);
			const go = 'Roll Back';
			const choice = await notifyModal('warning', `Roll back ${alias} of ${model} from ${name(from)} to ${name(to)}?`, 'The move is recorded in the audit trail; no file in the workspace changes.', go);
			if (choice !== go) throw cancelled('Command');
		}
		const note = await this.noteOf(arg, `Roll back ${alias} of ${model}`, 'Why (recorded in the audit trail)');
		const result = rollback(ledger, model, alias, await authorOf(entry.root), note);
		this.changed(entry);
		if (isInteractive(arg)) void notify('info', `${model}: ${alias} rolled back to ${versionShortName(result.to)} (${result.to.label}).`);
		return result;
	}

	// --- restore ----------------------------------------------------------------------------------

	async restore(arg: Arg): Promise<RestoreResult> {
		const interactive = isInteractive(arg);
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), interactive);
		const model = await this.modelOf(entry, arg, 'Restore Version: which model?');
		const version = await this.versionOf(entry, model, arg, `Restore which version of ${model} into the workspace?`);
		const ledger = entry.ledger;
		let deleteExtra = arg?.deleteExtra === true;
		let plan = await restoreVersion(ledger, model, version.digest, { dryRun: true, deleteExtra });
		if (arg?.dryRun === true) return plan;
		// Unsaved editor buffers of the version's files (and of files it would delete) count as changes even when
		// the file on disk already holds the version's content: they are saved first, so the restore stores them.
		const dirtyOf = (p: RestoreResult) => {
			const paths = new Set(p.files.map((f) => vscode.Uri.file(join(entry.root, f.path)).toString()));
			return vscode.workspace.textDocuments.filter((d) => d.isDirty && paths.has(d.uri.toString()));
		};
		let dirty = dirtyOf(plan);
		const preview = restorePreview(plan);
		if (preview.changes === 0 && dirty.length === 0 && (plan.extra.length === 0 || !interactive)) {
			if (interactive) void notify('info', preview.message);
			this.workingState?.compute();
			return plan;
		}
		let force = arg?.force === true;
		if (interactive) {
			const go = dirty.length ? 'Save Editors and Restore' : 'Restore';
			// The confirmation offers to make the workspace match: remove what the model tracks now that the version lacks.
			const goDelete = plan.extra.length ? `${go} and Delete ${plan.extra.length} Extra File${plan.extra.length === 1 ? '' : 's'}` : undefined;
			const message = preview.changes === 0 && dirty.length ? `Restore ${version.model} ${versionShortName(version)} (${version.label})? ${dirty.length} open editor(s) hold unsaved changes to its files.` : preview.message;
			const detail =
				preview.detail +
				(dirty.length ? `\n\n${dirty.length} open editor(s) have unsaved changes: they are saved first, and that content is stored before it is replaced.` : '') +
				(goDelete ? `\n\n"${goDelete}" also removes ${plan.extra.join(', ')} (their content is stored first and listed in the restore journal).` : '');
			// eslint-disable-next-line no-restricted-syntax -- one or two buttons
			const choice = await confirmModal(message, detail, ...(preview.changes > 0 || dirty.length ? [go] : []), ...(goDelete ? [goDelete] : []));
			if (choice === undefined) throw cancelled('Command');
			if (choice === goDelete) {
				deleteExtra = true;
				plan = await restoreVersion(ledger, model, version.digest, { dryRun: true, deleteExtra });
				dirty = dirtyOf(plan);
			}
			// The user saw which files hold unsaved work and that it is stored first.
			force = true;
		} else if (dirty.length && arg?.saveEditors !== true) {
			throw new LedgerError({ code: 'DIRTY_EDITORS', message: `${dirty.length} open editor(s) have unsaved changes to files the restore would replace.`, fix: 'Save them, or pass `saveEditors: true`.' });
		}
		for (const doc of dirty) await doc.save();
		const result = await withProgress(
			{ location: vscode.ProgressLocation.Notification, title: `Restoring ${model} ${versionShortName(version)}`, cancellable: true },
			async (_progress, token) => {
				const controller = new AbortController();
				const cancel = token.onCancellationRequested(() => controller.abort());
				try {
					return await restoreVersion(ledger, model, version.digest, { force, deleteExtra, signal: controller.signal });
				} finally {
					cancel.dispose();
				}
			},
		);
		this.workingState?.compute();
		if (interactive) void notify('info', restoreSummary(entry.root, result));
		return result;
	}

	// --- events -----------------------------------------------------------------------------------

	async showEvents(arg: Arg): Promise<vscode.TextDocument> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), isInteractive(arg));
		const model = await this.modelOf(entry, arg, 'Show Events: which model?');
		const doc = await vscode.workspace.openTextDocument(eventsUri(entry.root, model));
		await vscode.window.showTextDocument(doc, { preview: true });
		return doc;
	}

	/** Text of an events document (`model-ledger-events:` scheme). */
	eventsDocument(uri: vscode.Uri): string {
		const { root, model } = parseEventsUri(uri);
		const entry = this.ledgers.forRoot(root);
		if (!entry) return `${root} has no model-ledger.yaml.\n`;
		return eventsMarkdown(model, entry.ledger.events(model), entry.ledger.listVersions(model));
	}

	// --- store ------------------------------------------------------------------------------------

	async verify(arg: Arg): Promise<VerifyReport> {
		const interactive = isInteractive(arg);
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), interactive);
		const quick = arg?.quick === true;
		const report = await withProgress(
			{ location: vscode.ProgressLocation.Notification, title: quick ? 'Model Ledger: checking the store (quick)' : 'Model Ledger: verifying the store', cancellable: true },
			async (progress, token) => {
				const controller = new AbortController();
				const cancel = token.onCancellationRequested(() => controller.abort());
				let last = 0;
				try {
					return await verifyStore(entry.ledger, {
						quick,
						signal: controller.signal,
						onProgress: (p) => {
							const percent = p.bytesTotal ? (p.bytesDone / p.bytesTotal) * 100 : p.total ? (p.done / p.total) * 100 : 0;
							progress.report({ message: `${p.done}/${p.total} objects · ${p.message}`, increment: Math.max(0, percent - last) });
							last = Math.max(last, percent);
						},
					});
				} finally {
					cancel.dispose();
				}
			},
		);
		if (interactive) {
			const details = 'Show Details';
			const show = report.ok ? notify('info', verifySummary(report)) : notify('error', verifySummary(report), details);
			void show.then((choice) => {
				if (choice === details) void this.openReport('verify.md', verifyMarkdown(entry.root, report));
			});
		}
		return report;
	}

	async cleanUp(arg: Arg): Promise<GcReport> {
		const interactive = isInteractive(arg);
		const entry = await pickLedger(this.ledgers, str(arg, 'root'), interactive);
		const scan = (dryRun: boolean) =>
			withProgress({ location: vscode.ProgressLocation.Notification, title: dryRun ? 'Model Ledger: finding what can be cleaned up' : 'Model Ledger: cleaning up' }, (progress) =>
				collectGarbage(entry.ledger, { dryRun, onProgress: (message) => progress.report({ message }) }),
			);
		const preview = await scan(true);
		let go = arg?.yes === true;
		if (interactive) {
			const { message, detail } = gcPreview(preview);
			if (preview.total.count === 0 || preview.incomplete.length) {
				void (preview.incomplete.length > 0 ? notifyModal('info', message, detail) : notify('info', message));
				return preview;
			}
			const del = 'Delete';
			go = (await notifyModal('warning', message, detail, del)) === del;
		}
		if (!go || preview.total.count === 0) return preview;
		const done = await scan(false);
		if (interactive) void notify('info', gcPreview(done).message);
		return done;
	}

	private async openReport(name: string, text: string): Promise<void> {
		const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}`, query: String(Date.now()) });
		this.reports.set(uri.toString(), text);
		const doc = await vscode.workspace.openTextDocument(uri);
		await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
		await vscode.window.showTextDocument(doc, { preview: true });
	}

	/** The lifecycle commands' handlers (registered by extension.ts from the command table) and their documents. */
	register(): RegisteredCommands<LifecycleCommand> {
		const run = <T>(body: (arg: Arg) => Promise<T>) => (arg?: Arg) => runReporting(isInteractive(arg), str(arg, 'root'), () => body(arg));
		// Commands that write (events, workspace files, the store) refuse in Restricted Mode and say why.
		const write = <T>(action: string, body: (arg: Arg) => Promise<T>) =>
			run((arg) => {
				requireTrustedWorkspace(action);
				return body(arg);
			});
		const disposable = vscode.Disposable.from(
			this.reportEmitter,
			this.eventsEmitter,
			vscode.workspace.registerTextDocumentContentProvider(EVENTS_SCHEME, {
				onDidChange: this.eventsEmitter.event,
				provideTextDocumentContent: (uri) => this.eventsDocument(uri),
			}),
			vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, {
				onDidChange: this.reportEmitter.event,
				provideTextDocumentContent: (uri) => this.reports.get(uri.toString()) ?? '',
			}),
			// Open events documents follow the trail as it grows (this window, the CLI, a git pull).
			this.ledgers.onDidChange((change) => {
				if (!change.kinds.has('registry')) return;
				for (const doc of vscode.workspace.textDocuments) {
					if (doc.uri.scheme === EVENTS_SCHEME && parseEventsUri(doc.uri).root === change.entry.root) this.eventsEmitter.fire(doc.uri);
				}
			}),
		);
		const handlers: CommandHandlers<LifecycleCommand> = {
			setAlias: write('Setting an alias', (a) => this.setAlias(a)),
			removeAlias: write('Removing an alias', (a) => this.removeAlias(a)),
			approveVersion: write('Approving a version', (a) => this.approve(a)),
			tagVersion: write('Tagging a version', (a) => this.tag(a)),
			rollback: write('Rollback', (a) => this.rollback(a)),
			restoreVersion: write('Restore', (a) => this.restore(a)),
			showEvents: run((a) => this.showEvents(a)),
			verifyStore: run((a) => this.verify(a)),
			cleanUpStore: write('Cleaning up the store', (a) => this.cleanUp(a)),
		};
		return { handlers, disposable };
	}
}

/** `model-ledger-events:/support-bot events.md?<root>`: one read-only document per model. */
export function eventsUri(root: string, model: string): vscode.Uri {
	return vscode.Uri.from({ scheme: EVENTS_SCHEME, path: `/${model} events.md`, query: root });
}

function parseEventsUri(uri: vscode.Uri): { root: string; model: string } {
	return { root: uri.query, model: uri.path.replace(/^\//, '').replace(/ events\.md$/, '') };
}

/** The lifecycle commands' handlers and their read-only documents. */
export function lifecycleCommands(ledgers: WorkspaceLedgers, workingState?: WorkingStateLike): RegisteredCommands<LifecycleCommand> {
	return new LifecycleCommands(ledgers, workingState).register();
}
