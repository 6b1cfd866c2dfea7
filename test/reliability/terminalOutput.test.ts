// Repository content never reaches a terminal as an escape sequence (issue 20, item 5), and tables
// stay readable (issue 15, items 15 and 17). A branch plants ESC/OSC/CSI sequences where a teammate's
// repository can: YAML values, metric names, a commit message, the git author, file names, an
// events line (alias, note, author). Every human command's stdout and stderr must hold none of the
// control characters raw; --json must hold them as \u escapes and parse back to the same text.
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyExampleWorkspace, git, removeDir } from '../unit/fixtures';
import { cli, cliJson } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const ESC = '\u001b';
const BEL = '\u0007';
/** One of each kind the red-team pass used: title (OSC 0), clear screen, OSC 8 link, OSC 52 clipboard, an 8-bit CSI, a bidi override. */
const HOSTILE = [`${ESC}]0;pwned${BEL}`, `${ESC}[2J`, `${ESC}]8;;https://attacker.example${ESC}\\link${ESC}]8;;${ESC}\\`, `${ESC}]52;c;ZWNobyBoaQ==${BEL}`, '\u009b31m', '\u202eevil'];
/**
 * Characters that show as nothing (so `pro\u200bd` looks like `prod`), isolates, a Unicode tag
 * ("ASCII smuggling"), the BOM, a soft hyphen and a line separator: the red-team pass after item 5.
 */
const INVISIBLE = ['zero\u200bwidth\u2063sp', '\u2067isolate\u2069', 'wj\u2060x', 'tag\u{E0041}\u{E0042}', '\ufeffbom\u00adsoft', 'line\u2028sep\u2029'];
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\u{e0000}-\u{e007f}]/u;

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

function assertInert(args: string[], r: Run): void {
	for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
		const at = RAW_CONTROL.exec(text);
		assert.equal(at, null, `model-ledger ${args.join(' ')}: raw control character U+${at?.[0].charCodeAt(0).toString(16).padStart(4, '0')} on ${stream}: ${JSON.stringify(text.slice(Math.max(0, (at?.index ?? 0) - 40), (at?.index ?? 0) + 40))}`);
	}
}

function plantedWorkspace(): string {
	const dir = copyExampleWorkspace();
	dirs.push(dir);
	assert.equal(cli(dir, ['snapshot', 'support-bot', '-m', 'first']).code, 0);
	// A teammate's branch: hostile YAML values and metric keys, a hostile author and message.
	writeFileSync(join(dir, 'config/train.yaml'), `base_model: "${HOSTILE[0]}"\nseed: 43\nnote: "${HOSTILE[1]}\\nsecond line"\nlink: "${HOSTILE[2].replace(/\\/g, '\\\\')}"\n`.replace(/\u001b/g, '\\e').replace(/\u0007/g, '\\a'));
	writeFileSync(join(dir, 'eval/metrics.json'), JSON.stringify({ faithfulness: 0.93, [`clip${HOSTILE[3]}`]: 1, [`csi${HOSTILE[4]}`]: 2, bidi: HOSTILE[5], invisible: INVISIBLE.join(' '), [`key${INVISIBLE[0]}`]: 3 }));
	writeFileSync(join(dir, `prompts/evil${ESC}[2Jname.md`), 'Answer {{question}}.\n');
	writeFileSync(join(dir, `prompts/sys\u200btem.md`), 'Looks like system.md.\n');
	git(dir, 'config', 'user.name', `Mallory ${HOSTILE[0]}`);
	git(dir, 'add', '-A');
	git(dir, 'commit', '-q', '-m', `planted ${HOSTILE[1]}`);
	const snap = cli(dir, ['snapshot', 'support-bot', '-m', `msg ${[...HOSTILE, ...INVISIBLE].join(' ')}`]);
	assert.equal(snap.code, 0, snap.stderr);
	// A planted events line: a note and an author the CLI would never write. (A tag or alias with
	// control characters is a malformed field: replay skips that line with its number, issue 20.4.)
	appendFileSync(
		join(dir, '.model-ledger/events/support-bot.jsonl'),
		JSON.stringify({ id: 'zz-planted', type: 'noted', at: '2026-01-01T00:00:00.000Z', by: { name: `Eve ${HOSTILE[2]}` }, note: HOSTILE.join('|') }) + '\n',
	);
	return dir;
}

describe('terminal output of repository content', () => {
	test('no escape sequence from repository content reaches a terminal', () => {
		const dir = plantedWorkspace();
		const commands = [
			['list'],
			['show', 'support-bot'],
			['events', 'support-bot'],
			['diff', 'support-bot@1', '@2'],
			['diff', 'support-bot@1'],
			['status'],
			['used-by', 'config/train.yaml'],
			['key-history', 'config/train.yaml', 'base_model'],
			['history', 'support-bot', '--metric', 'faithfulness'],
			['alias', 'list'],
			['verify'],
			['show', `support-bot@${ESC}]0;x${BEL}`],
			['list', `nope${ESC}[2J`],
		];
		for (const args of commands) {
			const r = cli(dir, args);
			assertInert(args, r);
			// The hostile text is shown, escaped: the user can see what was planted.
			if (args[0] === 'show' && args[1] === 'support-bot') assert.match(r.stdout, /\\e\]0;pwned\\x07/);
		}
		const events = cli(dir, ['events', 'support-bot']);
		assert.match(events.stdout, /Eve \\e\]8/);
		// The look-alike prompt name is shown with its invisible character spelled out.
		assert.match(cli(dir, ['show', 'support-bot']).stdout, /prompts\/sys\\u200btem\.md/);
	});

	test('--json keeps the control characters as \\u escapes and parses back to the same text', () => {
		const dir = plantedWorkspace();
		for (const args of [['show', 'support-bot'], ['events', 'support-bot'], ['list']]) {
			const r = cli(dir, [...args, '--json']);
			assert.equal(r.code, 0, r.stderr);
			assertInert(args, r);
		}
		const shown = cliJson<{ params: Record<string, Record<string, unknown>>; metrics: Record<string, Record<string, unknown>> }>(dir, ['show', 'support-bot']);
		assert.equal(shown.params['config/train.yaml'].base_model, HOSTILE[0]);
		assert.equal(shown.metrics['eval/metrics.json'].bidi, HOSTILE[5]);
		assert.equal(shown.metrics['eval/metrics.json'].invisible, INVISIBLE.join(' '));
	});
});
