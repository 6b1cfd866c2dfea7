// Stored files in the editor: Open File at Version, and native diffs — version vs previous, vs any
// version, vs the working file, and the working file vs @production. Every command takes a tree node
// or an argument object (`{root?, model, a, b, path}` …) and returns the URIs it opened.
import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { notify, pickOne, pickString } from '../userInterface';
import { cancelled, LedgerError } from '../../core/errors';
import { followPath, pathInVersion } from '../../core/query/pathFollow';
import { modelVersionsHoldingPath } from '../../core/query/versionsByPath';
import type { Ledger } from '../../core/ledger';
import type { ArtifactRecord, VersionManifest, VersionSummary } from '../../core/model';
import { modelMatcher } from '../../core/snapshot/workspaceFiles';
import { isInteractive, stringArg } from '../commandArgs';
import { COMMANDS } from '../commands';
import type { CommandHandlers } from '../commands';
import { pickLedger, readableVersionItems, resolveReadableVersion, runReporting, versionTargetOf } from '../commandSupport';
import { storedFileUri, workingFileUri } from '../registry/storedFiles';
import { changedFiles, diffTitle, versionShortName } from '../registry/versionText';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';

export const PRODUCTION_ALIAS = 'production';

/** What a diff or open command opened. */
export interface OpenedDiff {
	left?: vscode.Uri;
	right: vscode.Uri;
	title: string;
}

type Arg = Record<string, unknown> | undefined;

type DiffCommand = 'openFileAtVersion' | 'diffVersions' | 'diffWithPrevious' | 'diffWithVersion' | 'diffFileWithVersion' | 'diffFileWithProduction';

const str = stringArg;

export class StoredFileCommands {
	constructor(private readonly ledgers: WorkspaceLedgers) {}

	private uriOf(root: string, v: VersionSummary, path: string): vscode.Uri {
		return storedFileUri({ root, model: v.model, digest: v.digest, name: versionShortName(v) }, path);
	}

	private manifest(ledger: Ledger, v: VersionSummary): VersionManifest {
		return ledger.readManifest(v);
	}

	/** Opens a diff editor (or a single document when one side does not exist). */
	async showDiff(left: vscode.Uri | undefined, right: vscode.Uri, title: string): Promise<OpenedDiff> {
		if (left) await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
		else await vscode.window.showTextDocument(right, { preview: true });
		return { left, right, title };
	}

	/** `v3 ↔ v5` diff of one path between two versions of a model. */
	async diffVersions(entry: LedgerEntry, a: VersionSummary, b: VersionSummary, path: string): Promise<OpenedDiff> {
		const ma = this.manifest(entry.ledger, a);
		const mb = this.manifest(entry.ledger, b);
		const inA = ma.artifacts.some((x) => x.path === path);
		const inB = mb.artifacts.some((x) => x.path === path);
		if (!inA && !inB) {
			throw new LedgerError({ code: 'UNKNOWN_ARTIFACT', message: `Neither ${a.model} ${versionShortName(a)} nor ${versionShortName(b)} has a file \`${path}\`.`, fix: 'Pick a path listed under the version\'s Artifacts in the Model Ledger sidebar.' });
		}
		const title = diffTitle(path, inA ? versionShortName(a) : `not in ${versionShortName(a)}`, inB ? versionShortName(b) : `not in ${versionShortName(b)}`);
		if (!inB) return this.showDiff(undefined, this.uriOf(entry.root, a, path), title);
		return this.showDiff(inA ? this.uriOf(entry.root, a, path) : undefined, this.uriOf(entry.root, b, path), title);
	}

	/** Asks which changed file to diff between two versions; opens it; returns undefined when nothing differs. */
	async pickChangedFile(entry: LedgerEntry, a: VersionSummary, b: VersionSummary): Promise<OpenedDiff | undefined> {
		const files = changedFiles(this.manifest(entry.ledger, a), this.manifest(entry.ledger, b));
		if (files.length === 0) {
			void notify('info', `${a.model} ${versionShortName(a)} and ${versionShortName(b)} have the same files.`);
			return undefined;
		}
		const icon = { added: 'diff-added', removed: 'diff-removed', modified: 'diff-modified' } as const;
		const picked = await pickOne(
			files.map((f) => ({ label: f.path, iconPath: new vscode.ThemeIcon(icon[f.change]), description: f.change, path: f.path })),
			{ title: `${a.model}: files changed ${versionShortName(a)} ↔ ${versionShortName(b)}`, placeHolder: 'Pick a file to open in the diff editor' },
		);
		if (!picked) throw cancelled('Diff');
		return this.diffVersions(entry, a, b, picked.path);
	}

