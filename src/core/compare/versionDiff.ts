// What changed between two versions of a model, or between a version and the working tree:
// artifacts, params/config key by key (semantic), metrics with deltas and direction, prompt line
// counts and template variables, safetensors tensors, data references and the code range.
// Stored files are read from the object store; the working tree is read as a snapshot would
// read it now, without storing anything.
import { flatKeyCount, HUGE_FILE_KEYS } from '../parse/hugeFiles';
import { getOwn, setOwn } from '../ownKeys';
import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { diffFlatValues, flattenSemantic } from './configDiff';
import type { KeyChange, KeyDiff } from './configDiff';
import { describeError, LedgerError } from '../errors';
import { gitDisabledReason, readLineage } from '../snapshot/gitLineage';
import type { Ledger } from '../ledger';
import { findLockfiles } from '../snapshot/lockfiles';
import { diffMetrics, metricDirection } from './metricDiff';
import type { Direction, MetricDiff } from './metricDiff';
import type { ArtifactRecord, Author, DataRef, FlatValues, PromptInfo, Role, SafetensorsSummary, Scalar, VersionManifest, VersionSummary } from '../model';
import { currentHash, describeWorkingTree } from '../snapshot/snapshot';
import { isStructuredPath, parseStructured } from '../parse/structuredFiles';
import { pairRenames } from './renames';
import { diffTensorHeaders, hashTensors } from './tensorDiff';
import type { WeightsDiff } from './tensorDiff';
import { runInfoLines } from '../snapshot/runMetadata';
import { decodeUtf8Text, looksBinary } from '../parse/textContent';
import { extractPromptVariables } from '../parse/promptVariables';
import { versionName } from '../store/versionName';
import type { MetricsDirection } from '../parse/workspaceConfig';

/** A model no longer in model-ledger.yaml has no declared directions: metric names decide. */
const NO_DIRECTION: MetricsDirection = { higherIsBetter: [], lowerIsBetter: [] };

export type { KeyDiff, MetricDiff, WeightsDiff };

/** The B reference that means "the model's files as they are in the workspace now". */
export const WORKING_TREE = 'working';

/** Text files larger than this are compared by hash only (as a snapshot does not parse them either). */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;
/** Lines of a prompt's diff preview (changed lines with two lines of context around them). */
const PREVIEW_LINES = 400;
const PREVIEW_CONTEXT = 2;

/** One side of a comparison: a stored version, or the working tree (`working: true`, no number or digest). */
export interface DiffSide {
	model: string;
	working: boolean;
	number: number | null;
	label: string;
	/** Hybrid versioning: the version's semantic release label, when it has one. */
	releaseLabel?: string;
	digest: string | null;
	createdAt: string | null;
	author: Author | null;
	message: string;
	aliases: string[];
	git: { commit: string | null; branch: string | null; dirty: boolean };
	/** Another version of the model has the same number (named `v2 (fc78108)`). */
	numberShared?: boolean;
	/** Where and how it was made, as label/text rows (`made on`, `training`, `meta`, `link`); absent for the working tree. */
	run?: Array<[string, string]>;
}

export interface ArtifactEntry {
	path: string;
	role: Role;
	sha256: string;
	size: number;
	/** Whether the bytes are text a diff editor can show (prompts, configs); false for weights and binaries. */
	text: boolean;
}

export interface ArtifactChange {
	path: string;
	role: Role;
	/** sha256 in A and in B. */
	a: string;
	b: string;
	size: { a: number; b: number };
	text: boolean;
	/** A YAML/JSON/TOML file whose parsed keys are all equal: only comments or formatting changed. */
	formattingOnly?: true;
}

