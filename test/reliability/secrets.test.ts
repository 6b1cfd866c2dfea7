// Secrets: a snapshot refuses files holding credentials (file:line and the fix), stores nothing when
// it refuses, accepts placeholders, and records an explicit --allow-secrets in the manifest.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';
import { scanPatch, scanText } from '../../src/core/secrets/secretScan';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { copyExampleWorkspace, git, plantedSecrets, removeDir, writeFile } from '../unit/fixtures';
import { cli, cliJson } from './support';

const dirs: string[] = [];
// Every manifest and event these tests wrote is grepped for every secret they planted.
const planted = plantedSecrets();
after(() => {
	planted.assertClean();
	dirs.forEach(removeDir);
});

// Assembled at run time so this file itself does not look like it holds credentials.
const FAKE: Record<string, string> = {
	openai: 'sk-' + 'proj-' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6',
	aws: 'AKIA' + 'IOSFODNN7EXAMPLE',
	github: 'ghp_' + 'a'.repeat(20) + 'B'.repeat(16),
	hf: 'hf_' + 'abcdefghijklmnopqrstuvwxyzABCDEFGH',
	pem: '-----BEGIN ' + 'RSA PRIVATE KEY-----',
};
Object.values(FAKE).forEach((secret) => planted.plant(secret));

function kinds(text: string, path: string): string[] {
	return scanText(text, path).map((f) => `${f.line}:${f.kind}`);
}

describe('secret scan rules', () => {
	test('finds provider keys, tokens and private key blocks anywhere, with line and column', () => {
		const prompt = `You are a bot.\nUse key ${FAKE.openai} for calls.\n`;
		const found = scanText(prompt, 'prompts/system.md');
		assert.equal(found.length, 1);
		assert.deepEqual({ line: found[0].line, column: found[0].column }, { line: 2, column: 9 });
		assert.match(found[0].kind, /sk-/);
		assert.deepEqual(kinds(`a: ${FAKE.aws}\n`, 'x.txt'), ['1:AWS access key id']);
		assert.deepEqual(kinds(`token ${FAKE.github}`, 'notes.md'), ['1:GitHub token']);
		assert.deepEqual(kinds(`x = "${FAKE.hf}"`, 'x.py'), ['1:Hugging Face token']);
		assert.deepEqual(kinds(`\n\n${FAKE.pem}\nMIIB...\n`, 'k.pem'), ['3:private key block']);
		assert.deepEqual(kinds('url: postgres://admin:s3cr3tpw@db.internal:5432/app\n', 'c.yaml'), ['1:password in a URL']);
	});

	test('finds credential keys with literal values in YAML, JSON, TOML and .env-like text', () => {
		assert.deepEqual(kinds('db:\n  password: hunter22\n', 'config/db.yaml'), ['2:literal value for `password`']);
		assert.deepEqual(kinds('{\n  "openai_api_key": "abcd1234efgh",\n  "n": 1\n}', 'c.json'), ['2:literal value for `openai_api_key`']);
		assert.deepEqual(kinds('[auth]\ntoken = "tok_9f8e7d6c5b"\n', 'c.toml'), ['2:literal value for `token`']);
		assert.deepEqual(kinds('export API_KEY=abcdef123456\n', 'settings.env'), ['1:literal value for `API_KEY`']);
		assert.deepEqual(kinds('client_secret: "q8Zr2#x!"  # rotate monthly\n', 'c.yml'), ['1:literal value for `client_secret`']);
	});

	test('placeholders, references, tokenizer vocabulary and prose are not secrets', () => {
		const clean = [
			'api_key: ${OPENAI_API_KEY}',
			'api_key: $OPENAI_API_KEY',
			'api_key: OPENAI_API_KEY',
			'api_key: "<your-key>"',
			'api_key: your-api-key-here',
			'password: changeme',
			'password: ""',
			'password:',
			'token: null',
			'api_key: !ENV ${KEY}',
			'api_key: env:OPENAI_API_KEY',
			'secret: "{{ secrets.openai }}"',
			'max_tokens: 600',
			'eos_token: "</s>"',
			'pad_token: "<|endoftext|>"',
			'tokenizer: cl100k_base',
			'password_min_length: 12',
			'url: postgres://user:${DB_PASSWORD}@db/app',
			'model: sk-learn-classifier',
		].join('\n');
		assert.deepEqual(kinds(clean, 'config/rag.yaml'), []);
		// Prose in a prompt: `key: value` rules apply only to config-like files.
		assert.deepEqual(kinds('If they ask for a password: reset_it_via_portal\nPassword: hunter22\n', 'prompts/answer.md'), []);
	});

	test('the uncommitted patch is scanned on its added lines only, with new-file line numbers', () => {
		const patch = [
			'diff --git a/config/rag.yaml b/config/rag.yaml',
			'--- a/config/rag.yaml',
			'+++ b/config/rag.yaml',
			'@@ -3,3 +3,4 @@ retriever:',
			'   top_k: 8',
			`-  old_key: ${FAKE.aws}`,
			'+  top_n: 4',
			`+  api_key: ${FAKE.openai}`,
			'   chunk_size: 512',
		].join('\n');
		const found = scanPatch(patch);
		assert.equal(found.length, 1);
		assert.equal(found[0].path, 'git diff: config/rag.yaml');
		assert.equal(found[0].line, 5);
	});
});

