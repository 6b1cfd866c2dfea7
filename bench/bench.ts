// Benchmarks Model Ledger against the tools a user would otherwise reach for, side by side in one
// run: each case's contenders are interleaved (one repetition of each, in rotating order, before
// the next), after a warm-up, and the median of the repetitions is reported. Whole-process cases
// spawn `node dist/cli.js`, like a user's shell; in-process cases call src/core like the extension.
// Data is generated in a temp folder that is removed afterwards (unless --keep).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { collectGarbage } from '../src/core/store/gc';
import { keyHistory } from '../src/core/query/keyHistory';
import { Ledger } from '../src/core/ledger';
import { manifestDigest, serializeManifest } from '../src/core/store/manifest';
import type { VersionManifest } from '../src/core/model';
import { sha256Hex } from '../src/core/store/objectStore';
import { createSnapshot } from '../src/core/snapshot/snapshot';
import { usedBy } from '../src/core/query/usedBy';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '../src/core/remotes/awsSdk';
import { pullVersions, pushVersions } from '../src/core/remotes/remoteTransfer';
import S3rver from 's3rver';

const MiB = 1024 * 1024;
const REPO = resolve(__dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli.js');
const EXTENSION = join(REPO, 'dist', 'extension.js');

const { values: flags } = parseArgs({
	options: {
		quick: { type: 'boolean' },
		'big-mib': { type: 'string' },
		files: { type: 'string' },
		models: { type: 'string' },
		'versions-per-model': { type: 'string' },
		reps: { type: 'string' },
		'query-reps': { type: 'string' },
		only: { type: 'string' },
		refs: { type: 'string' },
		json: { type: 'string' },
		dir: { type: 'string' },
		keep: { type: 'boolean' },
		'no-lfs': { type: 'boolean' },
		help: { type: 'boolean', short: 'h' },
	},
});

if (flags.help) {
	process.stdout.write(`npm run bench -- [options]
  --quick                  small sizes (under a minute): 128 MiB weights, 500 files, 2,000 versions
  --big-mib N              size of the weights file (default 2048)
  --files N                number of small files (default 2000)
  --models N --versions-per-model N   index size (default 10 × 1000 = 10,000 versions, 100k file rows)
  --reps N                 timed repetitions per contender (default 5, after one warm-up)
  --query-reps N           samples per index query for p50/p99 (default 500)
  --only a,b               groups: big, remote, small, resnap, index, huge, status, gcrefs, activation, bundle
  --refs N                 git refs for the gcrefs case (default 1000)
  --json FILE              also write the results as JSON
  --dir DIR                where to generate data (default: the OS temp folder)
  --keep                   keep the generated data
  --no-lfs                 skip the git-lfs baseline
`);
	process.exit(0);
}

const quick = flags.quick === true;
const size = {
	bigMiB: Number(flags['big-mib'] ?? (quick ? 128 : 2048)),
	files: Number(flags.files ?? (quick ? 500 : 2000)),
	models: Number(flags.models ?? (quick ? 4 : 10)),
	versionsPerModel: Number(flags['versions-per-model'] ?? (quick ? 500 : 1000)),
	reps: Math.max(5, Number(flags.reps ?? 5)),
	queryReps: Number(flags['query-reps'] ?? (quick ? 200 : 500)),
	refs: Number(flags.refs ?? 1000),
};
const groups = new Set((flags.only ?? 'big,remote,small,resnap,index,huge,status,gcrefs,activation,bundle').split(','));

// --- results --------------------------------------------------------------------------------------

interface Measure {
	/** Median (or the single value for sizes), in ms or bytes. */
	value: number;
	unit: 'ms' | 'bytes';
	p50?: number;
	p99?: number;
	samples?: number[];
}

interface Row {
	case: string;
	ours: Measure;
	baseline?: { name: string } & Measure;
	/** ours / baseline. */
	ratio?: number;
	goal: string;
	pass?: boolean;
	note?: string;
}

const rows: Row[] = [];
const notes: string[] = [];

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function percentile(xs: number[], p: number): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function ms(samples: number[]): Measure {
	return { value: median(samples), unit: 'ms', samples: samples.map((x) => Math.round(x * 1000) / 1000) };
}

function now(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

interface Contender {
	name: string;
	/** Runs before each repetition, untimed. */
	setup?: () => void | Promise<void>;
	run: () => void | Promise<void>;
}

/** One warm-up round, then `reps` rounds; each round runs every contender once, starting with a different one. */
async function interleaved(label: string, contenders: Contender[], reps = size.reps): Promise<Map<string, number[]>> {
	const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
	for (let round = 0; round <= reps; round++) {
		for (let k = 0; k < contenders.length; k++) {
			const c = contenders[(round + k) % contenders.length];
			await c.setup?.();
			const t0 = now();
			await c.run();
			const t = now() - t0;
			if (round > 0) samples.get(c.name)!.push(t);
		}
		process.stderr.write(`  ${label}: round ${round}/${reps}${round === 0 ? ' (warm-up)' : ''}\n`);
	}
	return samples;
}

/** Runs a command; its wall time includes process start-up, as a user's shell would see it. */
function proc(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): void {
	const r = spawnSync(cmd, args, { cwd, env: env ? { ...process.env, ...env } : process.env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MiB });
	if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr?.toString().slice(0, 2000)}`);
}

/** Flushes dirty pages before a repetition, so one contender's writeback never lands in the next one's time. */
function syncDisk(): void {
	execFileSync('sync');
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };
function git(cwd: string, ...args: string[]): void {
	proc('git', ['-c', 'init.defaultBranch=main', '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], cwd, GIT_ENV);
}

function addRow(row: Row): void {
	rows.push(row);
	process.stderr.write(`  → ${row.case}: ${fmt(row.ours)}${row.baseline ? ` vs ${row.baseline.name} ${fmt(row.baseline)}` : ''}\n`);
}

// --- data -----------------------------------------------------------------------------------------

/** Deterministic PRNG (mulberry32): the same sizes and words on every run. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const WORDS = 'the a answer user question context retrieve document policy refund order account shipping support agent tone concise cite source step reason customer product billing escalate summary'.split(' ');

/** A .safetensors file of `mib` MiB: a valid header naming one F32 tensor, then random bytes. */
function writeWeights(path: string, mib: number): void {
	const total = mib * MiB;
	const headerLen = 256;
	const dataLen = total - 8 - headerLen;
	const header = JSON.stringify({ __metadata__: { format: 'pt' }, 'model.weight': { dtype: 'F32', shape: [dataLen / 4], data_offsets: [0, dataLen] } }).padEnd(headerLen, ' ');
	const fd = openSync(path, 'w');
	try {
		const head = Buffer.alloc(8 + headerLen);
		head.writeBigUInt64LE(BigInt(headerLen), 0);
		head.write(header, 8, 'utf8');
		writeSync(fd, head);
		const chunk = Buffer.allocUnsafe(16 * MiB);
		for (let left = dataLen; left > 0; left -= chunk.length) {
			randomFillSync(chunk);
			writeSync(fd, chunk, 0, Math.min(left, chunk.length));
		}
	} finally {
		closeSync(fd);
	}
}

/** `count` files of 1–20 KB: prompts (Markdown with template variables) and a few YAML configs. */
function writeSmallFiles(root: string, count: number): string[] {
	const rand = prng(42);
	const paths: string[] = [];
	const configs = Math.max(1, Math.round(count / 100));
	for (let i = 0; i < count; i++) {
		const isConfig = i < configs;
		const rel = isConfig ? `config/c${i}.yaml` : `prompts/g${String(i % 40).padStart(2, '0')}/p${i}.md`;
		const target = 1024 + Math.floor(rand() * 19 * 1024);
		const parts: string[] = [];
		let length = 0;
		if (isConfig) {
			for (let k = 0; length < target; k++) {
				const line = `section_${k}:\n  chunk_size: ${Math.floor(rand() * 2048)}\n  top_k: ${Math.floor(rand() * 20)}\n  model: ${WORDS[Math.floor(rand() * WORDS.length)]}\n`;
				parts.push(line);
				length += line.length;
			}
		} else {
			parts.push(`# Prompt ${i}\n\n`);
			while (length < target) {
				const word = rand() < 0.003 ? `{{ ${WORDS[Math.floor(rand() * WORDS.length)]}_${Math.floor(rand() * 5)} }}` : WORDS[Math.floor(rand() * WORDS.length)];
				parts.push(word, rand() < 0.08 ? '\n' : ' ');
				length += word.length + 1;
			}
		}
		const abs = join(root, rel);
		mkdirSync(dirname(abs), { recursive: true });
		writeFileSync(abs, parts.join(''));
		paths.push(rel);
	}
	return paths;
}

