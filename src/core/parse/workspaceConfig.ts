// Reads and validates `model-ledger.yaml`: which files make up each model, and how versions are labelled.
// Every problem is reported with file, line and column; unknown keys are errors, not silently ignored.
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { MAX_CONFIG_BYTES, readBoundedFile } from '../store/boundedRead';
import { LedgerError, ParseError } from '../errors';
import { parseGates } from './gateConfig';
import { MAX_YAML_FLOW_DEPTH, yamlFlowTooDeep } from './hugeFiles';
import type { GateConfig } from './gateConfig';
import { VERSIONING_STRATEGIES } from '../model';
import type { Role, VersioningStrategy } from '../model';

export const CONFIG_FILE = 'model-ledger.yaml';

/** Config key → artifact role. The order is the precedence when one file matches several roles. */
export const ROLE_KEYS: ReadonlyArray<readonly [string, Role]> = [
	['prompts', 'prompt'],
	['rag', 'rag'],
	['weights', 'weights'],
	['params', 'params'],
	['metrics', 'metrics'],
	['data', 'data'],
	['other', 'other'],
];

export interface MetricsDirection {
	higherIsBetter: string[];
	lowerIsBetter: string[];
}

export interface ModelConfig {
	name: string;
	versioning: VersioningStrategy;
	/** Globs per role, workspace-relative. */
	globs: Partial<Record<Role, string[]>>;
	metricsDirection: MetricsDirection;
	/** Aliases that may only point at an approved version. */
	protectedAliases: string[];
	/** Release gates, one per gated alias (`gates:`). */
	gates: GateConfig[];
	/** For hybrid versioning: the alias whose first move to a version gives it a semantic release label. */
	releaseAlias: string;
	/** 1-based line of the model's key in the config, for "go to definition"-style links. */
	line: number;
}

/** A place the object store's blobs are pushed to and pulled from (never holds credentials). */
export interface RemoteConfig {
	name: string;
	/** As written: `s3://bucket/prefix` or `file:///abs/folder`. */
	url: string;
	kind: 's3' | 'file';
	/** s3: the bucket. */
	bucket?: string;
	/** s3: key prefix without leading or trailing `/` (may be empty). */
	prefix: string;
	/** file: the absolute folder. */
	path?: string;
	endpoint?: string;
	region?: string;
	forcePathStyle?: boolean;
	/** 1-based line of the remote's key in the config. */
	line: number;
}

export interface WorkspaceConfig {
	file: string;
	models: ModelConfig[];
	/** Configured remotes, in file order (empty when none). */
	remotes: RemoteConfig[];
	/** `default_remote`, validated to name one of `remotes`. */
	defaultRemote?: string;
}

const MODEL_KEYS = new Set(['versioning', 'protected_aliases', 'gates', 'release_alias', 'description', ...ROLE_KEYS.map(([k]) => k)]);
const TOP_KEYS = new Set(['models', 'remotes', 'default_remote']);
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const ALIAS_NAME = /^[a-z][a-z0-9-]*$/;

/** Loads `model-ledger.yaml` from the workspace root. Throws LedgerError when missing or invalid. */
export function loadWorkspaceConfig(root: string): WorkspaceConfig {
	const file = join(root, CONFIG_FILE);
	let text: string;
	try {
		text = readBoundedFile(file, CONFIG_FILE, MAX_CONFIG_BYTES, `a ${CONFIG_FILE}`).toString('utf8');
	} catch (err) {
		if (err instanceof LedgerError && err.code !== undefined && ['FILE_TOO_LARGE', 'NOT_A_FILE'].includes(err.code)) throw err;
		throw new LedgerError({
			code: 'NO_CONFIG',
			message: `No ${CONFIG_FILE} in ${root}.`,
			fix: 'Run `model-ledger init` (or "Model Ledger: Initialize") to create one.',
			location: { file: CONFIG_FILE },
		});
	}
	return parseWorkspaceConfig(text);
}