/** A removed and an added file paired as one rename (`git diff -M`): identical bytes, or ≥ 50% of the lines the same. */
export interface ArtifactRename {
	from: string;
	to: string;
	role: Role;
	/** Percent of the larger file's bytes in shared lines, floored; 100 when the bytes are identical. */
	similarity: number;
	/** sha256 in A (under `from`) and in B (under `to`). */
	a: string;
	b: string;
	size: { a: number; b: number };
	text: boolean;
	/** A YAML/JSON/TOML file whose parsed keys are all equal across the rename. */
	formattingOnly?: true;
}

export interface ParamDiff extends KeyDiff {
	file: string;
	/** The file's path in A when it was renamed (its keys are compared across the rename). */
	renamedFrom?: string;
}

export interface PromptLine {
	op: '+' | '-' | ' ' | '…';
	text: string;
}

export interface PromptDiff {
	path: string;
	change: Exclude<KeyChange, 'unchanged'>;
	/** The prompt's path in A when it was renamed; `change` is then `changed` (edited) and the line counts are across the rename. */
	renamedFrom?: string;
	variablesAdded: string[];
	variablesRemoved: string[];
	/** A removed variable breaks callers that still pass it (or templates that still render it). */
	breaksCallers: boolean;
	linesAdded: number;
	linesRemoved: number;
	/** With `promptText`: the changed lines with a little context, for a compact preview. */
	preview?: PromptLine[];
}

export interface DataDiff {
	path: string;
	source: string;
	stage?: string;
	kind?: 'out' | 'dep';
	a: string | null;
	b: string | null;
	change: Exclude<KeyChange, 'unchanged'>;
}

export interface CodeDiff {
	a: string | null;
	b: string | null;
	/** `git rev-list --count a..b`; null when either commit is unknown to the workspace's git. */
	commits: number | null;
	/** `git rev-list --count b..a`: commits in A that B does not have (B is older, or on another branch). */
	commitsBack: number | null;
	dirty: { a: boolean; b: boolean };
	/** Dependency lockfiles whose hash differs. */
	lockfiles: Array<{ path: string; a: string | null; b: string | null }>;
}

export interface VersionDiff {
	a: DiffSide;
	b: DiffSide;
	/** `renamed` pairs are neither added, removed nor changed; `unchanged` does not count them. */
	artifacts: { added: ArtifactEntry[]; removed: ArtifactEntry[]; changed: ArtifactChange[]; renamed: ArtifactRename[]; unchanged: number };
	params: ParamDiff[];
	metrics: MetricDiff[];
	prompts: PromptDiff[];
	weights: WeightsDiff[];
	data: DataDiff[];
	code: CodeDiff;
	/**
	 * Structured files present on a side where they did not parse (invalid YAML committed): their keys
	 * are not compared — a file that stopped parsing is not "every key removed". Also in `warnings`.
	 */
	unparseable: Array<{ path: string; side: 'a' | 'b'; version: string; reason: string }>;
	/** Files that could not be read or parsed for the comparison; the rest of the diff still stands. */
	warnings: string[];
}

export interface DiffProgress {
	file: string;
	bytesDone: number;
	bytesTotal: number;
	message: string;
}

export interface DiffOptions {
	/** Every key of params and metrics, unchanged ones too (`change: "unchanged"`). */
	all?: boolean;
	/** Hash each tensor's bytes in both files of every changed safetensors artifact. */
	tensors?: boolean;
	/** Include a preview of each changed prompt's lines. */
	promptText?: boolean;
	onProgress?: (progress: DiffProgress) => void;
	signal?: AbortSignal;
}

type Contents = Pick<VersionManifest, 'artifacts' | 'params' | 'metrics' | 'prompts' | 'weights' | 'data' | 'lockfiles'>;

interface Side {
	info: DiffSide;
	contents: Contents;
	/** Absolute path of an artifact's bytes: the stored object, or the workspace file. */
	fileOf(artifact: ArtifactRecord): string;
	/** The bytes of an artifact (hash-checked for stored objects). */
	read(artifact: ArtifactRecord): Buffer;
}