	private async pickVersion(entry: LedgerEntry, model: string, title: string, options: { exclude?: string; withPath?: string } = {}): Promise<VersionSummary> {
		let versions = entry.ledger.listVersions(model).filter((v) => v.digest !== options.exclude);
		let keepOther = (v: VersionSummary) => v.digest !== options.exclude;
		if (options.withPath) {
			const path = options.withPath;
			// From the index's artifact table: no manifest is read per version.
			const having = new Set(modelVersionsHoldingPath(entry.ledger, model, path));
			// And the versions that held it under an earlier name (renamed since): comparable too.
			for (const f of followPath(entry.ledger, path)) if (f.model === model) for (const seg of f.segments) for (const v of seg.held) having.add(v.ref.digest);
			versions = versions.filter((v) => having.has(v.digest));
			// A version only on another branch is not in the index: its manifest (from git) says.
			keepOther = (v) => v.digest !== options.exclude && this.manifest(entry.ledger, v).artifacts.some((a) => a.path === path);
		}
		const items = await readableVersionItems(entry.ledger, model, versions, keepOther);
		if (items.length === 0) {
			throw new LedgerError({ code: 'NO_VERSIONS', message: options.withPath ? `No version of ${model} contains ${options.withPath}.` : `${model} has no other versions.`, fix: 'Snapshot the model first ("Model Ledger: Snapshot…").' });
		}
		const picked = await pickOne(items, { title, matchOnDescription: true });
		if (!picked?.version) throw cancelled('Diff');
		return picked.version;
	}

	private async pickModel(entry: LedgerEntry, title: string, path?: string): Promise<string> {
		let models = entry.ledger.config.models;
		if (path) models = models.filter((m) => modelMatcher(m)(path));
		if (models.length === 0) throw new LedgerError({ code: 'UNTRACKED', message: path ? `${path} is not tracked by any model in model-ledger.yaml.` : 'model-ledger.yaml declares no model.', fix: 'Add a glob that matches it to a model in model-ledger.yaml.' });
		if (models.length === 1) return models[0].name;
		const picked = await pickString(models.map((m) => m.name), { title });
		if (!picked) throw cancelled('Diff');
		return picked;
	}

	private async pickArtifact(entry: LedgerEntry, v: VersionSummary, title: string): Promise<ArtifactRecord> {
		const artifacts = this.manifest(entry.ledger, v).artifacts;
		const picked = await pickOne(
			artifacts.map((a) => ({ label: a.path, description: a.role, artifact: a })),
			{ title, matchOnDescription: true },
		);
		if (!picked) throw cancelled('Diff');
		return picked.artifact;
	}