/** Parses and validates the text of `model-ledger.yaml`. */
export function parseWorkspaceConfig(text: string): WorkspaceConfig {
	const lineCounter = new LineCounter();
	// Refused before parsing: yaml's tree of 1,000,000 nested `[` took 26 s and 1.7 GB (the config is read by every command).
	const deep = yamlFlowTooDeep(text);
	if (deep) {
		throw new ParseError(
			`its \`[\`/\`{\` collections nest more than ${MAX_YAML_FLOW_DEPTH} levels deep; it was not parsed.`,
			{ file: CONFIG_FILE, line: deep.line },
			'Remove the deeply nested value (no setting of model-ledger.yaml nests more than a few levels); `git log -p model-ledger.yaml` shows who added it.',
		);
	}
	// yaml's uniqueKeys compares each key with every earlier one (quadratic: 20,000 models took
	// minutes); duplicates are found below with a Set per mapping instead.
	const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
	const fail = (message: string, node: YamlNode | Pair | null | undefined, fix: string): never => {
		const offset = rangeStart(node);
		const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
		throw new ParseError(message, { file: CONFIG_FILE, line: pos?.line, column: pos?.col }, fix);
	};
	if (doc.errors.length > 0) {
		const err = doc.errors[0];
		const pos = lineCounter.linePos(err.pos[0]);
		throw new ParseError(
			`invalid YAML: ${err.message.split('\n')[0]}`,
			{ file: CONFIG_FILE, line: pos.line, column: pos.col },
			'Fix the YAML syntax at that line (indentation, a missing colon or an unclosed quote).',
		);
	}
	const rootNode = (doc as Document).contents;
	rejectDuplicateKeys(rootNode, fail);
	if (!isMap(rootNode)) {
		return fail('the file must be a mapping with a `models:` key.', rootNode, 'Start the file with `models:` and one entry per model.');
	}
	for (const pair of rootNode.items) {
		const key = scalarKey(pair);
		if (!TOP_KEYS.has(key)) {
			fail(`unknown top-level key \`${key}\`.`, pair.key as YamlNode, `Use one of: ${[...TOP_KEYS].join(', ')}.`);
		}
	}
	const modelsNode = rootNode.get('models', true) as YamlNode | undefined;
	if (!isMap(modelsNode) || modelsNode.items.length === 0) {
		return fail('`models:` must map at least one model name to its files.', modelsNode ?? rootNode, 'Add e.g. `models: { my-model: { prompts: "prompts/**/*.md" } }`.');
	}
	const models: ModelConfig[] = [];
	for (const pair of (modelsNode as YAMLMap).items) models.push(parseModel(pair, lineCounter, fail));
	const remotes = parseRemotes(rootNode.get('remotes', true) as YamlNode | undefined, lineCounter, fail);
	const defaultNode = rootNode.get('default_remote', true) as YamlNode | undefined;
	let defaultRemote: string | undefined;
	if (defaultNode !== undefined && !(isScalar(defaultNode) && defaultNode.value === null)) {
		defaultRemote = isScalar(defaultNode) ? String(defaultNode.value) : '';
		if (!remotes.some((r) => r.name === defaultRemote)) {
			fail(
				`\`default_remote\` names \`${defaultRemote}\`, which is not under \`remotes:\`.`,
				defaultNode,
				remotes.length ? `Use one of: ${remotes.map((r) => r.name).join(', ')}.` : 'Add the remote under `remotes:` first.',
			);
		}
	}
	return { file: CONFIG_FILE, models, remotes, ...(defaultRemote ? { defaultRemote } : {}) };
}

