// Secrets, issue 14: every way the red-team pass got a credential past the secret scan (each was
// stored before; each must be refused now), their siblings, and the rule that a flattened value
// holding a secret never reaches a manifest (refused; with --allow-secrets redacted there while the
// stored object keeps the bytes). After all tests, every manifest and event these workspaces hold
// is grepped for every planted secret.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';
import { scanPatch } from '../../src/core/secrets/secretScan';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import type { SnapshotOptions } from '../../src/core/snapshot/snapshot';
import { git, initGitRepo, makeTempDir, plantedSecrets, removeDir, writeFile } from '../unit/fixtures';
import { cli } from './support';

const planted = plantedSecrets();
const dirs: string[] = [];
after(() => {
	const files = planted.assertClean();
	assert.ok(files > 0, 'the allowed snapshots wrote manifests to check');
	dirs.forEach(removeDir);
});

// Assembled at run time so this file itself does not look like it holds credentials.
const S = {
	password: planted.plant('Zq8' + 'pLm2vR7wXk'),
	openai: planted.plant('sk-' + 'proj-' + 'Q7m2Xr9LpB4nV8tK1wZ6yH3cJ5dF0gS2'),
	aws: planted.plant('AKIA' + 'Z7Q2M4X9R1T6V3B8'),
	awsSecret: planted.plant('u7Jq2' + 'Xk9LmP4/rT8vW1zN6bY3cH5dF0gS+aE2iO7pQ'),
	github: planted.plant('github_pat_' + '11AB7QZ2X0' + 'k9LmP4rT8vW1zN6bY3cH5dF0gS'),
	jwt: planted.plant('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.eyJzdWIiOiJzdmMtYm90Iiwicm9sZSI6ImFkbWluIn0' + '.Xk9LmP4rT8vW1zN6bY3cH5dF0gS2aE7iO'),
	ghp: planted.plant('ghp_' + 'Xk9LmP4rT8vW1zN6bY3cH5dF0gS2aE7iO4pQ'),
};
// A private key block, then base64 of the whole thing (as a Kubernetes secret or a CI variable holds it).
const PEM = ['-----BEGIN ' + 'RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu7Jq2Xk9LmP4rT8vW1zN6bY3cH5dF0gS2aE7iO4pQ', '-----END RSA PRIVATE KEY-----', ''].join('\n');
const PEM_BASE64 = planted.plant(Buffer.from(PEM).toString('base64'));

const CONFIG = `models:
  bot:
    prompts: prompts/**
    params: config/**
    other: other/**
`;

/** A fresh git repository with a one-model config and `files`, all committed. */
function workspace(files: Record<string, string | Buffer>, options: { watch?: boolean } = {}): string {
	const dir = makeTempDir('secrets14');
	if (options.watch !== false) planted.watch(dir);
	dirs.push(dir);
	initGitRepo(dir);
	writeFile(dir, 'model-ledger.yaml', CONFIG);
	writeFile(dir, 'prompts/system.md', 'You answer questions about {{ product }}.\n');
	for (const [path, content] of Object.entries(files)) writeFile(dir, path, content);
	git(dir, 'add', '-A');
	git(dir, 'commit', '-qm', 'workspace');
	return dir;
}

async function refused(dir: string, options: SnapshotOptions = {}): Promise<LedgerError> {
	const ledger = Ledger.at(dir);
	try {
		let caught: unknown;
		await createSnapshot(ledger, options).catch((err: unknown) => (caught = err));
		assert.ok(caught instanceof LedgerError, `the snapshot was not refused (it stored ${ledger.listVersions().length} version(s))`);
		assert.equal(caught.code, 'SECRET_FOUND', caught.toString());
		assert.equal(ledger.listVersions().length, 0, 'a refused snapshot creates no version');
		for (const secret of Object.values(S)) assert.ok(!caught.toString().includes(secret), 'the message never echoes the secret');
		return caught;
	} finally {
		ledger.close();
	}
}

/** With --allow-secrets: a version is made, and its manifest is read back. */
async function allowed(dir: string, options: SnapshotOptions = {}, catPath?: string) {
	const ledger = Ledger.at(dir);
	try {
		const result = await createSnapshot(ledger, { ...options, allowSecrets: true });
		assert.equal(result.created.length, 1, JSON.stringify(result));
		const stored = catPath === undefined ? undefined : await ledger.fetchArtifact(ledger.resolve('bot', 'latest'), catPath);
		return { result, manifest: ledger.show('bot', 'latest').manifest, stored };
	} finally {
		ledger.close();
	}
}

