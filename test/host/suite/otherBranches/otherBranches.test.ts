// Versions on other branches in the real VS Code (issue 16 item 5): the runner's `other-branches`
// scenario made v1 on main and v2 on `feature/shorter-prompt` with the CLI, committed each, and
// checked main out again, so v2's manifest exists only in git. The Registry shows it under a
// collapsed "Other branches" node of the model, named by its branch, read-only, and its stored
// prompt opens with the branch's text.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../../../src/extension/extension';
import type { RegistryNode } from '../../../../src/extension/registry/registryTree';
import { activatedExtension, requestScreenshot, testWorkspace, waitFor } from '../hostTestSupport';

const MODEL = 'support-bot';
const PROMPT = 'prompts/system.md';
const BRANCH = 'feature/shorter-prompt';

async function api(): Promise<ModelLedgerApi> {
	return (await activatedExtension()).exports as ModelLedgerApi;
}

function label(ml: ModelLedgerApi, node: RegistryNode): string {
	const item = ml.registryTree.getTreeItem(node);
	return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function modelChildren(ml: ModelLedgerApi): RegistryNode[] {
	const model = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	return model ? ml.registryTree.getChildren(model) : [];
}

describe('Registry: versions that exist only on other branches', function () {
	const ws = testWorkspace();
	const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, encoding: 'utf8' }).trim();

	it('the checkout holds v1 only; v2 is on the branch', () => {
		assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
		assert.equal(readdirSync(join(ws, '.model-ledger', 'versions', MODEL)).filter((f) => f.endsWith('.yaml')).length, 1);
		assert.match(git('ls-tree', '-r', '--name-only', BRANCH, '--', `.model-ledger/versions/${MODEL}`), /\.yaml\n.*\.yaml/);
	});

	it('lists v2 under a collapsed "Other branches" node, named by its branch, not among the versions', async () => {
		const ml = await api();
		const others = await waitFor('the Other branches node', () => modelChildren(ml).find((n) => n.kind === 'otherRefs'), 20_000);
		const item = ml.registryTree.getTreeItem(others);
		assert.equal(label(ml, others), 'Other branches');
		assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
		assert.equal(item.description, '1 version');
		const local = modelChildren(ml).filter((n) => n.kind === 'version');
		assert.deepEqual(
			local.map((n) => (n.kind === 'version' ? n.version.number : 0)),
			[1],
			'only the checked-out version is a version node',
		);
		const [v2] = ml.registryTree.getChildren(others);
		assert.equal(v2?.kind, 'otherVersion');
		const v2Item = ml.registryTree.getTreeItem(v2);
		assert.match(label(ml, v2), /^v2 · /);
		assert.match(String(v2Item.description), new RegExp(`^${BRANCH.replace('/', '\\/')} · shorter answers`));
		// Read-only: not a `version` item, so the alias/restore/approve menus do not apply.
		assert.equal(v2Item.contextValue, 'otherVersion');
		assert.match((v2Item.tooltip as vscode.MarkdownString).value, /not in this checkout: read-only/);
		await requestScreenshot('other-branches');
	});

	it('a filter also searches the other branches: their matching versions stay under the node', async () => {
		const ml = await api();
		try {
			await vscode.commands.executeCommand('modelLedger.filterVersions', { text: 'shorter' });
			const matching = await waitFor('the filtered Other branches node', () => modelChildren(ml).find((n) => n.kind === 'otherRefs'));
			assert.equal(ml.registryTree.getTreeItem(matching).description, '1 version');
			assert.deepEqual(modelChildren(ml).filter((n) => n.kind === 'version'), [], 'v1 does not match "shorter"');
			assert.ok(modelChildren(ml).some((n) => n.kind === 'message' && /No version in this checkout matches/.test(label(ml, n))));
			await vscode.commands.executeCommand('modelLedger.filterVersions', { text: 'no-such-version' });
			await waitFor('the node to go when nothing on other branches matches', () => !modelChildren(ml).some((n) => n.kind === 'otherRefs'));
		} finally {
			await vscode.commands.executeCommand('modelLedger.clearFilter');
		}
		await waitFor('the unfiltered node', () => modelChildren(ml).find((n) => n.kind === 'otherRefs'));
	});

	it("opens v2's stored prompt with the branch's text, though its manifest is not in the checkout", async () => {
		const ml = await api();
		const others = modelChildren(ml).find((n) => n.kind === 'otherRefs')!;
		const [v2] = ml.registryTree.getChildren(others);
		const artifacts = ml.registryTree.getChildren(v2).find((n) => n.kind === 'section' && n.section === 'artifacts')!;
		const prompts = ml.registryTree.getChildren(artifacts).find((n) => n.kind === 'role' && n.role === 'prompt')!;
		const file = ml.registryTree.getChildren(prompts).find((n) => n.kind === 'artifact' && n.artifact.path === PROMPT);
		assert.ok(file, 'v2 lists prompts/system.md');
		await vscode.commands.executeCommand('modelLedger.openFileAtVersion', file);
		const doc = await waitFor('the stored prompt in an editor', () => {
			const d = vscode.window.activeTextEditor?.document;
			return d?.uri.scheme === 'model-ledger' ? d : undefined;
		});
		const onBranch = git('show', `${BRANCH}:${PROMPT}`);
		assert.equal(doc.getText().trim(), onBranch);
		assert.match(doc.getText(), /Answer in two sentences at most\./);
		assert.ok(!existsSync(join(ws, '.model-ledger', 'versions', MODEL, `${v2.kind === 'otherVersion' ? v2.digest : ''}.yaml`)), 'nothing was written into the checkout');
	});

	it("compares the branch's v2 from its tree item: Diff with Previous opens the compare view against v1, and Compare with Selected works across the checkout and the branch", async () => {
		const ml = await api();
		const others = modelChildren(ml).find((n) => n.kind === 'otherRefs')!;
		const [v2] = ml.registryTree.getChildren(others);
		assert.equal(v2?.kind, 'otherVersion');
		const digest = v2.kind === 'otherVersion' ? v2.digest : '';
		type Opened = { title: string; a: { number: number | null; digest: string | null }; b: { number: number | null; digest: string | null } };
		const previous = await vscode.commands.executeCommand<Opened | undefined>('modelLedger.diffWithPrevious', v2);
		assert.ok(previous, 'the compare view opened');
		assert.equal(previous.a.number, 1);
		assert.equal(previous.b.digest, digest);
		assert.equal(previous.title, `${MODEL} v1 ↔ v2`);

		const [v1] = modelChildren(ml).filter((n) => n.kind === 'version');
		await vscode.commands.executeCommand('modelLedger.selectForCompare', v2);
		const selected = await vscode.commands.executeCommand<{ opened: string; result?: Opened } | undefined>('modelLedger.compareWithSelected', v1);
		assert.equal(selected?.opened, 'compareView', 'Compare with Selected opened the compare view');
		assert.equal(selected.result?.a.number, 1, 'the older side first');
		assert.equal(selected.result?.b.digest, digest);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		assert.ok(!existsSync(join(ws, '.model-ledger', 'versions', MODEL, `${digest}.yaml`)), 'still nothing written into the checkout');
	});
});