function copyTree(from: string, to: string): void {
	mkdirSync(to, { recursive: true });
	proc('cp', ['-r', `${from}/.`, to], REPO);
}

// --- cases ----------------------------------------------------------------------------------------

function cli(ws: string, ...args: string[]): () => void {
	return () => proc(process.execPath, [CLI, ...args], ws);
}

async function benchBig(dir: string): Promise<void> {
	const data = join(dir, 'data');
	mkdirSync(data, { recursive: true });
	const weights = join(data, 'model.safetensors');
	process.stderr.write(`generating ${size.bigMiB} MiB weights…\n`);
	writeWeights(weights, size.bigMiB);
	const ws = join(dir, 'ws-big');
	mkdirSync(ws, { recursive: true });
	linkSync(weights, join(ws, 'model.safetensors'));
	writeFileSync(join(ws, 'model-ledger.yaml'), 'models:\n  big:\n    weights: model.safetensors\n');
	writeFileSync(join(ws, '.gitignore'), '*.safetensors\n');
	git(ws, 'init', '-q');
	git(ws, 'add', '.');
	git(ws, 'commit', '-qm', 'init');
	const copy = join(dir, 'copy.safetensors');
	const lfsRepo = join(dir, 'lfs-repo');
	const hasLfs = !flags['no-lfs'] && ensureGitLfs();

	const contenders: Contender[] = [
		{
			name: 'model-ledger snapshot',
			setup: () => {
				rmSync(join(ws, '.model-ledger'), { recursive: true, force: true });
				syncDisk();
			},
			run: cli(ws, 'snapshot', '-m', 'bench'),
		},
		{
			name: 'cp',
			setup: () => {
				rmSync(copy, { force: true });
				syncDisk();
			},
			run: () => proc('cp', [weights, copy], dir),
		},
		{ name: 'openssl dgst -sha256', setup: syncDisk, run: () => proc('openssl', ['dgst', '-sha256', weights], dir) },
		{
			// A copy that is on the disk when it returns, as a snapshot's objects are (cp leaves it in the page cache).
			name: 'dd conv=fsync (durable copy)',
			setup: () => {
				rmSync(copy, { force: true });
				syncDisk();
			},
			run: () => proc('dd', [`if=${weights}`, `of=${copy}`, 'bs=4M', 'conv=fsync', 'status=none'], dir),
		},
	];
	if (hasLfs) {
		contenders.push({
			name: 'git add (git-lfs)',
			setup: () => {
				rmSync(lfsRepo, { recursive: true, force: true });
				mkdirSync(lfsRepo);
				git(lfsRepo, 'init', '-q');
				git(lfsRepo, 'lfs', 'install', '--local');
				git(lfsRepo, 'lfs', 'track', '*.safetensors');
				linkSync(weights, join(lfsRepo, 'model.safetensors'));
				syncDisk();
			},
			run: () => git(lfsRepo, 'add', 'model.safetensors'),
		});
	}
	const s = await interleaved(`first snapshot ${size.bigMiB} MiB`, contenders);
	const ours = ms(s.get('model-ledger snapshot')!);
	const label = `first snapshot, one ${gib(size.bigMiB)} weights file (whole process)`;
	const vs = (name: string, goal: string, limit?: (ratio: number) => boolean) => {
		const baseline = { name, ...ms(s.get(name)!) };
		const ratio = ours.value / baseline.value;
		addRow({ case: label, ours, baseline, ratio, goal, pass: limit ? limit(ratio) : undefined });
	};
	// cp ends in the page cache and a snapshot must be durable: the goal is the durable copy (dd conv=fsync),
	// the slower of hashing and writing when the two overlap; cp and openssl are shown for reference.
	vs('dd conv=fsync (durable copy)', '≤ 1.10× the durable copy', (r) => r <= 1.1);
	vs('openssl dgst -sha256', '— (hash only)');
	vs('cp', '— (page cache, not durable)');
	if (hasLfs) vs('git add (git-lfs)', '≥ 4.5× faster (≤ 0.22×)', (r) => r <= 1 / 4.5);
	rmSync(copy, { force: true });
	rmSync(lfsRepo, { recursive: true, force: true });
}

/**
 * Push and pull of one big weights object, in-process through the core (pushVersions/pullVersions,
 * as the extension and the CLI call them), against an S3-compatible server (s3rver, started here on
 * 127.0.0.1 with a folder under the bench folder) and a file:// shared folder, each side by side with
 * `cp` of the same file. Pushes go to a location emptied before each repetition; pulls come from a
 * location seeded once, into a fresh store (no cache/) each repetition, sha256-checked as they land.
 */