describe('issue 14: parsed values are scanned, whatever the syntax', () => {
	const cases: Array<[name: string, path: string, text: string, key: string]> = [
		['a password in minified JSON', 'config/db.json', `{"db":{"host":"db.internal","password":"${S.password}"},"pool":4}`, 'db.password'],
		['a password in a YAML flow map', 'config/db.yaml', `db: {host: db.internal, password: ${S.password}}\n`, 'db.password'],
		['a password in a YAML block scalar', 'config/db.yaml', `db:\n  host: db.internal\n  password: |\n    ${S.password}\n`, 'db.password'],
		['a password behind a YAML alias', 'config/db.yaml', `defaults: &creds\n  user: bot\n  pass_value: &pw ${S.password}\ndb:\n  password: *pw\n`, 'db.password'],
		['a password in a TOML inline table', 'config/db.toml', `[service]\ndb = { host = "db.internal", password = "${S.password}" }\n`, 'service.db.password'],
		['an AWS secret key under `s3_secret_value`', 'config/storage.yaml', `s3:\n  bucket: runs\n  s3_secret_value: ${S.awsSecret}\n`, 's3.s3_secret_value'],
		['a JWT in an Authorization header', 'config/headers.yaml', `headers:\n  Authorization: "Bearer ${S.jwt}"\n`, 'headers.Authorization'],
		['an OpenAI key after a JSON \\n escape', 'config/prompt.json', `{"system": "Use this key:\\n${S.openai}", "temperature": 0.2}`, 'system'],
		['an AWS key id after a JSON \\t escape', 'config/env.json', `{"note": "id\\t${S.aws}"}`, 'note'],
		['a GitHub token after a JSON \\n escape', 'config/ci.json', `{"steps": ["checkout", "token:\\n${S.github}"]}`, 'steps[1]'],
	];
	for (const [name, path, text, key] of cases) {
		test(`${name}: refused; with --allow-secrets the manifest holds [redacted] and the object the bytes`, async () => {
			const dir = workspace({ [path]: text });
			const err = await refused(dir);
			assert.equal(err.location?.file, path, err.toString());
			const { manifest, stored, result } = await allowed(dir, {}, path);
			assert.match(String(manifest.params[path]?.[key]), /^\[redacted: .+\]$/, `${key} in ${JSON.stringify(manifest.params[path])}`);
			assert.ok(result.warnings.some((w) => w.includes(path) && /redacted/.test(w)), result.warnings.join('\n'));
			assert.deepEqual(manifest.secretsAllowed, [path]);
			assert.equal(stored?.toString('utf8'), text, 'the stored object keeps the bytes');
		});
	}
});