/** Compares two versions of a model (`refB` = {@link WORKING_TREE} for the working tree). */
export async function diffVersions(ledger: Ledger, model: string, refA: string, refB: string, options: DiffOptions = {}): Promise<VersionDiff> {
	const direction = ledger.readableModel(model)?.metricsDirection ?? NO_DIRECTION;
	const stored = storedSide(ledger, ledger.resolveReadable(model, refA));
	const b = refB === WORKING_TREE ? await workingSide(ledger, model) : storedSide(ledger, ledger.resolveReadable(model, refB));
	const warnings: string[] = [];
	// A's files are seen under their B names once paired, so params, metrics and prompts compare across a rename.
	const renames = findRenames(stored, b, warnings);
	const a = renamedSide(stored, renames);
	const unparseable: VersionDiff['unparseable'] = [];
	const artifacts = diffArtifacts(a, b, renames, warnings);
	const result: VersionDiff = {
		a: a.info,
		b: b.info,
		artifacts,
		params: diffParams(a, b, options.all === true, artifacts.changed, artifacts.renamed, warnings, unparseable),
		metrics: diffMetrics(a.contents.metrics, b.contents.metrics, direction, options.all === true),
		prompts: diffPrompts(a, b, options.promptText === true, renames, warnings),
		weights: await diffWeights(a, b, options, warnings),
		data: diffData(a.contents.data, b.contents.data),
		code: await diffCode(ledger.root, a, b),
		unparseable,
		warnings,
	};
	return result;
}

function storedSide(ledger: Ledger, version: VersionSummary): Side {
	const manifest = ledger.readManifest(version);
	return {
		info: {
			model: version.model,
			working: false,
			number: version.number,
			label: version.label,
			...(version.releaseLabel ? { releaseLabel: version.releaseLabel } : {}),
			digest: version.digest,
			createdAt: version.createdAt,
			author: version.author,
			message: version.message,
			aliases: version.aliases,
			numberShared: version.numberShared,
			git: { commit: manifest.git.commit, branch: manifest.git.branch, dirty: manifest.git.dirty },
			run: runInfoLines(manifest),
		},
		contents: manifest,
		fileOf: (artifact) => ledger.store.objectPath(artifact.sha256),
		read: (artifact) => ledger.store.read(artifact.sha256),
	};
}

async function workingSide(ledger: Ledger, model: string): Promise<Side> {
	const described = describeWorkingTree(ledger, model);
	const lineage = await readLineage(ledger.root);
	const lockfiles: Record<string, string> = {};
	for (const path of findLockfiles(ledger.root)) setOwn(lockfiles, path, currentHash(ledger, path, join(ledger.root, path)));
	return {
		info: {
			model,
			working: true,
			number: null,
			label: 'working tree',
			digest: null,
			createdAt: null,
			author: lineage.author,
			message: '',
			aliases: [],
			git: { commit: lineage.commit, branch: lineage.branch, dirty: lineage.dirty },
		},
		contents: { ...described, lockfiles },
		fileOf: (artifact) => join(ledger.root, artifact.path),
		read: (artifact) => readFileSync(join(ledger.root, artifact.path)),
	};
}

function byPath(artifacts: ArtifactRecord[]): Map<string, ArtifactRecord> {
	return new Map(artifacts.map((x) => [x.path, x]));
}

/** B path → A path and similarity of each rename. */
type Renames = Map<string, { from: string; similarity: number }>;

/** Pairs A's files missing from B with B's files missing from A (identical bytes, or ≥ 50% similar text). */
function findRenames(a: Side, b: Side, warnings: string[]): Renames {
	const inB = new Set(b.contents.artifacts.map((x) => x.path));
	const inA = new Set(a.contents.artifacts.map((x) => x.path));
	const removed = a.contents.artifacts.filter((x) => !inB.has(x.path));
	const added = b.contents.artifacts.filter((x) => !inA.has(x.path));
	const renames: Renames = new Map();
	if (removed.length === 0 || added.length === 0) return renames;
	const sideOf = new Map<ArtifactRecord, Side>([...removed.map((x) => [x, a] as const), ...added.map((x) => [x, b] as const)]);
	const textOf = (x: ArtifactRecord): string | undefined => {
		const side = sideOf.get(x)!;
		if (!isText(side, x, warnings)) return undefined;
		return promptText(side, x, warnings);
	};
	for (const pair of pairRenames(removed, added, textOf)) renames.set(pair.to.path, { from: pair.from.path, similarity: pair.similarity });
	return renames;
}

