import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { verifyStore } from '../../src/core/store/verify';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { copyExampleWorkspace, removeDir, repoRoot } from './fixtures';

const dirs: string[] = [];
const ledgers: Ledger[] = [];
after(() => {
	ledgers.forEach((l) => l.close());
	dirs.forEach(removeDir);
});

async function snapshotted(): Promise<{ root: string; ledger: Ledger }> {
	const root = copyExampleWorkspace();
	dirs.push(root);
	const ledger = Ledger.at(root);
	ledgers.push(ledger);
	await createSnapshot(ledger, { message: 'baseline' });
	writeFileSync(`${root}/prompts/system.md`, readFileSync(`${root}/prompts/system.md`, 'utf8') + '\nBe brief.\n');
	await createSnapshot(ledger, { models: ['support-bot'], message: 'brief' });
	return { root, ledger };
}

/** Flips one byte of a file that the store keeps read-only. */
function flipByte(path: string, at = 0): void {
	chmodSync(path, 0o644);
	const bytes = readFileSync(path);
	bytes[at] ^= 0x01;
	writeFileSync(path, bytes);
}

/** Runs the built CLI (dist/cli.js, bundled by `npm run test:unit`) as a user would. */
function cli(root: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
	return new Promise((resolve) => {
		execFile(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), '-C', root, ...args], (error, out, err) => {
			resolve({ code: error ? Number(error.code ?? 1) : 0, out, err });
		});
	});
}

describe('verify', () => {
	test('a healthy store passes, fully and quickly', async () => {
		const { root, ledger } = await snapshotted();
		const full = await verifyStore(ledger);
		assert.equal(full.ok, true, JSON.stringify(full, null, 2));
		assert.equal(full.manifestsChecked, 3);
		assert.ok(full.objectsChecked >= 10);
		assert.ok(full.bytesChecked > 0);
		const quick = await verifyStore(ledger, { quick: true });
		assert.equal(quick.ok, true);
		assert.equal(quick.bytesChecked, 0, 'quick reads no content');
		assert.equal((await cli(root, 'verify')).code, 0);
	});

	test('catches a flipped byte in an object and names the versions it breaks', async () => {
		const { root, ledger } = await snapshotted();
		const v1 = ledger.show('support-bot', '1');
		const v2 = ledger.show('support-bot', '2');
		const shared = v1.manifest.artifacts.find((a) => a.path === 'config/rag.yaml')!;
		flipByte(ledger.store.objectPath(shared.sha256), 3);

		const report = await verifyStore(ledger);
		assert.equal(report.ok, false);
		assert.equal(report.objects.length, 1);
		assert.equal(report.objects[0].problem, 'corrupt');
		assert.equal(report.objects[0].sha256, shared.sha256);
		assert.deepEqual(report.brokenVersions.map((b) => `${b.model} v${b.number}`), ['support-bot v2', 'support-bot v1']);
		assert.match(report.brokenVersions[0].reasons[0], /config\/rag\.yaml: object corrupt/);
		assert.ok(report.brokenVersions.every((b) => b.digest === v1.digest || b.digest === v2.digest));

		// Same size: quick mode cannot see it, by design.
		assert.equal((await verifyStore(ledger, { quick: true })).ok, true);

		const result = await cli(root, 'verify', '--json');
		assert.equal(result.code, 1);
		assert.equal((JSON.parse(result.out) as { ok: boolean }).ok, false);
	});

	test('catches a missing object in quick mode', async () => {
		const { ledger } = await snapshotted();
		const weights = ledger.show('support-bot', '2').manifest.artifacts.find((a) => a.role === 'weights')!;
		rmSync(ledger.store.objectPath(weights.sha256));
		const report = await verifyStore(ledger, { quick: true });
		assert.equal(report.ok, false);
		assert.equal(report.objects[0].problem, 'missing');
		assert.equal(report.brokenVersions.length, 2);
	});

	test('catches a tampered manifest', async () => {
		const { root, ledger } = await snapshotted();
		const v1 = ledger.resolve('support-bot', '1');
		const path = ledger.manifestPath('support-bot', v1.digest);
		chmodSync(path, 0o644);
		writeFileSync(path, readFileSync(path, 'utf8').replace('message: baseline', 'message: approved by legal'));
		const report = await verifyStore(ledger);
		assert.equal(report.ok, false);
		assert.equal(report.manifests.length, 1);
		assert.equal(report.manifests[0].problem, 'tampered');
		assert.equal(report.manifests[0].digest, v1.digest);
		assert.deepEqual(report.brokenVersions.map((b) => b.number), [1]);
		const human = await cli(root, 'verify');
		assert.equal(human.code, 1);
		assert.match(human.out, /tampered/);
		assert.match(human.out, /FAILED/);
	});
});
