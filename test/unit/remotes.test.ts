// Push and pull against real remotes on this machine: an S3-compatible server (s3rver, started here
// on 127.0.0.1 with a temp folder; the AWS SDK talks real HTTP to it) and a shared folder (file://).
// Manifests travel by `git clone`, blobs by pull; nothing is mocked.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import S3rver from 's3rver';
import { LedgerError, ParseError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';
import type { VersionSummary } from '../../src/core/model';
import { openRemote, selectRemote } from '../../src/core/remotes/openRemote';
import { objectKey } from '../../src/core/remotes/types';
import { restoreVersion } from '../../src/core/store/restore';
import { pullVersions, pushVersions, readRemoteListing, remoteFetcher, remoteStatus, versionAvailability } from '../../src/core/remotes/remoteTransfer';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { verifyStore } from '../../src/core/store/verify';
import { parseWorkspaceConfig } from '../../src/core/parse/workspaceConfig';
import { copyExampleWorkspace, git, isolatedGitEnv, makeTempDir, removeDir, repoRoot, writeFile } from './fixtures';

const BUCKET = 'ledger-test';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const dirs: string[] = [];
const ledgers: Ledger[] = [];
let server: S3rver | undefined;
let endpoint = '';
/** Every request the S3 server received, as `METHOD /path?query`. */
const requests: string[] = [];
const savedEnv: Record<string, string | undefined> = {};

before(async () => {
	// The SDK's default chain reads these, exactly as it would read a user's.
	for (const [k, v] of Object.entries(CREDENTIALS)) {
		savedEnv[k] = process.env[k];
		process.env[k] = v;
	}
	const dir = temp('s3rver');
	server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
	const address = (await server.run()) as { address: string; port: number };
	assert.equal(address.address, '127.0.0.1');
	endpoint = `http://127.0.0.1:${address.port}`;
	(server as unknown as { httpServer: Server }).httpServer.on('request', (req: { method?: string; url?: string }) => requests.push(`${req.method} ${req.url}`));
});

after(async () => {
	ledgers.forEach((l) => l.close());
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
	for (const [k, v] of Object.entries(savedEnv)) {
		if (v === undefined) delete process.env[k];
		else process.env[k] = v;
	}
	dirs.forEach(removeDir);
});

function temp(prefix: string): string {
	const dir = makeTempDir(prefix);
	dirs.push(dir);
	return dir;
}

function open(root: string): Ledger {
	const ledger = Ledger.at(root);
	ledgers.push(ledger);
	return ledger;
}

type Kind = 's3' | 'file';
let uniq = 0;

/** The remotes: block for a fresh, empty location of this kind. */
function remoteYaml(kind: Kind): string {
	uniq++;
	if (kind === 'file') return `remotes:\n  team:\n    url: file://${temp('shared')}/ledger\ndefault_remote: team\n`;
	return `remotes:\n  team:\n    url: s3://${BUCKET}/run-${process.pid}/t${uniq}\n    endpoint: ${endpoint}\n    forcePathStyle: true\ndefault_remote: team\n`;
}

/** A committed workspace with two versions of support-bot and one of reranker, configured for a remote. */
async function publishedWorkspace(kind: Kind, extra = ''): Promise<{ root: string; ledger: Ledger; versions: VersionSummary[] }> {
	const root = copyExampleWorkspace();
	dirs.push(root);
	writeFileSync(join(root, 'model-ledger.yaml'), readFileSync(join(root, 'model-ledger.yaml'), 'utf8') + extra + remoteYaml(kind));
	git(root, 'commit', '-qam', 'remote');
	const ledger = open(root);
	const first = await createSnapshot(ledger, { message: 'first' });
	writeFile(root, 'prompts/system.md', `${readFileSync(join(root, 'prompts/system.md'), 'utf8')}\nAlways cite the article.\n`);
	const second = await createSnapshot(ledger, { models: ['support-bot'], message: 'second' });
	git(root, 'add', '-A');
	git(root, 'commit', '-qm', 'versions');
	return { root, ledger, versions: [...first.created, ...second.created] };
}

/** A teammate's machine: the manifests come with git, the object store is empty. */
function cloneOf(root: string): { root: string; ledger: Ledger } {
	const parent = temp('clone');
	git(parent, 'clone', '-q', root, 'ws');
	const clone = join(parent, 'ws');
	assert.ok(!existsSync(join(clone, '.model-ledger', 'cache', 'objects')), 'a clone has no objects');
	const ledger = open(clone);
	// As the CLI does: missing objects come from the configured remote.
	ledger.fetchMissing = remoteFetcher(ledger);
	return { root: clone, ledger };
}

/**
 * Runs the built CLI as a real process. Asynchronously: the S3 server lives in this process, and a
 * synchronous spawn would block the very event loop that has to answer the child.
 */
function runCli(cwd: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string; bytes: Buffer }> {
	return new Promise((resolve) => {
		execFile(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), ...args], { cwd, env: { ...isolatedGitEnv(), ...CREDENTIALS }, encoding: 'buffer', timeout: 60_000 }, (err, stdout, stderr) => {
			const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
			resolve({ status, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), bytes: stdout });
		});
	});
}