	/** `modelLedger.openFileAtVersion`: `{root?, model, version, path}` or an artifact node. */
	async openFileAtVersion(arg: Arg): Promise<vscode.Uri> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'));
		const model = str(arg, 'model') ?? (await this.pickModel(entry, 'Open File at Version: which model?'));
		const target = versionTargetOf(arg);
		const version = target ? resolveReadableVersion(entry.ledger, model, target.ref) : await this.pickVersion(entry, model, `Open File at Version: which version of ${model}?`);
		const path = (arg?.artifact as ArtifactRecord | undefined)?.path ?? str(arg, 'path') ?? (await this.pickArtifact(entry, version, `Open File at Version: which file of ${model} ${versionShortName(version)}?`)).path;
		const uri = this.uriOf(entry.root, version, path);
		const manifest = this.manifest(entry.ledger, version);
		if (!manifest.artifacts.some((a) => a.path === path)) {
			throw new LedgerError({ code: 'UNKNOWN_ARTIFACT', message: `${model} ${versionShortName(version)} has no file \`${path}\`.`, fix: `Its files: ${manifest.artifacts.map((a) => a.path).join(', ')}.` });
		}
		await vscode.window.showTextDocument(uri, { preview: true });
		return uri;
	}

	/** `modelLedger.diffVersions`: `{root?, model, a, b, path?}`, or two version nodes (multi-selection). */
	async diffVersionsCommand(arg: Arg, selection?: unknown[]): Promise<OpenedDiff | undefined> {
		const versionNodes = (selection ?? []).filter((n): n is { kind: 'version'; root: string; model: string; version: VersionSummary } => !!n && typeof n === 'object' && (n as { kind?: string }).kind === 'version');
		if (versionNodes.length === 2 && versionNodes[0].root === versionNodes[1].root && versionNodes[0].model === versionNodes[1].model) {
			const entry = await pickLedger(this.ledgers, versionNodes[0].root);
			const [x, y] = versionNodes.map((n) => n.version).sort((p, q) => p.number - q.number);
			return this.pickChangedFile(entry, x, y);
		}
		if (versionNodes.length >= 2) {
			throw new LedgerError({ code: 'BAD_SELECTION', message: 'Select exactly two versions of the same model to compare.', fix: 'Ctrl/Cmd-click two versions under one model, then choose "Compare Selected Versions".' });
		}
		const entry = await pickLedger(this.ledgers, str(arg, 'root'));
		const model = str(arg, 'model') ?? (await this.pickModel(entry, 'Diff Versions: which model?'));
		// Invoked on one version node: that version is one side, the other is asked for.
		const aRef = str(arg, 'a') ?? (arg?.kind === 'version' ? str(arg, 'digest') : undefined);
		const a = aRef ? resolveReadableVersion(entry.ledger, model, aRef) : await this.pickVersion(entry, model, `Diff Versions: the older version of ${model}`);
		const bRef = str(arg, 'b');
		const b = bRef ? resolveReadableVersion(entry.ledger, model, bRef) : await this.pickVersion(entry, model, `Diff Versions: compare ${versionShortName(a)} with`, { exclude: a.digest });
		const path = str(arg, 'path');
		return path ? this.diffVersions(entry, a, b, path) : this.pickChangedFile(entry, a, b);
	}

	/** `modelLedger.diffWithPrevious`: an artifact node or `{…, path}` opens the file's diff; a version node or `{root?, model, version}` opens the compare view. */
	async diffWithPrevious(arg: Arg): Promise<OpenedDiff | undefined> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'));
		const target = versionTargetOf(arg);
		if (!target) throw new LedgerError({ code: 'BAD_ARGUMENT', message: 'Diff with Previous needs a version.', fix: 'Run it from a version or file in the Model Ledger sidebar, or pass {model, version, path}.' });
		const version = resolveReadableVersion(entry.ledger, target.model, target.ref);
		const manifest = this.manifest(entry.ledger, version);
		const parent = manifest.parent ? entry.ledger.index.versionByDigest(manifest.parent) : undefined;
		if (!parent) throw new LedgerError({ code: 'NO_PARENT', message: `${version.model} ${versionShortName(version)} is the first version: there is nothing before it.`, fix: 'Compare it with a later version instead.' });
		const path = (arg?.artifact as ArtifactRecord | undefined)?.path ?? str(arg, 'path');
		if (path) return this.diffVersions(entry, parent, version, path);
		// On a version (not one of its files), the whole change is the question: the compare view answers it.
		return vscode.commands.executeCommand<OpenedDiff | undefined>(COMMANDS.compareVersions, { root: entry.root, model: version.model, a: parent.digest, b: version.digest });
	}

	/** `modelLedger.diffWithVersion`: a version/artifact node, or `{root?, model, version, other?, path?}`; asks for what is missing. */
	async diffWithVersion(arg: Arg): Promise<OpenedDiff | undefined> {
		const entry = await pickLedger(this.ledgers, str(arg, 'root'));
		const target = versionTargetOf(arg);
		const model = target?.model ?? (await this.pickModel(entry, 'Diff with Version: which model?'));
		const version = target ? resolveReadableVersion(entry.ledger, model, target.ref) : await this.pickVersion(entry, model, `Diff with Version: which version of ${model}?`);
		const path = (arg?.artifact as ArtifactRecord | undefined)?.path ?? str(arg, 'path');
		const otherRef = str(arg, 'other');
		const other = otherRef ? resolveReadableVersion(entry.ledger, model, otherRef) : await this.pickVersion(entry, model, `Compare ${model} ${versionShortName(version)}${path ? ` ${path}` : ''} with…`, { exclude: version.digest });
		const [older, newer] = other.number <= version.number ? [other, version] : [version, other];
		return path ? this.diffVersions(entry, older, newer, path) : this.pickChangedFile(entry, older, newer);
	}

	/**
	 * `modelLedger.diffFileWithVersion`: the stored file (left) against the working file (right).
	 * Takes a file URI (editor/explorer), an artifact node, or `{root?, model?, path, version?}`.
	 */
	async diffFileWithVersion(arg: unknown, fixedRef?: string): Promise<OpenedDiff | undefined> {
		let root: string | undefined;
		let path: string | undefined;
		let model: string | undefined;
		let ref: string | undefined = fixedRef;
		const fileUri = arg instanceof vscode.Uri ? arg : arg === undefined ? vscode.window.activeTextEditor?.document.uri : undefined;
		if (fileUri) {
			if (fileUri.scheme !== 'file') throw new LedgerError({ code: 'NOT_A_FILE', message: 'Compare File with Version works on files of the workspace.', fix: 'Open a tracked file (a prompt, a config) and run it again.' });
			const entry = this.ledgers.forUri(fileUri);
			if (!entry) throw new LedgerError({ code: 'NO_CONFIG', message: `${fileUri.fsPath} is not in a workspace folder with a model-ledger.yaml.`, fix: 'Open a file of a workspace folder that has one.' });
			root = entry.root;
			path = relative(entry.root, fileUri.fsPath).split(sep).join('/');
		} else if (arg && typeof arg === 'object') {
			const a = arg as Record<string, unknown>;
			root = str(a, 'root');
			model = str(a, 'model');
			path = (a.artifact as ArtifactRecord | undefined)?.path ?? str(a, 'path');
			ref ??= versionTargetOf(a)?.ref;
		}
		const entry = await pickLedger(this.ledgers, root);
		if (!path) throw new LedgerError({ code: 'BAD_ARGUMENT', message: 'Compare File with Version needs a file.', fix: 'Open a tracked file in the editor, or pass {path}.' });
		model ??= await this.pickModel(entry, `Which model's versions of ${path}?`, path);
		const version = ref ? resolveReadableVersion(entry.ledger, model, ref) : await this.pickVersion(entry, model, `Compare ${path} with which version of ${model}?`, { withPath: path });
		const manifest = this.manifest(entry.ledger, version);
		// Across a rename the version holds the file under its earlier name (like `git log --follow`): compare that.
		const storedPath = manifest.artifacts.some((a) => a.path === path) ? path : pathInVersion(entry.ledger, model, path, version.digest);
		if (!storedPath || !manifest.artifacts.some((a) => a.path === storedPath)) {
			throw new LedgerError({ code: 'UNKNOWN_ARTIFACT', message: `${model} ${versionShortName(version)}${ref && !/^v?\d+$/.test(ref) ? ` (@${ref})` : ''} has no file \`${path}\`.`, fix: 'Pick a version that contains it.' });
		}
		const versionPart = fixedRef && !/^v?\d+$/.test(fixedRef) ? `${fixedRef} ${versionShortName(version)}` : versionShortName(version);
		const leftName = storedPath === path ? versionPart : `${versionPart} ${storedPath}`;
		return this.showDiff(this.uriOf(entry.root, version, storedPath), workingFileUri(entry.root, path), diffTitle(path, leftName, 'working'));
	}
}