/** One entry under `models:`: its name, versioning, aliases, gates and the globs of each role. */
function parseModel(pair: Pair, lineCounter: LineCounter, fail: (m: string, n: YamlNode | Pair | null | undefined, f: string) => never): ModelConfig {
	const name = scalarKey(pair);
	if (!MODEL_NAME.test(name) || name.includes('..')) {
		fail(`invalid model name \`${name}\`.`, pair.key as YamlNode, 'Use letters, digits, `.`, `_` and `-` only (no `/`, no `..`).');
	}
	const line = lineCounter.linePos(rangeStart(pair.key as YamlNode) ?? 0).line;
	const body = pair.value as YamlNode | null;
	if (!isMap(body)) {
		fail(`model \`${name}\` must be a mapping of roles to globs.`, body ?? (pair.key as YamlNode), 'Add e.g. `prompts: prompts/**/*.md` under the model.');
	}
	const model: ModelConfig = {
		name,
		versioning: 'semver',
		globs: {},
		metricsDirection: { higherIsBetter: [], lowerIsBetter: [] },
		protectedAliases: [],
		gates: [],
		releaseAlias: 'production',
		line,
	};
	for (const item of (body as YAMLMap).items) {
		const key = scalarKey(item);
		const value = item.value as YamlNode | null;
		if (!MODEL_KEYS.has(key)) {
			fail(`unknown key \`${key}\` in model \`${name}\`.`, item.key as YamlNode, `Use one of: ${[...MODEL_KEYS].join(', ')}.`);
		}
		if (key === 'versioning') {
			const v = isScalar(value) ? String(value.value) : '';
			if (!(VERSIONING_STRATEGIES as readonly string[]).includes(v)) {
				fail(`\`versioning\` must be one of ${VERSIONING_STRATEGIES.join(', ')}, not \`${v}\`.`, value ?? (item.key as YamlNode), 'Pick one of the listed strategies.');
			}
			model.versioning = v as VersioningStrategy;
		} else if (key === 'protected_aliases') {
			model.protectedAliases = stringList(value, `protected_aliases of \`${name}\``, fail);
			for (const alias of model.protectedAliases) {
				if (!ALIAS_NAME.test(alias)) fail(`invalid alias name \`${alias}\`.`, value, 'Alias names are lower-case letters, digits and `-`, starting with a letter.');
			}
		} else if (key === 'gates') {
			model.gates = parseGates(value, name, ALIAS_NAME, (node) => lineCounter.linePos(rangeStart(node) ?? 0).line, fail);
		} else if (key === 'release_alias') {
			const alias = isScalar(value) && typeof value.value === 'string' ? value.value : '';
			if (!ALIAS_NAME.test(alias) || alias === 'latest') fail(`\`release_alias\` of \`${name}\` must be an alias name, not \`${alias}\`.`, value ?? (item.key as YamlNode), 'Write e.g. `release_alias: production`.');
			model.releaseAlias = alias;
		} else if (key === 'description') {
			// Free text for humans; nothing to validate.
		} else {
			const role = ROLE_KEYS.find(([k]) => k === key)![1];
			let globsNode = value;
			if (role === 'metrics' && isMap(value)) {
				for (const m of value.items) {
					const mk = scalarKey(m);
					if (!['file', 'files', 'higher_is_better', 'lower_is_better'].includes(mk)) {
						fail(`unknown key \`${mk}\` in \`metrics\` of \`${name}\`.`, m.key as YamlNode, 'Use file, higher_is_better or lower_is_better.');
					}
				}
				globsNode = (value.get('file', true) ?? value.get('files', true)) as YamlNode | null;
				model.metricsDirection.higherIsBetter = stringList(value.get('higher_is_better', true) as YamlNode | null, 'higher_is_better', fail, true);
				model.metricsDirection.lowerIsBetter = stringList(value.get('lower_is_better', true) as YamlNode | null, 'lower_is_better', fail, true);
			}
			const globs = stringList(globsNode, `\`${key}\` of \`${name}\``, fail);
			for (const glob of globs) {
				const problem = globProblem(glob);
				if (problem) fail(`glob \`${glob}\` ${problem}.`, globsNode, 'Use a path relative to the workspace root, inside it.');
			}
			// An empty list includes nothing and excludes nothing (`[].every` is true: globs[0] would be undefined).
			if (globs.length > 0 && globs.every(isExcludeGlob)) {
				fail(`\`${key}\` of \`${name}\` only excludes files (every glob starts with \`!\`).`, globsNode, `List the files to include first, e.g. \`- ${globs[0].slice(1).replace(/\/[^/]*$/, '/**') || '**'}\`, then the exclusions.`);
			}
			model.globs[role] = globs;
		}
	}
	if (Object.keys(model.globs).length === 0) {
		fail(`model \`${name}\` lists no files.`, pair.key as YamlNode, `Add at least one of: ${ROLE_KEYS.map(([k]) => k).join(', ')}.`);
	}
	return model;
}

const REMOTE_KEYS = new Set(['url', 'endpoint', 'region', 'forcePathStyle']);
const CREDENTIAL_KEY = /secret|access|key|token|password|credential/i;