/** Side A with each renamed file (and its params, metrics, prompt facts, weights header, DVC source) under its B path. */
function renamedSide(side: Side, renames: Renames): Side {
	if (renames.size === 0) return side;
	const toOf = new Map([...renames].map(([to, r]) => [r.from, to]));
	const rename = (path: string) => toOf.get(path) ?? path;
	const rekey = <V>(record: Record<string, V>): Record<string, V> => Object.fromEntries(Object.entries(record).map(([k, v]) => [rename(k), v]));
	const c = side.contents;
	return {
		...side,
		contents: {
			...c,
			artifacts: c.artifacts.map((x) => (toOf.has(x.path) ? { ...x, path: rename(x.path) } : x)),
			params: rekey(c.params),
			metrics: rekey(c.metrics),
			prompts: rekey(c.prompts),
			weights: rekey(c.weights),
			data: c.data.map((d) => (toOf.has(d.source) ? { ...d, source: rename(d.source) } : d)),
		},
	};
}

function diffArtifacts(a: Side, b: Side, renames: Renames, warnings: string[]): VersionDiff['artifacts'] {
	const left = byPath(a.contents.artifacts);
	const right = byPath(b.contents.artifacts);
	const entry = (side: Side, x: ArtifactRecord): ArtifactEntry => ({ path: x.path, role: x.role, sha256: x.sha256, size: x.size, text: isText(side, x, warnings) });
	const result: VersionDiff['artifacts'] = { added: [], removed: [], changed: [], renamed: [], unchanged: 0 };
	for (const x of b.contents.artifacts) {
		const before = left.get(x.path);
		const rename = renames.get(x.path);
		if (rename && before) {
			const text = before.sha256 === x.sha256 ? isText(b, x, warnings) : isText(a, before, warnings) && isText(b, x, warnings);
			result.renamed.push({ from: rename.from, to: x.path, role: x.role, similarity: rename.similarity, a: before.sha256, b: x.sha256, size: { a: before.size, b: x.size }, text });
		} else if (!before) result.added.push(entry(b, x));
		else if (before.sha256 === x.sha256) result.unchanged++;
		else result.changed.push({ path: x.path, role: x.role, a: before.sha256, b: x.sha256, size: { a: before.size, b: x.size }, text: isText(a, before, warnings) && isText(b, x, warnings) });
	}
	for (const x of a.contents.artifacts) if (!right.has(x.path)) result.removed.push(entry(a, x));
	return result;
}

/** Text is what a diff editor can show: not weights, not too large, no NUL byte in the first 8 KB (git's test). */
function isText(side: Side, artifact: ArtifactRecord, warnings: string[]): boolean {
	if (artifact.role === 'weights' || artifact.path.endsWith('.safetensors') || artifact.size > MAX_TEXT_BYTES) return false;
	try {
		const fd = openSync(side.fileOf(artifact), 'r');
		try {
			const head = Buffer.alloc(Math.min(8000, artifact.size));
			const n = readSync(fd, head, 0, head.length, 0);
			return !head.subarray(0, n).includes(0);
		} finally {
			closeSync(fd);
		}
	} catch (err) {
		warnings.push(`${artifact.path} (${describeSide(side)}): ${describeError(err)}`);
		return false;
	}
}

function describeSide(side: Side): string {
	return side.info.working ? 'working tree' : versionName({ number: side.info.number!, digest: side.info.digest!, numberShared: side.info.numberShared });
}

