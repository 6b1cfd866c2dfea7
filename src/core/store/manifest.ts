// Version manifests: one immutable YAML file per version, `.model-ledger/versions/<model>/<digest>.yaml`.
// The file is written canonically (keys sorted), and the sha256 of its bytes is the version's digest.
import { parseDocument } from 'yaml';
import { printablePath, unsafeArtifactPaths } from './artifactPaths';
import { formatMiB, MAX_MANIFEST_BYTES, MAX_NONCANONICAL_MANIFEST_BYTES, readBoundedFile } from './boundedRead';
import { MAX_EXPANDED_VALUES, MAX_YAML_FLOW_DEPTH, yamlFlowTooDeep, yamlTokenCounts } from '../parse/hugeFiles';
import { firstDuplicateKey } from '../parse/yamlDuplicateKeys';
import { canonicalYaml, parseCanonicalYaml } from './canonicalYaml';
import { LedgerError, ParseError } from '../errors';
import type { VersionManifest } from '../model';
import { sha256Hex } from './objectStore';

/** Canonical YAML text of a manifest: sorted keys, no aliases, stable formatting. */
export function serializeManifest(manifest: VersionManifest): string {
	const sorted = { ...manifest, artifacts: [...manifest.artifacts].sort((a, b) => compareStrings(a.path, b.path)) };
	// Written directly (canonicalYaml) rather than through yaml's stringify: ~8× faster on big manifests.
	return canonicalYaml(sorted as unknown as Parameters<typeof canonicalYaml>[0]);
}

/** The digest a manifest text is stored under. */
export function manifestDigest(text: string | Buffer): string {
	return sha256Hex(text);
}

/** Reads a manifest file and checks that its bytes still hash to the digest in its name. */
export function readManifestFile(absPath: string, relPath: string, expectedDigest?: string): VersionManifest {
	// One open path: never through a link (O_NOFOLLOW, fstat: a regular file), never past the limit.
	// A planted `x.yaml → /dev/zero`, a link to a file outside, or a 1 GB file is refused, not read.
	let bytes: Buffer;
	try {
		bytes = readBoundedFile(absPath, relPath, MAX_MANIFEST_BYTES, 'a manifest', { noFollow: true });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LedgerError({ code: 'MANIFEST_MISSING', message: `Manifest ${relPath} is missing.`, fix: 'Run `model-ledger reindex`.', location: { file: relPath } });
		throw err;
	}
	if (expectedDigest !== undefined) {
		const actual = manifestDigest(bytes);
		if (actual !== expectedDigest) {
			throw new LedgerError({
				code: 'MANIFEST_TAMPERED',
				message: `Manifest ${relPath} was modified after it was written (its content hashes to ${actual.slice(0, 12)}…).`,
				fix: 'Manifests are immutable: restore it with `git checkout -- ' + relPath + '`.',
				location: { file: relPath },
			});
		}
	}
	return parseManifest(bytes.toString('utf8'), relPath);
}

/**
 * Parses and shape-checks a manifest's text. `keepSuspect`: return a suspect manifest instead of
 * refusing it (gc keeps what any manifest names, planted or not, rather than refusing to run).
 */
export function parseManifest(text: string, relPath: string, options: { keepSuspect?: boolean } = {}): VersionManifest {
	let value: unknown;
	try {
		// Warnings (odd anchors, unknown tags) would go to stderr as process warnings; a bad manifest is an error or nothing.
		// Manifests Model Ledger wrote are read by the one-pass canonical reader (~30× faster); others by yaml.
		value = parseCanonicalYaml(text) ?? parseOtherYaml(text, relPath);
	} catch (err) {
		// A ParseError, or a suspect manifest (LedgerError SUSPECT_MANIFEST): already says what and where.
		if (err instanceof LedgerError) throw err;
		const pos = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
		throw new ParseError(`invalid manifest YAML: ${(err as Error).message.split('\n')[0]}`, { file: relPath, line: pos?.line, column: pos?.col }, 'Restore the manifest from git; manifests are written by Model Ledger only.');
	}
	const m = value as Partial<VersionManifest> | null;
	const bad = (what: string): never => {
		throw new ParseError(`manifest is missing or has an invalid \`${what}\`.`, { file: relPath }, 'Restore the manifest from git; manifests are written by Model Ledger only.');
	};
	if (!m || typeof m !== 'object') return bad('body');
	if (m.schema !== 1) bad('schema');
	if (typeof m.model !== 'string') bad('model');
	if (typeof m.number !== 'number' || !Number.isInteger(m.number) || m.number < 1) bad('number');
	if (typeof m.label !== 'string') bad('label');
	if (typeof m.createdAt !== 'string') bad('createdAt');
	if (!Array.isArray(m.artifacts)) bad('artifacts');
	for (const a of m.artifacts!) {
		if (!a || typeof a.path !== 'string' || typeof a.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(a.sha256) || typeof a.size !== 'number') bad('artifacts');
	}
	// Model Ledger never writes these: such a manifest was planted (or edited), and is never served.
	if (!options.keepSuspect && m.number! > MAX_VERSION_NUMBER) {
		throw suspect(relPath, `its version number ${m.number} is above ${MAX_VERSION_NUMBER} (a planted number would make every later snapshot continue from it)`);
	}
	const unsafe = options.keepSuspect ? [] : unsafeArtifactPaths(m.artifacts!.map((a) => a.path));
	if (unsafe.length) {
		const shown = unsafe.slice(0, 10).map((u) => `\`${printablePath(u.path)}\` (${u.why})`);
		throw suspect(relPath, `it names files that are never a model's: ${shown.join(', ')}${unsafe.length > 10 ? ` and ${unsafe.length - 10} more` : ''}`);
	}
	const duplicate = options.keepSuspect ? undefined : duplicateArtifactPath(m.artifacts!.map((a) => a.path));
	if (duplicate) throw suspect(relPath, duplicate);
	return {
		...m,
		author: m.author ?? { name: 'unknown' },
		message: m.message ?? '',
		params: m.params ?? {},
		metrics: m.metrics ?? {},
		prompts: m.prompts ?? {},
		weights: m.weights ?? {},
		lockfiles: m.lockfiles ?? {},
		data: m.data ?? [],
		git: m.git ?? { commit: null, branch: null, remote: null, dirty: false },
	} as VersionManifest;
}

