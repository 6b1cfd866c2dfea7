// `init`: creates .model-ledger/ and, when there is no model-ledger.yaml yet, writes one proposed from
// what the workspace holds: one model per prompt flow (flow.dag.yaml), one per recipe family (a folder
// of training configs beside others), and one for the rest of the workspace. Every glob is checked
// against the real file matcher before it is written: a config that matches nothing is never written;
// with nothing detected, nothing is written and a template is returned instead.
import { appendAll } from '../bulkArrays';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { classify, huggingFaceFolders } from './layoutDetect';
import type { Finding, RoleKey } from './layoutDetect';
import { scanLayout } from './layoutScan';
import type { LayoutScan } from './layoutScan';
import { Ledger } from '../ledger';
import { CONFIG_FILE, parseWorkspaceConfig, ROLE_KEYS } from '../parse/workspaceConfig';
import { collectModelFiles } from '../snapshot/workspaceFiles';

export type { Finding, RoleKey };

export interface ProposedModel {
	name: string;
	kind: 'flow' | 'crew' | 'recipe family' | 'workspace';
	/** The unit's folder, workspace-relative ('' for the workspace). */
	dir: string;
	/** Why this is a model of its own. */
	reason: string;
	/** Role key → globs as written. */
	globs: Partial<Record<RoleKey, string[]>>;
	/** The files it holds now, each with why. */
	files: Finding[];
}

export interface InitResult {
	configCreated: boolean;
	configPath: string;
	/** Role key → globs of every proposed model (empty when the config already existed or nothing was found). */
	detected: Record<string, string[]>;
	/** The first proposed model's name (the folder's name when none). */
	modelName: string;
	models: ProposedModel[];
	/** With nothing detected: a config to start from, shown, not written. */
	template?: string;
	scan: { files: number; entries: number; reads: number; truncated: boolean; ms: number };
	/** Inside a git repository: the paths to commit so teammates see the versions. */
	git: { repository: boolean; commit: string[] };
}

/** Above this many files, no glob is anchored at the workspace root (see generalGlobs). */
const ROOT_GLOB_MAX_FILES = 2000;

/** What to commit for others to see the registry (the cache stays local: .model-ledger/.gitignore). */
export const COMMIT_PATHS = [CONFIG_FILE, '.model-ledger/versions', '.model-ledger/events', '.model-ledger/.gitignore', '.model-ledger/.gitattributes'];

/** Initializes the ledger at `root`; an existing model-ledger.yaml is never overwritten. */
export function initWorkspace(root: string): InitResult {
	const configPath = join(root, CONFIG_FILE);
	const folderName = modelNameOf(basename(root));
	const git = { repository: insideGitRepository(root), commit: COMMIT_PATHS };
	if (existsSync(configPath)) {
		Ledger.at(root).ensureLayout();
		return { configCreated: false, configPath, detected: {}, modelName: folderName, models: [], scan: { files: 0, entries: 0, reads: 0, truncated: false, ms: 0 }, git };
	}
	const { models, scan } = proposeModels(root);
	if (models.length === 0) {
		return { configCreated: false, configPath, detected: {}, modelName: folderName, models, template: templateText(folderName), scan, git };
	}
	Ledger.at(root).ensureLayout();
	writeFileSync(configPath, configText(models));
	const detected: Record<string, string[]> = {};
	for (const model of models) for (const [key, globs] of Object.entries(model.globs)) detected[key] = [...(detected[key] ?? []), ...globs];
	return { configCreated: true, configPath, detected, modelName: models[0].name, models, scan, git };
}

/** The models init would write for `root`, every glob checked against the real matcher. Writes nothing. */
export function proposeModels(root: string): { models: ProposedModel[]; scan: InitResult['scan'] } {
	const started = Date.now();
	const layout = scanLayout(root);
	const hf = huggingFaceFolders(layout.files);
	const findings: Finding[] = [];
	for (const path of layout.files) {
		const found = classify(path, layout, hf);
		if (found) findings.push(found);
	}
	appendAll(findings, includedTemplates(findings, layout));
	const units = groupIntoUnits(findings, modelNameOf(basename(root)));
	const models: ProposedModel[] = [];
	for (const unit of units) {
		const model = checkedModel(root, unit, layout.files);
		if (model) models.push(model);
	}
	return { models, scan: { files: layout.files.length, entries: layout.entries, reads: layout.reads, truncated: layout.truncated, ms: Date.now() - started } };
}

