#!/usr/bin/env node
// Writes a tiny but real safetensors LoRA adapter (plus its PEFT adapter_config.json) for the example
// workspace and for tests. Plain Node, no dependencies; the bytes depend only on --seed and --rank,
// so the committed file can be regenerated exactly and a test can write a changed adapter.
//
//   node scripts/makeExampleWeights.mjs [--out DIR] [--seed N] [--rank R] [--hidden H] [--layers L]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const defaults = { out: resolve(here, '../examples/support-bot/checkpoints/adapter'), seed: 42, rank: 8, hidden: 64, layers: 2 };

function parseArgs(argv) {
	const options = { ...defaults };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[i + 1];
		if (flag === '--help' || flag === '-h') {
			process.stdout.write('usage: makeExampleWeights.mjs [--out DIR] [--seed N] [--rank R] [--hidden H] [--layers L]\n');
			process.exit(0);
		}
		const name = flag.replace(/^--/, '');
		if (!(name in defaults) || value === undefined) usage(`unknown option or missing value: ${flag}`);
		if (name === 'out') options.out = resolve(value);
		else {
			const n = Number(value);
			if (!Number.isInteger(n) || n < (name === 'seed' ? 0 : 1)) usage(`--${name} needs a positive integer, not ${value}`);
			options[name] = n;
		}
		i++;
	}
	return options;
}

function usage(message) {
	process.stderr.write(`makeExampleWeights: ${message}\n`);
	process.exit(2);
}

// mulberry32: small, fast and identical on every platform, which is all a fixture needs.
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function tensorsFor({ rank, hidden, layers }) {
	const tensors = [];
	for (let layer = 0; layer < layers; layer++) {
		for (const module of ['q_proj', 'v_proj']) {
			const prefix = `base_model.model.model.layers.${layer}.self_attn.${module}`;
			tensors.push({ name: `${prefix}.lora_A.weight`, shape: [rank, hidden], scale: 0.1 });
			tensors.push({ name: `${prefix}.lora_B.weight`, shape: [hidden, rank], scale: 0.01 });
		}
	}
	// The reference writer orders tensors by name within a dtype; so do we, for the same layout.
	return tensors.sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function buildSafetensors(options) {
	const random = prng(options.seed);
	const header = { __metadata__: { format: 'pt' } };
	const chunks = [];
	let offset = 0;
	for (const tensor of tensorsFor(options)) {
		const count = tensor.shape[0] * tensor.shape[1];
		const data = Buffer.alloc(count * 4);
		for (let i = 0; i < count; i++) data.writeFloatLE((random() * 2 - 1) * tensor.scale, i * 4);
		header[tensor.name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + data.length] };
		chunks.push(data);
		offset += data.length;
	}
	let json = JSON.stringify(header);
	// Pad with spaces so tensor data starts 8-byte aligned, as the reference implementation does.
	json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
	const length = Buffer.alloc(8);
	length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
	return Buffer.concat([length, Buffer.from(json, 'utf8'), ...chunks]);
}

export function adapterConfig({ rank }) {
	return {
		base_model_name_or_path: 'meta-llama/Llama-3.2-1B-Instruct',
		bias: 'none',
		inference_mode: true,
		lora_alpha: rank * 2,
		lora_dropout: 0.05,
		peft_type: 'LORA',
		r: rank,
		target_modules: ['q_proj', 'v_proj'],
		task_type: 'CAUSAL_LM',
	};
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const options = parseArgs(process.argv.slice(2));
	mkdirSync(options.out, { recursive: true });
	const weightsPath = join(options.out, 'adapter_model.safetensors');
	writeFileSync(weightsPath, buildSafetensors(options));
	writeFileSync(join(options.out, 'adapter_config.json'), `${JSON.stringify(adapterConfig(options), null, 2)}\n`);
	process.stdout.write(`${weightsPath}\n`);
}
