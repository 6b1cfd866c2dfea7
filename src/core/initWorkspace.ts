// `init`: creates .model-ledger/ and, when there is no model-ledger.yaml yet, writes one whose
// globs are detected from what the workspace holds (prompt folders, weights, RAG/train configs,
// metrics files, DVC references).
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { Ledger } from './ledger';
import { CONFIG_FILE } from './workspaceConfig';
import { IGNORED_DIRS } from './workspaceFiles';

export interface InitResult {
	configCreated: boolean;
	configPath: string;
	/** Role key → detected globs (empty when the config already existed). */
	detected: Record<string, string[]>;
	modelName: string;
}

const DETECTORS: Array<[string, string[], (files: string[]) => string[]]> = [
	['prompts', ['**/prompts/**/*.{md,txt,j2,jinja,jinja2,prompt,mustache,hbs}', '**/*.{prompt,j2,jinja,jinja2}'], folderGlobs],
	['rag', ['**/*rag*.{yaml,yml,json,toml}', '**/*retriev*.{yaml,yml,json,toml}'], exactFiles],
	['weights', ['**/*.safetensors'], folderGlobs],
	['params', ['**/*{train,params,hparams,hyperparams}*.{yaml,yml,json,toml}'], exactFiles],
	['metrics', ['**/*metrics*.json', '**/eval*/**/*.json'], exactFiles],
	['data', ['**/*.dvc', '**/dvc.lock'], exactFiles],
];

/** Initializes the ledger at `root`; an existing model-ledger.yaml is never overwritten. */
export function initWorkspace(root: string): InitResult {
	const ledger = Ledger.at(root);
	ledger.ensureLayout();
	const configPath = join(root, CONFIG_FILE);
	const modelName = basename(root).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'model';
	if (existsSync(configPath)) return { configCreated: false, configPath, detected: {}, modelName };
	const taken = new Set<string>();
	const detected: Record<string, string[]> = {};
	for (const [key, patterns, toGlobs] of DETECTORS) {
		const files = globSync(patterns, { cwd: root, dot: false, onlyFiles: true, ignore: IGNORED_DIRS, expandDirectories: false })
			.map((f) => f.split('\\').join('/'))
			.filter((f) => !taken.has(f))
			.sort();
		if (files.length === 0) continue;
		files.forEach((f) => taken.add(f));
		detected[key] = toGlobs(files);
	}
	writeFileSync(configPath, scaffoldText(modelName, detected));
	return { configCreated: true, configPath, detected, modelName };
}

function scaffoldText(modelName: string, detected: Record<string, string[]>): string {
	const lines = [
		'# Model Ledger: what each model is made of. Globs are relative to this folder.',
		'# Roles: prompts, rag, weights, params, metrics, data, other.',
		'# versioning: semver | timestamp | git | hybrid',
		'models:',
		`  ${modelName}:`,
		'    versioning: semver',
	];
	const keys = Object.keys(detected);
	if (keys.length === 0) {
		lines.push('    prompts: prompts/**/*.md        # nothing detected yet: adjust these globs', '    params: config/*.yaml');
	}
	for (const key of keys) {
		const globs = detected[key];
		if (globs.length === 1) lines.push(`    ${key}: ${quote(globs[0])}`);
		else lines.push(`    ${key}:`, ...globs.map((g) => `      - ${quote(g)}`));
	}
	return lines.join('\n') + '\n';
}

/** One `dir/**\/*.ext` glob per folder and extension. */
function folderGlobs(files: string[]): string[] {
	const globs = new Set<string>();
	for (const file of files) {
		const slash = file.lastIndexOf('/');
		const dir = slash >= 0 ? file.slice(0, slash) : '';
		const dot = file.lastIndexOf('.');
		const ext = dot > slash ? file.slice(dot) : '';
		const top = dir.includes('prompts') ? dir.slice(0, dir.indexOf('prompts') + 'prompts'.length) : dir;
		globs.add(top ? `${top}/**/*${ext}` : `*${ext}`);
	}
	return [...globs].sort();
}

function exactFiles(files: string[]): string[] {
	return files.slice(0, 8);
}

function quote(glob: string): string {
	return /^[A-Za-z0-9_./-]+$/.test(glob) ? glob : JSON.stringify(glob);
}