/** The stored-file and diff commands' handlers (registered by extension.ts from the command table). */
export function diffCommands(ledgers: WorkspaceLedgers): { commands: StoredFileCommands; handlers: CommandHandlers<DiffCommand> } {
	const commands = new StoredFileCommands(ledgers);
	// An argument object that names what to open asks nothing and returns its errors to the caller.
	const reporting = <A extends unknown[]>(fn: (...args: A) => Promise<unknown>) =>
		// eslint-disable-next-line no-restricted-syntax -- a command's own arguments
		(...args: A) => runReporting(isInteractive(args[0]), str(args[0], 'root'), () => fn(...args));
	const handlers: CommandHandlers<DiffCommand> = {
		openFileAtVersion: reporting((arg?: Arg) => commands.openFileAtVersion(arg)),
		diffVersions: reporting((arg?: Arg, selection?: unknown[]) => commands.diffVersionsCommand(arg, selection)),
		diffWithPrevious: reporting((arg?: Arg) => commands.diffWithPrevious(arg)),
		diffWithVersion: reporting((arg?: Arg) => commands.diffWithVersion(arg)),
		diffFileWithVersion: reporting((arg?: unknown) => commands.diffFileWithVersion(arg)),
		diffFileWithProduction: reporting((arg?: unknown) => commands.diffFileWithVersion(arg, PRODUCTION_ALIAS)),
	};
	return { commands, handlers };
}