/**
 * Why a list of artifact paths names one file twice, or undefined. Model Ledger writes each path
 * once, and never two names that are the same text in different Unicode normalization forms (NFC
 * `é` and NFD `e` + U+0301: one file on macOS, and indistinguishable when printed): a planted
 * manifest with either would make restore write one file twice and the index keep one of them.
 * (`./a`, `a/`, `a//b` are already refused by the path rules: an empty or `.` segment.)
 */
export function duplicateArtifactPath(paths: string[]): string | undefined {
	const seen = new Map<string, string>();
	for (const path of paths) {
		const key = path.normalize('NFC');
		const first = seen.get(key);
		if (first === undefined) {
			seen.set(key, path);
			continue;
		}
		if (first === path) return `it names the file \`${printablePath(path)}\` twice (Model Ledger writes each path once)`;
		return `it names \`${printablePath(first)}\` and \`${printablePath(path)}\`, the same name in two Unicode forms (NFC and NFD; one file on macOS), which Model Ledger never writes`;
	}
	return undefined;
}

/**
 * The highest version number a manifest may carry: far beyond any real model's history, and far
 * below 2^53 (where `number + 1` stops being exact and snapshots would reuse a number).
 */
export const MAX_VERSION_NUMBER = 1_000_000;

/** A manifest that is well-formed but names what Model Ledger never writes: reported, never indexed or restored. */
export function suspect(relPath: string, why: string): LedgerError {
	return new LedgerError({
		code: 'SUSPECT_MANIFEST',
		message: `Suspect manifest ${relPath}: ${why}.`,
		fix: 'It was not written by Model Ledger (a planted or edited file): it is not listed as a version and cannot be restored. Check who added it (`git log -- ' + relPath + '`) and delete it.',
		location: { file: relPath },
	});
}

/**
 * A manifest Model Ledger did not write in its canonical form (older versions used the yaml
 * library; or it was planted): parsed with yaml, its aliases counted by what they expand to first.
 */
function parseOtherYaml(text: string, relPath: string): unknown {
	// Measured in characters, not bytes: the yaml library's cost follows the text it walks.
	if (text.length > MAX_NONCANONICAL_MANIFEST_BYTES) {
		throw suspect(relPath, `it is not in the canonical form Model Ledger writes and is ${formatMiB(text.length)}; such a manifest is only parsed up to ${formatMiB(MAX_NONCANONICAL_MANIFEST_BYTES)} (the full YAML parser needs about 200 MB of memory per MB), so it was not read`);
	}
	// Model Ledger never wrote an alias (yaml's stringify ran with aliasDuplicateObjects: false, and
	// canonicalYaml has none): a manifest with one was planted or edited. Found by the lexer, before a
	// tree is built (99 aliases to a 200,000-key map would expand to 20 M values).
	const { aliases } = yamlTokenCounts(text);
	if (aliases > 0) throw suspect(relPath, `it uses ${aliases.toLocaleString('en-US')} YAML alias(es), which Model Ledger never writes (aliases could expand to more than ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values)`);
	// Model Ledger writes block YAML: deep flow collections are planted (and cost the parser ~1.7 GB per million levels).
	if (yamlFlowTooDeep(text)) throw suspect(relPath, `its \`[\`/\`{\` collections nest more than ${MAX_YAML_FLOW_DEPTH} levels deep, which Model Ledger never writes`);
	// uniqueKeys off: yaml's check is quadratic (a planted 200,000-key manifest took minutes); firstDuplicateKey is linear.
	const doc = parseDocument(text, { logLevel: 'error', uniqueKeys: false });
	if (doc.errors.length) throw doc.errors[0];
	if (firstDuplicateKey(doc.contents)) throw suspect(relPath, 'a mapping in it repeats a key (Model Ledger never writes one twice)');
	return doc.toJS();
}

function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