/** `remotes: {name: {url, endpoint?, region?, forcePathStyle?}}`; credentials are refused here on purpose. */
function parseRemotes(
	node: YamlNode | undefined,
	lineCounter: LineCounter,
	fail: (m: string, n: YamlNode | Pair | null | undefined, f: string) => never,
): RemoteConfig[] {
	if (node === undefined || (isScalar(node) && node.value === null)) return [];
	if (!isMap(node)) return fail('`remotes:` must map remote names to their settings.', node, 'Write e.g. `remotes: { team: { url: "s3://bucket/prefix" } }`.');
	const remotes: RemoteConfig[] = [];
	for (const pair of node.items) {
		const name = scalarKey(pair);
		if (!MODEL_NAME.test(name)) fail(`invalid remote name \`${name}\`.`, pair.key as YamlNode, 'Use letters, digits, `.`, `_` and `-` only.');
		const body = pair.value as YamlNode | null;
		if (!isMap(body)) fail(`remote \`${name}\` must be a mapping with a \`url\`.`, body ?? (pair.key as YamlNode), 'Write e.g. `url: s3://bucket/prefix` under it.');
		const line = lineCounter.linePos(rangeStart(pair.key as YamlNode) ?? 0).line;
		const values: Record<string, { value: unknown; node: YamlNode }> = {};
		for (const item of (body as YAMLMap).items) {
			const key = scalarKey(item);
			if (!REMOTE_KEYS.has(key)) {
				const fix = CREDENTIAL_KEY.test(key)
					? 'Credentials never go in this file (it is committed): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or use ~/.aws/credentials.'
					: `Use one of: ${[...REMOTE_KEYS].join(', ')}.`;
				fail(`unknown key \`${key}\` in remote \`${name}\`.`, item.key as YamlNode, fix);
			}
			const valueNode = item.value as YamlNode | null;
			if (!isScalar(valueNode) || valueNode.value === null || typeof valueNode.value === 'object') {
				fail(`\`${key}\` of remote \`${name}\` must be a single value.`, valueNode ?? (item.key as YamlNode), key === 'forcePathStyle' ? 'Write true or false.' : 'Write it as a quoted string.');
			}
			values[key] = { value: (valueNode as { value: unknown }).value, node: valueNode as YamlNode };
			// A newline or escape in a url, endpoint or region would split a request line, a log line or a terminal line.
			if (typeof values[key].value === 'string' && CONTROL_CHARS.test(values[key].value as string)) {
				fail(`\`${key}\` of remote \`${name}\` contains a control character (a newline, tab or escape).`, valueNode, 'Write the value on one line, without control characters.');
			}
		}
		if (!values.url) fail(`remote \`${name}\` has no \`url\`.`, pair.key as YamlNode, 'Add `url: s3://bucket/prefix` or `url: file:///mnt/shared/ledger`.');
		const url = String(values.url.value);
		const remote: RemoteConfig = { name, url, kind: 's3', prefix: '', line };
		const parsed = parseRemoteUrl(url);
		if (typeof parsed === 'string') fail(`remote \`${name}\`: ${parsed}`, values.url.node, 'Use `s3://bucket/optional/prefix` or `file:///absolute/folder`.');
		Object.assign(remote, parsed);
		if (values.endpoint) {
			const endpoint = String(values.endpoint.value);
			let ok = false;
			try {
				const u = new URL(endpoint);
				// No query string or fragment: an endpoint is a server, and `?X-Amz-Security-Token=…` (or any
				// token, signature or key) there would be a credential committed with the config.
				ok = (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && u.search === '' && u.hash === '' && !endpoint.includes('?') && !endpoint.includes('#');
			} catch {
				ok = false;
			}
			if (!ok) fail(`\`endpoint\` of remote \`${name}\` must be an http(s) URL without credentials, query string or fragment, not \`${endpoint}\`.`, values.endpoint.node, 'Write e.g. `endpoint: https://minio.internal:9000`; credentials go in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN or AWS_PROFILE, never in this file.');
			remote.endpoint = endpoint;
		}
		if (values.region) {
			const region = String(values.region.value);
			if (!REGION.test(region)) fail(`\`region\` of remote \`${name}\` must be a region name (letters, digits and -), not \`${region}\`.`, values.region.node, 'Write e.g. `region: eu-west-1`.');
			remote.region = region;
		}
		if (values.forcePathStyle) {
			if (typeof values.forcePathStyle.value !== 'boolean') fail(`\`forcePathStyle\` of remote \`${name}\` must be true or false.`, values.forcePathStyle.node, 'Write true or false.');
			remote.forcePathStyle = values.forcePathStyle.value as boolean;
		}
		if (remote.kind === 'file' && (remote.endpoint || remote.region || remote.forcePathStyle !== undefined)) {
			fail(`remote \`${name}\` is a folder: endpoint, region and forcePathStyle apply to s3:// remotes only.`, pair.key as YamlNode, 'Remove them, or use an s3:// url.');
		}
		remotes.push(remote);
	}
	return remotes;
}

/** C0 and C1 control characters and DEL. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** An S3 region name (AWS `eu-west-1`; MinIO and others use similar names). */
const REGION = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** Splits a remote url into its kind and location, or says what is wrong with it. */
export function parseRemoteUrl(url: string): Pick<RemoteConfig, 'kind' | 'bucket' | 'prefix' | 'path'> | string {
	const s3 = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
	if (s3) {
		if (s3[1].includes('@') || s3[1].includes(':')) return `\`${url}\` must not carry credentials or a port; put the server in \`endpoint\`.`;
		if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3[1])) return `\`${s3[1]}\` is not a valid bucket name.`;
		const prefix = (s3[2] ?? '').replace(/^\/+|\/+$/g, '');
		if (s3[2]?.includes('?') || s3[2]?.includes('#')) return `\`${url}\` must not carry a query string or fragment (credentials never go in a url).`;
		// Checked as written and after %-decoding: `%2e%2e` is `..` to any layer that decodes keys.
		let decoded: string;
		try {
			decoded = decodeURIComponent(prefix);
		} catch {
			return `the prefix of \`${url}\` has a malformed %-escape.`;
		}
		if (CONTROL_CHARS.test(decoded)) return `the prefix of \`${url}\` contains a control character (after %-decoding).`;
		for (const candidate of [prefix, decoded]) {
			if (candidate.split(/[\\/]/).some((part) => part === '..' || part === '.')) return `the prefix of \`${url}\` must not contain \`.\` or \`..\` (also not %-encoded, like \`%2e%2e\`).`;
		}
		return { kind: 's3', bucket: s3[1], prefix };
	}
	if (url.startsWith('file://')) {
		let path: string;
		try {
			path = fileURLToPath(url);
		} catch {
			return `\`${url}\` is not an absolute file URL (file:///path/to/folder).`;
		}
		if (!isAbsolute(path)) return `\`${url}\` must be an absolute folder: file:///path/to/folder.`;
		return { kind: 'file', path: path.length > 1 ? path.replace(/[\\/]+$/, '') : path, prefix: '' };
	}
	return `\`${url}\` is neither an s3:// nor a file:// URL.`;
}

