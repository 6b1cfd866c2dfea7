import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger';
import { manifestDigest } from '../../src/core/store/manifest';
import { createSnapshot, workingChanges } from '../../src/core/snapshot/snapshot';
import { exampleLedgers, git, isolatedGitEnv, makeTempDir, removeDir, writeFile } from './fixtures';

const ledgers = exampleLedgers();
const workspaces: string[] = [];
after(() => {
	ledgers.cleanup();
	workspaces.forEach(removeDir);
});
const workspace = (options?: { git?: boolean }) => ledgers.open(options);

describe('snapshot', () => {
	test('first snapshot records every artifact, parsed params, metrics, prompts, weights, data and lineage', async () => {
		const { root, ledger } = workspace();
		const result = await createSnapshot(ledger, { models: ['support-bot'], message: 'baseline' });
		assert.equal(result.created.length, 1);
		const v1 = result.created[0];
		assert.equal(v1.number, 1);
		assert.equal(v1.label, '0.1.0');
		assert.equal(v1.message, 'baseline');
		assert.equal(v1.author.name, 'Test User');
		assert.equal(v1.git.dirty, false);
		assert.equal(v1.git.commit, git(root, 'rev-parse', 'HEAD'));
		assert.equal(v1.git.branch, 'main');

		const manifestFile = join(root, '.model-ledger', 'versions', 'support-bot', `${v1.digest}.yaml`);
		assert.equal(manifestDigest(readFileSync(manifestFile)), v1.digest, 'the digest is the sha256 of the manifest bytes');

		const m = ledger.show('support-bot', 'latest').manifest;
		const paths = m.artifacts.map((a) => `${a.role}:${a.path}`);
		assert.ok(paths.includes('prompt:prompts/system.md'), paths.join(' '));
		assert.ok(paths.includes('prompt:prompts/followup/clarify.md'));
		assert.ok(paths.includes('rag:config/rag.yaml'));
		assert.ok(paths.includes('weights:checkpoints/adapter/adapter_model.safetensors'));
		assert.ok(paths.includes('params:config/train.yaml'));
		assert.ok(paths.includes('metrics:eval/metrics.json'));
		assert.ok(paths.includes('data:data/corpus.dvc'));
		assert.ok(paths.includes('other:checkpoints/adapter/adapter_config.json'));
		for (const a of m.artifacts) {
			assert.equal(a.sha256, execFileSync('sha256sum', [join(root, a.path)], { encoding: 'utf8' }).split(' ')[0], a.path);
			assert.ok(ledger.store.has(a.sha256));
		}
		const rag = m.params['config/rag.yaml'];
		assert.equal(typeof rag['retriever.top_k'], 'number');
		assert.ok(Object.keys(m.params['config/train.yaml']).length > 3);
		assert.ok(Object.keys(m.metrics['eval/metrics.json']).length > 3);
		assert.ok(m.prompts['prompts/system.md'].variables.length > 0);
		const tensors = Object.keys(m.weights['checkpoints/adapter/adapter_model.safetensors'].tensors);
		assert.ok(tensors.some((t) => t.includes('lora_A')), tensors.join(' '));
		assert.equal(m.data[0].source, 'data/corpus.dvc');
		assert.match(m.data[0].md5 ?? '', /^[0-9a-f]{32}/);
		assert.ok(m.lockfiles['requirements.txt'], `lockfiles: ${Object.keys(m.lockfiles)}`);
	});

	test('an unchanged re-snapshot creates nothing and names the matching version', async () => {
		const { ledger } = workspace();
		const first = await createSnapshot(ledger);
		assert.equal(first.created.length, 2, 'both models get a first version');
		const second = await createSnapshot(ledger);
		assert.equal(second.created.length, 0);
		assert.deepEqual(
			second.unchanged.map((u) => [u.model, u.matches.number]).sort(),
			[
				['reranker', 1],
				['support-bot', 1],
			],
		);
		assert.equal(readdirSync(join(ledger.versionsDir, 'support-bot')).length, 1);
	});

	test('a changed prompt creates v2 where only that artifact hash differs', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		appendFileSync(join(root, 'prompts', 'system.md'), '\nAlways cite the help-center article for {{product}}.\n');
		const result = await createSnapshot(ledger, { models: ['support-bot'], message: 'cite sources' });
		assert.equal(result.created[0].number, 2);
		assert.equal(result.created[0].label, '0.1.1');
		const v1 = ledger.show('support-bot', 'v1').manifest;
		const v2 = ledger.show('support-bot', '2').manifest;
		assert.equal(v2.parent, ledger.resolve('support-bot', '1').digest);
		const changed = v2.artifacts.filter((a) => v1.artifacts.find((b) => b.path === a.path)?.sha256 !== a.sha256).map((a) => a.path);
		assert.deepEqual(changed, ['prompts/system.md']);
		assert.ok(v2.prompts['prompts/system.md'].variables.includes('product'));
		assert.ok(!v1.prompts['prompts/system.md'].variables.includes('product'));
		assert.equal(v2.git.dirty, true, 'the edit is not committed');
	});

	test('a dirty tree stores a patch that re-applies to the recorded commit', async () => {
		const { root, ledger } = workspace();
		writeFileSync(join(root, 'config', 'rag.yaml'), readFileSync(join(root, 'config', 'rag.yaml'), 'utf8').replace(/top_k: \d+/, 'top_k: 17'));
		const { created } = await createSnapshot(ledger, { models: ['support-bot'] });
		const m = ledger.show('support-bot', 'latest').manifest;
		assert.equal(m.git.dirty, true);
		assert.ok(m.git.patch);
		assert.equal(m.params['config/rag.yaml']['retriever.top_k'], 17);
		const patch = ledger.store.read(m.git.patch!);
		assert.match(patch.toString(), /top_k: 17/);
		// Re-apply in a fresh checkout of the recorded commit.
		const clone = makeTempDir('clone');
		workspaces.push(clone);
		execFileSync('git', ['clone', '-q', root, clone], { env: isolatedGitEnv() });
		git(clone, 'checkout', '-q', created[0].git.commit!);
		writeFile(clone, 'change.patch', patch);
		git(clone, 'apply', 'change.patch');
		assert.equal(readFileSync(join(clone, 'config', 'rag.yaml'), 'utf8'), readFileSync(join(root, 'config', 'rag.yaml'), 'utf8'));
	});

	test('--require-clean refuses a dirty tree and writes nothing', async () => {
		const { root, ledger } = workspace();
		appendFileSync(join(root, 'config', 'train.yaml'), '\n# tweak\n');
		await assert.rejects(createSnapshot(ledger, { requireClean: true }), (err: unknown) => err instanceof LedgerError && err.code === 'DIRTY');
		assert.deepEqual(readdirSync(ledger.versionsDir), []);
	});

	test('untracked files do not make the tree dirty', async () => {
		const { root, ledger } = workspace();
		writeFile(root, 'notes/scratch.txt', 'untracked');
		const { created } = await createSnapshot(ledger, { models: ['support-bot'] });
		assert.equal(created[0].git.dirty, false);
	});

	test('the stat cache skips re-hashing files whose size and mtime are unchanged', async () => {
		const { root, ledger } = workspace();
		const file = join(root, 'prompts', 'handoff.md');
		// Whole seconds, so the mtime can be put back exactly (utimes cannot set nanoseconds).
		const mtime = Math.floor(Date.now() / 1000) - 60;
		utimesSync(file, mtime, mtime);
		await createSnapshot(ledger, { models: ['support-bot'] });
		const text = readFileSync(file, 'utf8');
		// Same size, same mtime, different bytes: only a re-hash could notice, and the cache must prevent it.
		writeFileSync(file, text.replace(/[a-z]/, (c) => (c === 'a' ? 'b' : 'a')));
		utimesSync(file, mtime, mtime);
		assert.equal(statSync(file).mtimeMs, mtime * 1000);
		const { created, unchanged } = await createSnapshot(ledger, { models: ['support-bot'] });
		assert.equal(created.length, 0, 'served from the stat cache');
		assert.equal(unchanged[0].matches.number, 1);
		// A real edit changes the mtime and is seen.
		writeFileSync(file, text + '\nThanks!\n');
		assert.equal((await createSnapshot(ledger, { models: ['support-bot'] })).created.length, 1);
	});

	test('workingChanges lists added, modified and removed files without storing anything', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		writeFile(root, 'prompts/new.md', 'Hello {{name}}');
		appendFileSync(join(root, 'config', 'rag.yaml'), '\n# more\n');
		rmSync(join(root, 'prompts', 'handoff.md'));
		const { latest, changes } = workingChanges(ledger, 'support-bot');
		assert.equal(latest?.number, 1);
		assert.deepEqual(changes, { added: ['prompts/new.md'], modified: ['config/rag.yaml'], removed: ['prompts/handoff.md'] });
	});

	test('issue 18 item 6: status and show read no manifest of another model (workingChanges answers from index.db)', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot', 'reranker'] });
		appendFileSync(join(root, 'config', 'rag.yaml'), '\n# more\n');
		// Every manifest read, by model: a real read through the real ledger, only observed.
		const read: string[] = [];
		const readManifest = ledger.readManifest.bind(ledger);
		ledger.readManifest = (version) => {
			read.push(version.model);
			return readManifest(version);
		};
		for (const name of ['support-bot', 'reranker']) workingChanges(ledger, name);
		assert.deepEqual(workingChanges(ledger, 'support-bot').changes, { added: [], modified: ['config/rag.yaml'], removed: [] });
		assert.deepEqual(read, [], 'status compares with the file list index.db holds; a model with a manifest of megabytes made it parse that manifest');
		assert.equal(ledger.show('reranker', 'latest').manifest.model, 'reranker');
		assert.deepEqual(read, ['reranker'], 'show reads the one manifest it prints');
	});

	test('a workspace outside git snapshots with empty lineage', async () => {
		const { ledger } = workspace({ git: false });
		const { created } = await createSnapshot(ledger, { models: ['reranker'] });
		assert.deepEqual(created[0].git, { commit: null, branch: null, dirty: false });
		assert.match(created[0].label, /^\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}$/, 'a hybrid snapshot is an experiment labelled by time');
	});

	test('.env files and links that leave the workspace are never stored', async () => {
		const { root, ledger } = workspace();
		writeFile(root, 'prompts/.env', 'OPENAI_API_KEY=sk-secret');
		const outside = makeTempDir('outside');
		workspaces.push(outside);
		writeFile(outside, 'leak.md', 'secret outside');
		symlinkSync(join(outside, 'leak.md'), join(root, 'prompts', 'leak.md'));
		const { warnings } = await createSnapshot(ledger, { models: ['support-bot'] });
		const paths = ledger.show('support-bot', 'latest').manifest.artifacts.map((a) => a.path);
		assert.ok(!paths.includes('prompts/.env'));
		assert.ok(!paths.includes('prompts/leak.md'));
		assert.ok(warnings.some((w) => w.includes('prompts/leak.md') && w.includes('outside the workspace')));
	});
});