async function benchRemote(dir: string): Promise<void> {
	const weights = join(dir, 'data', 'model.safetensors');
	if (!existsSync(weights)) {
		mkdirSync(dirname(weights), { recursive: true });
		process.stderr.write(`generating ${size.bigMiB} MiB weights…\n`);
		writeWeights(weights, size.bigMiB);
	}
	const bigBytes = statSync(weights).size;
	const bucket = 'bench';
	const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
	const savedEnv = Object.fromEntries(Object.keys(credentials).map((k) => [k, process.env[k]]));
	const s3Dir = join(dir, 's3rver');
	const sharedDir = join(dir, 'shared-folder');
	const ws = join(dir, 'ws-remote');
	const fresh = join(dir, 'ws-remote-fresh');
	const copy = join(dir, 'copy-remote.safetensors');
	const ledgers: Ledger[] = [];
	let server: S3rver | undefined;
	let client: S3Client | undefined;
	try {
		// The SDK's default credential chain reads these, as it would a user's.
		Object.assign(process.env, credentials);
		mkdirSync(s3Dir, { recursive: true });
		// A shared folder is expected to exist (mounted); the remote's own subfolder is created on push.
		mkdirSync(sharedDir, { recursive: true });
		server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: bucket, configs: [] }] });
		const address = (await server.run()) as { address: string; port: number };
		if (address.address !== '127.0.0.1') throw new Error(`s3rver listens on ${address.address}, not loopback`);
		const endpoint = `http://127.0.0.1:${address.port}`;
		client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' });

		mkdirSync(ws, { recursive: true });
		linkSync(weights, join(ws, 'model.safetensors'));
		const s3 = (prefix: string) => `    url: s3://${bucket}/${prefix}\n    endpoint: ${endpoint}\n    forcePathStyle: true\n`;
		writeFileSync(
			join(ws, 'model-ledger.yaml'),
			'models:\n  big:\n    weights: model.safetensors\nremotes:\n' +
				`  s3-seeded:\n${s3('seeded')}  s3-push:\n${s3('push')}` +
				`  shared-seeded:\n    url: file://${sharedDir}/seeded\n  shared-push:\n    url: file://${sharedDir}/push\n` +
				'default_remote: s3-seeded\n',
		);
		writeFileSync(join(ws, '.gitignore'), '*.safetensors\n');
		git(ws, 'init', '-q');
		git(ws, 'add', '.');
		git(ws, 'commit', '-qm', 'init');
		const source = Ledger.at(ws);
		ledgers.push(source);
		process.stderr.write('snapshot and seeding the remotes (setup)…\n');
		await createSnapshot(source, { message: 'bench' });
		const versions = source.listVersions();
		const bigSha = source.readManifest(versions[0]).artifacts.find((a) => a.path === 'model.safetensors')?.sha256;
		if (!bigSha) throw new Error('the snapshot has no model.safetensors');
		for (const remote of ['s3-seeded', 'shared-seeded']) {
			const seeded = await pushVersions(source, versions, { remote });
			if (!seeded.uploaded.some((o) => o.sha256 === bigSha)) throw new Error(`seeding ${remote} did not upload the weights`);
		}

		// A teammate's clone: the same config and manifests, no cache/ (objects, index, listings).
		mkdirSync(fresh, { recursive: true });
		writeFileSync(join(fresh, 'model-ledger.yaml'), readFileSync(join(ws, 'model-ledger.yaml')));
		copyTree(join(ws, '.model-ledger', 'versions'), join(fresh, '.model-ledger', 'versions'));
		let target: Ledger | undefined;
		const freshStore = () => {
			target?.close();
			rmSync(join(fresh, '.model-ledger', 'cache'), { recursive: true, force: true });
			target = Ledger.at(fresh);
			void target.index;
			syncDisk();
		};
		const pull = (remote: string) => async () => {
			const report = await pullVersions(target!, target!.listVersions(), { remote });
			if (report.corrupt.length || report.notOnRemote.length || target!.store.sizeOf(bigSha) !== bigBytes) throw new Error(`pull from ${remote} did not land the weights whole`);
		};
		const push = (remote: string) => async () => {
			const report = await pushVersions(source, versions, { remote });
			if (!report.uploaded.some((o) => o.sha256 === bigSha && o.size === bigBytes)) throw new Error(`push to ${remote} did not upload the weights`);
		};
		const emptyS3Push = async () => {
			const listed = await client!.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'push/' }));
			for (const o of listed.Contents ?? []) await client!.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
			syncDisk();
		};
		const s = await interleaved(`remote push/pull ${size.bigMiB} MiB`, [
			{ name: 's3 push', setup: emptyS3Push, run: push('s3-push') },
			{ name: 's3 pull', setup: freshStore, run: pull('s3-seeded') },
			{
				name: 'file push',
				setup: () => {
					rmSync(join(sharedDir, 'push'), { recursive: true, force: true });
					syncDisk();
				},
				run: push('shared-push'),
			},
			{ name: 'file pull', setup: freshStore, run: pull('shared-seeded') },
			{
				name: 'cp',
				setup: () => {
					rmSync(copy, { force: true });
					syncDisk();
				},
				run: () => proc('cp', [weights, copy], dir),
			},
		]);
		target?.close();
		const baseline = { name: 'cp', ...ms(s.get('cp')!) };
		const big = gib(size.bigMiB);
		for (const [name, label] of [
			['s3 push', `remote push, one ${big} weights object to S3 (s3rver on 127.0.0.1; core pushVersions, in-process)`],
			['s3 pull', `remote pull of it from S3 into a fresh store, sha256-verified (s3rver on 127.0.0.1; core pullVersions, in-process)`],
			['file push', `remote push, one ${big} weights object to a file:// shared folder (core pushVersions, in-process)`],
			['file pull', `remote pull of it from a file:// shared folder into a fresh store, sha256-verified (core pullVersions, in-process)`],
		] as const) {
			const ours = ms(s.get(name)!);
			addRow({ case: label, ours, baseline, ratio: ours.value / baseline.value, goal: '—', note: `${(bigBytes / MiB / (ours.value / 1000)).toFixed(0)} MiB/s` });
		}
	} finally {
		ledgers.forEach((l) => l.close());
		client?.destroy();
		const running = server;
		if (running) await new Promise<void>((done) => running.close(() => done()));
		for (const [k, v] of Object.entries(savedEnv)) {
			if (v === undefined) delete process.env[k];
			else process.env[k] = v;
		}
		for (const p of [s3Dir, sharedDir, ws, fresh, copy]) rmSync(p, { recursive: true, force: true });
	}
}

function ensureGitLfs(): boolean {
	if (spawnSync('git', ['lfs', 'version']).status === 0) return true;
	if (process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0) {
		process.stderr.write('installing git-lfs with apt-get…\n');
		spawnSync('apt-get', ['install', '-y', '-q', 'git-lfs'], { stdio: 'ignore' });
		if (spawnSync('git', ['lfs', 'version']).status === 0) return true;
	}
	notes.push('git-lfs is not installed (and could not be installed with apt-get): its baseline was skipped. Install the `git-lfs` package to include it.');
	return false;
}

interface SmallWorkspace {
	ws: string;
	files: string[];
}