/**
 * Params and RAG config, key by key. Files whose bytes differ are re-parsed from the stored copies so
 * lists of named items are matched by name; identical files reuse the manifest's keys.
 */
function diffParams(a: Side, b: Side, all: boolean, changed: ArtifactChange[], renamed: ArtifactRename[], warnings: string[], unparseable: VersionDiff['unparseable']): ParamDiff[] {
	const left = byPath(a.contents.artifacts);
	const right = byPath(b.contents.artifacts);
	const files = [...new Set([...Object.keys(b.contents.params), ...Object.keys(a.contents.params)])];
	const result: ParamDiff[] = [];
	for (const file of files) {
		const ra = left.get(file);
		const rb = right.get(file);
		let va: FlatValues;
		let vb: FlatValues;
		if (ra && rb && ra.sha256 === rb.sha256) {
			if (!all) continue;
			va = vb = getOwn(b.contents.params, file) ?? getOwn(a.contents.params, file) ?? {};
		} else {
			const broken: Array<{ side: 'a' | 'b'; reason: string }> = [];
			va = semanticValues(a, ra, getOwn(a.contents.params, file), warnings, (reason) => broken.push({ side: 'a', reason }));
			vb = semanticValues(b, rb, getOwn(b.contents.params, file), warnings, (reason) => broken.push({ side: 'b', reason }));
			if (broken.length) {
				for (const { side, reason } of broken) {
					const version = describeSide(side === 'a' ? a : b);
					unparseable.push({ path: file, side, version, reason });
					warnings.push(`${file} is unparseable in ${version} (${reason}); its keys are not compared.`);
				}
				continue;
			}
		}
		const keys = diffFlatValues(va, vb, all);
		if (ra && rb && ra.sha256 !== rb.sha256 && keys.every((k) => k.change === 'unchanged')) {
			const change = changed.find((c) => c.path === file) ?? renamed.find((r) => r.to === file);
			if (change) change.formattingOnly = true;
		}
		const from = renamed.find((r) => r.to === file)?.from;
		for (const k of keys) result.push(from ? { file, renamedFrom: from, ...k } : { file, ...k });
	}
	// A structured file that is not params (e.g. `other: adapter_config.json`) still gets the formatting-only mark.
	for (const change of changed) {
		if (change.formattingOnly || !isStructuredPath(change.path) || change.path in a.contents.params || change.path in b.contents.params) continue;
		if (change.role === 'metrics' || change.role === 'prompt') continue;
		const ra = left.get(change.path);
		const rb = right.get(change.path);
		if (!ra || !rb) continue;
		const va = semanticValues(a, ra, undefined, []);
		const vb = semanticValues(b, rb, undefined, []);
		if (Object.keys(va).length > 0 && diffFlatValues(va, vb).length === 0) change.formattingOnly = true;
	}
	return result;
}

/** A file's keys with named list items matched by name; the manifest's keys when the file cannot be re-read. */
function semanticValues(side: Side, artifact: ArtifactRecord | undefined, recorded: FlatValues | undefined, warnings: string[], onUnparseable?: (reason: string) => void): FlatValues {
	if (!artifact) return recorded ?? {};
	if (artifact.size > MAX_TEXT_BYTES) return recorded ?? {};
	try {
		const bytes = side.read(artifact);
		if (looksBinary(bytes)) return recorded ?? {};
		const value = parseStructured(artifact.path, decodeUtf8Text(bytes));
		// A huge file is compared by the summary its manifest recorded (the huge-file rule).
		if (flatKeyCount(value, HUGE_FILE_KEYS) > HUGE_FILE_KEYS) return recorded ?? {};
		return flattenSemantic(value);
	} catch (err) {
		// A file the snapshot could not parse has no recorded keys either: it is unparseable on this side.
		if (recorded && Object.keys(recorded).length > 0) warnings.push(`${artifact.path} (${describeSide(side)}): ${describeError(err)}; compared by its recorded keys.`);
		else onUnparseable?.(describeError(err));
		return recorded ?? {};
	}
}