/**
 * The files evaluation task configs `include:` (lm-evaluation-harness keeps a task family's prompt
 * template in one shared file, often without an extension: `_default_template_yaml`): part of what
 * the model is asked, so prompts too. Only names in the same folder tree the walk saw.
 */
function includedTemplates(findings: Finding[], layout: LayoutScan): Finding[] {
	const known = new Set(findings.map((f) => f.path));
	const files = new Set(layout.files);
	const added: Finding[] = [];
	for (const finding of findings) {
		if (!finding.evalTask) continue;
		const include = /^["']?include["']?[ \t]*:[ \t]*["']?([^"'#\n]+?)["']?[ \t]*(?:#.*)?$/m.exec(layout.head(finding.path) ?? '')?.[1];
		if (!include || include.startsWith('/')) continue;
		const path = posix.normalize(posix.join(dirOf(finding.path), include));
		if (path.startsWith('../')) continue;
		if (!files.has(path) || known.has(path)) continue;
		known.add(path);
		added.push({ path, role: 'prompts', reason: `prompt template included by ${finding.path.split('/').pop()}` });
	}
	return added;
}

interface Unit {
	name: string;
	kind: ProposedModel['kind'];
	dir: string;
	reason: string;
	files: Finding[];
}

/** An app unit a finding defines: a prompt flow (its folder) or a crewAI crew (the folder above `config/`). */
function appUnitOf(finding: Finding): { dir: string; kind: 'flow' | 'crew' } | undefined {
	if (finding.flow) return { dir: dirOf(finding.path), kind: 'flow' };
	if (!finding.crew) return undefined;
	const dir = dirOf(finding.path);
	return { dir: basename(dir) === 'config' ? dirOf(dir) : dir, kind: 'crew' };
}

/** Flows and crews claim what is under them; recipe families what is under theirs; the rest is the workspace's model. */
function groupIntoUnits(findings: Finding[], workspaceName: string): Unit[] {
	const apps = new Map<string, { kind: 'flow' | 'crew'; file: string }>();
	for (const finding of findings) {
		const app = appUnitOf(finding);
		if (app && !apps.has(app.dir)) apps.set(app.dir, { kind: app.kind, file: finding.path });
	}
	const flowDirs = [...apps.keys()].sort((a, b) => b.length - a.length);
	const flowOf = (path: string) => flowDirs.find((d) => isUnder(path, d));
	const training = findings.filter((f) => f.training && flowOf(f.path) === undefined);
	const familyDirs = recipeFamilies(training.map((f) => f.path));
	const familyOf = (path: string) => familyDirs.find((d) => isUnder(path, d));
	const units = new Map<string, Unit>();
	const unitFor = (key: string, make: () => Unit) => {
		let unit = units.get(key);
		if (!unit) units.set(key, (unit = make()));
		return unit;
	};
	for (const finding of findings) {
		const flow = flowOf(finding.path);
		const family = flow === undefined ? familyOf(finding.path) : undefined;
		const unit =
			flow !== undefined
				? unitFor(`app:${flow}`, () => appUnit(flow, apps.get(flow)!, workspaceName))
				: family !== undefined
					? unitFor(`family:${family}`, () => ({ name: modelNameOf(basename(family)), kind: 'recipe family', dir: family, reason: `a recipe family: training configs under ${family}/`, files: [] }))
					: unitFor('workspace', () => ({ name: workspaceName, kind: 'workspace', dir: '', reason: 'the rest of the workspace', files: [] }));
		unit.files.push(finding);
	}
	const result = [...units.values()];
	if (result.length === 1 && result[0].kind === 'workspace') result[0].reason = 'one model for the workspace (no flows, crews or recipe families found)';
	// Unique names: a flow and a family both called "chat" become chat and chat-2.
	const taken = new Set<string>();
	for (const unit of result) {
		let name = unit.name;
		for (let i = 2; taken.has(name); i++) name = `${unit.name}-${i}`;
		unit.name = name;
		taken.add(name);
	}
	return result;
}

function appUnit(dir: string, app: { kind: 'flow' | 'crew'; file: string }, workspaceName: string): Unit {
	const what = app.kind === 'flow' ? `a prompt flow: ${dir ? `${dir}/` : ''}${basename(app.file)}` : `a crewAI crew: ${app.file}`;
	return { name: modelNameOf(basename(dir) || workspaceName), kind: app.kind, dir, reason: what, files: [] };
}

/**
 * Folders that are recipe families: the first-level subfolders, under the training configs' common
 * folder, that hold them — when there are at least two such subfolders (else it is one recipe).
 */
function recipeFamilies(paths: string[]): string[] {
	if (paths.length < 2) return [];
	const dirs = paths.map(dirOf);
	const base = commonFolder(dirs);
	const families = new Set<string>();
	for (const d of dirs) {
		const rest = base ? d.slice(base.length + 1) : d;
		if (d === base || rest === '') continue;
		const first = rest.split('/')[0];
		families.add(base ? `${base}/${first}` : first);
	}
	return families.size >= 2 ? [...families].sort() : [];
}

/** The unit's globs, generalized where that matches exactly its files, else the files by name; undefined when nothing matches. */
function checkedModel(root: string, unit: Unit, allFiles: string[]): ProposedModel | undefined {
	const byRole = new Map<RoleKey, string[]>();
	for (const f of unit.files) {
		const paths = byRole.get(f.role);
		if (paths) paths.push(f.path);
		else byRole.set(f.role, [f.path]);
	}
	const general: Partial<Record<RoleKey, string[]>> = {};
	const exact: Partial<Record<RoleKey, string[]>> = {};
	// Files a general glob holds beside the detected ones (a few init could not tell among hundreds of their kind).
	const alsoHeld: Finding[] = [];
	for (const [key] of ROLE_KEYS) {
		const files = byRole.get(key as RoleKey);
		if (!files) continue;
		exact[key as RoleKey] = files;
		const held: string[] = [];
		general[key as RoleKey] = generalGlobs(files, key as RoleKey, unit.dir, allFiles, held);
		for (const path of held) alsoHeld.push({ path, role: key as RoleKey, reason: `among ${files.length} files of its kind (not recognized by itself)` });
	}
	const generalized = Object.entries(general).some(([key, globs]) => globs.join('\0') !== (exact[key as RoleKey] ?? []).join('\0'));
	const variants: Array<[Partial<Record<RoleKey, string[]>>, Finding[]]> = generalized ? [[general, [...unit.files, ...alsoHeld]], [exact, unit.files]] : [[exact, unit.files]];
	for (const [globs, files] of variants) {
		const expected = new Map(files.map((f) => [f.path, f.role]));
		const matched = matchedBy(root, unit.name, globs);
		if (matched && matched.size === expected.size && [...matched].every(([p, r]) => expected.get(p) === r)) {
			return { name: unit.name, kind: unit.kind, dir: unit.dir, reason: unit.reason, globs, files };
		}
	}
	// Even exact names did not match (a name the matcher cannot express, a .env file): keep what does match.
	const matched = matchedBy(root, unit.name, exact);
	if (!matched || matched.size === 0) return undefined;
	const kept: Partial<Record<RoleKey, string[]>> = {};
	for (const [key, files] of Object.entries(exact) as Array<[RoleKey, string[]]>) {
		const ok = files.filter((f) => matched.has(f));
		if (ok.length) kept[key] = ok;
	}
	return { name: unit.name, kind: unit.kind, dir: unit.dir, reason: unit.reason, globs: kept, files: unit.files.filter((f) => matched.has(f.path)) };
}

/** Path → role the real matcher (the one snapshot uses) gives these globs; undefined when they do not parse. */
function matchedBy(root: string, name: string, globs: Partial<Record<RoleKey, string[]>>): Map<string, string> | undefined {
	try {
		const config = parseWorkspaceConfig(configText([{ name, kind: 'workspace', dir: '', reason: '', globs, files: [] }]));
		const roleKey = new Map(ROLE_KEYS.map(([key, role]) => [role, key]));
		return new Map(collectModelFiles(root, config.models[0]).files.map((f) => [f.path, roleKey.get(f.role)!]));
	} catch {
		return undefined;
	}
}

/**
 * `dir/**\/*.ext` per anchor folder and ending when that glob holds exactly these files among the
 * workspace's; otherwise the files themselves. Weights and prompts anchor at their folder (new shards
 * or prompts join the model); a recipe family at its folder; single configs stay named.
 */
function generalGlobs(files: string[], role: RoleKey, unitDir: string, allFiles: string[], alsoHeld: string[]): string[] {
	if (files.length === 1 && role !== 'weights' && role !== 'prompts') return files;
	const groups = new Map<string, string[]>();
	const endings = endingsOf(files);
	const anchors = mergedAnchors(files, endings, role, unitDir);
	for (const file of files) {
		const ending = endings.get(file)!;
		const key = `${anchors.get(file)}\0${ending}`;
		const group = groups.get(key);
		if (group) group.push(file);
		else groups.set(key, [file]);
	}
	const globs: string[] = [];
	const excluded: string[] = [];
	for (const [key, group] of groups) {
		const [anchor, ending] = key.split('\0');
		// A workspace-wide `**/*.ext` in a big repository walks everything, and rarely holds only these files.
		if (anchor === '' && allFiles.length > ROOT_GLOB_MAX_FILES) {
			appendAll(globs, group);
			continue;
		}
		const candidates = filesUnder(allFiles, anchor).filter((f) => basename(f).endsWith(ending) && basename(f) !== ending);
		const glob = anchor ? `${anchor}/**/*${ending}` : `**/*${ending}`;
		const exclusions = candidates.length === group.length ? [] : excludedFrom(candidates, group);
		if (exclusions && (group.length > 1 || role === 'weights' || role === 'prompts')) {
			globs.push(glob);
			appendAll(excluded, exclusions.map((e) => `!${e}`));
			if (exclusions.length === 0 && candidates.length > group.length) {
				const inGroup = new Set(group);
				appendAll(alsoHeld, candidates.filter((f) => !inGroup.has(f)));
			}
		} else appendAll(globs, group);
	}
	// Exclusions apply to all of the role's globs; they read best last.
	return [...globs, ...excluded];
}

/** Above this many anchor folders of one ending, they merge into their common folder (an eval suite's hundreds of task folders). */
const MAX_ANCHORS_PER_ENDING = 8;

/**
 * Each file's anchor folder (anchorOf); when one ending spreads over more than
 * MAX_ANCHORS_PER_ENDING folders, the deepest folder holding them all instead (`lm_eval/tasks`, not
 * 900 task folders), unless that is the workspace root.
 */
function mergedAnchors(files: string[], endings: Map<string, string>, role: RoleKey, unitDir: string): Map<string, string> {
	const anchors = new Map(files.map((f) => [f, anchorOf(f, role, unitDir)]));
	const byEnding = new Map<string, Set<string>>();
	for (const file of files) {
		const ending = endings.get(file)!;
		const set = byEnding.get(ending) ?? new Set<string>();
		set.add(anchors.get(file)!);
		byEnding.set(ending, set);
	}
	for (const [ending, set] of byEnding) {
		if (set.size <= MAX_ANCHORS_PER_ENDING) continue;
		const common = commonFolder([...set]);
		if (common === '') continue;
		for (const file of files) if (endings.get(file) === ending) anchors.set(file, common);
	}
	return anchors;
}

/** The deepest folder that holds every one of `dirs` ('' when only the root does). */
function commonFolder(dirs: string[]): string {
	let common = dirs[0].split('/');
	for (const dir of dirs.slice(1)) {
		const parts = dir.split('/');
		let n = 0;
		while (n < common.length && n < parts.length && common[n] === parts[n]) n++;
		common = common.slice(0, n);
	}
	return common.join('/');
}

/** At most this many `!` exclusions make a glob worth writing instead of the files' names. */
const MAX_EXCLUSIONS = 5;

/**
 * What to take out of `candidates` (the glob's files) to leave exactly `wanted`: whole folders
 * (`dir/**`) where none of a folder's files is wanted, else single files; undefined when that takes
 * more than a few entries, or the glob would not mostly hold wanted files.
 */
function excludedFrom(candidates: string[], wanted: string[]): string[] | undefined {
	const keep = new Set(wanted);
	const unwanted = candidates.filter((f) => !keep.has(f));
	// Two files read better by name than as a glob minus one; a glob must mostly hold what is wanted.
	if (wanted.length < 3 || unwanted.length * 2 > wanted.length) return undefined;
	// Hundreds of files of one kind with a few percent init could not tell (a key past the part it
	// reads, a template nothing includes): the glob holds them too, rather than every file by name.
	if (unwanted.length > MAX_EXCLUSIONS && wanted.length >= 100 && unwanted.length * 10 <= wanted.length) return [];
	const wantedDirs = new Set<string>();
	for (const f of wanted) for (let d = dirOf(f); d !== ''; d = dirOf(d)) wantedDirs.add(d);
	const exclusions = new Set<string>();
	for (const f of unwanted) {
		// The outermost folder holding no wanted file, so one entry covers a whole unwanted subtree.
		let dir = dirOf(f);
		let outer: string | undefined;
		while (dir !== '' && !wantedDirs.has(dir)) {
			outer = dir;
			dir = dirOf(dir);
		}
		exclusions.add(outer !== undefined ? `${outer}/**` : f);
	}
	return exclusions.size <= MAX_EXCLUSIONS ? [...exclusions].sort() : undefined;
}

/** The sorted list's files under `dir`: one contiguous range, found by binary search. */
function filesUnder(sorted: string[], dir: string): string[] {
	if (dir === '') return sorted;
	const prefix = `${dir}/`;
	let lo = 0;
	let hi = sorted.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (sorted[mid] < prefix) lo = mid + 1;
		else hi = mid;
	}
	let end = lo;
	while (end < sorted.length && sorted[end].startsWith(prefix)) end++;
	return sorted.slice(lo, end);
}

function anchorOf(file: string, role: RoleKey, unitDir: string): string {
	const dir = dirOf(file);
	if (role === 'prompts') {
		const parts = dir.split('/');
		const at = parts.findIndex((p) => /^prompts?$/i.test(p));
		if (at >= 0) return parts.slice(0, at + 1).join('/');
	}
	if (role === 'params' && unitDir && isUnder(file, unitDir)) return unitDir;
	return dir;
}

/** Each file's glob ending: `_prompt.md` when every file of the set ends so (promptflow's naming), else its plainEnding. */
function endingsOf(files: string[]): Map<string, string> {
	const first = /(_prompt\.[a-z0-9]+)$/i.exec(basename(files[0] ?? ''))?.[1];
	const shared = first && files.every((f) => basename(f).endsWith(first)) ? first : undefined;
	return new Map(files.map((file) => [file, shared ?? plainEnding(basename(file))]));
}

/** The extension (`.yaml`); for a name without one, `_yaml` when it ends so (lm-evaluation-harness's shared templates), else the name. */
function plainEnding(name: string): string {
	const dot = name.lastIndexOf('.');
	if (dot > 0) return name.slice(dot);
	return /_ya?ml$/i.exec(name)?.[0] ?? name;
}

function configText(models: ProposedModel[]): string {
	const lines = [
		'# Model Ledger: what each model is made of. Globs are relative to this folder.',
		'# Written by `model-ledger init` from what it found (see its output for why); edit freely.',
		'# Roles: prompts, rag, weights, params, metrics, data, other.',
		'# versioning: semver | timestamp | git | hybrid',
		'models:',
	];
	for (const model of models) {
		if (model.reason) lines.push(`  # ${model.reason}`);
		lines.push(`  ${model.name}:`, '    versioning: semver');
		for (const [key] of ROLE_KEYS) {
			const globs = model.globs[key as RoleKey];
			if (!globs || globs.length === 0) continue;
			if (globs.length === 1) lines.push(`    ${key}: ${quote(globs[0])}`);
			else appendAll(lines, [`    ${key}:`, ...globs.map((g) => `      - ${quote(g)}`)]);
		}
	}
	return lines.join('\n') + '\n';
}

/** A config to start from when nothing was recognised (shown, not written). */
function templateText(name: string): string {
	return [
		'models:',
		`  ${name}:`,
		'    versioning: semver',
		'    prompts: prompts/**/*.md        # prompt templates (.md, .txt, .jinja2, .prompty …)',
		'    params: config/train.yaml       # training or inference settings (YAML, JSON, TOML)',
		'    metrics: eval/metrics.json      # evaluation results',
		'    # rag: config/rag.yaml          # retrieval settings',
		'    # weights: output/**/*.safetensors',
		'    # data: data/*.dvc               # DVC references',
		'',
	].join('\n');
}

function modelNameOf(folder: string): string {
	return folder.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'model';
}

function dirOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash);
}

function isUnder(path: string, dir: string): boolean {
	return dir === '' || path.startsWith(`${dir}/`);
}

function insideGitRepository(root: string): boolean {
	for (let dir = root; ; dir = dirname(dir)) {
		if (existsSync(join(dir, '.git'))) return true;
		if (dirname(dir) === dir) return false;
	}
}

function quote(glob: string): string {
	return /^[A-Za-z0-9_./-]+$/.test(glob) ? glob : JSON.stringify(glob);
}