function neededCount(ledger: Ledger): number {
	const shas = new Set<string>();
	for (const v of ledger.listVersions()) {
		const m = ledger.readManifest(v);
		m.artifacts.forEach((a) => shas.add(a.sha256));
		if (m.git.patch) shas.add(m.git.patch);
		Object.values(m.lockfiles).forEach((s) => shas.add(s));
	}
	return shas.size;
}

function storeTmpEntries(ledger: Ledger): string[] {
	return existsSync(ledger.store.tmpDir) ? readdirSync(ledger.store.tmpDir) : [];
}

for (const kind of ['s3', 'file'] as const) {
	describe(`${kind} remote`, () => {
		test('push uploads every object once; a clone pulls them, verifies clean, and restores', { timeout: 90_000 }, async () => {
			const { root, ledger, versions } = await publishedWorkspace(kind);
			const total = neededCount(ledger);
			const before = await remoteStatus(ledger);
			assert.equal(before.localOnly.length, total);
			assert.equal(before.both, 0);

			const progress: number[] = [];
			const all = await pushVersions(ledger, ledger.listVersions(), { onProgress: (p) => progress.push(p.bytesPerSecond) });
			assert.equal(all.uploaded.length, total);
			assert.ok(all.bytesUploaded > 0 && progress.some((r) => r > 0), 'progress reports a rate');
			// Content-addressed keys: <prefix>/objects/sha256/<2>/<62>.
			const remote = await openRemote(selectRemote(ledger.config));
			try {
				const listed = await remote.list();
				assert.equal(listed.size, total);
				const sha = all.uploaded[0].sha256;
				assert.equal(await remote.stat(sha), all.uploaded[0].size);
				if (kind === 'file') assert.ok(existsSync(join(selectRemote(ledger.config).path!, objectKey('', sha))));
			} finally {
				remote.close();
			}
			const again = await pushVersions(ledger, ledger.listVersions());
			assert.equal(again.uploaded.length, 0, 'a second push uploads nothing');
			assert.equal(again.alreadyOnRemote, total);
			assert.equal((await remoteStatus(ledger)).both, total);

			const clone = cloneOf(root);
			assert.equal(clone.ledger.listVersions().length, versions.length, 'manifests came with git');
			const status = await remoteStatus(clone.ledger);
			assert.equal(status.remoteOnly.length, total);
			assert.equal(versionAvailability(clone.ledger, clone.ledger.listVersions()[0], readRemoteListing(clone.ledger, 'team')).state, 'remote');
			const verifyBefore = await verifyStore(clone.ledger, { quick: true });
			assert.equal(verifyBefore.ok, true, 'before the pull the objects are on the remote: not a failure');
			assert.equal(verifyBefore.remoteOnly.length, total);

			const pulled = await pullVersions(clone.ledger, clone.ledger.listVersions());
			assert.equal(pulled.pulled.length, total);
			assert.deepEqual(pulled.corrupt, []);
			assert.deepEqual(pulled.notOnRemote, []);
			const report = await verifyStore(clone.ledger);
			assert.ok(report.ok, JSON.stringify(report.objects));
			assert.equal(report.objectsChecked, total);
			assert.equal(versionAvailability(clone.ledger, clone.ledger.listVersions()[0], readRemoteListing(clone.ledger, 'team')).state, 'synced');
			assert.deepEqual(storeTmpEntries(clone.ledger), []);
			// Byte-identical to the original machine's store.
			const v1 = clone.ledger.resolve('support-bot', '1');
			assert.deepEqual(clone.ledger.readArtifact(v1, 'prompts/system.md'), ledger.readArtifact(ledger.resolve('support-bot', '1'), 'prompts/system.md'));
		});

		test('an interrupted push resumes: the re-run uploads only what is missing', { timeout: 90_000 }, async () => {
			const { ledger } = await publishedWorkspace(kind);
			const total = neededCount(ledger);
			assert.ok(total >= 6, `the example has enough objects (${total})`);
			const abort = new AbortController();
			const firstRun: string[] = [];
			await assert.rejects(
				pushVersions(ledger, ledger.listVersions(), {
					signal: abort.signal,
					concurrency: 1,
					onObject: (sha) => {
						firstRun.push(sha);
						if (firstRun.length === 3) abort.abort();
					},
				}),
				(err: unknown) => err instanceof LedgerError && err.code === 'CANCELLED',
			);
			assert.equal(firstRun.length, 3);
			const remote = await openRemote(selectRemote(ledger.config));
			const onRemote = await remote.list();
			remote.close();
			assert.deepEqual([...onRemote.keys()].sort(), [...firstRun].sort(), 'only whole objects are on the remote');

			const resumed = await pushVersions(ledger, ledger.listVersions());
			assert.equal(resumed.alreadyOnRemote, 3);
			assert.equal(resumed.uploaded.length, total - 3);
			assert.ok(resumed.uploaded.every((o) => !firstRun.includes(o.sha256)), 'nothing uploaded twice');
		});

		if (kind === 'file') {
			test('issue 20.7: a remote object replaced by a link to /dev/zero: pull stops at the size the manifest gives', { timeout: 90_000 }, async () => {
				const { root, ledger } = await publishedWorkspace(kind);
				await pushVersions(ledger, ledger.listVersions());
				const v1 = ledger.resolve('support-bot', '1');
				const prompt = ledger.readManifest(v1).artifacts.find((a) => a.path === 'prompts/system.md')!;
				const remotePath = join(selectRemote(ledger.config).path!, objectKey('', prompt.sha256));
				rmSync(remotePath, { force: true });
				symlinkSync('/dev/zero', remotePath);
				const clone = cloneOf(root);
				const started = Date.now();
				const pulled = await pullVersions(clone.ledger, [clone.ledger.resolve('support-bot', '1')]);
				assert.ok(Date.now() - started < 30_000, `pull took ${Date.now() - started} ms`);
				assert.deepEqual(pulled.corrupt.map((c) => c.sha256), [prompt.sha256]);
				assert.match(pulled.corrupt[0].message, new RegExp(`longer than the ${prompt.size} bytes its manifest gives`));
				assert.equal(clone.ledger.store.has(prompt.sha256), false);
				assert.deepEqual(storeTmpEntries(clone.ledger), [], 'no tmp file left behind');
			});
		}

		test('a corrupted remote object is refused on pull and never lands', { timeout: 90_000 }, async () => {
			const { root, ledger } = await publishedWorkspace(kind);
			await pushVersions(ledger, ledger.listVersions());
			const v1 = ledger.resolve('support-bot', '1');
			const prompt = ledger.readManifest(v1).artifacts.find((a) => a.path === 'prompts/system.md')!;
			// Someone overwrites the object on the remote with other bytes of the same size.
			const remote = await openRemote(selectRemote(ledger.config));
			const evil = Buffer.alloc(prompt.size, 'x');
			await remote.upload(prompt.sha256, evil.length, [evil]);
			remote.close();

			const clone = cloneOf(root);
			const pulled = await pullVersions(clone.ledger, [clone.ledger.resolve('support-bot', '1')]);
			assert.equal(pulled.corrupt.length, 1);
			assert.equal(pulled.corrupt[0].sha256, prompt.sha256);
			assert.match(pulled.corrupt[0].message, /corrupt/);
			assert.equal(clone.ledger.store.has(prompt.sha256), false, 'the bad bytes did not land');
			assert.deepEqual(storeTmpEntries(clone.ledger), [], 'and left no tmp file behind');
			assert.ok(pulled.pulled.length > 0, 'the intact objects were pulled');
			// On-demand reads refuse it too.
			await assert.rejects(clone.ledger.fetchArtifact(clone.ledger.resolve('support-bot', '1'), 'prompts/system.md'), (err: unknown) => err instanceof LedgerError && err.code === 'OBJECT_CORRUPT');
			const verify = await verifyStore(clone.ledger, { remote: true });
			assert.equal(verify.ok, false, 'verify --remote re-hashes the remote copies');
			assert.deepEqual(verify.remote?.problems.map((p) => [p.sha256, p.problem]), [[prompt.sha256, 'corrupt']]);
		});

		test('issue 15 item 6: verify on a teammate\'s clone reports objects only on the remote (exit 0), fails only what is nowhere; verify --remote checks the remote copies', { timeout: 90_000 }, async () => {
			const { root, ledger } = await publishedWorkspace(kind);
			const pushed = await pushVersions(ledger, ledger.listVersions());
			// A version made after the push and never pushed: its new object exists only on this machine.
			writeFile(root, 'prompts/system.md', 'Never pushed.\n');
			const unpushed = (await createSnapshot(ledger, { models: ['support-bot'], message: 'not pushed' })).created[0];
			git(root, 'add', '-A');
			git(root, 'commit', '-qm', 'unpushed version');

			const clone = cloneOf(root);
			const report = await verifyStore(clone.ledger);
			assert.equal(report.remote?.reachable, true);
			assert.equal(report.remoteOnly.length, pushed.uploaded.length, 'everything pushed is reported as on the remote');
			assert.deepEqual(report.brokenVersions.map((b) => b.digest), [unpushed.digest], 'only the version whose object is nowhere fails');
			assert.equal(report.ok, false);
			const cli = await runCli(clone.root, 'verify');
			assert.equal(cli.status, 1, cli.stdout + cli.stderr);
			assert.match(cli.stdout, new RegExp(`${pushed.uploaded.length} object\\(s\\) of \\d+ version\\(s\\) are not on this machine but on remote \`team\``));
			assert.match(cli.stdout, /FAILED: 1 version\(s\) cannot be fully restored/);

			// Once the missing object is pushed from the first machine, the clone verifies clean (exit 0) without pulling.
			await pushVersions(ledger, ledger.listVersions());
			const ok = await runCli(clone.root, 'verify');
			assert.equal(ok.status, 0, ok.stdout + ok.stderr);
			assert.match(ok.stdout, /OK: every version is whole \(some objects are only on the remote\)/);
			assert.equal(clone.ledger.store.has(pushed.uploaded[0].sha256), false, 'verify pulled nothing');

			// verify --remote on the first machine re-hashes every remote copy.
			const checked = await runCli(root, 'verify', '--remote', '--json');
			assert.equal(checked.status, 0, checked.stderr);
			const json = JSON.parse(checked.stdout) as { remote: { objectsChecked: number; notOnRemote: number; problems: unknown[] } };
			assert.equal(json.remote.objectsChecked, neededCount(ledger));
			assert.equal(json.remote.notOnRemote, 0);
			assert.deepEqual(json.remote.problems, []);
		});

		test('cat, fetchArtifact and restore pull a missing object on demand', { timeout: 90_000 }, async () => {
			const { root, ledger } = await publishedWorkspace(kind);
			await pushVersions(ledger, ledger.listVersions());
			const clone = cloneOf(root);
			const expected = readFileSync(join(root, 'config/rag.yaml'));
			const bytes = await clone.ledger.fetchArtifact(clone.ledger.resolve('support-bot', 'latest'), 'config/rag.yaml');
			assert.deepEqual(bytes, expected);
			// The built CLI as a real process (for s3 this loads the SDK from dist/remotes.js).
			const cat = await runCli(clone.root, 'cat', 'support-bot@1', 'prompts/system.md');
			assert.equal(cat.status, 0, cat.stderr);
			assert.deepEqual(cat.bytes, ledger.readArtifact(ledger.resolve('support-bot', '1'), 'prompts/system.md'));
			// restore writes a version whose objects are only on the remote.
			const v1 = clone.ledger.resolve('support-bot', '1');
			const weights = clone.ledger.readManifest(v1).artifacts.find((a) => a.role === 'weights')!;
			assert.equal(clone.ledger.store.has(weights.sha256), false);
			const restored = await restoreVersion(clone.ledger, 'support-bot', '1', { force: true });
			assert.ok(restored.files.length > 0);
			assert.deepEqual(readFileSync(join(clone.root, 'prompts/system.md')), ledger.readArtifact(ledger.resolve('support-bot', '1'), 'prompts/system.md'));
			assert.equal(clone.ledger.store.has(weights.sha256), true);
			// Without a remote to ask, a missing object stays an error.
			clone.ledger.fetchMissing = null;
			const other = clone.ledger.readManifest(clone.ledger.resolve('reranker', 'latest')).artifacts[0];
			assert.deepEqual(await clone.ledger.ensureObjects([other.sha256]), [other.sha256]);
		});

		test('the CLI pushes with progress, reports status as JSON, and pulls by MODEL@REF', { timeout: 90_000 }, async () => {
			const { root } = await publishedWorkspace(kind);
			const push = await runCli(root, 'push', 'support-bot@1');
			assert.equal(push.status, 0, push.stderr);
			assert.match(push.stdout, /Pushed \d+ object\(s\), .* \(.*\/s\) to team/);
			const status = await runCli(root, 'remote', 'status', '--json');
			assert.equal(status.status, 0, status.stderr);
			const json = JSON.parse(status.stdout) as { localOnly: unknown[]; both: number };
			assert.ok(json.both > 0 && json.localOnly.length > 0, 'v1 is pushed, v2 and reranker are not');
			const clone = cloneOf(root);
			const pullMissing = await runCli(clone.root, 'pull', 'support-bot@2');
			assert.equal(pullMissing.status, 1, 'v2 has a prompt that was never pushed');
			assert.match(pullMissing.stdout, /not on team/);
			const pull = await runCli(clone.root, 'pull', 'support-bot@1', '--json');
			assert.equal(pull.status, 0, pull.stderr);
			assert.ok((JSON.parse(pull.stdout) as { pulled: unknown[] }).pulled.length > 0);
			const unknown = await runCli(clone.root, 'push', '--remote', 'nope');
			assert.equal(unknown.status, 1);
			assert.match(unknown.stderr, /Unknown remote `nope`/);
		});
	});
}