/**
 * A glob that takes files out of what the role's other globs match, written `!glob` as in .gitignore
 * (`params: [examples/**\/*.yaml, "!examples/cloud/**"]`).
 */
export function isExcludeGlob(glob: string): boolean {
	return glob.startsWith('!');
}

/** Why a glob may not be used (absolute, escapes the workspace, or empty), or undefined when it is fine. */
export function globProblem(written: string): string | undefined {
	const glob = isExcludeGlob(written) ? written.slice(1) : written;
	if (glob.trim() === '') return 'is empty';
	if (glob.startsWith('/') || /^[A-Za-z]:[\\/]/.test(glob)) return 'is absolute';
	if (glob.split(/[\\/]/).includes('..')) return 'leaves the workspace (`..`)';
	return undefined;
}

const byNameCache = new WeakMap<WorkspaceConfig, Map<string, ModelConfig>>();

/** The config's models by name (built once per parsed config: lookups stay linear in the number of models). */
export function modelsByName(config: WorkspaceConfig): Map<string, ModelConfig> {
	let map = byNameCache.get(config);
	if (!map) {
		map = new Map(config.models.map((m) => [m.name, m]));
		byNameCache.set(config, map);
	}
	return map;
}

/** Every mapping of the config, walked with a stack: a key repeated in one mapping is an error at the repeat. */
function rejectDuplicateKeys(root: unknown, fail: (m: string, n: YamlNode | Pair | null | undefined, f: string) => never): void {
	const stack: unknown[] = [root];
	while (stack.length) {
		const node = stack.pop();
		if (isMap(node)) {
			const seen = new Set<string>();
			for (const pair of node.items) {
				const key = scalarKey(pair);
				if (seen.has(key)) fail(`the key \`${key}\` appears twice in one mapping (map keys must be unique).`, pair.key as YamlNode, 'Remove or rename one of them.');
				seen.add(key);
				stack.push(pair.value);
			}
		} else if (isSeq(node)) {
			for (const item of node.items) stack.push(item);
		}
	}
}

function scalarKey(pair: Pair): string {
	const key = pair.key;
	return isScalar(key) ? String(key.value) : String(key);
}

function rangeStart(node: YamlNode | Pair | null | undefined): number | undefined {
	if (!node) return undefined;
	if ('range' in node && node.range) return node.range[0];
	if ('key' in node) return rangeStart(node.key as YamlNode);
	return undefined;
}

function stringList(
	node: YamlNode | null | undefined,
	what: string,
	fail: (m: string, n: YamlNode | null | undefined, f: string) => never,
	optional = false,
): string[] {
	if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
		if (optional) return [];
		return fail(`${what} is empty.`, node, 'Give a glob or a list of globs.');
	}
	if (isScalar(node)) return [String(node.value)];
	if (isSeq(node)) {
		return node.items.map((item) => {
			if (!isScalar(item) || item.value === null || typeof item.value === 'object') {
				return fail(`${what} must list strings.`, item as YamlNode, 'Write each entry as a quoted glob.');
			}
			return String(item.value);
		});
	}
	return fail(`${what} must be a string or a list of strings.`, node, 'Write a glob, or a YAML list of globs.');
}