function smallWorkspace(dir: string, name: string, withWeights: string | undefined): SmallWorkspace {
	const ws = join(dir, name);
	mkdirSync(ws, { recursive: true });
	const source = join(dir, 'small-source');
	let files: string[];
	if (!existsSync(source)) {
		process.stderr.write(`generating ${size.files} small files…\n`);
		files = writeSmallFiles(source, size.files);
		writeFileSync(join(source, 'files.json'), JSON.stringify(files));
	} else {
		files = JSON.parse(readFileSync(join(source, 'files.json'), 'utf8')) as string[];
	}
	copyTree(join(source, 'prompts'), join(ws, 'prompts'));
	copyTree(join(source, 'config'), join(ws, 'config'));
	let config = 'models:\n  bot:\n    prompts: prompts/**/*.md\n    params: config/*.yaml\n';
	if (withWeights) {
		linkSync(withWeights, join(ws, 'model.safetensors'));
		config += '    weights: model.safetensors\n';
		files = [...files, 'model.safetensors'];
	}
	writeFileSync(join(ws, 'model-ledger.yaml'), config);
	writeFileSync(join(ws, '.gitignore'), '*.safetensors\n');
	git(ws, 'init', '-q');
	git(ws, 'add', '.');
	git(ws, 'commit', '-qm', 'init');
	return { ws, files };
}

async function benchSmall(dir: string): Promise<void> {
	const { ws } = smallWorkspace(dir, 'ws-small', undefined);
	const source = join(dir, 'small-source');
	const cpTarget = join(dir, 'cp-small');
	const gitRepo = join(dir, 'git-small');
	const s = await interleaved(`first snapshot ${size.files} files`, [
		{
			name: 'model-ledger snapshot',
			setup: () => {
				rmSync(join(ws, '.model-ledger'), { recursive: true, force: true });
				syncDisk();
			},
			run: cli(ws, 'snapshot', '-m', 'bench'),
		},
		{
			name: 'cp -r',
			setup: () => {
				rmSync(cpTarget, { recursive: true, force: true });
				mkdirSync(cpTarget);
				syncDisk();
			},
			run: () => proc('cp', ['-r', join(source, 'prompts'), join(source, 'config'), cpTarget], dir),
		},
		{
			name: 'git add',
			setup: () => {
				rmSync(gitRepo, { recursive: true, force: true });
				copyTree(join(source, 'prompts'), join(gitRepo, 'prompts'));
				copyTree(join(source, 'config'), join(gitRepo, 'config'));
				git(gitRepo, 'init', '-q');
				syncDisk();
			},
			run: () => git(gitRepo, 'add', 'prompts', 'config'),
		},
	]);
	const ours = ms(s.get('model-ledger snapshot')!);
	const label = `first snapshot, ${size.files.toLocaleString('en-US')} small files 1–20 KB (whole process)`;
	for (const [name, goal, limit] of [
		['git add', '≤ 1.00× git add', (r: number) => r <= 1.0],
		['cp -r', '—', undefined],
	] as const) {
		const baseline = { name, ...ms(s.get(name)!) };
		const ratio = ours.value / baseline.value;
		addRow({ case: label, ours, baseline, ratio, goal, pass: limit?.(ratio) });
	}
	rmSync(cpTarget, { recursive: true, force: true });
	rmSync(gitRepo, { recursive: true, force: true });
}

async function benchResnapshot(dir: string): Promise<void> {
	let weights = join(dir, 'data', 'model.safetensors');
	if (!existsSync(weights)) {
		mkdirSync(dirname(weights), { recursive: true });
		process.stderr.write(`generating ${size.bigMiB} MiB weights…\n`);
		writeWeights(weights, size.bigMiB);
	}
	const { ws, files } = smallWorkspace(dir, 'ws-all', weights);
	weights = join(ws, 'model.safetensors');
	const abs = files.map((f) => join(ws, f));
	// In-process means as the extension runs it: one Ledger kept open (WorkspaceLedgers). Opening one
	// (index.db, its integrity check, the sync with the manifests) is timed on its own row.
	const ledger = Ledger.at(ws);
	const snapshotInProcess = async () => {
		await createSnapshot(ledger, { message: 'bench' });
	};
	process.stderr.write('first snapshot of the combined workspace (setup)…\n');
	await snapshotInProcess();
	const versionsBefore = countVersions(ws);

	const s = await interleaved('unchanged re-snapshot', [
		{ name: 'snapshot', run: snapshotInProcess },
		{
			name: 'stat every file',
			run: () => {
				for (const p of abs) statSync(p, { bigint: true });
			},
		},
	]);
	if (countVersions(ws) !== versionsBefore) throw new Error('an unchanged re-snapshot created a version');
	const label = `re-snapshot, nothing changed (${gib(size.bigMiB)} + ${size.files.toLocaleString('en-US')} files, in-process)`;
	const ours = ms(s.get('snapshot')!);
	const floor = { name: 'stat of every file (floor)', ...ms(s.get('stat every file')!) };
	addRow({ case: label, ours, baseline: floor, ratio: ours.value / floor.value, goal: '< 100 ms', pass: ours.value < 100 });

	// One prompt edited between repetitions: each repetition creates one version.
	const growthBefore = indexFootprint(ledger);
	const prompt = join(ws, files.find((f) => f.endsWith('.md'))!);
	const original = readFileSync(prompt, 'utf8');
	let edit = 0;
	const changed = await interleaved('one prompt changed', [
		{
			name: 'snapshot',
			setup: () => writeFileSync(prompt, `${original}\nEdit ${++edit}: answer in {{ language }}.\n`),
			run: snapshotInProcess,
		},
	]);
	if (countVersions(ws) !== versionsBefore + size.reps + 1) throw new Error('a changed prompt did not create one version per repetition');
	addRow({
		case: `one prompt changed among ${size.files.toLocaleString('en-US')} files (+ ${gib(size.bigMiB)} weights, in-process)`,
		ours: ms(changed.get('snapshot')!),
		goal: '< 150 ms',
		pass: median(changed.get('snapshot')!) < 150,
	});
	const growth = indexFootprint(ledger);
	const made = size.reps + 1;
	addRow({
		case: `index.db growth per version, one prompt changed among ${size.files.toLocaleString('en-US')} files`,
		ours: { value: (growth.bytes - growthBefore.bytes) / made, unit: 'bytes' },
		goal: '—',
		note: `${Math.round((growth.rows - growthBefore.rows) / made).toLocaleString('en-US')} rows per version: the version row, a file span per changed file (unchanged files share the previous version's spans), value and variable rows only for new content`,
	});
	const opened = await interleaved('open a ledger', [
		{
			name: 'open',
			run: () => {
				const other = Ledger.at(ws);
				void other.index;
				other.close();
			},
		},
	]);
	addRow({ case: `open a ledger: index.db with its integrity check, sync with the manifests (${size.files.toLocaleString('en-US')} files, ${countVersions(ws)} versions)`, ours: ms(opened.get('open')!), goal: '—' });
	ledger.close();
}

/**
 * A metrics file with 100,000 per-sample records (what eval tools write): each repetition changes its
 * summary and snapshots it in-process. Huge structured files keep their summary keys only, so the
 * snapshot and the index must not grow with the records.
 */
