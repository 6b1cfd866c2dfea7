// The extension and a CLI in a terminal working on one ledger at the same time: a CLI snapshot runs
// in a child process (the staged extension's dist/cli.js, as a terminal would run it) while the
// extension's own `modelLedger.snapshot` runs in the extension host, both against the same
// .model-ledger/index.db. Both succeed, no "database is locked" reaches the CLI's stderr, version
// numbers stay unique and contiguous, and the Registry tree lists every version.
//
// Runs after registry.test.ts (files run in name order; it expects to make v1 itself), works with
// whatever versions exist, and puts the files it edits back at the end.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { VersionSummary } from '../../../src/core/model';
import type { SnapshotResult } from '../../../src/core/snapshot/snapshot';
import type { ModelLedgerApi } from '../../../src/extension/extension';
import type { RegistryNode } from '../../../src/extension/registry/registryTree';
import { activatedExtension, testWorkspace, waitFor } from './hostTestSupport';

const MODEL = 'support-bot';
const OTHER = 'reranker';
const EDITED = ['prompts/handoff.md', 'prompts/answer.md', 'config/reranker.toml'];

async function api(): Promise<ModelLedgerApi> {
	return (await activatedExtension()).exports as ModelLedgerApi;
}

function treeNumbers(ml: ModelLedgerApi, model: string): number[] {
	const node = ml.registryTree.getChildren().find((n) => n.kind === 'model' && n.model === model);
	if (!node) return [];
	return ml.registryTree
		.getChildren(node)
		.filter((n): n is Extract<RegistryNode, { kind: 'version' }> => n.kind === 'version')
		.map((n) => n.version.number)
		.sort((a, b) => a - b);
}

function numbers(ml: ModelLedgerApi, model: string): number[] {
	return ml.ledgers.all()[0].ledger.listVersions(model).map((v) => v.number).sort((a, b) => a - b);
}

/** `model-ledger snapshot` in a child process, as a terminal runs it; resolves when it exits. */
function cliSnapshot(cli: string, ws: string, model: string, message: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cli, 'snapshot', model, '-m', message, '-C', ws, '--json'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

function extensionSnapshot(model: string, message: string): Promise<SnapshotResult> {
	return Promise.resolve(vscode.commands.executeCommand('modelLedger.snapshot', { model, message, allowDirty: true }) as Thenable<SnapshotResult>);
}

/** 1…n with no gap and no repeat. */
function assertContiguous(list: number[], what: string): void {
	assert.deepEqual(list, list.map((_, i) => i + 1), `${what}: ${list.join(', ')}`);
}

describe('The extension and the CLI on one ledger at the same time', function () {
	const ws = testWorkspace();
	const saved = new Map<string, string>();
	let cli = '';

	const append = (rel: string, line: string) => {
		const path = join(ws, rel);
		if (!saved.has(rel)) saved.set(rel, readFileSync(path, 'utf8'));
		writeFileSync(path, readFileSync(path, 'utf8') + line);
	};

	before(async () => {
		cli = join((await activatedExtension()).extensionPath, 'dist', 'cli.js');
	});

	after(async () => {
		for (const [rel, text] of saved) writeFileSync(join(ws, rel), text);
		await vscode.commands.executeCommand('modelLedger.refresh');
	});

	it('both create their versions: numbers unique and contiguous, no lock error, all in the tree', async function () {
		this.timeout(60_000);
		const ml = await api();
		// The CLI needs ~200 ms to start and open the index; the extension's snapshot starts 0, 80 and
		// 160 ms after it, so the two write phases meet somewhere rather than by luck in one order.
		for (const delay of [0, 80, 160]) {
			const ownBefore = numbers(ml, MODEL);
			const otherBefore = numbers(ml, OTHER);
			// Different files of different models, so each snapshot has something of its own to store.
			append(EDITED[0], `\nConcurrency test ${delay}: hand off after two failed answers.\n`);
			append(EDITED[2], `\n# concurrency test ${delay}\n`);

			const cliStarted = Date.now();
			const running = cliSnapshot(cli, ws, OTHER, `CLI at the same time (${delay} ms)`).then((r) => ({ ...r, ended: Date.now() }));
			await new Promise((r) => setTimeout(r, delay));
			const extensionStarted = Date.now();
			const [fromCli, fromExtension] = await Promise.all([running, extensionSnapshot(MODEL, `extension at the same time (${delay} ms)`)]);
			const extensionEnded = Date.now();
			assert.ok(extensionStarted < fromCli.ended && cliStarted < extensionEnded, `the two ran one after the other (delay ${delay} ms)`);

			assert.equal(fromCli.code, 0, `the CLI failed: ${fromCli.stderr}`);
			assert.doesNotMatch(fromCli.stderr, /database is locked|SQLITE_BUSY|index is busy/i);
			const cliCreated = (JSON.parse(fromCli.stdout) as SnapshotResult).created;
			assert.deepEqual(cliCreated.map((v) => v.number), [(otherBefore.at(-1) ?? 0) + 1], fromCli.stdout);
			assert.deepEqual(fromExtension.created.map((v) => v.number), [(ownBefore.at(-1) ?? 0) + 1], JSON.stringify(fromExtension));
		}

		assertContiguous(numbers(ml, MODEL), MODEL);
		assertContiguous(numbers(ml, OTHER), OTHER);
		await waitFor('every version in the Registry tree', () => treeNumbers(ml, MODEL).join() === numbers(ml, MODEL).join() && treeNumbers(ml, OTHER).join() === numbers(ml, OTHER).join(), 15_000);
	});

	it('both snapshot the same model at once: one number, one version, the other finds it', async function () {
		this.timeout(60_000);
		const ml = await api();
		const before = numbers(ml, MODEL);
		append(EDITED[1], '\nConcurrency test: quote the article title.\n');

		const [fromCli, fromExtension] = await Promise.all([cliSnapshot(cli, ws, MODEL, 'CLI, same model'), extensionSnapshot(MODEL, 'extension, same model')]);

		assert.equal(fromCli.code, 0, `the CLI failed: ${fromCli.stderr}`);
		assert.doesNotMatch(fromCli.stderr, /database is locked|SQLITE_BUSY|index is busy/i);
		const cliResult = JSON.parse(fromCli.stdout) as SnapshotResult;
		// The same files: whichever takes the write lock second finds the version the first stored.
		const versionOf = (r: SnapshotResult): VersionSummary | undefined => r.created[0] ?? r.unchanged.find((u) => u.model === MODEL)?.matches;
		const created = [...cliResult.created, ...fromExtension.created];
		assert.deepEqual(created.map((v) => v.number), [(before.at(-1) ?? 0) + 1], `created: ${JSON.stringify(created)}`);
		assert.equal(versionOf(cliResult)?.digest, created[0].digest);
		assert.equal(versionOf(fromExtension)?.digest, created[0].digest);

		assertContiguous(numbers(ml, MODEL), MODEL);
		await waitFor('the version in the Registry tree', () => treeNumbers(ml, MODEL).join() === numbers(ml, MODEL).join(), 15_000);
	});
});