describe('s3 multipart', () => {
	test('a 20 MB object goes up in 5 MB parts and comes back verified', { timeout: 90_000 }, async () => {
		const { root, ledger } = await publishedWorkspace('s3', '');
		const big = randomBytes(20 * 1024 * 1024 + 123);
		writeFile(root, 'checkpoints/big/model.bin', big);
		writeFileSync(join(root, 'model-ledger.yaml'), readFileSync(join(root, 'model-ledger.yaml'), 'utf8').replace('models:\n', 'models:\n  big:\n    other: checkpoints/big/*.bin\n'));
		ledger.reloadConfig();
		const { created } = await createSnapshot(ledger, { models: ['big'] });
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'big');
		const sha = ledger.readManifest(created[0]).artifacts[0].sha256;
		const seen = requests.length;
		const pushed = await pushVersions(ledger, created, { multipart: { partSize: 5 * 1024 * 1024, queueSize: 2 } });
		assert.equal(pushed.uploaded.find((o) => o.size === big.length)?.sha256, sha);
		const parts = requests.slice(seen).filter((r) => r.startsWith('PUT ') && r.includes(sha.slice(2)) && /partNumber=/.test(r));
		assert.equal(parts.length, 5, `20 MB + 123 B in 5 MiB parts: ${requests.slice(seen).join(', ')}`);
		const clone = cloneOf(root);
		const pulled = await pullVersions(clone.ledger, [clone.ledger.resolve('big', 'latest')]);
		assert.deepEqual(pulled.corrupt, []);
		assert.deepEqual(clone.ledger.readArtifact(clone.ledger.resolve('big', 'latest'), 'checkpoints/big/model.bin'), big);
	});
});