async function benchHugeMetrics(dir: string): Promise<void> {
	const ws = join(dir, 'ws-huge');
	mkdirSync(join(ws, 'eval'), { recursive: true });
	writeFileSync(join(ws, 'model-ledger.yaml'), 'models:\n  evals:\n    metrics: eval/results.json\n');
	const records = quick ? 20_000 : 100_000;
	const perSample = Array.from({ length: records }, (_, i) => ({ id: `q${i}`, pred: `answer ${i % 97}`, gold: `answer ${i % 89}`, correct: i % 97 === i % 89 }));
	let round = 0;
	const write = () => writeFileSync(join(ws, 'eval', 'results.json'), JSON.stringify({ accuracy: 0.8 + ++round / 1000, per_sample: perSample }));
	write();
	const ledger = Ledger.at(ws);
	try {
		const before = indexFootprint(ledger);
		const timed = await interleaved(`huge metrics file (${records} records)`, [{ name: 'snapshot', setup: write, run: async () => void (await createSnapshot(ledger, { message: 'bench' })) }]);
		const after = indexFootprint(ledger);
		const made = countVersions(ws);
		const bytes = statSync(join(ws, 'eval', 'results.json')).size;
		addRow({
			case: `snapshot of a changed ${(bytes / 1e6).toFixed(1)} MB metrics file with ${records.toLocaleString('en-US')} per-sample records (in-process)`,
			ours: ms(timed.get('snapshot')!),
			goal: '< 1 s',
			pass: median(timed.get('snapshot')!) < 1000,
		});
		addRow({
			case: `index.db growth per version of that metrics file`,
			ours: { value: (after.bytes - before.bytes) / made, unit: 'bytes' },
			goal: '< 1 MB',
			pass: (after.bytes - before.bytes) / made < 1e6,
			note: `${Math.round((after.rows - before.rows) / made).toLocaleString('en-US')} rows per version`,
		});
	} finally {
		ledger.close();
	}
}

/**
 * `status` and `show` of a small model beside a model whose manifest is megabytes (issue 18 item 6):
 * 30 configs of ~9,800 keys each (under the huge-file rule, so every key is recorded). The baseline is
 * the same commands in a workspace holding only the small model, so the ratio is what the big one costs.
 */
async function benchStatusBigManifest(dir: string): Promise<void> {
	const configs = quick ? 6 : 30;
	const make = (name: string, withBig: boolean): string => {
		const ws = join(dir, name);
		mkdirSync(join(ws, 'small'), { recursive: true });
		writeFileSync(join(ws, 'small', 'params.yaml'), 'lr: 0.1\nepochs: 3\n');
		writeFileSync(join(ws, 'small', 'prompt.md'), 'Answer {{question}} from {{context}}.\n');
		let config = 'models:\n  small:\n    params: small/params.yaml\n    prompts: small/prompt.md\n';
		if (withBig) {
			mkdirSync(join(ws, 'big'), { recursive: true });
			for (let f = 0; f < configs; f++) {
				const layers: Record<string, { lr: number; name: string }> = {};
				for (let i = 0; i < 4_900; i++) layers[`layer_${i}`] = { lr: 0.001 * i, name: `n${i}_${f}` };
				writeFileSync(join(ws, 'big', `cfg${f}.json`), JSON.stringify(layers));
			}
			config += '  big:\n    params: big/*.json\n';
		}
		writeFileSync(join(ws, 'model-ledger.yaml'), config);
		git(ws, 'init', '-q');
		git(ws, 'add', '.');
		git(ws, 'commit', '-qm', 'init');
		proc(process.execPath, [CLI, 'snapshot', '-m', 'bench'], ws);
		return ws;
	};
	const withBig = make('ws-status-big', true);
	const alone = make('ws-status-small', false);
	const manifests = join(withBig, '.model-ledger', 'versions', 'big');
	const bytes = readdirSync(manifests).reduce((sum, f) => sum + statSync(join(manifests, f)).size, 0);
	const t = await interleaved('status/show beside a big manifest', [
		{ name: 'status, big', run: cli(withBig, 'status') },
		{ name: 'status, alone', run: cli(alone, 'status') },
		{ name: 'show small, big', run: cli(withBig, 'show', 'small') },
		{ name: 'show small, alone', run: cli(alone, 'show', 'small') },
	]);
	for (const [what, ours, baseline] of [
		['status (all models)', 'status, big', 'status, alone'],
		['show small', 'show small, big', 'show small, alone'],
	] as const) {
		const o = ms(t.get(ours)!);
		const b = { name: `${what} without the big model`, ...ms(t.get(baseline)!) };
		const ratio = o.value / b.value;
		addRow({ case: `${what}, another model's manifest ${(bytes / 1e6).toFixed(1)} MB (whole process)`, ours: o, baseline: b, ratio, goal: '≤ 1.50×', pass: ratio <= 1.5 });
	}
}

/** index.db's size as the open connection sees it (pages in the WAL included) and its version rows. */
function indexFootprint(ledger: Ledger): { bytes: number; rows: number } {
	const index = ledger.index;
	const pages = index.readStatement('PRAGMA page_count').pluck().get() as number;
	const pageSize = index.readStatement('PRAGMA page_size').pluck().get() as number;
	let rows = 0;
	for (const table of ['versions', 'file_spans', 'content_values', 'content_variables', 'content_indexed']) {
		rows += index.readStatement(`SELECT count(*) FROM ${table}`).pluck().get() as number;
	}
	return { bytes: pages * pageSize, rows };
}

function countVersions(ws: string): number {
	const ledger = Ledger.at(ws);
	try {
		return ledger.listVersions().length;
	} finally {
		ledger.close();
	}
}

// --- index at scale -------------------------------------------------------------------------------

const PROMPTS_PER_VERSION = 6;

/** Content of a file at a given "content version": real bytes, so hovers can hash the working copy. */
function contentOf(path: string, cv: number): string {
	return `# ${path}\ncontent version ${cv}\nAnswer the {{ question }} using {{ context }}.\n`;
}

/**
 * Writes models × versions manifests with the real serializer (digests are real): each version holds
 * 6 prompts, a per-model train.yaml, a config/shared.yaml that every model uses, metrics and an
 * adapter: 10 file rows per version. Files change at different rates, as they do in practice.
 */
