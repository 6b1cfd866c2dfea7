// The command table (src/extension/commands.ts) is the one list of commands: dist/extension.js
// registers each id at activation (its own handlers for the Registry view, the features bundle's
// for the rest; TypeScript makes both handler tables complete), and package.json contributes
// exactly the table's commands. A command missing from the table would not exist; one in the table
// but not in package.json would be missing from the palette and menus.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVATION_COMMANDS, COMMANDS, COMPARE_VIEW_TYPE, CONTEXT_KEYS, UNLISTED_COMMANDS } from '../../src/extension/commands';
import type { CommandName } from '../../src/extension/commands';
import { repoRoot } from './fixtures';

interface PackageJson {
	activationEvents: string[];
	contributes: {
		commands: Array<{ command: string }>;
		menus: Record<string, Array<{ command: string }>>;
		viewsWelcome: Array<{ contents: string }>;
	};
}

const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as PackageJson;
const names = Object.keys(COMMANDS) as CommandName[];
const ids = new Set<string>(Object.values(COMMANDS));

describe('the command table', () => {
	test('package.json contributes exactly the table\'s commands (all but the unlisted ones)', () => {
		const listed = names.filter((n) => !(UNLISTED_COMMANDS as readonly string[]).includes(n)).map((n) => COMMANDS[n]);
		assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), [...listed].sort());
	});

	test('every command a menu or a welcome-view link names is in the table', () => {
		const menuIds = Object.values(pkg.contributes.menus).flatMap((items) => items.map((i) => i.command));
		const linkIds = pkg.contributes.viewsWelcome.flatMap((w) => [...w.contents.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]));
		assert.ok(linkIds.length > 0 && menuIds.length > 0);
		assert.deepEqual([...menuIds, ...linkIds].filter((id) => !ids.has(id)), []);
	});

	test('ids are unique and the activation/unlisted lists name commands of the table', () => {
		assert.equal(ids.size, names.length);
		for (const name of [...ACTIVATION_COMMANDS, ...UNLISTED_COMMANDS]) assert.ok(names.includes(name), name);
	});

	test('the compare view\'s webview type is the one package.json activates on', () => {
		assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${COMPARE_VIEW_TYPE}`));
	});

	test('no command id, context key or webview type is spelled outside the table in src (code uses COMMANDS.name)', () => {
		const src = join(repoRoot(), 'src');
		const files = readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts') && !f.endsWith('commands.ts'));
		const spelled: string[] = [];
		for (const file of files) {
			// Comments may show how to call a command; code may not spell its id.
			const code = readFileSync(join(src, file), 'utf8')
				.split('\n')
				.filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
				.join('\n');
			for (const id of [...ids, ...Object.values(CONTEXT_KEYS), COMPARE_VIEW_TYPE]) if (code.includes(`'${id}'`) || code.includes(`"${id}"`) || code.includes(`\`${id}\``)) spelled.push(`${file}: ${id}`);
		}
		assert.deepEqual(spelled, []);
	});
});

describe('the activation bundle (dist/extension.js)', () => {
	test('holds no npm package and none of the core\'s heavy modules: they load with dist/features.js', () => {
		// The module graph esbuild bundles for dist/extension.js, with ./features left out as esbuild.mjs does.
		const script = `
const esbuild = await import('esbuild');
const r = await esbuild.build({ entryPoints: ['src/extension/extension.ts'], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true,
  external: ['vscode', 'better-sqlite3'], define: { __TEST_HOOKS__: 'false', 'import.meta.url': 'u' }, outdir: 'unused', logLevel: 'error',
  plugins: [{ name: 'features', setup(b) { b.onResolve({ filter: /^\\.\\/features$/ }, () => ({ path: './features.js', external: true })); } }] });
process.stdout.write(JSON.stringify(Object.keys(r.metafile.inputs)));`;
		const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot(), encoding: 'utf8' });
		assert.equal(result.status, 0, result.stderr);
		const inputs = JSON.parse(result.stdout) as string[];
		assert.ok(inputs.includes('src/extension/registry/registryTree.ts'), inputs.join(', '));
		// yaml, simple-git, picomatch: each added tens of ms to every window's activation (a regression took it from 7 to 54 ms).
		assert.deepEqual(inputs.filter((f) => f.startsWith('node_modules/')), []);
		const heavy = /^src\/core\/(snapshot|secrets|parse\/(?!textContent)|compare|remotes|query|init|index\/(?!sqlite)|store\/(manifest|objectStore|restore|gc|verify))/;
		assert.deepEqual(inputs.filter((f) => heavy.test(f)), []);
	});
});