function diffPrompts(a: Side, b: Side, withPreview: boolean, renames: Renames, warnings: string[]): PromptDiff[] {
	const left = byPath(a.contents.artifacts.filter((x) => x.role === 'prompt'));
	const right = byPath(b.contents.artifacts.filter((x) => x.role === 'prompt'));
	const paths = [...new Set([...right.keys(), ...left.keys()])];
	const result: PromptDiff[] = [];
	for (const path of paths) {
		const ra = left.get(path);
		const rb = right.get(path);
		if (ra && rb && ra.sha256 === rb.sha256) continue;
		const textA = ra ? promptText(a, ra, warnings) : '';
		const textB = rb ? promptText(b, rb, warnings) : '';
		// Read from the text with today's rules when it is at hand, so both sides agree (a version
		// records the variables its snapshot found, and the rules have improved since some were made).
		const varsA = textA !== undefined ? extractPromptVariables(textA) : variablesOf(getOwn(a.contents.prompts, path));
		const varsB = textB !== undefined ? extractPromptVariables(textB) : variablesOf(getOwn(b.contents.prompts, path));
		// Sets: a manifest made before MAX_PROMPT_VARIABLES may list a million names.
		const setA = new Set(varsA);
		const setB = new Set(varsB);
		const renamedFrom = ra && rb ? renames.get(path)?.from : undefined;
		const diff: PromptDiff = {
			path,
			change: !ra ? 'added' : !rb ? 'removed' : 'changed',
			...(renamedFrom ? { renamedFrom } : {}),
			variablesAdded: varsB.filter((v) => !setA.has(v)),
			variablesRemoved: ra && rb ? varsA.filter((v) => !setB.has(v)) : [],
			breaksCallers: false,
			linesAdded: 0,
			linesRemoved: 0,
		};
		diff.breaksCallers = diff.variablesRemoved.length > 0;
		if (textA !== undefined && textB !== undefined) {
			const parts = diffLines(textA, textB);
			for (const part of parts) {
				if (part.added) diff.linesAdded += part.count ?? 0;
				else if (part.removed) diff.linesRemoved += part.count ?? 0;
			}
			if (withPreview) diff.preview = previewLines(parts);
		}
		result.push(diff);
	}
	return result;
}

function variablesOf(info: PromptInfo | undefined): string[] {
	return info?.variables ?? [];
}

/** A prompt's text, or undefined (with a warning) when it is binary, too large or unreadable. */
function promptText(side: Side, artifact: ArtifactRecord, warnings: string[]): string | undefined {
	if (artifact.size > MAX_TEXT_BYTES) return undefined;
	try {
		const bytes = side.read(artifact);
		return looksBinary(bytes) ? undefined : decodeUtf8Text(bytes);
	} catch (err) {
		warnings.push(`${artifact.path} (${describeSide(side)}): ${describeError(err)}`);
		return undefined;
	}
}

function previewLines(parts: Array<{ value: string; added?: boolean; removed?: boolean }>): PromptLine[] {
	const lines: PromptLine[] = [];
	for (const part of parts) {
		const op = part.added ? '+' : part.removed ? '-' : ' ';
		const text = part.value.endsWith('\n') ? part.value.slice(0, -1) : part.value;
		for (const line of text.split('\n')) lines.push({ op, text: line });
	}
	// Keep changed lines and a little context; elide long unchanged runs.
	const keep = lines.map(() => false);
	lines.forEach((line, i) => {
		if (line.op === ' ') return;
		for (let j = Math.max(0, i - PREVIEW_CONTEXT); j <= Math.min(lines.length - 1, i + PREVIEW_CONTEXT); j++) keep[j] = true;
	});
	const preview: PromptLine[] = [];
	for (let i = 0; i < lines.length && preview.length < PREVIEW_LINES; i++) {
		if (keep[i]) preview.push(lines[i]);
		else if (preview.length === 0 || preview[preview.length - 1].op !== '…') preview.push({ op: '…', text: '' });
	}
	if (preview.length > 0 && preview[preview.length - 1].op === '…') preview.pop();
	return preview;
}

