// Every `model-ledger` command, in the order the help lists them: main.ts dispatches on the name,
// and the help text is built from each command's usage. A new command is one file in commands/
// and one line here.
import { CONFIG_FILE } from '../core/parse/workspaceConfig';
import type { CliCommand, UsageLine } from './context';
import { aliasCli } from './commands/alias';
import { approveCli } from './commands/approve';
import { catCli } from './commands/cat';
import { checkCli } from './commands/check';
import { diffCli } from './commands/diff';
import { eventsCli } from './commands/events';
import { gcCli } from './commands/gc';
import { historyCli } from './commands/history';
import { initCli } from './commands/init';
import { keyHistoryCli } from './commands/keyHistory';
import { listCli } from './commands/list';
import { noteCli } from './commands/note';
import { pullCli } from './commands/pull';
import { pushCli } from './commands/push';
import { reindexCli } from './commands/reindex';
import { remoteCli } from './commands/remote';
import { restoreCli } from './commands/restore';
import { rollbackCli } from './commands/rollback';
import { scanCli } from './commands/scan';
import { showCli } from './commands/show';
import { snapshotCli } from './commands/snapshot';
import { statusCli } from './commands/status';
import { tagCli } from './commands/tag';
import { usedByCli } from './commands/usedBy';
import { verifyCli } from './commands/verify';

export const COMMANDS: readonly CliCommand[] = [
	initCli,
	snapshotCli,
	statusCli,
	listCli,
	showCli,
	diffCli,
	checkCli,
	historyCli,
	catCli,
	aliasCli,
	approveCli,
	eventsCli,
	tagCli,
	noteCli,
	rollbackCli,
	restoreCli,
	verifyCli,
	gcCli,
	pushCli,
	pullCli,
	remoteCli,
	reindexCli,
	usedByCli,
	keyHistoryCli,
	scanCli,
];

export function findCommand(name: string): CliCommand | undefined {
	return COMMANDS.find((c) => c.name === name);
}

/** Where the summaries start: a synopsis longer than this gets a line of its own. */
const SUMMARY_COLUMN = 41;

/** The `--help` text: the commands from the table, then what REF, --at and the global options mean. */
export function usageText(): string {
	const lines = COMMANDS.flatMap((c) => c.usage.map(usageLines));
	return `model-ledger — version prompts, RAG config, weights, params, metrics and data with your git commit

Usage: model-ledger <command> [options]

Commands:
${lines.join('\n')}

REF: latest, a number (3 or v3), a label (1.4.0), a release label (hybrid), an alias (production), a digest prefix
     (7+ hex), or a git commit-ish (a1b2c3d, main, HEAD~2, a tag): the version made at that commit.
--at TIME: with an alias REF, the version the alias pointed to then (ISO 8601: 2026-11-01 = 00:00 UTC, 2026-11-01T12:00:00Z).

Options:
  -C, --cwd DIR     workspace root (default: nearest folder upwards with ${CONFIG_FILE})
  --json            print one JSON document on stdout
  -h, --help        this help
`;
}

function usageLines(u: UsageLine): string {
	const synopsis = typeof u.synopsis === 'string' ? [u.synopsis] : u.synopsis;
	const summary = typeof u.summary === 'string' ? [u.summary] : u.summary;
	const indent = ' '.repeat(SUMMARY_COLUMN);
	const first = `  ${synopsis[0]}`;
	if (synopsis.length === 1 && first.length < SUMMARY_COLUMN - 1) return [first.padEnd(SUMMARY_COLUMN) + summary[0], ...summary.slice(1).map((s) => indent + s)].join('\n');
	return [first, ...synopsis.slice(1).map((s) => `  ${s}`), ...summary.map((s) => indent + s)].join('\n');
}
