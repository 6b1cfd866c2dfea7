// Fuzzing the parsers that read files a workspace (or a teammate's commit) controls: the config,
// manifests, structured params/metrics and the secret scan. Whatever the input, the only errors
// allowed out are LedgerError/ParseError (which the shells print as one line) — never a TypeError,
// RangeError or a hang.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { unsafeArtifactPaths } from '../../src/core/store/artifactPaths';
import { LedgerError } from '../../src/core/errors';
import { deriveAliases, parseEvents } from '../../src/core/lifecycle/events';
import { MAX_VERSION_NUMBER, parseManifest, serializeManifest } from '../../src/core/store/manifest';
import type { VersionManifest } from '../../src/core/model';
import { scanText } from '../../src/core/secrets/secretScan';
import { parseStructured } from '../../src/core/parse/structuredFiles';
import { parseWorkspaceConfig } from '../../src/core/parse/workspaceConfig';
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

	// Planted files (issue 20, items 1, 4 and 8): what a malicious branch can commit under .model-ledger/.
	const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
	const protoOr = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constantFrom(...PROTO_KEYS));
	// Mostly well-formed (so moves and approvals get replayed), with hostile values mixed in.
	const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
	const digest = mostly(fc.constantFrom('1'.repeat(64), '2'.repeat(64), '3'.repeat(64)), fc.oneof(fc.string({ maxLength: 70 }), fc.constant(null)));
	const time = mostly(
		fc.integer({ min: 1, max: 28 }).map((d) => `2026-11-${String(d).padStart(2, '0')}T00:00:00.000Z`),
		fc.oneof(fc.constantFrom('9999-12-31T23:59:59.999Z', '+010000-01-01T00:00:00.000Z', '2026-02-30T00:00:00Z', '2026-11-03T00:00:00+05:00', '', 'yesterday'), fc.integer(), fc.constant(null)),
	);
	const eventType = mostly(fc.constantFrom('alias.set', 'approved', 'alias.removed'), fc.oneof(fc.constantFrom('tagged', 'noted', 'override', 'released', 'created'), protoOr(fc.string({ maxLength: 8 }))));
	const author = mostly(fc.constant({ name: 'Eve' }), fc.oneof(fc.constant(null), fc.record({ name: fc.oneof(fc.integer(), fc.constant(null)) }, { requiredKeys: [] }), fc.string({ maxLength: 5 })));
	/** One planted events line: JSON text (so `__proto__` can be an own key, as JSON.parse makes it), or garbage. */
	const plantedLine = fc.oneof(
		{ weight: 8, arbitrary: fc
			.record({ id: mostly(fc.string({ minLength: 1, maxLength: 6 }), protoOr(fc.constant(''))), type: eventType, at: time, by: author, digest, alias: mostly(fc.constantFrom('production', 'staging'), protoOr(fc.string({ maxLength: 6 }))), note: mostly(fc.string({ maxLength: 10 }), fc.integer()) }, { requiredKeys: ['id', 'type', 'at', 'by', 'digest'] })
			.chain((fields) => fc.constantFrom(...PROTO_KEYS).map((extra) => JSON.stringify(fields).replace(/^\{/, `{"${extra}":{"polluted":1},`))) },
		{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
	);
	const KNOWN = new Set(['1'.repeat(64), '2'.repeat(64)]);

	test('planted events lines: replay never throws, applies no protected move without an earlier approval, and pollutes no prototype', () => {
		fc.assert(
			fc.property(fc.array(plantedLine, { maxLength: 16 }), (lines) => {
				const { events, problems } = parseEvents(lines.join('\n'), 'bot', new Date('2026-11-30T12:00:00.000Z'));
				for (const p of problems) assert.ok(p.line >= 1 && p.message.length > 0);
				for (const e of events) {
					assert.equal(typeof e.by?.name, 'string');
					assert.ok(Number.isFinite(Date.parse(e.at)));
				}
				const aliases = deriveAliases(events, KNOWN, ['production']);
				const production = aliases.get('production');
				if (production !== undefined) {
					// Some verified approval of that version comes before a verified move to it.
					const ordered = events.filter((e) => !e.unverified);
					let move = -1;
					ordered.forEach((e, i) => {
						if (e.type === 'alias.set' && e.alias === 'production' && e.digest === production) move = i;
					});
					assert.ok(move >= 0 && ordered.slice(0, move).some((e) => e.type === 'approved' && e.digest === production), `production → ${production} without an earlier approval`);
				}
				for (const key of PROTO_KEYS) assert.ok(!aliases.has(key) || KNOWN.has(aliases.get(key)!));
				assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
			}),
			{ numRuns: RUNS },
		);
	});

	const plantedPath = fc.oneof(
		fc.constantFrom('prompts/system.md', 'vendor/lib/.git/hooks/post-checkout', '.git/config', '.vscode/tasks.json', '.env', 'model-ledger.yaml', '.model-ledger/cache/index.db', 'a\nb', 'a\u0000b', '../x', '/etc/passwd', '__proto__', 'constructor/x', 'node_modules/a.js'),
		fc.string({ maxLength: 12 }),
	);
	const plantedManifest = fc
		.record({
			number: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constantFrom(MAX_VERSION_NUMBER, MAX_VERSION_NUMBER + 1, 2 ** 53, -1, 1.5)),
			paths: fc.array(plantedPath, { minLength: 1, maxLength: 4 }),
			protoKey: fc.constantFrom(...PROTO_KEYS),
			model: protoOr(fc.constantFrom('support-bot')),
		})
		.map(({ number, paths, protoKey, model }) => {
			const text = serializeManifest({ ...VALID_MANIFEST, model, number, artifacts: paths.map((path) => ({ path, role: 'prompt', sha256: SHA, size: 1, mode: 0o644 })) });
			// A key no writer would produce, as an own key in the YAML text: params under a prototype name.
			return text.replace(/^params:\n/m, `params:\n  "${protoKey}":\n    polluted: 1\n`);
		});

	test('planted manifests: only LedgerError; whatever parses names only safe paths and a bounded number, and pollutes no prototype', () => {
		fc.assert(
			fc.property(plantedManifest, (text) =>
				onlyLedgerErrors(() => {
					const m = parseManifest(text, 'm.yaml');
					assert.deepEqual(unsafeArtifactPaths(m.artifacts.map((a) => a.path)), [], 'an unsafe path was accepted');
					assert.ok(m.number >= 1 && m.number <= MAX_VERSION_NUMBER, `number ${m.number} accepted`);
					assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
				}),
			),
			{ numRuns: RUNS },
		);
	});
});