describe('snapshot in a repository git will not read', () => {
	test('the version is made without a commit and says why and how to fix it; --require-clean refuses', async () => {
		const { root, ledger } = workspace();
		process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER = '1';
		try {
			await assert.rejects(createSnapshot(ledger, { models: ['support-bot'], requireClean: true }), (err: unknown) => {
				assert.ok(err instanceof LedgerError && err.code === 'GIT_FAILED', String(err));
				assert.match(err.fix ?? '', /safe\.directory/);
				return true;
			});
			const result = await createSnapshot(ledger, { models: ['support-bot'], message: 'in a container' });
			assert.equal(result.created[0].git.commit, null);
			assert.ok(result.warnings.some((w) => w.startsWith('git would not read this repository, so no commit is recorded: ') && w.includes(`Fix: git refuses a repository owned by another user. If you trust it: git config --global --add safe.directory '${root}'`)), result.warnings.join('\n'));
		} finally {
			delete process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER;
		}
	});
});

describe('registry index', () => {
	test('deleting index.db and reindexing gives the same list', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger);
		appendFileSync(join(root, 'prompts', 'answer.md'), '\nBe brief.\n');
		await createSnapshot(ledger, { message: 'brief' });
		const before = ledger.listVersions();
		ledger.close();
		rmSync(join(ledger.cacheDir, 'index.db'));
		const reopened = Ledger.at(root);
		assert.deepEqual(reopened.listVersions(), before, 'rebuilt on open');
		reopened.reindex();
		assert.deepEqual(reopened.listVersions(), before, 'and by an explicit reindex');
		reopened.close();
	});

	test('a garbage index.db is moved aside and rebuilt from the manifests', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		const before = ledger.listVersions();
		ledger.close();
		writeFileSync(join(ledger.cacheDir, 'index.db'), Buffer.alloc(8192, 0x5a));
		for (const suffix of ['-wal', '-shm']) rmSync(join(ledger.cacheDir, `index.db${suffix}`), { force: true });
		const reopened = Ledger.at(root);
		assert.deepEqual(reopened.listVersions(), before);
		assert.ok(readdirSync(ledger.cacheDir).some((f) => f.startsWith('index.db.corrupt-')));
		reopened.close();
	});

	test('manifests that arrive from outside (git pull) are picked up; removed ones disappear', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		const other = Ledger.at(root);
		assert.equal(other.listVersions('support-bot').length, 1);
		appendFileSync(join(root, 'prompts', 'system.md'), '\nNew rule.\n');
		await createSnapshot(ledger, { models: ['support-bot'] });
		other.sync();
		assert.equal(other.listVersions('support-bot').length, 2);
		rmSync(join(ledger.versionsDir, 'support-bot', `${ledger.resolve('support-bot', '2').digest}.yaml`), { force: true });
		other.sync();
		assert.deepEqual(other.listVersions('support-bot').map((v) => v.number), [1]);
		other.close();
		ledger.close();
	});

	test('metrics written by Python json.dump (bare NaN, Infinity) are parsed, not stored as an opaque file', async () => {
		const { root, ledger } = workspace();
		writeFile(root, 'eval/metrics.json', '{\n  "faithfulness": 0.91,\n  "snr": Infinity,\n  "eval_loss": NaN\n}\n');
		const { created, warnings } = await createSnapshot(ledger, { models: ['support-bot'] });
		assert.deepEqual(warnings.filter((w) => w.includes('eval/metrics.json')), []);
		const metrics = ledger.show('support-bot', created[0].digest).manifest.metrics['eval/metrics.json'];
		assert.deepEqual({ ...metrics }, { faithfulness: 0.91, snr: 'Infinity', eval_loss: 'NaN' });
	});

	test('refs resolve by number, label, alias, latest and digest prefix; unknown refs say what exists', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		appendFileSync(join(root, 'prompts', 'system.md'), '\nv2\n');
		await createSnapshot(ledger, { models: ['support-bot'], bump: 'minor' });
		const v2 = ledger.resolve('support-bot', 'latest');
		assert.equal(v2.label, '0.2.0');
		assert.equal(ledger.resolve('support-bot', 'v1').number, 1);
		assert.equal(ledger.resolve('support-bot', '0.2.0').digest, v2.digest);
		assert.equal(ledger.resolve('support-bot', v2.digest.slice(0, 8)).number, 2);
		ledger.setAlias('support-bot', '1', 'staging', { name: 'Ana' });
		assert.equal(ledger.resolve('support-bot', 'staging').number, 1);
		assert.deepEqual(ledger.resolve('support-bot', '1').aliases, ['staging']);
		assert.throws(() => ledger.resolve('support-bot', 'v9'), (err: unknown) => err instanceof LedgerError && /v1…v2/.test(err.fix ?? ''));
		assert.throws(() => ledger.resolve('nope', 'latest'), LedgerError);
		ledger.close();
	});

	test('two branches that both made v2 are told apart by digest', async () => {
		const { root, ledger } = workspace();
		await createSnapshot(ledger, { models: ['support-bot'] });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'v1');
		git(root, 'checkout', '-q', '-b', 'experiment');
		appendFileSync(join(root, 'prompts', 'system.md'), '\nexperiment\n');
		await createSnapshot(ledger, { models: ['support-bot'] });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'experiment v2');
		git(root, 'checkout', '-q', 'main');
		appendFileSync(join(root, 'prompts', 'answer.md'), '\nmain\n');
		await createSnapshot(ledger, { models: ['support-bot'] });
		git(root, 'add', '-A');
		git(root, 'commit', '-q', '-m', 'main v2');
		git(root, 'merge', '-q', '--no-edit', '-X', 'theirs', 'experiment');
		ledger.sync();
		const twos = ledger.listVersions('support-bot').filter((v) => v.number === 2);
		assert.equal(twos.length, 2);
		assert.ok(twos.every((v) => v.numberShared));
		assert.throws(() => ledger.resolve('support-bot', '2'), (err: unknown) => err instanceof LedgerError && err.code === 'AMBIGUOUS_VERSION');
		assert.equal(ledger.resolve('support-bot', twos[0].digest.slice(0, 10)).digest, twos[0].digest);
		ledger.close();
	});
});