function writeManifests(ws: string): { sharedKey: string; localPrompt: string } {
	const rand = prng(7);
	const base = Date.parse('2025-01-01T00:00:00Z');
	let config = 'models:\n';
	for (let m = 0; m < size.models; m++) {
		const model = `m${m}`;
		config += `  ${model}:\n    prompts: ${model}/prompts/*.md\n    params:\n      - ${model}/config/train.yaml\n      - config/shared.yaml\n    metrics: ${model}/eval/metrics.json\n    weights: ${model}/weights/*.safetensors\n`;
		mkdirSync(join(ws, '.model-ledger', 'versions', model), { recursive: true });
		let parent: string | undefined;
		for (let v = 1; v <= size.versionsPerModel; v++) {
			const artifacts: VersionManifest['artifacts'] = [];
			const add = (path: string, role: VersionManifest['artifacts'][number]['role'], cv: number) => {
				const text = contentOf(path, cv);
				artifacts.push({ path, role, sha256: sha256Hex(text), size: text.length, mode: 0o644 });
			};
			const prompts: VersionManifest['prompts'] = {};
			for (let p = 0; p < PROMPTS_PER_VERSION; p++) {
				const path = `${model}/prompts/p${p}.md`;
				add(path, 'prompt', Math.floor(v / (3 + 2 * p)));
				prompts[path] = { variables: ['question', 'context', ...(Math.floor(v / (3 + 2 * p)) % 3 === 0 ? ['language'] : [])] };
			}
			add(`${model}/config/train.yaml`, 'params', Math.floor(v / 5));
			add('config/shared.yaml', 'params', Math.floor(v / 10));
			add(`${model}/eval/metrics.json`, 'metrics', v);
			add(`${model}/weights/adapter.safetensors`, 'weights', Math.floor(v / 4));
			const train: Record<string, number | string> = {};
			for (let k = 0; k < 15; k++) train[`train.k${k}`] = Math.floor(v / (5 + k)) * 0.001;
			train['lora.r'] = 8 * (1 + (Math.floor(v / 50) % 4));
			const shared: Record<string, number | string> = { 'retriever.chunk_size': 256 * (1 + (Math.floor(v / 50) % 4)), 'retriever.top_k': 4 + (Math.floor(v / 100) % 5) };
			for (let k = 0; k < 18; k++) shared[`rag.k${k}`] = Math.floor(v / (10 + k));
			const manifest: VersionManifest = {
				schema: 1,
				model,
				number: v,
				label: `0.${v}.0`,
				versioning: 'semver',
				createdAt: new Date(base + (v * size.models + m) * 60_000).toISOString(),
				author: { name: 'bench', email: 'bench@example.invalid' },
				message: `version ${v}`,
				...(parent ? { parent } : {}),
				artifacts,
				params: { [`${model}/config/train.yaml`]: train, 'config/shared.yaml': shared },
				metrics: { [`${model}/eval/metrics.json`]: { accuracy: 0.7 + rand() * 0.2, 'latency_ms': 100 + rand() * 50, faithfulness: rand(), recall_at_5: rand(), cost_usd: rand() } },
				prompts,
				weights: { [`${model}/weights/adapter.safetensors`]: { tensors: { 'lora_A.weight': { dtype: 'F32', shape: [8, 512] }, 'lora_B.weight': { dtype: 'F32', shape: [512, 8] } } } },
				lockfiles: {},
				data: [],
				git: { commit: sha256Hex(`${model}${v}`).slice(0, 40), branch: 'main', remote: null, dirty: false },
			};
			const text = serializeManifest(manifest);
			const digest = manifestDigest(text);
			writeFileSync(join(ws, '.model-ledger', 'versions', model, `${digest}.yaml`), text);
			parent = digest;
		}
	}
	writeFileSync(join(ws, 'model-ledger.yaml'), config);
	// Working copies hold the latest content, so hovers find the current content in the newest versions.
	const last = size.versionsPerModel;
	const localPrompt = 'm0/prompts/p0.md';
	for (const [path, cv] of [
		[localPrompt, Math.floor(last / 3)],
		['config/shared.yaml', Math.floor(last / 10)],
	] as const) {
		mkdirSync(dirname(join(ws, path)), { recursive: true });
		writeFileSync(join(ws, path), contentOf(path, cv));
	}
	return { sharedKey: 'retriever.chunk_size', localPrompt };
}

async function benchIndex(dir: string): Promise<void> {
	const ws = join(dir, 'ws-index');
	mkdirSync(ws, { recursive: true });
	const total = size.models * size.versionsPerModel;
	process.stderr.write(`writing ${total.toLocaleString('en-US')} manifests…\n`);
	const t0 = now();
	const { sharedKey, localPrompt } = writeManifests(ws);
	process.stderr.write(`  (${((now() - t0) / 1000).toFixed(1)} s)\n`);
	const ledger = Ledger.at(ws);
	try {
		// Reindex: open once, then rebuild from scratch each repetition.
		void ledger.index;
		const rowCount = (ledger.index.readStatement('SELECT count(*) AS n FROM artifacts').get() as { n: number }).n;
		const reindex = await interleaved(`reindex ${total} manifests`, [{ name: 'reindex', run: () => void ledger.reindex() }]);
		addRow({ case: `reindex ${total.toLocaleString('en-US')} manifests`, ours: ms(reindex.get('reindex')!), goal: '< 2 s', pass: median(reindex.get('reindex')!) < 2000 });
		const footprint = indexFootprint(ledger);
		addRow({
			case: `index.db after ${total.toLocaleString('en-US')} versions (${rowCount.toLocaleString('en-US')} file-version rows)`,
			ours: { value: footprint.bytes, unit: 'bytes' },
			goal: '—',
			note: `${footprint.rows.toLocaleString('en-US')} rows`,
		});

		// The tree's data path (RegistryTreeModel.listing): each model's versions plus its events (for tags).
		const models = ledger.config.models.map((m) => m.name);
		const list = await interleaved(`list ${total} versions`, [
			{
				name: 'list',
				run: () => {
					let n = 0;
					for (const model of models) {
						n += ledger.listVersions(model).length;
						ledger.index.events(model);
					}
					if (n !== total) throw new Error(`listed ${n} versions, expected ${total}`);
				},
			},
		]);
		addRow({ case: `list ${total.toLocaleString('en-US')} versions for the tree`, ours: ms(list.get('list')!), goal: '< 25 ms', pass: median(list.get('list')!) < 25 });

		// Hover queries remember results until index.db changes. Two kinds of change between samples: a
		// write that adds no version (the stat cache, an alias, events: what is derived from the versions
		// alone is kept), and a new version of m0 holding both files (inserted, then removed the next
		// time), as after a snapshot: the paths' timelines are read again.
		let generation = 0;
		const touchIndex = () =>
			ledger.index.batch(() => ledger.index.rememberHash('.bench-generation', { dev: 0n, ino: 0n, size: BigInt(++generation), mtimeNs: 0n }, '0'.repeat(64)));
		const newest = ledger.listVersions('m0')[0];
		const extra = { ...ledger.readManifest(newest), number: newest.number + 1, parent: newest.digest, createdAt: new Date(Date.parse(newest.createdAt) + 1000).toISOString() };
		const extraDigest = 'f'.repeat(64);
		let inserted = false;
		const toggleVersion = () =>
			ledger.index.batch(() => {
				if (inserted) ledger.index.deleteVersion(extraDigest);
				else ledger.index.insertVersion(extraDigest, extra);
				inserted = !inserted;
			});
		type Cold = 'index' | 'version' | false;
		const queryCase = (name: string, goalMs: number, fn: () => unknown, cold: Cold) => {
			for (let i = 0; i < 20; i++) fn();
			const samples: number[] = [];
			for (let i = 0; i < size.queryReps; i++) {
				if (cold === 'index') touchIndex();
				if (cold === 'version') toggleVersion();
				const t = now();
				fn();
				samples.push(now() - t);
			}
			if (inserted) toggleVersion();
			const p50 = percentile(samples, 50);
			const p99 = percentile(samples, 99);
			const label = `${name}, ${cold === 'index' ? 'first query after an index change (no new version)' : cold === 'version' ? 'first query after a new version' : 'repeated (memoized)'}`;
			addRow({ case: label, ours: { value: p99, unit: 'ms', p50, p99 }, goal: `p99 < ${goalMs} ms`, pass: p99 < goalMs });
		};
		const rowsLabel = `${rowCount.toLocaleString('en-US')} file-version rows`;
		const local = usedBy(ledger, localPrompt);
		if (local.current.length === 0 || local.history.length < 2) throw new Error('used-by found no versions for the working copy: the generated data is wrong');
		for (const cold of ['index', 'version', false] as const) {
			queryCase(`hover used-by, a prompt in ${size.versionsPerModel.toLocaleString('en-US')} versions (${rowsLabel})`, 5, () => usedBy(ledger, localPrompt), cold);
			queryCase(`hover used-by, a shared config in all ${total.toLocaleString('en-US')} versions (${rowsLabel})`, 5, () => usedBy(ledger, 'config/shared.yaml'), cold);
		}
		const history = keyHistory(ledger, 'config/shared.yaml', sharedKey);
		if (!history.found) throw new Error('key-history found no values: the generated data is wrong');
		const runs = history.models.reduce((n, m) => n + m.runs.length, 0);
		for (const cold of ['index', 'version', false] as const) {
			queryCase(`key-history, a shared key across ${total.toLocaleString('en-US')} versions (${runs} value runs)`, 10, () => keyHistory(ledger, 'config/shared.yaml', sharedKey), cold);
			queryCase(`key-history as a hover asks it (newest 6 changes' metrics), a shared key across ${total.toLocaleString('en-US')} versions`, 10, () => keyHistory(ledger, 'config/shared.yaml', sharedKey, { maxMetricChanges: 6 }), cold);
		}
	} finally {
		ledger.close();
	}
}