async function diffWeights(a: Side, b: Side, options: DiffOptions, warnings: string[]): Promise<WeightsDiff[]> {
	const left = byPath(a.contents.artifacts);
	const right = byPath(b.contents.artifacts);
	const paths = [...new Set([...Object.keys(b.contents.weights), ...Object.keys(a.contents.weights)])];
	const result: WeightsDiff[] = [];
	const toHash: Array<{ diff: WeightsDiff; ra: ArtifactRecord; rb: ArtifactRecord }> = [];
	for (const path of paths) {
		const ra = left.get(path);
		const rb = right.get(path);
		if (ra && rb && ra.sha256 === rb.sha256) continue;
		const wa = getOwn(a.contents.weights, path) as SafetensorsSummary | undefined;
		const wb = getOwn(b.contents.weights, path) as SafetensorsSummary | undefined;
		const diff = diffTensorHeaders(path, wa, wb);
		result.push(diff);
		if (wa?.huge || wb?.huge) {
			// The huge-file rule: tensor by tensor would hold millions of names; the file's hash already says it differs.
			warnings.push(`${path}: a huge safetensors header (${(wa?.huge ?? wb?.huge)!.tensorCount.toLocaleString('en-US')} tensors); compared by its tensor counts and whole-file hash, not tensor by tensor.`);
			continue;
		}
		if (options.tensors && ra && rb && wa && wb) toHash.push({ diff, ra, rb });
	}
	const bytesTotal = toHash.reduce((n, x) => n + x.ra.size + x.rb.size, 0);
	let bytesDone = 0;
	for (const { diff, ra, rb } of toHash) {
		const report = (side: string) => (n: number) => {
			bytesDone += n;
			options.onProgress?.({ file: diff.path, bytesDone, bytesTotal, message: `Hashing tensors of ${diff.path} (${side})` });
		};
		try {
			const ha = await hashTensors(a.fileOf(ra), `${ra.path} (${describeSide(a)})`, report(describeSide(a)), options.signal);
			const hb = await hashTensors(b.fileOf(rb), `${rb.path} (${describeSide(b)})`, report(describeSide(b)), options.signal);
			diff.bytesChanged = [];
			diff.bytesUnchanged = 0;
			for (const [name, hash] of hb) {
				const before = ha.get(name);
				if (before === undefined) continue;
				if (before === hash) diff.bytesUnchanged++;
				else diff.bytesChanged.push(name);
			}
		} catch (err) {
			if (err instanceof LedgerError && err.code === 'CANCELLED') throw err;
			warnings.push(`${diff.path}: tensors not compared: ${describeError(err)}`);
		}
	}
	return result;
}

function dataKey(ref: DataRef): string {
	return `${ref.source}\0${ref.kind ?? ''}\0${ref.stage ?? ''}\0${ref.path}`;
}

function diffData(a: DataRef[], b: DataRef[]): DataDiff[] {
	const left = new Map(a.map((r) => [dataKey(r), r]));
	const right = new Map(b.map((r) => [dataKey(r), r]));
	const result: DataDiff[] = [];
	const entry = (ref: DataRef, va: string | null, vb: string | null, change: DataDiff['change']): DataDiff => ({
		path: ref.path,
		source: ref.source,
		...(ref.stage ? { stage: ref.stage } : {}),
		...(ref.kind ? { kind: ref.kind } : {}),
		a: va,
		b: vb,
		change,
	});
	for (const [key, ref] of right) {
		const before = left.get(key);
		if (!before) result.push(entry(ref, null, ref.md5, 'added'));
		else if (before.md5 !== ref.md5) result.push(entry(ref, before.md5, ref.md5, 'changed'));
	}
	for (const [key, ref] of left) if (!right.has(key)) result.push(entry(ref, ref.md5, null, 'removed'));
	return result;
}