describe('concurrent snapshots', () => {
	test('processes racing on one model never reuse a version number', async () => {
		const { root } = workspace();
		const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
		const { spawn } = await import('node:child_process');
		const runs: Array<Promise<number>> = [];
		for (let i = 0; i < 4; i++) {
			// Each process sees a different set of prompt files, so most of them create a version.
			writeFile(root, `prompts/race-${i}.md`, `Prompt ${i} for {{user}}`);
			runs.push(
				new Promise((resolve) => {
					const child = spawn(process.execPath, [cli, 'snapshot', 'support-bot', '--json', '-C', root], { env: isolatedGitEnv(), stdio: 'ignore' });
					child.on('exit', (code) => resolve(code ?? 1));
				}),
			);
		}
		assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
		const ledger = Ledger.at(root);
		const numbers = ledger.listVersions('support-bot').map((v) => v.number).sort((a, b) => a - b);
		assert.ok(numbers.length >= 1);
		assert.deepEqual(numbers, numbers.map((_, i) => i + 1), `numbers ${numbers} are unique and gap-free`);
		ledger.close();
	});
});

describe('snapshot caches', () => {
	test('an unchanged re-snapshot answers from the index; a changed file is read again, unchanged ones keep their facts', async () => {
		const { root, ledger } = workspace();
		try {
			const v1 = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
			const again = await createSnapshot(ledger, { models: ['support-bot'] });
			assert.equal(again.created.length, 0);
			assert.equal(again.unchanged[0].matches.digest, v1.digest);
			const before = ledger.show('support-bot', 'latest').manifest;
			appendFileSync(join(root, 'prompts/system.md'), '\nAnswer in {{ language }}.\n');
			const v2 = (await createSnapshot(ledger, { models: ['support-bot'] })).created[0];
			const after = ledger.show('support-bot', String(v2.number)).manifest;
			assert.ok(after.prompts['prompts/system.md'].variables.includes('language'), 'the changed prompt was parsed again');
			assert.deepEqual(after.params, before.params, 'unchanged files keep what they said');
			assert.deepEqual(after.weights, before.weights);
		} finally {
			ledger.close();
		}
	});

	test('a content found clean is not trusted for new content: a secret added later is refused', async () => {
		const { root, ledger } = workspace();
		try {
			await createSnapshot(ledger, { models: ['support-bot'] });
			appendFileSync(join(root, 'prompts/system.md'), `\nkey: ghp_${'a1B2c3D4e5'.repeat(4)}\n`);
			await assert.rejects(createSnapshot(ledger, { models: ['support-bot'] }), (err: unknown) => err instanceof LedgerError && err.code === 'SECRET_FOUND');
			const allowed = await createSnapshot(ledger, { models: ['support-bot'], allowSecrets: true });
			assert.equal(allowed.created.length, 1);
			// Allowed once is not allowed forever: another change elsewhere re-scans the file with the secret.
			appendFileSync(join(root, 'config/rag.yaml'), '\n# tuned\n');
			await assert.rejects(createSnapshot(ledger, { models: ['support-bot'] }), (err: unknown) => err instanceof LedgerError && err.code === 'SECRET_FOUND');
		} finally {
			ledger.close();
		}
	});
});
