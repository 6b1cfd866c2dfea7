// Prototype keys (issue 20, item 8): `__proto__`, `constructor` and `prototype` as model names,
// alias names, file names and keys in configs stay ordinary entries — never a prototype change,
// never a value read from Object.prototype.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, removeDir, initGitRepo } from '../unit/fixtures';
import { cli, cliJson } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

describe('prototype keys are inert', () => {
	test('a model named constructor, aliases constructor/prototype, a prompt file named __proto__, a params file with __proto__ keys', () => {
		const dir = makeTempDir('proto');
		dirs.push(dir);
		initGitRepo(dir);
		mkdirSync(join(dir, 'p'));
		writeFileSync(join(dir, 'p', 'a.md'), 'hi {{constructor}} {{__proto__}}\n');
		// A prompt file named __proto__ (a params file needs a .yaml/.json/.toml name to be parsed).
		writeFileSync(join(dir, '__proto__'), 'Hello {{name}}\n');
		writeFileSync(join(dir, 'params.yaml'), '__proto__: 1\nconstructor: 2\nprototype: {toString: 3}\n');
		writeFileSync(join(dir, 'constructor.json'), '{"__proto__": {"x": 1}, "constructor": 0.5}\n');
		writeFileSync(
			join(dir, 'model-ledger.yaml'),
			'models:\n  constructor:\n    prompts: [p/*.md, __proto__]\n    params: params.yaml\n    metrics:\n      file: constructor.json\n      higher_is_better: [constructor]\n    protected_aliases: [prototype]\n  prototype:\n    other: constructor.json\n',
		);
		const snap = cliJson<{ created: Array<{ model: string }> }>(dir, ['snapshot']);
		assert.deepEqual(snap.created.map((c) => c.model).sort(), ['constructor', 'prototype']);
		const shown = cliJson<{ manifest: { params: Record<string, Record<string, unknown>>; prompts: Record<string, { variables: string[] }> } }>(dir, ['show', 'constructor']);
		const m = shown.manifest ?? (shown as unknown as { params: Record<string, Record<string, unknown>>; prompts: Record<string, { variables: string[] }> });
		assert.ok(Object.prototype.hasOwnProperty.call(m.prompts, '__proto__'), `the prompt facts of a file named __proto__ are kept: ${JSON.stringify(m.prompts)}`);
		assert.deepEqual(m.prompts['__proto__'].variables, ['name']);
		assert.deepEqual(Object.keys(m.params['params.yaml']).sort(), ['__proto__', 'constructor', 'prototype.toString']);
		assert.equal(cli(dir, ['alias', 'set', 'constructor@1', 'constructor']).code, 0);
		// `prototype` is protected: refused without an approval (no value from Object.prototype counts as one).
		assert.equal(cli(dir, ['alias', 'set', 'constructor@1', 'prototype']).code, 1);
		for (const ref of ['hasownproperty', 'tostring', 'constructor']) {
			const r = cli(dir, ['show', `constructor@${ref}`, '--json']);
			if (ref === 'constructor') assert.equal(r.code, 0, r.stderr);
			else assert.match(r.stderr, /No version/, ref);
		}
		const history = cli(dir, ['key-history', 'params.yaml', '__proto__', '--json']);
		assert.equal(history.code, 0, history.stderr);
	});
});
