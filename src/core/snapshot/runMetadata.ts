// Where and how a version was made (issue 16 item 8): the machine (host, OS, CPU, memory, the NVIDIA
// GPUs the driver lists, the active Python environment's version, Node's), the user's own `--meta key=value` and
// `--link URL` (a W&B/MLflow run, a CI job), and the duration and throughput that Hugging Face's
// Trainer leaves in `trainer_state.json` / `all_results.json` / `train_results.json` when a model
// tracks them. Recorded in the manifest; shown by `show`, the compare view and the version tooltip.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, hostname, release, totalmem, type as osType, arch } from 'node:os';
import { redactText, withoutUrlCredentials } from '../secrets/secretLabels';
import { readBoundedFile } from '../store/boundedRead';

export interface RunEnvironment {
	host: string;
	os: string;
	cpu: string;
	cpus: number;
	/** Total memory in bytes. */
	memory: number;
	/** One entry per GPU the NVIDIA driver lists (`NVIDIA A100-SXM4-80GB`; Linux); absent without one. */
	gpus?: string[];
	/** `Python 3.11.9`: the active virtualenv's or conda environment's, when one is active. */
	python?: string;
	node: string;
}

/** What the manifest records about the run, all optional (older manifests have none of it). */
export interface RunInfo {
	environment?: RunEnvironment;
	meta?: Record<string, string>;
	links?: string[];
	/** Per training-output file: its duration/throughput keys (`train_runtime`, `total_flos`, …). */
	training?: Record<string, Record<string, number>>;
}

/** Files the Hugging Face Trainer writes, read for their summary keys. */
const TRAINING_FILES = /(^|\/)(trainer_state|all_results|train_results)\.json$/;

/** The keys that say how long and how fast a run was (and how far it got). */
const TRAINING_KEYS = [
	'train_runtime',
	'train_samples_per_second',
	'train_steps_per_second',
	'total_flos',
	'train_loss',
	'epoch',
	'global_step',
	'max_steps',
	'num_train_epochs',
	'train_batch_size',
	'train_samples',
] as const;

/** A trainer_state.json with a long log_history can be large; nothing bigger is parsed for this. */
const MAX_TRAINING_FILE_BYTES = 64 * 1024 * 1024;

let cachedEnvironment: RunEnvironment | undefined;

/**
 * The machine this process runs on, read once per process from the OS and files: nothing is run.
 * (Running `nvidia-smi` and `python3 --version` cost 0.3–3 s per snapshot under pyenv's shims, more
 * than the rest of a small snapshot.)
 */
export function runEnvironment(): RunEnvironment {
	if (cachedEnvironment) return cachedEnvironment;
	const cpuList = cpus();
	const env: RunEnvironment = {
		host: hostname(),
		os: `${osType()} ${release()} ${arch()}`,
		cpu: cpuList[0]?.model?.trim() || 'unknown',
		cpus: cpuList.length,
		memory: totalmem(),
		node: process.version,
	};
	const gpus = nvidiaGpus();
	if (gpus.length) env.gpus = gpus;
	const python = activePython(process.env);
	if (python) env.python = python;
	cachedEnvironment = env;
	return env;
}

/** The models of the GPUs the NVIDIA driver lists under /proc (Linux); none elsewhere or without the driver. */
export function nvidiaGpus(driverDir = '/proc/driver/nvidia/gpus'): string[] {
	let buses: string[];
	try {
		buses = readdirSync(driverDir).sort();
	} catch {
		return [];
	}
	const models: string[] = [];
	for (const bus of buses) {
		const model = /^Model:\s*(.+)$/m.exec(readSmall(join(driverDir, bus, 'information')) ?? '')?.[1]?.trim();
		if (model) models.push(model);
	}
	return models;
}

/**
 * `Python 3.11.7` of the active environment: a virtualenv's `pyvenv.cfg` (`VIRTUAL_ENV`, as
 * `activate` and uv set it) or a conda environment's `conda-meta/python-3.11.7-….json` (`CONDA_PREFIX`).
 */
export function activePython(env: NodeJS.ProcessEnv): string | undefined {
	if (env.VIRTUAL_ENV) {
		const cfg = readSmall(join(env.VIRTUAL_ENV, 'pyvenv.cfg')) ?? '';
		const version = /^\s*version(?:_info)?\s*=\s*(\d+\.\d+\.\d+)/m.exec(cfg)?.[1];
		if (version) return `Python ${version}`;
	}
	if (env.CONDA_PREFIX) {
		try {
			const meta = readdirSync(join(env.CONDA_PREFIX, 'conda-meta'));
			const version = meta.map((name) => /^python-(\d+\.\d+\.\d+)-.*\.json$/.exec(name)?.[1]).find(Boolean);
			if (version) return `Python ${version}`;
		} catch {
			// No conda-meta: not a conda environment after all.
		}
	}
	return undefined;
}

/** A small text file's contents (at most 64 KiB), or undefined when it cannot be read. */
function readSmall(path: string): string | undefined {
	try {
		return readFileSync(path, 'utf8').slice(0, 64 * 1024);
	} catch {
		return undefined;
	}
}