// --- gc across many refs ----------------------------------------------------------------------------

/**
 * A repository with `size.refs` branches (a real one had 1,054 refs): a base commit holding 50
 * manifests, and each branch one commit on top adding a manifest of its own, plus a stash. Built
 * with one `git fast-import`. gc's dry run reads the manifests of every ref; the baseline is how it
 * did before (one `git ls-tree` per ref), run here one after the other.
 */
async function benchGcRefs(dir: string): Promise<void> {
	const ws = join(dir, 'ws-gcrefs');
	mkdirSync(join(ws, '.model-ledger', 'versions', 'm0'), { recursive: true });
	writeFileSync(join(ws, 'model-ledger.yaml'), 'models:\n  m0:\n    prompts: prompts/*.md\n');
	git(ws, 'init', '-q');
	const manifestText = (n: number): string => {
		const text = `prompt ${n}\n`;
		return serializeManifest({
			schema: 1,
			model: 'm0',
			number: n,
			label: `0.${n}.0`,
			versioning: 'semver',
			createdAt: new Date(Date.parse('2025-01-01T00:00:00Z') + n * 60_000).toISOString(),
			author: { name: 'bench', email: 'bench@example.invalid' },
			message: `version ${n}`,
			artifacts: [{ path: 'prompts/p.md', role: 'prompt', sha256: sha256Hex(text), size: text.length, mode: 0o644 }],
			params: {},
			metrics: {},
			prompts: { 'prompts/p.md': { variables: [] } },
			weights: {},
			lockfiles: {},
			data: [],
			git: { commit: null, branch: null, remote: null, dirty: false },
		});
	};
	const blob = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
	const path = (text: string) => `.model-ledger/versions/m0/${manifestDigest(text)}.yaml`;
	const lines: string[] = [];
	let mark = 0;
	const who = 'bench <bench@example.invalid> 1735689600 +0000';
	lines.push(`commit refs/heads/main\nmark :${++mark}\ncommitter ${who}\n${blob('base')}`);
	lines.push(`M 100644 inline model-ledger.yaml\n${blob('models:\n  m0:\n    prompts: prompts/*.md\n')}`);
	for (let n = 1; n <= 50; n++) lines.push(`M 100644 inline ${path(manifestText(n))}\n${blob(manifestText(n))}`);
	const base = mark;
	for (let r = 0; r < size.refs; r++) {
		const text = manifestText(100 + r);
		lines.push(`commit refs/heads/b${String(r).padStart(5, '0')}\nmark :${++mark}\ncommitter ${who}\n${blob(`branch ${r}`)}from :${base}\nM 100644 inline ${path(text)}\n${blob(text)}`);
	}
	execFileSync('git', ['fast-import', '--quiet'], { cwd: ws, input: lines.join(''), maxBuffer: 64 * MiB });
	git(ws, 'checkout', '-q', '-f', 'main');
	// A stash holding one more version (gc reads each stash entry too).
	const stashed = manifestText(99);
	writeFileSync(join(ws, path(stashed)), stashed);
	git(ws, 'stash', 'push', '-q', '-u');
	// Some objects in the store, half referenced.
	const ledger = Ledger.at(ws);
	try {
		for (let n = 1; n <= 200; n++) await ledger.store.storeBuffer(Buffer.from(`prompt ${n}\n`));
		const refs = execFileSync('git', ['for-each-ref', '--format=%(refname)'], { cwd: ws, encoding: 'utf8' }).split('\n').filter(Boolean);
		let report: Awaited<ReturnType<typeof collectGarbage>> | undefined;
		const s = await interleaved(`gc dry run, ${refs.length} refs`, [
			{ name: 'gc', run: async () => void (report = await collectGarbage(ledger, { dryRun: true })) },
			{
				name: 'ls-tree per ref',
				run: () => {
					for (const ref of refs) proc('git', ['ls-tree', '-r', '--full-tree', `${ref}^{tree}`, '--', '.model-ledger/versions'], ws);
				},
			},
		]);
		if (!report || report.incomplete.length || report.manifestsRead.git < size.refs + 50) throw new Error(`gc read ${report?.manifestsRead.git} manifests from git (${report?.incomplete.join('; ')}): the generated data is wrong`);
		const ours = ms(s.get('gc')!);
		const baseline = { name: 'one git ls-tree per ref (gc before)', ...ms(s.get('ls-tree per ref')!) };
		addRow({
			case: `gc dry run, ${refs.length.toLocaleString('en-US')} refs + a stash, ${report.manifestsRead.git.toLocaleString('en-US')} manifests in git (${report.gitProcesses} git processes)`,
			ours,
			baseline,
			ratio: ours.value / baseline.value,
			goal: '< 2 s',
			pass: ours.value < 2000,
		});
	} finally {
		ledger.close();
	}
}

// --- extension ------------------------------------------------------------------------------------

/**
 * The extension imports `vscode`, which only exists inside VS Code. For this timing only, a stub
 * module is injected through Module._resolveFilename: every property is a callable no-op proxy, and
 * there is no workspace folder (no registry is opened).
 */
