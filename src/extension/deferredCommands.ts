// No vscode import: test/unit/extensionSplit.test.ts checks this list against package.json.
/**
 * The commands registered by features.ts (dist/features.js). Until it is loaded each id has a
 * stand-in that loads it and runs the real command with the same arguments and result.
 */
export const DEFERRED_COMMANDS: readonly string[] = [
	'modelLedger.init',
	'modelLedger.snapshot',
	'modelLedger.openFileAtVersion',
	'modelLedger.diffWithPrevious',
	'modelLedger.diffWithVersion',
	'modelLedger.diffVersions',
	'modelLedger.diffFileWithVersion',
	'modelLedger.diffFileWithProduction',
	'modelLedger.selectForCompare',
	'modelLedger.compareWithSelected',
	'modelLedger.compareSelectedVersions',
	'modelLedger.compareVersions',
	'modelLedger.compareView.test',
	'modelLedger.revealVersion',
	'modelLedger.setAlias',
	'modelLedger.removeAlias',
	'modelLedger.approveVersion',
	'modelLedger.tagVersion',
	'modelLedger.rollback',
	'modelLedger.restoreVersion',
	'modelLedger.showEvents',
	'modelLedger.verifyStore',
	'modelLedger.cleanUpStore',
	'modelLedger.push',
	'modelLedger.pull',
	'modelLedger.refreshRemoteStatus',
];