/** `key=value` pairs from `--meta` (repeatable); a malformed one is an error naming it. */
export function parseMeta(pairs: string[]): Record<string, string> {
	const meta: Record<string, string> = {};
	for (const pair of pairs) {
		const eq = pair.indexOf('=');
		const key = eq > 0 ? pair.slice(0, eq).trim() : '';
		if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) throw new Error(`--meta ${JSON.stringify(pair)}: expected key=value with a key of letters, digits, '_', '.' or '-' (e.g. --meta gpu_hours=12).`);
		meta[key] = pair.slice(eq + 1);
	}
	return meta;
}

/** `--link` values must be http(s) URLs (a run page, a CI job); credentials in them are dropped. */
export function parseLinks(links: string[]): string[] {
	return links.map((link) => {
		let url: URL;
		try {
			url = new URL(link);
		} catch {
			throw new Error(`--link ${JSON.stringify(link)}: not a URL. Give the run's page, e.g. --link https://wandb.ai/team/project/runs/abc123.`);
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--link ${JSON.stringify(link)}: only http(s) links are recorded.`);
		return withoutUrlCredentials(link) ?? link;
	});
}

/** Meta values and links with any secret in them redacted (they are written into a manifest that git carries). */
export function redactRunInfo(meta: Record<string, string>, links: string[]): { meta: Record<string, string>; links: string[]; redacted: boolean } {
	let redacted = false;
	const clean = (text: string) => {
		const out = redactText(text) ?? text;
		if (out !== text) redacted = true;
		return out;
	};
	return { meta: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, clean(v)])), links: links.map(clean), redacted };
}

/** Whether a tracked file is a training output whose summary keys are recorded. */
export function isTrainingOutput(path: string): boolean {
	return TRAINING_FILES.test(path);
}

/**
 * The summary keys of a Trainer output file: top-level keys, and for trainer_state.json the last
 * `log_history` entry that has `train_runtime` (the Trainer writes the run's totals there).
 * Undefined when the file is too large, not JSON, or holds none of them.
 */
export function trainingSummary(absPath: string): Record<string, number> | undefined {
	let text: string;
	try {
		// Never waits on a FIFO, refuses anything but a regular file, never reads past the limit.
		text = readBoundedFile(absPath, absPath, MAX_TRAINING_FILE_BYTES, 'a trainer state file').toString('utf8');
	} catch {
		return undefined;
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
	const top = data as Record<string, unknown>;
	const history = Array.isArray(top.log_history) ? (top.log_history as unknown[]) : [];
	let totals: Record<string, unknown> = {};
	for (let i = history.length - 1; i >= 0; i--) {
		const entry = history[i];
		if (entry && typeof entry === 'object' && 'train_runtime' in entry) {
			totals = entry as Record<string, unknown>;
			break;
		}
	}
	const out: Record<string, number> = {};
	for (const key of TRAINING_KEYS) {
		const value = typeof top[key] === 'number' ? top[key] : totals[key];
		if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
	}
	return Object.keys(out).length ? out : undefined;
}

/** Lines for `show` and tooltips: `Made on  gpu-box-3 (Linux 6.8 x64, 64 CPUs, 503 GiB, 8× NVIDIA A100, Python 3.11.9, Node v24.1.0)`. */
export function runInfoLines(run: RunInfo): Array<[string, string]> {
	const lines: Array<[string, string]> = [];
	const e = run.environment;
	if (e) {
		const gpus = e.gpus?.length ? gpuSummary(e.gpus) : 'no GPU found';
		lines.push(['made on', `${e.host} (${e.os}, ${e.cpus} CPUs ${e.cpu}, ${(e.memory / 1024 ** 3).toFixed(0)} GiB, ${gpus}${e.python ? `, ${e.python}` : ''}, Node ${e.node})`]);
	}
	for (const [file, values] of Object.entries(run.training ?? {})) {
		// The manifest stores keys sorted; shown duration first, as TRAINING_KEYS lists them.
		const rank = (k: string) => ((TRAINING_KEYS as readonly string[]).indexOf(k) + TRAINING_KEYS.length + 1) % (TRAINING_KEYS.length + 1);
		const parts = Object.entries(values).sort(([a], [b]) => rank(a) - rank(b)).map(([k, v]) => (k === 'train_runtime' ? `train_runtime ${formatDuration(v)}` : `${k} ${v}`));
		lines.push(['training', `${file}: ${parts.join(', ')}`]);
	}
	for (const [k, v] of Object.entries(run.meta ?? {})) lines.push(['meta', `${k}=${v}`]);
	for (const link of run.links ?? []) lines.push(['link', link]);
	return lines;
}

function gpuSummary(gpus: string[]): string {
	const counts = new Map<string, number>();
	for (const g of gpus) counts.set(g, (counts.get(g) ?? 0) + 1);
	return [...counts].map(([g, n]) => (n > 1 ? `${n}× ${g}` : g)).join(', ');
}

/** Seconds as `1 h 02 min` / `4 min 05 s` / `12.3 s`. */
export function formatDuration(seconds: number): string {
	if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
	if (seconds >= 60) return `${Math.floor(seconds / 60)} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
	return `${Math.round(seconds * 10) / 10} s`;
}