describe('issue 14: decoded text, prose and other files', () => {
	test('an AWS secret key without its AKIA id, in a prompt (prose)', async () => {
		await refused(workspace({ 'prompts/ops.md': `To upload, set aws_secret_access_key = ${S.awsSecret} and run.\n` }));
	});

	test('a base64-encoded private key', async () => {
		const err = await refused(workspace({ 'other/deploy-key.b64': PEM_BASE64 + '\n' }));
		assert.match(err.toString(), /base64-encoded private key/);
	});

	test('a Latin-1 prompt (not valid UTF-8) is decoded and scanned, not skipped as binary', async () => {
		const latin1 = Buffer.from(`Résumé des règles. Clé : ${S.openai}\n`, 'latin1');
		await refused(workspace({ 'prompts/fr.md': latin1 }));
	});

	test('UTF-16 prompts, with and without a byte-order mark, are decoded and scanned', async () => {
		const text = `System prompt.\nUse ${S.github} for the API.\n`;
		const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
		const err = await refused(workspace({ 'prompts/le.md': le }));
		assert.match(err.toString(), /prompts\/le\.md:2:5: GitHub token/);
		await refused(workspace({ 'prompts/nobom.md': Buffer.from(text, 'utf16le') }));
		const be = Buffer.from(text, 'utf16le').swap16();
		await refused(workspace({ 'prompts/be.md': Buffer.concat([Buffer.from([0xfe, 0xff]), be]) }));
	});

	test('a UTF-16 file changed but not committed: git calls it binary, so the stored patch leaves it out and says so; the secret is stored nowhere', async () => {
		const dir = workspace({ 'notes/ops.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Ops notes.\n', 'utf16le')]) });
		// Tracked by git but by no model: only the stored patch could carry the secret.
		writeFileSync(join(dir, 'notes/ops.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Ops notes.\nkey ${S.openai}\n`, 'utf16le')]));
		writeFile(dir, 'prompts/system.md', 'You answer questions about {{ product }} politely.\n');
		const ledger = Ledger.at(dir);
		try {
			const { created, warnings } = await createSnapshot(ledger, {});
			assert.equal(created.length, 1);
			assert.ok(warnings.some((w) => /uncommitted patch: left out notes\/ops\.txt \(binary/.test(w)), warnings.join('\n'));
			const patchSha = ledger.show('bot', 'latest').manifest.git.patch;
			assert.ok(patchSha, 'the prompt edit is in a stored patch');
			const patch = readFileSync(ledger.store.objectPath(patchSha));
			assert.match(patch.toString('utf8'), /politely/);
			assert.doesNotMatch(patch.toString('utf8'), /notes\/ops\.txt/);
			for (const encoding of ['utf8', 'utf16le'] as const) assert.equal(patch.includes(Buffer.from(S.openai, encoding)), false);
		} finally {
			ledger.close();
		}
	});

	test('a secret in a file name', async () => {
		// Not watched by the grep: with --allow-secrets the path is kept by necessity (restore needs it).
		const dir = workspace({ [`prompts/${S.ghp}.md`]: 'hello\n' }, { watch: false });
		const err = await refused(dir);
		assert.match(err.toString(), /GitHub token in the file's name/);
		const { manifest } = await allowed(dir);
		assert.deepEqual(manifest.secretsAllowed, [`prompts/${S.ghp}.md`], 'the version records that the file was allowed');
	});

	test('a secret in the -m message: refused; with --allow-secrets the message is recorded as [redacted]', async () => {
		const dir = workspace({});
		const err = await refused(dir, { message: `rotate key ${S.openai} later` });
		assert.match(err.toString(), /-m message: OpenAI.* \(column 12\)/);
		assert.equal(err.location, undefined, 'a message has no file location');
		const { manifest } = await allowed(dir, { message: `rotate key ${S.openai} later` });
		assert.equal(manifest.message, 'rotate key [redacted] later');
	});

	test('a secret in the branch name: refused; with --allow-secrets the branch is recorded as [redacted]', async () => {
		const dir = workspace({});
		git(dir, 'checkout', '-qb', `fix/${S.ghp}`);
		const err = await refused(dir);
		assert.match(err.toString(), /git branch: GitHub token \(column 5\)/);
		const { manifest } = await allowed(dir);
		assert.equal(manifest.git.branch, 'fix/[redacted]');
	});

	test('a secret in a note, a tag note or an approval note is refused (events cannot be edited)', async () => {
		const dir = workspace({});
		const ledger = Ledger.at(dir);
		try {
			await createSnapshot(ledger);
			const by = { name: 'Test User' };
			for (const attempt of [() => ledger.note('bot', 'latest', `deployed with ${S.ghp}`, by), () => ledger.tag('bot', 'latest', 'candidate', by, `token ${S.openai}`), () => ledger.approve('bot', 'latest', by, `ok ${S.jwt}`)]) {
				assert.throws(attempt, (err: unknown) => err instanceof LedgerError && err.code === 'SECRET_FOUND' && !err.message.includes('ghp_'));
			}
			assert.equal(ledger.events('bot').filter((e) => e.type !== 'created').length, 0, 'nothing was recorded');
		} finally {
			ledger.close();
		}
		// The CLI says it on one line, exit 1.
		const r = cli(dir, ['note', 'bot', '-m', `uses ${S.ghp}`]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /Refusing to record the event: its note holds a secret \(GitHub token/);
	});

	test('a remote URL with credentials is recorded without them', async () => {
		const dir = workspace({});
		git(dir, 'remote', 'add', 'origin', `https://bot:${S.ghp}@github.com/acme/bot.git`);
		const ledger = Ledger.at(dir);
		try {
			await createSnapshot(ledger);
			assert.equal(ledger.show('bot', 'latest').manifest.git.remote, 'https://github.com/acme/bot.git');
		} finally {
			ledger.close();
		}
	});
});

describe('issue 15 item 3: text files of any size are scanned', () => {
	test('a ghp_ token at the end of a 20 MB prompt is refused, and the 20 MB file is streamed (bounded memory)', async () => {
		const line = 'The assistant answers politely and cites the help center article it used.\n';
		const big = Buffer.concat([Buffer.from(line.repeat(Math.ceil((20 * 1024 * 1024) / line.length))), Buffer.from(`final: ${S.ghp}\n`)]);
		const dir = workspace({ 'prompts/big.md': big });
		const err = await refused(dir);
		assert.match(err.toString(), /prompts\/big\.md:\d+:8: GitHub token/);
		// The same through the CLI's scan, which says what it read.
		const r = cli(dir, ['scan', 'prompts', '--json']);
		assert.equal(r.code, 1);
		const report = JSON.parse(r.stdout) as { files: number; bytes: number; findings: Array<{ path: string }> };
		assert.equal(report.files, 2);
		assert.ok(report.bytes > 20 * 1024 * 1024);
		assert.deepEqual(
			report.findings.map((f) => f.path),
			['prompts/big.md'],
		);
	});

	test('one 20 MB line (minified) with a token at its end is found, in windows', async () => {
		const big = Buffer.concat([Buffer.from('a, '.repeat(7 * 1024 * 1024)), Buffer.from(` ${S.aws}`)]);
		await refused(workspace({ 'other/one-line.txt': big }));
	});
});

describe('issue 15 item 18: .env templates are versioned (and scanned); .env files never', () => {
	test('.env.example/.sample/.template are stored; .env, .env.local, .env.production.local are not', async () => {
		const dir = workspace({
			'config/.env.example': 'OPENAI_API_KEY=\nCHUNK_SIZE=512\n',
			'config/.env.sample': 'OPENAI_API_KEY=<your-key>\n',
			'config/.env.template': 'OPENAI_API_KEY=${OPENAI_API_KEY}\n',
			'config/.env': `OPENAI_API_KEY=${S.openai}\n`,
			'config/.env.local': `OPENAI_API_KEY=${S.openai}\n`,
			'config/.env.production.local': `OPENAI_API_KEY=${S.openai}\n`,
		});
		const ledger = Ledger.at(dir);
		try {
			const result = await createSnapshot(ledger);
			const paths = ledger.show('bot', 'latest').manifest.artifacts.map((a) => a.path);
			assert.deepEqual(paths.filter((p) => p.includes('.env')), ['config/.env.example', 'config/.env.sample', 'config/.env.template']);
			for (const skipped of ['config/.env', 'config/.env.local', 'config/.env.production.local']) assert.ok(result.warnings.some((w) => w.includes(`skipped ${skipped}:`)), skipped);
		} finally {
			ledger.close();
		}
		// Restore writes a template back like any config (it is not an environment file).
		writeFileSync(join(dir, 'config/.env.example'), 'CHUNK_SIZE=1\n');
		const r = cli(dir, ['restore', 'bot@latest', '--force']);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(readFileSync(join(dir, 'config/.env.example'), 'utf8'), 'OPENAI_API_KEY=\nCHUNK_SIZE=512\n');
	});

	test('a real key in .env.example is refused like in any config', async () => {
		const err = await refused(workspace({ 'config/.env.example': `CHUNK_SIZE=512\nOPENAI_API_KEY=${S.openai}\n` }));
		assert.match(err.toString(), /config\/\.env\.example:2:\d+: OpenAI/);
	});
});

describe('git binary patches', () => {
	test('a literal binary hunk is decoded (base85 + zlib) and scanned with line numbers of the new file', () => {
		const content = Buffer.from(`line one\nkey=${S.ghp}\n`, 'utf16le');
		const deflated = deflateSync(content);
		const lines: string[] = [];
		const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
		for (let i = 0; i < deflated.length; i += 52) {
			const chunk = deflated.subarray(i, i + 52);
			const padded = Buffer.concat([chunk, Buffer.alloc((4 - (chunk.length % 4)) % 4)]);
			let line = chunk.length <= 26 ? String.fromCharCode(64 + chunk.length) : String.fromCharCode(96 + chunk.length - 26);
			for (let j = 0; j < padded.length; j += 4) {
				let value = padded.readUInt32BE(j);
				let group = '';
				for (let k = 0; k < 5; k++) {
					group = alphabet[value % 85] + group;
					value = Math.floor(value / 85);
				}
				line += group;
			}
			lines.push(line);
		}
		const patch = ['diff --git a/n.txt b/n.txt', 'index 1..2 100644', 'GIT binary patch', `literal ${content.length}`, ...lines, '', 'literal 0', 'HcmV?d00001', '', ''].join('\n');
		const found = scanPatch(patch);
		assert.deepEqual(
			found.map((f) => `${f.path}:${f.line}: ${f.kind}`),
			['git diff: n.txt:2: GitHub token'],
		);
	});
});

describe('the example-workspace allowed snapshot writes no secret into manifests', () => {
	test('a key in rag.yaml stored with --allow-secrets: the manifest value is [redacted], `show` and `diff` never print it', async () => {
		const dir = workspace({ 'config/rag.yaml': `retriever:\n  top_k: 8\nauth:\n  api_key: ${S.openai}\n` });
		const { manifest } = await allowed(dir);
		assert.equal(manifest.params['config/rag.yaml']['auth.api_key'], '[redacted: OpenAI-style API key (sk-…)]');
		assert.equal(manifest.params['config/rag.yaml']['retriever.top_k'], 8, 'other values are kept');
		const show = cli(dir, ['show', 'bot', '--json']);
		assert.equal(show.code, 0, show.stderr);
		assert.ok(!show.stdout.includes(S.openai));
	});
});