async function diffCode(root: string, a: Side, b: Side): Promise<CodeDiff> {
	const ca = a.info.git.commit;
	const cb = b.info.git.commit;
	const count = async (from: string | null, to: string | null): Promise<number | null> => {
		if (!from || !to) return null;
		if (from === to) return 0;
		const out = await runGit(root, ['rev-list', '--count', `${from}..${to}`]);
		return out === null || !/^\d+$/.test(out.trim()) ? null : Number(out.trim());
	};
	const [commits, commitsBack] = await Promise.all([count(ca, cb), count(cb, ca)]);
	const la = a.contents.lockfiles ?? {};
	const lb = b.contents.lockfiles ?? {};
	const lockfiles = [...new Set([...Object.keys(lb), ...Object.keys(la)])]
		.filter((p) => la[p] !== lb[p])
		.sort()
		.map((path) => ({ path, a: la[path] ?? null, b: lb[path] ?? null }));
	return { a: ca, b: cb, commits, commitsBack, dirty: { a: a.info.git.dirty, b: b.info.git.dirty }, lockfiles };
}

/** Runs git without a shell; null when git is missing, the folder is no repository, or a commit is unknown. */
function runGit(cwd: string, args: string[]): Promise<string | null> {
	if (gitDisabledReason()) return Promise.resolve(null);
	return new Promise((resolve) => {
		execFile('git', args, { cwd, timeout: 15_000, windowsHide: true }, (err, stdout) => resolve(err ? null : stdout));
	});
}

// --- metric history -------------------------------------------------------------------------------

export interface MetricPoint {
	number: number;
	label: string;
	digest: string;
	createdAt: string;
	aliases: string[];
	/** The metrics file holding the key in this version; null when the version does not have it. */
	file: string | null;
	value: Scalar;
}

export interface MetricHistory {
	model: string;
	metric: string;
	direction: Direction | null;
	/** Oldest first. */
	points: MetricPoint[];
}

/** One metric across all versions of a model, oldest first, with each version's aliases. */
export function metricHistory(ledger: Ledger, model: string, metric: string): MetricHistory {
	const direction = ledger.readableModel(model)?.metricsDirection ?? NO_DIRECTION;
	const versions = [...ledger.listVersions(model)].sort((x, y) => x.number - y.number || x.createdAt.localeCompare(y.createdAt));
	const points = versions.map((v): MetricPoint => {
		const metrics = ledger.readManifest(v).metrics;
		const file = Object.keys(metrics).sort().find((f) => Object.prototype.hasOwnProperty.call(metrics[f], metric)) ?? null;
		return { number: v.number, label: v.label, digest: v.digest, createdAt: v.createdAt, aliases: v.aliases, file, value: file ? metrics[file][metric] : null };
	});
	if (versions.length > 0 && points.every((p) => p.file === null)) {
		const known = metricKeys(ledger, model);
		throw new LedgerError({
			code: 'UNKNOWN_METRIC',
			message: `No version of \`${model}\` has a metric \`${metric}\`.`,
			fix: known.length ? `Its metrics: ${known.join(', ')}.` : 'Its versions record no metrics; add a `metrics:` file to the model in model-ledger.yaml.',
		});
	}
	return { model, metric, direction: metricDirection(direction, metric), points };
}

/** Every metric key recorded by any version of a model, in first-seen order (newest version first). */
export function metricKeys(ledger: Ledger, model: string): string[] {
	const keys = new Set<string>();
	for (const v of ledger.listVersions(model)) {
		for (const values of Object.values(ledger.readManifest(v).metrics)) for (const key of Object.keys(values)) keys.add(key);
	}
	return [...keys];
}
