// Issue 16 item 8: a version records where and how it was made — the machine, `--meta key=value`,
// `--link URL`, and the duration/throughput the Hugging Face Trainer leaves in trainer_state.json /
// all_results.json — and `show`, the compare view's summary and the version tooltip say so. Real
// temp workspaces, the built CLI, real manifests.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { activePython, formatDuration, nvidiaGpus, parseLinks, parseMeta, runInfoLines } from '../../src/core/snapshot/runMetadata';
import { diffVersions } from '../../src/core/compare/versionDiff';
import { versionTooltip } from '../../src/extension/registry/versionText';
import { makeTempDir, removeDir, runCli, writeFile } from './fixtures';

// Shaped like what transformers' Trainer writes at the end of a run (log_history's last entry holds the totals).
const TRAINER_STATE = JSON.stringify({
	best_metric: null,
	epoch: 3.0,
	global_step: 1170,
	max_steps: 1170,
	num_train_epochs: 3,
	total_flos: 4.218e17,
	train_batch_size: 8,
	log_history: [
		{ epoch: 1.0, learning_rate: 1.8e-5, loss: 1.2043, step: 390 },
		{ epoch: 3.0, step: 1170, total_flos: 4.218e17, train_loss: 0.9871, train_runtime: 3725.61, train_samples_per_second: 20.11, train_steps_per_second: 0.314 },
	],
});
const ALL_RESULTS = JSON.stringify({ epoch: 3.0, eval_loss: 0.91, train_loss: 0.9871, train_runtime: 3725.61, train_samples: 24968, train_samples_per_second: 20.11 });