const ACTIVATE_SCRIPT = `
const Module = require('module');
const t0 = process.hrtime.bigint();
const stubPath = require.resolve(${JSON.stringify(join(REPO, 'bench', 'vscodeStub.cjs'))});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? stubPath : resolve.call(this, request, ...rest); };
const ext = require(${JSON.stringify(EXTENSION)});
const context = { subscriptions: [], extensionPath: ${JSON.stringify(REPO)}, extensionUri: { fsPath: ${JSON.stringify(REPO)} }, globalState: { get() {}, update() { return Promise.resolve(); } }, workspaceState: { get() {}, update() { return Promise.resolve(); } }, storageUri: undefined, globalStorageUri: undefined, logUri: undefined, asAbsolutePath: (p) => require('path').join(${JSON.stringify(REPO)}, p) };
ext.activate(context);
const t1 = process.hrtime.bigint();
if (process.env.BENCH_ACTIVATE_REPORT) require('fs').writeFileSync(process.env.BENCH_ACTIVATE_REPORT, String(Number(t1 - t0) / 1e6));
`;

async function benchActivation(dir: string): Promise<void> {
	if (!existsSync(EXTENSION)) throw new Error(`${EXTENSION} is missing: run \`npm run bundle\` first`);
	const empty = join(dir, 'empty-folder');
	mkdirSync(empty, { recursive: true });
	const report = join(dir, 'activate.txt');
	const inProcess: number[] = [];
	const s = await interleaved('extension activation', [
		{
			name: 'activate',
			run: () => {
				proc(process.execPath, ['-e', ACTIVATE_SCRIPT], empty, { BENCH_ACTIVATE_REPORT: report });
				inProcess.push(Number(readFileSync(report, 'utf8')));
			},
		},
		{ name: 'node -e 0', run: () => proc(process.execPath, ['-e', '0'], empty) },
	], Math.max(size.reps, 10));
	const ours = ms(s.get('activate')!);
	const baseline = { name: 'node -e 0', ...ms(s.get('node -e 0')!) };
	const over = ours.value - baseline.value;
	addRow({
		case: 'extension activation: load dist/extension.js + activate, no registry (whole process, vscode stubbed)',
		ours,
		baseline,
		ratio: ours.value / baseline.value,
		goal: '< 30 ms over node -e 0',
		pass: over < 30,
		note: `${over.toFixed(1)} ms over the baseline; in-process load + activate median ${median(inProcess.slice(1)).toFixed(1)} ms`,
	});
}

function benchBundle(): void {
	const bytes = statSync(EXTENSION).size;
	addRow({ case: 'bundle size dist/extension.js (npm run bundle, unminified)', ours: { value: bytes, unit: 'bytes' }, goal: '< 1 MB', pass: bytes < 1_000_000 });
}

// --- output ---------------------------------------------------------------------------------------

function gib(mib: number): string {
	return mib >= 1024 ? `${(mib / 1024).toFixed(mib % 1024 ? 1 : 0)} GiB` : `${mib} MiB`;
}

function fmt(m: Measure): string {
	if (m.unit === 'bytes') return m.value >= 1e6 ? `${(m.value / 1e6).toFixed(2)} MB` : `${(m.value / 1e3).toFixed(1)} KB`;
	if (m.p99 !== undefined) return `p50 ${m.p50!.toFixed(2)} ms / p99 ${m.p99.toFixed(2)} ms`;
	return m.value >= 1000 ? `${(m.value / 1000).toFixed(2)} s` : `${m.value.toFixed(m.value < 10 ? 2 : 1)} ms`;
}

function ratioText(r: Row): string {
	if (r.ratio === undefined) return '—';
	return r.ratio < 1 ? `${r.ratio.toFixed(2)}× (${(1 / r.ratio).toFixed(1)}× faster)` : `${r.ratio.toFixed(2)}×`;
}

function table(): string {
	const lines = ['| case | ratio | ours | baseline | goal | result |', '|---|---|---|---|---|---|'];
	for (const r of rows) {
		const result = r.pass === undefined ? '—' : r.pass ? 'pass' : '**FAIL**';
		const baseline = r.baseline ? `${r.baseline.name}: ${fmt(r.baseline)}` : '—';
		lines.push(`| ${r.case} | ${ratioText(r)} | ${fmt(r.ours)} | ${baseline} | ${r.goal} | ${result}${r.note ? ` (${r.note})` : ''} |`);
	}
	return lines.join('\n');
}

function machine(): Record<string, string | number> {
	const fsType = spawnSync('stat', ['-f', '-c', '%T', workDir]).stdout?.toString().trim() ?? '?';
	return {
		cpu: cpus()[0]?.model ?? '?',
		cores: cpus().length,
		memoryGiB: Math.round(totalmem() / 2 ** 30),
		os: `${platform()} ${release()}`,
		node: process.version,
		filesystem: fsType,
	};
}

// --dir may name a folder that does not exist yet.
if (flags.dir) mkdirSync(flags.dir, { recursive: true });
const workDir = mkdtempSync(join(flags.dir ?? tmpdir(), 'model-ledger-bench-'));

async function main(): Promise<void> {
	if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run bundle\` first`);
	process.stderr.write(`bench data in ${workDir}\n`);
	const m = machine();
	const started = now();
	try {
		if (groups.has('big')) await benchBig(workDir);
		if (groups.has('remote')) await benchRemote(workDir);
		if (groups.has('resnap')) await benchResnapshot(workDir);
		if (groups.has('small')) await benchSmall(workDir);
		if (groups.has('index')) await benchIndex(workDir);
		if (groups.has('huge')) await benchHugeMetrics(workDir);
		if (groups.has('status')) await benchStatusBigManifest(workDir);
		if (groups.has('gcrefs')) await benchGcRefs(workDir);
		if (groups.has('activation')) await benchActivation(workDir);
		if (groups.has('bundle')) benchBundle();
	} finally {
		if (!flags.keep) rmSync(workDir, { recursive: true, force: true });
	}
	const header = `Model Ledger benchmarks — ${quick ? 'quick' : 'full'} mode, median of ${size.reps} interleaved repetitions after a warm-up (queries: ${size.queryReps} samples)\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.filesystem}, ${m.os}, Node ${m.node}. Ratio = ours / baseline.\n`;
	process.stdout.write(`\n${header}\n${table()}\n`);
	for (const n of notes) process.stdout.write(`\nNote: ${n}\n`);
	const failed = rows.filter((r) => r.pass === false).length;
	process.stdout.write(`\n${rows.filter((r) => r.pass).length} passed, ${failed} missed, in ${((now() - started) / 1000).toFixed(0)} s.\n`);
	if (flags.json) {
		writeFileSync(
			flags.json,
			JSON.stringify({ mode: quick ? 'quick' : 'full', date: new Date().toISOString(), machine: m, sizes: size, rows, notes }, null, 2) + '\n',
		);
	}
}

main().catch((err) => {
	process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
	process.exit(1);
});
