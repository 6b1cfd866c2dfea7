// Reads DVC's data pointers (`*.dvc`, `dvc.lock`) so a version records which data it was made with,
// by md5, without Model Ledger ever copying the data itself.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { posix } from 'node:path';
import { ParseError } from '../errors';
import type { DataRef } from '../model';
import { parseYamlDocument, yamlPosition } from '../parse/structuredFiles';
import type { YamlSource } from '../parse/structuredFiles';

const DVC_FIX = 'Fix the file (or regenerate it with `dvc add` / `dvc repro`), or give it the role `other`.';

/** True for DVC pointer files: `*.dvc` (not DVC's own `.dvc/` folder) and `dvc.lock`. */
export function isDvcFile(path: string): boolean {
	const base = posix.basename(path.replace(/\\/g, '/'));
	return base === 'dvc.lock' || (base.endsWith('.dvc') && base.length > '.dvc'.length);
}

/**
 * Data references of a `.dvc` file: each entry of `outs`, its path made workspace-relative
 * (DVC writes it relative to the `.dvc` file's folder, or to `wdir` when set).
 */
export function parseDvcFile(relPath: string, text: string): DataRef[] {
	const source = parseYamlDocument(relPath, text, DVC_FIX);
	const root = rootMap(source, relPath);
	if (!root) return [];
	const wdir = scalarString(root.get('wdir', true));
	const base = posix.join(posix.dirname(toPosix(relPath)), wdir ?? '.');
	const outs = root.get('outs', true);
	if (outs === undefined || isEmptyScalar(outs)) {
		throw shapeError(source, relPath, root, '`outs` is missing: a .dvc file lists the data it tracks under `outs`');
	}
	return entries(source, relPath, outs, 'outs').map((entry) => dataRef(source, relPath, entry, base, 'outs'));
}

/**
 * Data references of a `dvc.lock`: every stage's `outs`, plus the `deps` that carry an md5 (the data
 * a stage read). A dep that is another stage's out with the same md5 is recorded once, as the out.
 * Paths are made workspace-relative from the lock file's folder. Old (DVC 1) locks without
 * `schema` keep stages at the top level and are read the same way.
 */
export function parseDvcLock(relPath: string, text: string): DataRef[] {
	const source = parseYamlDocument(relPath, text, DVC_FIX);
	const root = rootMap(source, relPath);
	if (!root) return [];
	const base = posix.dirname(toPosix(relPath));
	const stagesNode = root.has('schema') ? root.get('stages', true) : root;
	if (stagesNode === undefined || isEmptyScalar(stagesNode)) return [];
	if (!isMap(stagesNode)) throw shapeError(source, relPath, stagesNode, '`stages` is not a mapping of stage names');

	const outs: DataRef[] = [];
	const deps: DataRef[] = [];
	for (const pair of stagesNode.items as Pair<unknown, unknown>[]) {
		const stage = String(isScalar(pair.key) ? pair.key.value : pair.key);
		const body = pair.value as Node | null;
		if (!isMap(body)) throw shapeError(source, relPath, body ?? stagesNode, `stage "${stage}" is not a mapping`);
		for (const field of ['outs', 'deps'] as const) {
			const list = body.get(field, true);
			if (list === undefined || isEmptyScalar(list)) continue;
			for (const entry of entries(source, relPath, list, `stages.${stage}.${field}`)) {
				const ref = dataRef(source, relPath, entry, base, field);
				ref.stage = stage;
				if (field === 'outs') outs.push(ref);
				else if (ref.md5 !== null) deps.push(ref);
			}
		}
	}
	const produced = new Set(outs.map((ref) => `${ref.path}\0${ref.md5}`));
	const seenDeps = new Set<string>();
	const readOnly = deps.filter((ref) => {
		const key = `${ref.path}\0${ref.md5}`;
		if (produced.has(key) || seenDeps.has(key)) return false;
		seenDeps.add(key);
		return true;
	});
	return [...outs, ...readOnly];
}

function rootMap(source: YamlSource, relPath: string): YAMLMap | undefined {
	const contents = source.doc.contents;
	if (contents === null || isEmptyScalar(contents)) return undefined;
	if (!isMap(contents)) throw shapeError(source, relPath, contents, 'the file is not a YAML mapping');
	return contents;
}

function entries(source: YamlSource, relPath: string, list: unknown, where: string): YAMLMap[] {
	if (!isSeq(list)) throw shapeError(source, relPath, list as Node, `\`${where}\` is not a list`);
	return list.items.map((item) => {
		if (!isMap(item)) throw shapeError(source, relPath, (item as Node | null) ?? list, `an entry of \`${where}\` is not a mapping`);
		return item;
	});
}

function dataRef(source: YamlSource, relPath: string, entry: YAMLMap, base: string, field: 'outs' | 'deps'): DataRef {
	const rawPath = scalarString(entry.get('path', true));
	if (rawPath === undefined || rawPath === '') throw shapeError(source, relPath, entry, `an entry of \`${field}\` has no \`path\``);
	const ref: DataRef = { source: toPosix(relPath), path: workspacePath(base, rawPath), md5: md5Of(entry) };
	const size = entry.get('size');
	if (typeof size === 'number' || typeof size === 'bigint') ref.size = Number(size);
	const nfiles = entry.get('nfiles');
	if (typeof nfiles === 'number' || typeof nfiles === 'bigint') ref.nfiles = Number(nfiles);
	ref.kind = field === 'outs' ? 'out' : 'dep';
	return ref;
}

function md5Of(entry: YAMLMap): string | null {
	// DVC 3 may name the algorithm (`hash: md5`) and still stores the value under `md5`.
	const md5 = scalarString(entry.get('md5', true));
	return md5 === undefined || md5 === '' ? null : md5;
}

/** Remote (`s3://…`) and absolute paths stay as written; relative ones are joined to the file's folder. */
function workspacePath(base: string, rawPath: string): string {
	const path = toPosix(rawPath);
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || posix.isAbsolute(path) || /^[A-Za-z]:\//.test(path)) return path;
	const joined = posix.normalize(posix.join(base, path));
	return joined.replace(/\/$/, '');
}

function scalarString(node: unknown): string | undefined {
	if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
	return String(node.value);
}

function isEmptyScalar(node: unknown): boolean {
	return isScalar(node) && (node.value === null || node.value === undefined);
}

function toPosix(path: string): string {
	return path.replace(/\\/g, '/');
}

function shapeError(source: YamlSource, relPath: string, node: unknown, reason: string): ParseError {
	const range = (node as Node | null | undefined)?.range;
	const where = range ? yamlPosition(source, range[0]) : {};
	return new ParseError(`${relPath} is not a valid DVC file: ${reason}.`, { file: relPath, ...where }, DVC_FIX);
}
