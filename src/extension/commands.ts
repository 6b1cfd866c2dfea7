// Every command of the extension, once. No imports: dist/extension.js registers one handler per id
// from this table at activation (its own handlers for the Registry view, and for the rest a
// dispatcher that loads dist/features.js on first use and calls the handler that bundle exports
// under the same name: rust-analyzer's createCommands/updateCommands idea); code that runs or
// links a command uses these constants; test/unit/extensionSplit.test.ts checks package.json's
// contributes against this table.

/** Command ids by name. A new command: add it here, to package.json, and a handler under the same name. */
export const COMMANDS = {
	// Handled by dist/extension.js itself (the Registry view and its health check).
	checkRegistry: 'modelLedger.checkRegistry',
	refresh: 'modelLedger.refresh',
	filterVersions: 'modelLedger.filterVersions',
	clearFilter: 'modelLedger.clearFilter',
	copyDigest: 'modelLedger.copyDigest',
	showMoreVersions: 'modelLedger.showMoreVersions',
	// Handled by dist/features.js (registerFeatures returns a handler for each).
	init: 'modelLedger.init',
	snapshot: 'modelLedger.snapshot',
	openFileAtVersion: 'modelLedger.openFileAtVersion',
	diffWithPrevious: 'modelLedger.diffWithPrevious',
	diffWithVersion: 'modelLedger.diffWithVersion',
	diffVersions: 'modelLedger.diffVersions',
	diffFileWithVersion: 'modelLedger.diffFileWithVersion',
	diffFileWithProduction: 'modelLedger.diffFileWithProduction',
	selectForCompare: 'modelLedger.selectForCompare',
	compareWithSelected: 'modelLedger.compareWithSelected',
	compareSelectedVersions: 'modelLedger.compareSelectedVersions',
	compareVersions: 'modelLedger.compareVersions',
	revealVersion: 'modelLedger.revealVersion',
	setAlias: 'modelLedger.setAlias',
	removeAlias: 'modelLedger.removeAlias',
	approveVersion: 'modelLedger.approveVersion',
	tagVersion: 'modelLedger.tagVersion',
	rollback: 'modelLedger.rollback',
	restoreVersion: 'modelLedger.restoreVersion',
	showEvents: 'modelLedger.showEvents',
	verifyStore: 'modelLedger.verifyStore',
	cleanUpStore: 'modelLedger.cleanUpStore',
	push: 'modelLedger.push',
	pull: 'modelLedger.pull',
	refreshRemoteStatus: 'modelLedger.refreshRemoteStatus',
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];

/** The commands dist/extension.js handles without loading the features. */
export const ACTIVATION_COMMANDS = ['checkRegistry', 'refresh', 'filterVersions', 'clearFilter', 'copyDigest', 'showMoreVersions'] as const satisfies readonly CommandName[];
export type ActivationCommand = (typeof ACTIVATION_COMMANDS)[number];
export type FeatureCommand = Exclude<CommandName, ActivationCommand>;

/** Run by code only (hover links, the host tests), so not in package.json's contributes.commands. */
export const UNLISTED_COMMANDS = ['revealVersion'] as const satisfies readonly CommandName[];

/** Context keys the extension sets; package.json's `when` clauses read them (a unit test checks both ways). */
export const CONTEXT_KEYS = {
	/** No workspace folder has a model-ledger.yaml: the Registry shows its welcome view. */
	noConfig: 'modelLedger.noConfig',
	/** At least one folder has a ledger: the view's title-bar actions. */
	hasLedger: 'modelLedger.hasLedger',
	/** The Registry tree is filtered: Clear filter. */
	filtered: 'modelLedger.filtered',
	/** A version was picked with Select for Compare. */
	hasSelectionForCompare: 'modelLedger.hasSelectionForCompare',
	/** The registry cannot be opened (e.g. the native module): the error's welcome view. */
	registryError: 'modelLedger.registryError',
} as const;

/** The compare view's webview type: its panels, their serializer and package.json's activation event. */
export const COMPARE_VIEW_TYPE = 'modelLedger.compare';

/** What a command runs: its arguments are whatever the caller passed (a tree node, a Uri, an argument object). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler types its own arguments
export type CommandHandler = (...args: any[]) => unknown;

/** Handlers keyed by command name; the type makes every name of `K` have one. */
export type CommandHandlers<K extends CommandName> = { readonly [P in K]: CommandHandler };

/** A feature module's commands and what else it registered (providers, listeners) to dispose with them. */
export interface RegisteredCommands<K extends CommandName> {
	handlers: CommandHandlers<K>;
	disposable: { dispose(): void };
}

export function isActivationCommand(name: CommandName): name is ActivationCommand {
	return (ACTIVATION_COMMANDS as readonly CommandName[]).includes(name);
}
