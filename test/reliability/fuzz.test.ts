// Fuzzing the parsers that read files a workspace (or a teammate's commit) controls: the config,
// manifests, structured params/metrics and the secret scan. Whatever the input, the only errors
// allowed out are LedgerError/ParseError (which the shells print as one line) — never a TypeError,
// RangeError or a hang.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { LedgerError } from '../../src/core/errors';
import { parseManifest, serializeManifest } from '../../src/core/manifest';
import type { VersionManifest } from '../../src/core/model';
import { scanText } from '../../src/core/secretScan';
import { parseStructured } from '../../src/core/structuredFiles';
import { parseWorkspaceConfig } from '../../src/core/workspaceConfig';
import { QUICK } from './support';

const RUNS = QUICK ? 300 : 2000;

function onlyLedgerErrors(fn: () => unknown): void {
	try {
		fn();
	} catch (err) {
		if (!(err instanceof LedgerError)) throw new Error(`threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
		assert.ok(err.toString().length > 0);
	}
}

const ROLE_KEYS = ['prompts', 'rag', 'weights', 'params', 'metrics', 'data', 'other', 'versioning', 'protected_aliases', 'description', 'file', 'higher_is_better', 'lower_is_better'];
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('semver', 'git', 'hybrid', 'timestamp', 'prompts/**/*.md', '../x', '/etc/passwd', 'a/../b', '', '*'));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
	node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.constantFrom(...ROLE_KEYS), fc.string()), tie('node'), { maxKeys: 5 })),
})).node;
/** Config-shaped documents: mostly the real keys, with wrong types and odd values in them. */
const configLike = fc.record(
	{
		models: fc.dictionary(fc.oneof(fc.constantFrom('bot', 'a/b', '..', 'x y', ''), fc.string()), fc.dictionary(fc.constantFrom(...ROLE_KEYS), value, { maxKeys: 6 }), { maxKeys: 3 }),
		remotes: value,
		default_remote: value,
	},
	{ requiredKeys: [] },
);

/** Small random edits of a text: delete, duplicate or replace a slice. */
function mutated(base: string): fc.Arbitrary<string> {
	return fc
		.array(fc.tuple(fc.nat(base.length), fc.nat(40), fc.constantFrom('delete', 'duplicate', 'replace'), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 4 })
		.map((edits) => {
			let text = base;
			for (const [at, length, kind, insert] of edits) {
				const i = at % (text.length + 1);
				const slice = text.slice(i, i + length);
				text = kind === 'delete' ? text.slice(0, i) + text.slice(i + length) : kind === 'duplicate' ? text.slice(0, i) + slice + slice + text.slice(i + length) : text.slice(0, i) + insert + text.slice(i + length);
			}
			return text;
		});
}

const VALID_CONFIG = `models:
  support-bot:
    versioning: semver
    prompts: prompts/**/*.md
    rag: config/rag.yaml
    metrics:
      file: eval/metrics.json
      higher_is_better: [faithfulness]
    protected_aliases: [production]
  reranker:
    versioning: hybrid
    params: [config/reranker.toml]
remotes:
  origin:
    url: s3://bucket/prefix
default_remote: origin
`;

const SHA = 'a'.repeat(64);
const VALID_MANIFEST: VersionManifest = {
	schema: 1,
	model: 'support-bot',
	number: 3,
	label: '0.1.2',
	versioning: 'semver',
	createdAt: '2026-11-28T14:30:00.000Z',
	author: { name: 'Ana', email: 'ana@example.com' },
	message: 'cite sources',
	artifacts: [{ path: 'prompts/system.md', role: 'prompt', sha256: SHA, size: 12, mode: 0o644 }],
	params: { 'config/rag.yaml': { 'retriever.top_k': 8 } },
	metrics: { 'eval/metrics.json': { faithfulness: 0.9 } },
	prompts: { 'prompts/system.md': { variables: ['name'] } },
	weights: {},
	lockfiles: { 'requirements.txt': SHA },
	data: [],
	git: { commit: 'abc1234', branch: 'main', remote: null, dirty: false },
};

describe('fuzzing parsers with generated inputs', () => {
	test('parseWorkspaceConfig: arbitrary text, config-shaped documents and mutations of a valid config', () => {
		assert.ok(parseWorkspaceConfig(VALID_CONFIG).models.length === 2, 'the seed config is valid');
		fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => onlyLedgerErrors(() => parseWorkspaceConfig(text))), { numRuns: RUNS });
		fc.assert(fc.property(configLike, (doc) => onlyLedgerErrors(() => parseWorkspaceConfig(stringify(doc)))), { numRuns: RUNS });
		fc.assert(fc.property(mutated(VALID_CONFIG), (text) => onlyLedgerErrors(() => parseWorkspaceConfig(text))), { numRuns: RUNS });
	});

	test('parseWorkspaceConfig accepts nothing that leaves the workspace', () => {
		fc.assert(
			fc.property(fc.constantFrom('../x/*.md', '/etc/*', 'a/../../b', '..\\\\x', 'C:/x'), fc.constantFrom('prompts', 'params', 'other'), (glob, key) => {
				const text = `models:\n  bot:\n    ${key}: ${JSON.stringify(glob)}\n`;
				let accepted: string[] | undefined;
				try {
					accepted = parseWorkspaceConfig(text).models[0].globs[key === 'prompts' ? 'prompt' : key === 'params' ? 'params' : 'other'];
				} catch (err) {
					assert.ok(err instanceof LedgerError);
					return;
				}
				// Accepted globs must be relative and free of `..` segments.
				for (const g of accepted ?? []) assert.ok(!g.startsWith('/') && !g.split(/[\\/]/).includes('..') && !/^[A-Za-z]:/.test(g), `accepted ${g}`);
			}),
		);
	});

	test('parseManifest: arbitrary text, YAML of arbitrary values and mutations of a valid manifest', () => {
		const valid = serializeManifest(VALID_MANIFEST);
		assert.equal(parseManifest(valid, 'm.yaml').number, 3, 'the seed manifest is valid');
		fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => onlyLedgerErrors(() => parseManifest(text, 'm.yaml'))), { numRuns: RUNS });
		fc.assert(fc.property(value, (doc) => onlyLedgerErrors(() => parseManifest(stringify(doc), 'm.yaml'))), { numRuns: RUNS });
		fc.assert(
			fc.property(mutated(valid), (text) =>
				onlyLedgerErrors(() => {
					const m = parseManifest(text, 'm.yaml');
					// What parses must still be safe to use: paths stay inside, hashes look like hashes.
					for (const a of m.artifacts) assert.ok(!a.path.startsWith('/') && !a.path.split('/').includes('..') && /^[0-9a-f]{64}$/.test(a.sha256));
				}),
			),
			{ numRuns: RUNS },
		);
	});

	test('parseStructured (YAML, JSON, TOML): only ParseError, whatever the bytes', () => {
		for (const path of ['c.yaml', 'c.json', 'c.toml']) {
			fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => onlyLedgerErrors(() => parseStructured(path, text))), { numRuns: RUNS / 2 });
		}
		fc.assert(fc.property(value, (doc) => onlyLedgerErrors(() => parseStructured('c.json', JSON.stringify(doc) ?? 'null'))), { numRuns: RUNS / 2 });
	});

	test('scanText never throws and stays linear on long hostile lines', () => {
		fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), fc.constantFrom('a.yaml', 'p.md', '.env'), (text, path) => void scanText(text, path)), { numRuns: RUNS });
		const hostile = [
			'a'.repeat(200_000) + '://' + 'b'.repeat(200_000),
			'x://' + 'u'.repeat(100_000) + ':' + 'p'.repeat(100_000),
			'password: ' + 'x'.repeat(400_000),
			' '.repeat(400_000) + 'token',
			'sk-' + '-'.repeat(400_000),
		];
		for (const line of hostile) {
			const started = process.hrtime.bigint();
			scanText(line, 'c.yaml');
			const ms = Number(process.hrtime.bigint() - started) / 1e6;
			assert.ok(ms < 1500, `scanning a ${line.length}-character line took ${ms.toFixed(0)} ms`);
		}
	});
});