describe('issue 16 item 8: run metadata', () => {
	test('the environment is read from files, nothing is run: the NVIDIA driver lists the GPUs, the active env names its Python', () => {
		const root = makeTempDir('runenv');
		try {
			// As /proc/driver/nvidia/gpus/<bus>/information reads on a Linux machine with the driver.
			writeFile(root, 'gpus/0000:07:00.0/information', 'Model: \t\t NVIDIA A100-SXM4-80GB\nIRQ:   \t\t 150\nGPU UUID: \t GPU-1\n');
			writeFile(root, 'gpus/0000:0f:00.0/information', 'Model: \t\t NVIDIA H100 80GB HBM3\n');
			assert.deepEqual(nvidiaGpus(`${root}/gpus`), ['NVIDIA A100-SXM4-80GB', 'NVIDIA H100 80GB HBM3']);
			assert.deepEqual(nvidiaGpus(`${root}/no-driver`), []);
			writeFile(root, 'venv/pyvenv.cfg', 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n');
			writeFile(root, 'uv-venv/pyvenv.cfg', 'home = /opt/python/bin\nimplementation = CPython\nuv = 0.5.1\nversion_info = 3.12.4\n');
			writeFile(root, 'conda/conda-meta/python-3.10.14-h955ad1f_1.json', '{}');
			writeFile(root, 'conda/conda-meta/numpy-1.26.4-py310.json', '{}');
			assert.equal(activePython({ VIRTUAL_ENV: `${root}/venv` }), 'Python 3.11.7');
			assert.equal(activePython({ VIRTUAL_ENV: `${root}/uv-venv` }), 'Python 3.12.4');
			assert.equal(activePython({ CONDA_PREFIX: `${root}/conda` }), 'Python 3.10.14');
			assert.equal(activePython({}), undefined, 'no active environment: no guess from PATH');
		} finally {
			removeDir(root);
		}
	});

	const dir = makeTempDir('run-meta');
	after(() => removeDir(dir));
	writeFile(dir, 'model-ledger.yaml', 'models:\n  zephyr:\n    params: recipes/*.yaml\n    metrics: output/all_results.json\n    other: output/trainer_state.json\n');
	writeFile(dir, 'recipes/sft.yaml', 'learning_rate: 2.0e-05\nnum_train_epochs: 3\n');
	writeFile(dir, 'output/trainer_state.json', TRAINER_STATE);
	writeFile(dir, 'output/all_results.json', ALL_RESULTS);

	test('snapshot --meta/--link record the run; show prints the machine, the training totals, meta and links', () => {
		const token = `ghp_${'A1b2C3d4E5f6G7h8I9j0'.repeat(2).slice(0, 36)}`;
		const snap = runCli(dir, 'snapshot', '-m', 'sft run', '--meta', 'gpu_hours=12.5', '--meta', `note=pushed with ${token}`, '--link', 'https://user:s3cret@wandb.ai/team/zephyr/runs/abc123');
		assert.equal(snap.code, 0, snap.stderr);
		assert.match(snap.stderr, /--meta value or --link held a secret: it is recorded as \[redacted\]/);
		const show = runCli(dir, 'show', 'zephyr');
		assert.equal(show.code, 0, show.stderr);
		assert.match(show.stdout, new RegExp(`made on\\s+${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.*CPUs.*GiB.*Node ${process.version.replace(/\./g, '\\.')}\\)`));
		assert.match(show.stdout, /training\s+output\/trainer_state\.json: train_runtime 1 h 02 min, train_samples_per_second 20\.11, train_steps_per_second 0\.314, total_flos 421800000000000000, train_loss 0\.9871, epoch 3, global_step 1170, max_steps 1170, num_train_epochs 3, train_batch_size 8/);
		assert.match(show.stdout, /training\s+output\/all_results\.json: train_runtime 1 h 02 min, .*train_samples 24968/);
		assert.match(show.stdout, /meta\s+gpu_hours=12\.5/);
		assert.match(show.stdout, /link\s+https:\/\/wandb\.ai\/team\/zephyr\/runs\/abc123/);
		assert.doesNotMatch(show.stdout, /s3cret|ghp_/, 'no credential reaches the manifest');
		const json = JSON.parse(runCli(dir, 'show', 'zephyr', '--json').stdout) as { environment: { host: string; node: string; cpus: number }; meta: Record<string, string>; links: string[]; training: Record<string, Record<string, number>> };
		assert.equal(json.environment.host, hostname());
		assert.equal(json.environment.node, process.version);
		assert.ok(json.environment.cpus >= 1);
		assert.equal(json.meta.gpu_hours, '12.5');
		assert.match(json.meta.note, /\[redacted\]/);
		assert.deepEqual(json.links, ['https://wandb.ai/team/zephyr/runs/abc123']);
		assert.equal(json.training['output/trainer_state.json'].train_runtime, 3725.61);
	});

	test('the compare view summary and the version tooltip show the same rows', async () => {
		writeFile(dir, 'recipes/sft.yaml', 'learning_rate: 1.0e-05\nnum_train_epochs: 3\n');
		assert.equal(runCli(dir, 'snapshot', '-m', 'lower lr').code, 0);
		const ledger = Ledger.at(dir);
		try {
			const d = await diffVersions(ledger, 'zephyr', 'v1', 'v2');
			const rows = new Map((d.a.run ?? []).map(([k, v]) => [`${k} ${v.split(':')[0]}`, v]));
			assert.ok([...rows.keys()].some((k) => k.startsWith('made on')), JSON.stringify(d.a.run));
			assert.ok(d.a.run?.some(([k, v]) => k === 'link' && v === 'https://wandb.ai/team/zephyr/runs/abc123'));
			assert.ok(!d.b.run?.some(([k]) => k === 'link'), 'v2 was made without --link');
			const v1 = ledger.resolve('zephyr', 'v1');
			const md = versionTooltip(v1, [], new Date(), runInfoLines(ledger.readManifest(v1)));
			assert.match(md, /Made on: /);
			// The link stays clickable as an autolink showing its address; the rest is escaped text (issue 20.5).
			assert.match(md, /Link: <https:\/\/wandb\.ai\/team\/zephyr\/runs\/abc123>/);
			assert.match(md, /Training: output\\\/trainer\\_state\\\.json\\: train\\_runtime 1 h 02 min/);
		} finally {
			ledger.close();
		}
	});

	test('malformed --meta and --link are usage errors that name the value; nothing is created', () => {
		writeFile(dir, 'recipes/sft.yaml', 'learning_rate: 5.0e-06\n');
		const meta = runCli(dir, 'snapshot', '--meta', 'novalue');
		assert.equal(meta.code, 2, meta.stderr);
		assert.match(meta.stderr, /--meta "novalue": expected key=value/);
		const link = runCli(dir, 'snapshot', '--link', 'file:///etc/passwd');
		assert.equal(link.code, 2);
		assert.match(link.stderr, /only http\(s\) links are recorded/);
		assert.equal(JSON.parse(runCli(dir, 'list', 'zephyr', '--json').stdout).length, 2);
	});

	test('parsers and formats', () => {
		assert.deepEqual(parseMeta(['a=1', 'b.c=x=y', 'empty=']), { a: '1', 'b.c': 'x=y', empty: '' });
		assert.throws(() => parseMeta(['=1']), /expected key=value/);
		assert.throws(() => parseLinks(['not a url']), /not a URL/);
		assert.equal(formatDuration(3725.61), '1 h 02 min');
		assert.equal(formatDuration(245), '4 min 05 s');
		assert.equal(formatDuration(12.34), '12.3 s');
	});
});