describe('remotes in model-ledger.yaml', () => {
	const base = 'models:\n  bot:\n    prompts: p/*.md\n';
	const parseError = (text: string): ParseError => {
		try {
			parseWorkspaceConfig(text);
		} catch (err) {
			assert.ok(err instanceof ParseError, String(err));
			return err;
		}
		assert.fail('expected the config to be refused');
	};

	test('reads s3 and folder remotes and the default', () => {
		const config = parseWorkspaceConfig(
			`${base}remotes:\n  team:\n    url: s3://my-bucket/ml/ledger/\n    endpoint: https://minio.internal:9000\n    region: eu-west-1\n    forcePathStyle: true\n  nas:\n    url: file:///mnt/shared/ledger\ndefault_remote: nas\n`,
		);
		assert.deepEqual(
			config.remotes.map((r) => ({ ...r })),
			[
				{ name: 'team', url: 's3://my-bucket/ml/ledger/', kind: 's3', bucket: 'my-bucket', prefix: 'ml/ledger', endpoint: 'https://minio.internal:9000', region: 'eu-west-1', forcePathStyle: true, line: 5 },
				{ name: 'nas', url: 'file:///mnt/shared/ledger', kind: 'file', path: '/mnt/shared/ledger', prefix: '', line: 10 },
			],
		);
		assert.equal(config.defaultRemote, 'nas');
		assert.equal(selectRemote(config).name, 'nas');
		assert.equal(selectRemote(config, 'team').name, 'team');
		assert.deepEqual(parseWorkspaceConfig(base).remotes, []);
	});

	test('refuses credentials, bad urls and unknown defaults with their position', () => {
		const secret = parseError(`${base}remotes:\n  team:\n    url: s3://b-1/x\n    secret_access_key: abc\n`);
		assert.equal(secret.location?.line, 7);
		assert.match(secret.fix ?? '', /AWS_ACCESS_KEY_ID/);
		const url = parseError(`${base}remotes:\n  team:\n    url: http://example.com/x\n`);
		assert.equal(url.location?.line, 6);
		assert.match(url.message, /neither an s3:\/\/ nor a file:\/\//);
		assert.match(parseError(`${base}remotes:\n  team:\n    url: s3://key:secret@bucket/x\n`).message, /must not carry credentials/);
		assert.match(parseError(`${base}remotes:\n  team:\n    url: file://relative/path\n`).message, /absolute/);
		assert.match(parseError(`${base}remotes:\n  team:\n    url: s3://b-1\n    forcePathStyle: yes please\n`).message, /true or false/);
		const missingDefault = parseError(`${base}remotes:\n  team:\n    url: s3://b-1\ndefault_remote: other\n`);
		assert.equal(missingDefault.location?.line, 7);
		assert.match(missingDefault.fix ?? '', /team/);
		assert.match(parseError(`${base}remotes:\n  team:\n    endpoint: http://127.0.0.1:9000\n`).message, /has no `url`/);
		assert.throws(() => selectRemote(parseWorkspaceConfig(base)), (err: unknown) => err instanceof LedgerError && err.code === 'NO_REMOTE');
	});

	test('issue 20.7: remote values are checked after %-decoding; query strings (credentials) and control characters are refused', () => {
		const remote = (lines: string) => `${base}remotes:\n  team:\n${lines}`;
		// `..` hidden by %-encoding, in any case and mixed with a literal dot.
		for (const prefix of ['%2e%2e/x', 'a/%2E%2E/b', '.%2e', 'a/%2e', 'a%2f..%2fb']) {
			assert.match(parseError(remote(`    url: s3://b-1/${prefix}\n`)).message, /must not contain `\.` or `\.\.`/, prefix);
		}
		assert.match(parseError(remote('    url: s3://b-1/%zz\n')).message, /malformed %-escape/);
		assert.match(parseError(remote('    url: s3://b-1/x%0a\n')).message, /control character/);
		// Credentials in a query string: the endpoint's and the url's.
		const token = parseError(remote('    url: s3://b-1/x\n    endpoint: "https://s3.example.com/?X-Amz-Security-Token=FwoGZXIvYXdzEJr"\n'));
		assert.equal(token.location?.line, 7);
		assert.match(token.message, /without credentials, query string or fragment/);
		assert.match(parseError(remote('    url: s3://b-1/x\n    endpoint: "https://s3.example.com#key=abc"\n')).message, /query string or fragment/);
		assert.match(parseError(remote('    url: "s3://b-1/x?X-Amz-Credential=AKIA"\n')).message, /query string/);
		// Control characters: a newline in a region, an escape in an endpoint.
		const region = parseError(remote('    url: s3://b-1/x\n    region: "eu-west-1\\nX-Injected: 1"\n'));
		assert.match(region.message, /`region` of remote `team` contains a control character/);
		assert.match(parseError(remote('    url: s3://b-1/x\n    endpoint: "https://s3.example.com\\e]0;x\\a"\n')).message, /control character/);
		assert.match(parseError(remote('    url: s3://b-1/x\n    region: "eu west 1"\n')).message, /must be a region name/);
		// What is fine stays fine.
		const ok = parseWorkspaceConfig(remote('    url: s3://b-1/team/models%20v2\n    endpoint: https://minio.internal:9000/\n    region: eu-west-1\n')).remotes[0];
		assert.equal(ok.prefix, 'team/models%20v2');
		assert.equal(ok.region, 'eu-west-1');
	});
});
