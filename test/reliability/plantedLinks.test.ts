// Planted symlinks under .model-ledger/ (issue 20, item 2): a clone can hold a link where the ledger
// keeps its files. Nothing there is followed: each case plants the exact link of the red-team pass
// and checks that nothing outside is read, written or created, and that the error says the fix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { git, makeTempDir, removeDir } from '../unit/fixtures';
import { cli, cliJson, initializedWorkspace } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function workspace(): string {
	return initializedWorkspace(dirs, { snapshot: true });
}

function outsideFile(content: string): string {
	const dir = makeTempDir('outside');
	dirs.push(dir);
	const file = join(dir, 'victim.txt');
	writeFileSync(file, content);
	return file;
}

const LINK_ERROR = /is a symlink; Model Ledger never follows links inside \.model-ledger\/.*Fix: Remove it \(`rm \.model-ledger\//s;

describe('planted symlinks under .model-ledger/ are never followed', () => {
	test('events/<m>.jsonl → a file outside: not read (no line echoed), not appended to by alias set or note', () => {
		const dir = workspace();
		const victim = outsideFile('{"id":"x","type":"noted","at":"2026-01-01T00:00:00.000Z","note":"SECRET-LINE-FROM-OUTSIDE"}\nnot json SECRET-2\n');
		const before = readFileSync(victim, 'utf8');
		symlinkSync(victim, join(dir, '.model-ledger', 'events', 'support-bot.jsonl'));
		for (const args of [['reindex'], ['list'], ['events', 'support-bot'], ['alias', 'set', 'support-bot@1', 'staging'], ['note', 'support-bot@1', '-m', 'hello']]) {
			const r = cli(dir, args);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
			assert.match(r.stderr, LINK_ERROR, args.join(' '));
			assert.doesNotMatch(r.stdout + r.stderr, /SECRET/, 'no line of the outside file is echoed');
		}
		assert.equal(readFileSync(victim, 'utf8'), before, 'the outside file was not appended to');
	});

	test('a dangling events link does not create its target', () => {
		const dir = workspace();
		const target = join(makeTempDir('outside-dangling'), 'created-by-ledger.txt');
		dirs.push(join(target, '..'));
		symlinkSync(target, join(dir, '.model-ledger', 'events', 'support-bot.jsonl'));
		const r = cli(dir, ['alias', 'set', 'support-bot@1', 'staging']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, LINK_ERROR);
		assert.ok(!existsSync(target), 'the outside file was not created');
	});

	test('a manifest → /dev/zero and events → /dev/zero: refused at once, not read', () => {
		const dir = workspace();
		symlinkSync('/dev/zero', join(dir, '.model-ledger', 'versions', 'support-bot', `${'a'.repeat(64)}.yaml`));
		const start = Date.now();
		const listed = cli(dir, ['list']);
		assert.equal(listed.code, 0, listed.stderr);
		assert.match(listed.stderr, /aaaaaaaa+\.yaml is a symlink; Model Ledger never follows links/);
		const verify = cli(dir, ['verify', '--json']);
		assert.equal(verify.code, 1);
		assert.match(verify.stdout, /is a symlink/);
		rmSync(join(dir, '.model-ledger', 'versions', 'support-bot', `${'a'.repeat(64)}.yaml`));
		symlinkSync('/dev/zero', join(dir, '.model-ledger', 'events', 'support-bot.jsonl'));
		const events = cli(dir, ['list']);
		assert.equal(events.code, 1);
		assert.match(events.stderr, LINK_ERROR);
		assert.ok(Date.now() - start < 20_000, `took ${Date.now() - start} ms`);
	});

	test('cache → a folder outside: nothing (index.db, objects) is written there, and git does not stage the link', () => {
		const dir = workspace();
		const outside = makeTempDir('outside-cache');
		dirs.push(outside);
		rmSync(join(dir, '.model-ledger', 'cache'), { recursive: true });
		symlinkSync(outside, join(dir, '.model-ledger', 'cache'));
		writeFileSync(join(dir, 'prompts', 'system.md'), 'changed\n');
		for (const args of [['snapshot', 'support-bot'], ['list'], ['verify']]) {
			const r = cli(dir, args);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
			assert.match(r.stderr, /\.model-ledger\/cache is a symlink; Model Ledger never follows links.*`rm \.model-ledger\/cache`/s, args.join(' '));
		}
		assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
		// The ignore rule covers a link named cache (`cache`, not `cache/`), so a commit cannot carry it to a clone.
		git(dir, 'add', '-A');
		const staged = spawnSync('git', ['diff', '--cached', '--name-only'], { cwd: dir, encoding: 'utf8' }).stdout;
		assert.doesNotMatch(staged, /\.model-ledger\/cache/);
	});

	test('a workspace initialized before keeps working: its `cache/` ignore rule becomes `cache`', () => {
		const dir = workspace();
		const gitignore = join(dir, '.model-ledger', '.gitignore');
		writeFileSync(gitignore, '# Rebuilt from versions/ and events/; never committed.\ncache/\n');
		writeFileSync(join(dir, 'prompts', 'system.md'), 'changed again\n');
		cliJson(dir, ['snapshot', 'support-bot']);
		assert.match(readFileSync(gitignore, 'utf8'), /^cache$/m);
		// A user's own edits are left alone.
		writeFileSync(gitignore, 'cache/\nmine\n');
		mkdirSync(join(dir, 'x'), { recursive: true });
		writeFileSync(join(dir, 'prompts', 'system.md'), 'changed a third time\n');
		cliJson(dir, ['snapshot', 'support-bot']);
		assert.equal(readFileSync(gitignore, 'utf8'), 'cache/\nmine\n');
	});

	test('links at every depth (.model-ledger, versions, versions/<model>, events; to a folder outside, dangling, to /proc/self): no command reads or writes outside', () => {
		const commands = [['list'], ['show', 'support-bot@1'], ['status'], ['snapshot', 'support-bot', '-m', 'after the link'], ['alias', 'set', 'support-bot@1', 'staging'], ['note', 'support-bot@1', '-m', 'hi'], ['restore', 'support-bot@1', '--force'], ['reindex'], ['verify'], ['gc', '--dry-run']];
		const cases: Array<[string, 'copy' | 'dangling' | '/proc/self']> = [
			['.model-ledger', 'copy'], ['.model-ledger/versions', 'copy'], ['.model-ledger/versions/support-bot', 'copy'], ['.model-ledger/events', 'copy'],
			['.model-ledger/versions/support-bot', 'dangling'], ['.model-ledger/events', 'dangling'], ['.model-ledger/versions/support-bot', '/proc/self'], ['.model-ledger/events', '/proc/self'],
		];
		for (const [rel, kind] of cases) {
			const dir = workspace();
			cli(dir, ['note', 'support-bot@1', '-m', 'an event, so events/ holds a file']);
			const outside = makeTempDir('outside-folder');
			dirs.push(outside);
			const target = kind === 'copy' ? join(outside, 'moved') : kind === 'dangling' ? join(outside, 'never-created') : '/proc/self';
			if (kind === 'copy') cpSync(join(dir, rel), target, { recursive: true });
			rmSync(join(dir, rel), { recursive: true, force: true });
			symlinkSync(target, join(dir, rel));
			const before = folderState(outside);
			writeFileSync(join(dir, 'prompts', 'system.md'), `changed for ${rel}\n`);
			for (const args of commands) {
				const r = cli(dir, args, { MODEL_LEDGER_TEST_TIMEOUT_MS: '30000' });
				const what = `${rel} → ${kind}: ${args.join(' ')}`;
				assert.equal(r.signal, null, `${what} did not finish`);
				assert.doesNotMatch(r.stderr, /TypeError|ENOENT|EACCES|at .*\.js:\d+/, `${what}: a clear error, not a raw one: ${r.stderr}`);
				assert.deepEqual(folderState(outside), before, `${what} wrote outside the workspace`);
				if (args[0] === 'verify' || args[0] === 'snapshot') assert.equal(r.code, 1, `${what} must fail: ${r.stdout}`);
				if (args[0] === 'snapshot' || args[0] === 'verify') assert.match(r.stdout + r.stderr, /is a symlink; Model Ledger never follows links inside \.model-ledger\//, what);
			}
			assert.ok(lstatSync(join(dir, rel)).isSymbolicLink(), 'the link is left for the user to inspect');
		}
	});
});

describe('the object store\'s fan-out folders', () => {
	test('objects/sha256/<ab> → a folder outside: snapshot and cat refuse, nothing is written or read there', () => {
		const dir = workspace();
		const fans = join(dir, '.model-ledger/cache/objects/sha256');
		const outside = makeTempDir('outside-fans');
		dirs.push(outside);
		for (let i = 0; i < 256; i++) {
			const fan = i.toString(16).padStart(2, '0');
			if (existsSync(join(fans, fan))) cpSync(join(fans, fan), join(outside, fan), { recursive: true });
			else mkdirSync(join(outside, fan));
			rmSync(join(fans, fan), { recursive: true, force: true });
			symlinkSync(join(outside, fan), join(fans, fan));
		}
		const before = folderState(outside);
		writeFileSync(join(dir, 'prompts', 'system.md'), 'a new object\n');
		for (const args of [['snapshot', 'support-bot'], ['cat', 'support-bot@1', 'prompts/system.md']]) {
			const r = cli(dir, args);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
			assert.match(r.stderr, /\.model-ledger\/cache\/objects\/sha256\/[0-9a-f]{2} is a symlink; Model Ledger never follows links inside \.model-ledger\//, args.join(' '));
		}
		// gc would list the linked folders and delete unreferenced files there: it refuses instead.
		writeFileSync(join(outside, '00', 'stray (1)'), 'not the ledger\'s\n');
		const strays = folderState(outside);
		const gc = cli(dir, ['gc', '--yes']);
		assert.equal(gc.code, 1, gc.stdout);
		assert.match(gc.stderr, /Clean-up refused: .*cache\/objects\/sha256\/[0-9a-f]{2} is a symlink/);
		assert.deepEqual(folderState(outside), strays, 'gc deleted nothing outside');
		assert.notDeepEqual(strays, before);
	});
});

/** Every entry under `dir` with its size and content: what a command must not change. */
function folderState(dir: string, rel = ''): string[] {
	const out: string[] = [];
	for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
		const path = rel ? `${rel}/${entry.name}` : entry.name;
		if (entry.isDirectory()) out.push(`${path}/`, ...folderState(dir, path));
		else out.push(`${path} ${readFileSync(join(dir, path)).toString('base64')}`);
	}
	return out.sort();
}
