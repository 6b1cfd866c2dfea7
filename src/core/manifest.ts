// Version manifests: one immutable YAML file per version, `.model-ledger/versions/<model>/<digest>.yaml`.
// The file is written canonically (keys sorted), and the sha256 of its bytes is the version's digest.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { canonicalYaml, parseCanonicalYaml } from './canonicalYaml';
import { LedgerError, ParseError } from './errors';
import type { VersionManifest } from './model';
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
	const bytes = readFileSync(absPath);
	if (expectedDigest !== undefined) {
		const actual = manifestDigest(bytes);
		if (actual !== expectedDigest) {
			throw new LedgerError(
				`Manifest ${relPath} was modified after it was written (its content hashes to ${actual.slice(0, 12)}…).`,
				'Manifests are immutable: restore it with `git checkout -- ' + relPath + '`.',
				{ file: relPath },
				'MANIFEST_TAMPERED',
			);
		}
	}
	return parseManifest(bytes.toString('utf8'), relPath);
}

/** Parses and shape-checks a manifest's text. */
export function parseManifest(text: string, relPath: string): VersionManifest {
	let value: unknown;
	try {
		// Warnings (odd anchors, unknown tags) would go to stderr as process warnings; a bad manifest is an error or nothing.
		// Manifests Model Ledger wrote are read by the one-pass canonical reader (~30× faster); others by yaml.
		value = parseCanonicalYaml(text) ?? parse(text, { logLevel: 'error' });
	} catch (err) {
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
		if (a.path.startsWith('/') || a.path.split('/').includes('..')) bad(`artifacts (path ${a.path} leaves the workspace)`);
	}
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

function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
