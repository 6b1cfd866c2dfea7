// package.json is half of the extension: its command, setting, view and context-key ids must match
// the code's. A typo on either side silently breaks a menu or a setting, so check both directions.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { COMMANDS, CONTEXT_KEYS, UNLISTED_COMMANDS } from '../../src/extension/commands';
import { repoRoot } from './fixtures';

interface Manifest {
	activationEvents: string[];
	contributes: {
		commands: Array<{ command: string; title: string; category?: string }>;
		menus: Record<string, Array<{ command?: string; when?: string }>>;
		configuration: { properties: Record<string, unknown> };
		views: Record<string, Array<{ id: string }>>;
		viewsContainers: { activitybar: Array<{ id: string }> };
		viewsWelcome: Array<{ view: string; when?: string; contents: string }>;
	};
}

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const extensionSource = readdirSync(join(root, 'src', 'extension'), { recursive: true })
	.map(String)
	.filter((f) => f.endsWith('.ts'))
	.map((f) => readFileSync(join(root, 'src', 'extension', f), 'utf8'))
	.join('\n');
/** Every `modelLedger.…` string literal the extension's code contains. */
const literals = new Set([...extensionSource.matchAll(/['"`](modelLedger\.[A-Za-z0-9.]+)['"`]/g)].map((m) => m[1]));
const declaredCommands = new Set(manifest.contributes.commands.map((c) => c.command));
/** Commands that are registered on purpose without a palette entry (hover links). */
const INTERNAL_COMMANDS = new Set<string>(UNLISTED_COMMANDS.map((name) => COMMANDS[name]));

describe('package.json matches the code', () => {
	test('every declared command is registered by the extension, in the Model Ledger category', () => {
		for (const c of manifest.contributes.commands) {
			assert.ok(literals.has(c.command), `${c.command} is declared in package.json but no code registers it`);
			assert.equal(c.category, 'Model Ledger', `${c.command} has no "Model Ledger" category`);
		}
	});

	test('every command the code registers is declared (or known to be internal)', () => {
		// extension.ts registers every id of the command table (src/extension/commands.ts), and nothing else.
		const registered = Object.values(COMMANDS);
		for (const id of registered) {
			assert.ok(declaredCommands.has(id) || INTERNAL_COMMANDS.has(id), `${id} is registered but not declared in package.json`);
		}
	});

	test('every menu entry names a declared command', () => {
		for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
			for (const entry of entries) {
				if (entry.command) assert.ok(declaredCommands.has(entry.command), `menu ${menu} names ${entry.command}, which is not declared`);
			}
		}
	});

	test('a version only on another branch (tree item `otherVersion`) gets the menus that read, none that write', () => {
		const matches = (when: string, contextValue: string) => {
			const m = /viewItem (==|=~) (\/\^?[^/]+\/|[\w.]+)/.exec(when);
			if (!m) return false;
			return m[1] === '==' ? m[2] === contextValue : new RegExp(m[2].slice(1, -1)).test(contextValue);
		};
		const itemMenus = manifest.contributes.menus['view/item/context'];
		const offered = new Set(itemMenus.filter((e) => e.when && e.command && matches(e.when, 'otherVersion')).map((e) => e.command));
		for (const read of ['diffWithPrevious', 'diffWithVersion', 'selectForCompare', 'compareWithSelected', 'compareSelectedVersions', 'copyDigest'] as const) {
			assert.ok(offered.has(COMMANDS[read]), `${COMMANDS[read]} is not offered on an other-branch version`);
		}
		for (const write of ['restoreVersion', 'setAlias', 'removeAlias', 'rollback', 'approveVersion', 'tagVersion', 'push', 'pull'] as const) {
			assert.ok(!offered.has(COMMANDS[write]), `${COMMANDS[write]} would write from a read-only version`);
		}
		assert.ok(itemMenus.some((e) => e.command === COMMANDS.restoreVersion && e.when && matches(e.when, 'version')), 'the matcher reads the when clauses');
	});

	test('every declared setting is read by the code, and every setting the code reads is declared', () => {
		const declared = Object.keys(manifest.contributes.configuration.properties);
		// Read either by full id, or as `getConfiguration('modelLedger').get('<rest>')`.
		const readsRelative = (key: string) => new RegExp(`\\.get(?:<[^>]*>)?\\(\\s*['"]${key.slice('modelLedger.'.length).replace(/\./g, '\\.')}['"]`).test(extensionSource);
		for (const key of declared) assert.ok(literals.has(key) || readsRelative(key), `setting ${key} is declared but never read`);
		const settingLike = [...literals].filter((id) => /\.(enabled|include|pageSize)$|^modelLedger\.autoRefresh$/.test(id));
		for (const key of settingLike) assert.ok(declared.includes(key), `the code reads ${key}, which package.json does not declare`);
	});

	test('the context keys when clauses read are exactly the command table\'s CONTEXT_KEYS (the code sets them from there)', () => {
		const whens = [
			...Object.values(manifest.contributes.menus).flatMap((entries) => entries.map((e) => e.when ?? '')),
			...manifest.contributes.viewsWelcome.map((w) => w.when ?? ''),
		];
		const keys = new Set(whens.flatMap((w) => [...w.matchAll(/\b(modelLedger\.[A-Za-z0-9.]+)/g)].map((m) => m[1])));
		const viewIds = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
		assert.deepEqual([...keys].filter((k) => !viewIds.has(k)).sort(), Object.values(CONTEXT_KEYS).sort());
	});

	test('views live in a declared container and welcome views name a declared view', () => {
		const containers = new Set(manifest.contributes.viewsContainers.activitybar.map((c) => c.id));
		for (const container of Object.keys(manifest.contributes.views)) assert.ok(containers.has(container), `views under unknown container ${container}`);
		const viewIds = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
		for (const welcome of manifest.contributes.viewsWelcome) assert.ok(viewIds.has(welcome.view), `welcome view for unknown view ${welcome.view}`);
		for (const welcome of manifest.contributes.viewsWelcome) {
			for (const m of welcome.contents.matchAll(/\(command:([A-Za-z0-9.]+)\)/g)) assert.ok(declaredCommands.has(m[1]), `welcome view links to undeclared ${m[1]}`);
		}
	});

	test('activation is specific: never "*"', () => {
		assert.ok(!manifest.activationEvents.includes('*'));
		assert.ok(manifest.activationEvents.includes('workspaceContains:model-ledger.yaml'));
	});
});
