// The extension is two bundles (esbuild.mjs): dist/extension.js registers a stand-in for each command
// of dist/features.js, listed in DEFERRED_COMMANDS. A command missing from that list would not exist
// until something else loaded the features; a stale entry would run forever into "command not found".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFERRED_COMMANDS } from '../../src/extension/deferredCommands';
import { HOVER_COMMANDS } from '../../src/extension/hovers/hoverText';
import { repoRoot } from './fixtures';

/** The modules of dist/extension.js that register commands themselves (not through the stand-ins). */
const ACTIVATION_MODULES = ['registryTree.ts', 'registryHealth.ts'];

/** Command ids a source file registers: literal ids, `reg('id', …)` and `const X = 'id'` constants. */
function registeredIds(source: string): string[] {
	const ids: string[] = [];
	for (const m of source.matchAll(/(?:registerCommand|\breg)\(\s*([A-Za-z_.]+|'[^']+')/g)) {
		const arg = m[1];
		if (arg.startsWith("'")) ids.push(arg.slice(1, -1));
		else if (arg === 'HOVER_COMMANDS.revealVersion') ids.push(HOVER_COMMANDS.revealVersion);
		else {
			const constant = new RegExp(`\\b${arg}\\s*=\\s*'([^']+)'`).exec(source);
			if (constant) ids.push(constant[1]);
		}
	}
	return ids;
}

describe('extension bundle split', () => {
	const dir = join(repoRoot(), 'src', 'extension');
	const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
	const activation = new Set(files.filter((f) => ACTIVATION_MODULES.includes(basename(f))).flatMap((f) => registeredIds(readFileSync(join(dir, f), 'utf8'))));
	const lazy = new Set(files.filter((f) => !ACTIVATION_MODULES.includes(basename(f))).flatMap((f) => registeredIds(readFileSync(join(dir, f), 'utf8'))));

	test('every command in package.json exists at activation: registered there or by a stand-in', () => {
		const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string }> } };
		const missing = pkg.contributes.commands.map((c) => c.command).filter((id) => !activation.has(id) && !DEFERRED_COMMANDS.includes(id));
		assert.deepEqual(missing, []);
	});

	test('the stand-ins are exactly the commands the lazily loaded modules register', () => {
		assert.ok(activation.has('modelLedger.refresh') && lazy.has('modelLedger.snapshot'), 'the scan finds registrations');
		assert.deepEqual([...lazy].sort(), [...DEFERRED_COMMANDS].sort());
	});
});
