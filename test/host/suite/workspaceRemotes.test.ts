// Remotes in the real VS Code, through a shared-folder remote (file://, a temp folder): the version's
// badge in the Registry goes from "not pushed" to "synced" after Push, a stored file whose object was
// removed locally is pulled when it is opened, and Pull fetches what is missing. Runs last (name
// order) and puts model-ledger.yaml back at the end.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PullReport, PushReport, RemoteStatusReport } from '../../../src/core/remotes/remoteTransfer';
import type { VersionSummary } from '../../../src/core/model';
import type { SnapshotResult } from '../../../src/core/snapshot/snapshot';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import type { RegistryNode } from '../../../src/extension/registry/registryTree';
import { VERSION_STATE_SCHEME } from '../../../src/extension/remotes/remoteCommands';
import { storedFileUri } from '../../../src/extension/registry/storedFiles';
import { activatedExtension, requestScreenshot, testWorkspace, waitFor } from './hostTestSupport';

const MODEL = 'support-bot';
const PROMPT = 'prompts/system.md';

describe('remotes (shared folder)', () => {
	let ml: ModelLedgerApi;
	let root: string;
	let shared: string;
	let originalConfig: string;
	let version: VersionSummary;

	before(async () => {
		ml = (await activatedExtension()).exports as ModelLedgerApi;
		root = testWorkspace();
		shared = mkdtempSync(join(tmpdir(), 'model-ledger-host-remote-'));
		const configPath = join(root, 'model-ledger.yaml');
		originalConfig = readFileSync(configPath, 'utf8');
		const ledger = ml.ledgers.forRoot(root)!.ledger;
		version = ledger.listVersions(MODEL)[0];
		if (!version) {
			const result = (await vscode.commands.executeCommand('modelLedger.snapshot', { model: MODEL, message: 'for remotes', allowDirty: true })) as SnapshotResult;
			version = result.created[0] ?? result.unchanged[0]!.matches;
		}
		writeFileSync(configPath, `${originalConfig.trimEnd()}\nremotes:\n  team:\n    url: file://${shared}/ledger\n`);
		ledger.reloadConfig();
		await waitFor('the remote in the config', () => ledger.config.remotes.length === 1);
	});

	after(() => {
		writeFileSync(join(root, 'model-ledger.yaml'), originalConfig);
		ml.ledgers.forRoot(root)?.ledger.reloadConfig();
		rmSync(shared, { recursive: true, force: true });
	});

	function versionItem(): vscode.TreeItem {
		const model = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
		assert.ok(model, 'no model node');
		const node = ml.registryTree.getChildren(model).find((n): n is Extract<RegistryNode, { kind: 'version' }> => n.kind === 'version' && n.digest === version.digest);
		assert.ok(node, 'no version node');
		return ml.registryTree.getTreeItem(node);
	}

	function tooltip(item: vscode.TreeItem): string {
		return item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
	}

	it('shows whether a version is pushed, and Push makes it synced', async () => {
		ml.registryModel.invalidate(root);
		const status = (await vscode.commands.executeCommand('modelLedger.refreshRemoteStatus', { root })) as RemoteStatusReport;
		assert.ok(status.localOnly.length > 0, 'nothing is on the fresh remote');
		const before = versionItem();
		assert.equal(before.resourceUri?.scheme, VERSION_STATE_SCHEME, 'the version carries the remote badge');
		assert.match(tooltip(before), /not on team yet/);

		const report = (await vscode.commands.executeCommand('modelLedger.push', { root, model: MODEL, ref: version.digest })) as PushReport;
		assert.ok(report.uploaded.length > 0);
		assert.equal(report.missingEverywhere.length, 0);
		await waitFor('the synced badge', () => /here and on team/.test(tooltip(versionItem())));
		await vscode.commands.executeCommand('modelLedger.registry.focus');
		await requestScreenshot('remotes-synced');
	});

	it('opening a stored file whose object is only on the remote pulls it', async () => {
		const ledger = ml.ledgers.forRoot(root)!.ledger;
		const artifact = ledger.readManifest(version).artifacts.find((a) => a.path === PROMPT);
		assert.ok(artifact, `${PROMPT} is in the version`);
		const expected = ledger.readArtifact(version, PROMPT).toString('utf8');
		unlinkSync(ledger.store.objectPath(artifact.sha256));
		assert.equal(ledger.store.has(artifact.sha256), false);

		const doc = await vscode.workspace.openTextDocument(storedFileUri({ root, model: MODEL, digest: version.digest, name: `v${version.number}` }, PROMPT));
		assert.equal(doc.getText(), expected);
		assert.ok(existsSync(ledger.store.objectPath(artifact.sha256)), 'the object is back in the local store');
		await vscode.window.showTextDocument(doc);
	});

	it('Pull fetches the objects a version is missing', async () => {
		const ledger = ml.ledgers.forRoot(root)!.ledger;
		const weights = ledger.readManifest(version).artifacts.find((a) => a.role === 'weights');
		assert.ok(weights);
		unlinkSync(ledger.store.objectPath(weights.sha256));
		const report = (await vscode.commands.executeCommand('modelLedger.pull', { root, model: MODEL, ref: version.digest })) as PullReport;
		assert.deepEqual(report.pulled.map((o) => o.sha256), [weights.sha256]);
		assert.deepEqual(report.corrupt, []);
		assert.ok(ledger.store.has(weights.sha256));
	});
});
