// Path confinement: nothing outside the workspace is read by a snapshot or written by a restore —
// not through `..` or absolute globs, not through symlinks, not through a crafted manifest that a
// teammate's commit could bring in (including paths into .git/hooks).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { manifestDigest, serializeManifest } from '../../src/core/store/manifest';
import type { VersionManifest } from '../../src/core/model';
import { makeTempDir, removeDir } from '../unit/fixtures';
import { cli, cliJson, initializedWorkspace, sha256File } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function workspace(): string {
	return initializedWorkspace(dirs);
}

function outsideDir(): string {
	const dir = makeTempDir('outside');
	dirs.push(dir);
	writeFileSync(join(dir, 'secret.md'), 'content from outside the workspace\n');
	return dir;
}

function storedShas(root: string): Set<string> {
	const objects = join(root, '.model-ledger', 'cache', 'objects', 'sha256');
	const shas = new Set<string>();
	for (const p of existsSync(objects) ? readdirSync(objects) : []) for (const rest of readdirSync(join(objects, p))) shas.add(p + rest);
	return shas;
}

/** Writes a manifest whose digest matches its name (as a commit from a teammate would bring it). */
async function plantManifest(root: string, artifacts: Array<{ path: string; content: string }>): Promise<string> {
	const ledger = Ledger.at(root);
	try {
		const records = [];
		for (const a of artifacts) {
			const stored = await ledger.store.storeBuffer(Buffer.from(a.content));
			records.push({ path: a.path, role: 'other' as const, sha256: stored.sha256, size: stored.size, mode: 0o755 });
		}
		const manifest: VersionManifest = {
			schema: 1, model: 'support-bot', number: 50, label: '9.9.9', versioning: 'semver', createdAt: new Date().toISOString(),
			author: { name: 'mallory' }, message: 'planted', artifacts: records, params: {}, metrics: {}, prompts: {}, weights: {}, lockfiles: {}, data: [],
			git: { commit: null, branch: null, remote: null, dirty: false },
		};
		const text = serializeManifest(manifest);
		const digest = manifestDigest(text);
		mkdirSync(join(root, '.model-ledger', 'versions', 'support-bot'), { recursive: true });
		writeFileSync(join(root, '.model-ledger', 'versions', 'support-bot', `${digest}.yaml`), text);
		return digest;
	} finally {
		ledger.close();
	}
}

describe('path confinement', () => {
	test('globs with `..` or absolute paths are refused in the config, with the line', () => {
		for (const glob of ['../outside/*.md', '/etc/*.conf', 'prompts/../../x.md']) {
			const dir = workspace();
			writeFileSync(join(dir, 'model-ledger.yaml'), `models:\n  bot:\n    prompts: "${glob}"\n`);
			const r = cli(dir, ['snapshot']);
			assert.equal(r.code, 1, glob);
			assert.match(r.stderr, /model-ledger\.yaml:3:\d+: .*(outside|`\.\.`|absolute|relative)/i, `${glob}: ${r.stderr}`);
		}
	});

	test('symlinks that point outside (to a file or a folder) are skipped with a warning, never read', () => {
		const dir = workspace();
		const outside = outsideDir();
		symlinkSync(join(outside, 'secret.md'), join(dir, 'prompts', 'linked-file.md'));
		symlinkSync(outside, join(dir, 'prompts', 'linked-dir'));
		const r = cliJson<{ created: unknown[]; warnings: string[] }>(dir, ['snapshot', 'support-bot']);
		assert.equal(r.created.length, 1);
		const w = r.warnings.join('\n');
		assert.match(w, /skipped prompts\/linked-file\.md: it is a link to .*outside the workspace/);
		assert.match(w, /skipped prompts\/linked-dir\/secret\.md: it is a link to .*outside the workspace/);
		const shown = cliJson<{ artifacts: Array<{ path: string }> }>(dir, ['show', 'support-bot']);
		assert.ok(!shown.artifacts.some((a) => a.path.includes('linked')), 'no linked file is in the version');
		assert.ok(!storedShas(dir).has(sha256File(join(outside, 'secret.md'))), 'the outside content was not copied into the store');
	});

	test('a symlink inside the workspace is stored as the file it points to; restore writes through it', () => {
		const dir = workspace();
		symlinkSync('system.md', join(dir, 'prompts', 'alias.md'));
		cliJson(dir, ['snapshot', 'support-bot']);
		const shown = cliJson<{ artifacts: Array<{ path: string; sha256: string }> }>(dir, ['show', 'support-bot']);
		const sha = (p: string) => shown.artifacts.find((a) => a.path === p)?.sha256;
		assert.equal(sha('prompts/alias.md'), sha('prompts/system.md'), 'the link is stored as its target content');
		writeFileSync(join(dir, 'prompts', 'system.md'), 'changed\n');
		const restored = cli(dir, ['restore', 'support-bot@latest', '--force']);
		assert.equal(restored.code, 0, restored.stderr);
		assert.equal(sha256File(join(dir, 'prompts', 'system.md')), sha('prompts/system.md'));
		assert.equal(readFileSync(join(dir, 'prompts', 'alias.md'), 'utf8'), readFileSync(join(dir, 'prompts', 'system.md'), 'utf8'));
	});

	test('restore refuses a path that now goes through a symlink out of the workspace, and writes nothing', () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const outside = makeTempDir('outside-prompts');
		dirs.push(outside);
		rmSync(join(dir, 'prompts'), { recursive: true });
		symlinkSync(outside, join(dir, 'prompts'));
		const r = cli(dir, ['restore', 'support-bot@1', '--force']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /Refusing to restore `prompts\/[^`]+`: it resolves to .*outside the workspace/);
		assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
	});

	test('a planted manifest naming `../`, absolute or .git/hooks paths is never indexed or restored', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const outside = makeTempDir('target');
		dirs.push(outside);
		await plantManifest(dir, [{ path: `../${outside.split('/').pop()}/owned.sh`, content: '#!/bin/sh\necho owned\n' }]);
		await plantManifest(dir, [{ path: `${outside}/owned.sh`, content: '#!/bin/sh\necho owned 2\n' }]);
		const reindex = cli(dir, ['reindex']);
		assert.equal(reindex.code, 0);
		assert.equal((reindex.stderr.match(/Suspect manifest .*(leaves the workspace|is absolute)/g) ?? []).length, 2, reindex.stderr);
		assert.deepEqual(cliJson<Array<{ number: number }>>(dir, ['list', 'support-bot']).map((v) => v.number), [1], 'planted versions are not served');
		assert.equal(cli(dir, ['restore', 'support-bot@50']).code, 1);

		// A path that stays inside but lands in .git (a hook runs on the next commit) or .model-ledger:
		// Model Ledger never writes such a manifest, so it is suspect too (plantedManifests.test.ts has more).
		for (const path of ['.git/hooks/pre-commit', '.model-ledger/versions/support-bot/evil.yaml']) {
			await plantManifest(dir, [{ path, content: '#!/bin/sh\necho owned\n' }]);
			assert.deepEqual(cliJson<Array<{ number: number }>>(dir, ['list', 'support-bot']).map((v) => v.number), [1]);
			const r = cli(dir, ['restore', 'support-bot@50', '--force']);
			assert.equal(r.code, 1, `${path}: ${r.stdout}`);
			assert.match(r.stderr, /suspect manifest/);
			assert.ok(!existsSync(join(dir, path)), `${path} was not written`);
		}
		assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
	});
});
