// Issue 20 item 5 in the real VS Code: a version planted the way a malicious branch brings it (label
// `$(check) approved $(shield)`, message with `$(check)`, a `[notes](command:…)` link and a U+202E
// override, made on branch `$(check)-approved` by an author whose name holds a command link) and a
// prompt named `[Run](command:workbench.action.quit).md` (test/host/scenarios.mjs, planted-text).
// Each test reads what the workbench rendered (the runner reads the DOM): no icon, no link, no
// reordered text comes from repository content. VS Code shows no notification of an extension under
// test here, so notifications are checked as handed to VS Code (the test-hooks build writes them down)
// against VS Code's own link pattern. Screenshots: the Registry tree, the version picker.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../../../src/extension/extension';
import type { RegistryNode } from '../../../../src/extension/registry/registryTree';
import { activatedExtension, readWorkbench, requestScreenshot, testWorkspace, waitFor } from '../hostTestSupport';
import type { ElementShown } from '../hostTestSupport';

// The same values test/host/scenarios.mjs plants (PLANTED there).
const PLANTED = {
	label: '$(check) approved $(shield)',
	message: '$(check) approved \u202egnp.exe [notes](command:workbench.action.quit)',
	file: 'prompts/[Run](command:workbench.action.quit).md',
};
const MODEL = 'support-bot';

async function api(): Promise<ModelLedgerApi> {
	return (await activatedExtension()).exports as ModelLedgerApi;
}

function plantedVersion(ml: ModelLedgerApi): Extract<RegistryNode, { kind: 'version' }> | undefined {
	const model = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	if (!model) return undefined;
	return ml.registryTree.getChildren(model).find((n): n is Extract<RegistryNode, { kind: 'version' }> => n.kind === 'version' && n.version.label === PLANTED.label);
}

/** Polls the workbench until an element matching `selector` shows `text`; all the matching elements then. */
async function shownWith(selector: string, text: string): Promise<{ match: ElementShown; all: ElementShown[] }> {
	let seen: ElementShown[] = [];
	try {
		return await waitFor(`${selector} showing ${JSON.stringify(text)}`, async () => {
			seen = await readWorkbench(selector);
			const match = seen.find((e) => e.text.includes(text));
			return match ? { match, all: seen } : undefined;
		}, 45_000);
	} catch (err) {
		throw new Error(`${(err as Error).message}; last seen: ${seen.map(describeShown).join(' | ') || 'nothing'}`);
	}
}

const describeShown = (e: ElementShown) => `${JSON.stringify(e.text)} icons [${e.icons.join(', ')}] links [${e.links.join(', ')}]`;

describe('planted text shows as text in VS Code (issue 20.5)', function () {
	this.timeout(120_000);
	after(async () => {
		await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
	});

	it('the Registry tree: the label and description as written, no icon and no backslash added', async () => {
		const ml = await api();
		const node = await waitFor('the planted version in the Registry tree', () => plantedVersion(ml));
		const item = ml.registryTree.getTreeItem(node);
		// A tree label is plain text in VS Code (no icons are drawn for a string label): left as written.
		assert.equal(item.label, `v1 · ${PLANTED.label}`);
		assert.match(String(item.description), /^\$\(check\) approved \\u202egnp\.exe \[notes\]\(com/);
		await vscode.commands.executeCommand('modelLedger.registry.focus');
		// The label and description only (the row's own icon and inline actions are drawn beside them).
		const { match } = await shownWith('.custom-view-tree-node-item .monaco-icon-label-container', 'approved $(shield)');
		assert.deepEqual(match.icons, [], `the tree row drew icons: ${describeShown(match)}`);
		assert.deepEqual(match.links, []);
		assert.ok(match.text.includes('v1 · $(check) approved $(shield)'), describeShown(match));
		assert.ok(match.text.includes('\\u202egnp.exe'), `the bidi override is not shown as \\u202e: ${describeShown(match)}`);
		await requestScreenshot('planted-tree');
	});

	it('a version picker: `$(check)` in a label and a message shows as text, not as an icon', async () => {
		// Compare Versions asks for the model (two in the example) and then for version A.
		const running = vscode.commands.executeCommand('modelLedger.compareVersions');
		await shownWith('.quick-input-widget .monaco-list-row', MODEL);
		await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
		const { match } = await shownWith('.quick-input-widget .monaco-list-row', 'approved');
		await requestScreenshot('planted-picker');
		assert.deepEqual(match.icons, [], `the picker row drew icons from the version's label or message: ${describeShown(match)}`);
		assert.ok(match.text.includes(`v1 · ${PLANTED.label}`), `the label is not shown as written: ${describeShown(match)}`);
		assert.ok(match.text.includes('$(check) approved \\u202egnp.exe [notes](com'), `the message is not shown as written: ${describeShown(match)}`);
		assert.ok(!match.text.includes('\\$('), `a backslash escape shows: ${describeShown(match)}`);
		await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
		await running; // cancelled: compareVersions ends quietly
	});

	// VS Code's own pattern for a link in a notification (parseLinkedText, read in the 1.139 workbench).
	const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;

	/** The notifications the extension handed VS Code (the test-hooks build writes them down), waiting for one holding `text`. */
	async function noticeHolding(text: string): Promise<{ kind: string; message: string; detail?: string }> {
		const log = process.env.MODEL_LEDGER_TEST_NOTICES;
		assert.ok(log, 'MODEL_LEDGER_TEST_NOTICES is not set: the planted-text scenario sets it');
		return waitFor(`a notification holding ${JSON.stringify(text)}`, () => {
			if (!existsSync(log)) return undefined;
			const notices = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; message: string; detail?: string });
			return notices.find((n) => n.message.includes(text));
		});
	}

	it('a notification naming a model `[Run](command:…)` (a hover link argument) holds the name, not a link', async () => {
		await vscode.commands.executeCommand('modelLedger.revealVersion', { root: testWorkspace(), model: '[Run](command:workbench.action.quit)', digest: 'f'.repeat(64) });
		const notice = await noticeHolding('not listed');
		assert.doesNotMatch(notice.message, VSCODE_LINK, `VS Code would make a link of: ${notice.message}`);
		// The word joiner (U+2060, zero-width) noticeText puts between `]` and `(` is what breaks the link.
		assert.ok(notice.message.replace(/\u2060/g, '').startsWith('[Run](command:workbench.action.quit): that version'), notice.message);
	});

	it('an error notification naming a file `[Run](command:…).md` holds the name, not a link', async () => {
		const file = vscode.Uri.file(join(testWorkspace(), PLANTED.file));
		// A Uri argument is a person's run: the error (no version holds the new prompt) is shown as a notification.
		await vscode.commands.executeCommand('modelLedger.diffFileWithVersion', file);
		const notice = await noticeHolding('contains');
		assert.equal(notice.kind, 'error');
		assert.doesNotMatch(notice.message, VSCODE_LINK, `VS Code would make a link of: ${notice.message}`);
		assert.ok(notice.message.replace(/\u2060/g, '').includes(`No version of support-bot contains ${PLANTED.file}.`), notice.message);
	});
});
