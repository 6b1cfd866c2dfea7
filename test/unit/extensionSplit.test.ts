// The command table (src/extension/commands.ts) is the one list of commands: dist/extension.js
// registers each id at activation (its own handlers for the Registry view, the features bundle's
// for the rest; TypeScript makes both handler tables complete), and package.json contributes
// exactly the table's commands. A command missing from the table would not exist; one in the table
// but not in package.json would be missing from the palette and menus.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
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