describe('snapshot with secrets', () => {
	test('refuses with file:line and the fix, stores nothing; --allow-secrets stores and records it', async () => {
		const dir = copyExampleWorkspace();
		dirs.push(planted.watch(dir));
		appendFileSync(join(dir, 'config/rag.yaml'), `auth:\n  api_key: ${FAKE.openai}\n`);
		git(dir, 'commit', '-qam', 'key in config');
		const ledger = Ledger.at(dir);
		try {
			await assert.rejects(createSnapshot(ledger, { models: ['support-bot'] }), (err: unknown) => {
				assert.ok(err instanceof LedgerError);
				assert.equal(err.code, 'SECRET_FOUND');
				assert.equal(err.location?.file, 'config/rag.yaml');
				assert.equal(err.location?.line, 25);
				assert.match(err.toString(), /config\/rag\.yaml:25:\d+: .*sk-.*Fix: Move the secret .*--allow-secrets/);
				assert.ok(!err.toString().includes(FAKE.openai), 'the secret itself is never echoed');
				return true;
			});
			const objects = join(dir, '.model-ledger', 'cache', 'objects', 'sha256');
			assert.ok(!existsSync(objects) || readdirSync(objects).length === 0, 'a refused snapshot stores no object');
			assert.equal(ledger.listVersions().length, 0);

			const result = await createSnapshot(ledger, { models: ['support-bot'], allowSecrets: true });
			assert.equal(result.created.length, 1);
			assert.deepEqual(ledger.show('support-bot', 'latest').manifest.secretsAllowed, ['config/rag.yaml']);
			assert.ok(result.warnings.some((w) => /stored secrets in config\/rag\.yaml/.test(w)));
		} finally {
			ledger.close();
		}
	});

	test('a secret typed into a tracked file but not committed is refused through the patch', async () => {
		const dir = copyExampleWorkspace();
		dirs.push(planted.watch(dir));
		// README.md is tracked by git but by no model: only the stored patch would carry it.
		appendFileSync(join(dir, 'README.md'), `\nexport AWS key ${FAKE.aws}\n`);
		const r = cli(dir, ['snapshot', 'support-bot']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /README\.md:\d+:\d+: AWS access key id/);
		const ok = cliJson<{ created: unknown[] }>(dir, ['snapshot', 'support-bot', '--allow-secrets']);
		assert.equal(ok.created.length, 1);
	});

	test('the CLI refuses by default and the example workspace snapshots cleanly', () => {
		const dir = copyExampleWorkspace();
		dirs.push(planted.watch(dir));
		const clean = cliJson<{ created: unknown[]; warnings: string[] }>(dir, ['snapshot', '-m', 'clean']);
		assert.equal(clean.created.length, 2);
		assert.ok(!clean.warnings.some((w) => /secret/i.test(w)), clean.warnings.join('\n'));
		writeFile(dir, 'prompts/leak.md', `Call the API with ${FAKE.github}\n`);
		writeFileSync(join(dir, 'config/train.yaml'), 'wandb:\n  api_key: 0123456789abcdef\n', { flag: 'a' });
		git(dir, 'add', '-A');
		git(dir, 'commit', '-qm', 'leaks');
		const r = cli(dir, ['snapshot']);
		assert.equal(r.code, 1);
		assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
		assert.match(r.stderr, /2 secrets were found — config\/train\.yaml:\d+:\d+: literal value for `api_key`; prompts\/leak\.md:1:\d+: GitHub token/);
		assert.equal(cliJson<unknown[]>(dir, ['list']).length, 2, 'no version was added');
	});
});
