// `model-ledger`: a thin shell over src/core. Exit 0 ok, 1 error (one line: cause and fix, on
// stderr), 2 usage. With --json, stdout is exactly one JSON document. This file parses the arguments,
// dispatches through the command table (commandTable.ts; each command is one file in commands/),
// prints the result and maps errors to exit codes.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { escapeControls, escapeJsonText } from '../core/displayText';
import { describeError, LedgerError } from '../core/errors';
import { osAuthor, readLineage } from '../core/snapshot/gitLineage';
import { Ledger } from '../core/ledger';
import { remoteFetcher } from '../core/remotes/remoteTransfer';
import { NativeModuleError } from '../core/index/sqlite';
import { CONFIG_FILE } from '../core/parse/workspaceConfig';
import { findCommand, usageText } from './commandTable';
import { UsageError } from './context';
import type { CliOptions, CommandResult, Io } from './context';

const OPTIONS = {
	json: { type: 'boolean' },
	help: { type: 'boolean', short: 'h' },
	cwd: { type: 'string', short: 'C' },
	message: { type: 'string', short: 'm' },
	bump: { type: 'string' },
	'require-clean': { type: 'boolean' },
	'allow-secrets': { type: 'boolean' },
	meta: { type: 'string', multiple: true },
	link: { type: 'string', multiple: true },
	all: { type: 'boolean' },
	tensors: { type: 'boolean' },
	metric: { type: 'string' },
	force: { type: 'boolean' },
	'dry-run': { type: 'boolean' },
	'delete-extra': { type: 'boolean' },
	quick: { type: 'boolean' },
	yes: { type: 'boolean', short: 'y' },
	remote: { type: 'string' },
	'all-refs': { type: 'boolean' },
	gate: { type: 'string' },
	override: { type: 'boolean' },
	format: { type: 'string' },
	at: { type: 'string' },
} as const;

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function runCli(argv: string[], rawIo: Io): Promise<number> {
	const json = argv.includes('--json');
	const io = terminalSafe(rawIo, json);
	let parsed;
	try {
		// `verify --remote` takes an optional NAME: a bare flag means the default remote.
		if (argv.includes('verify')) argv = argv.map((a, i) => (a === '--remote' && (i === argv.length - 1 || argv[i + 1].startsWith('-')) ? '--remote=' : a));
		parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
	} catch (err) {
		io.err(`model-ledger: ${(err as Error).message}\nRun \`model-ledger --help\` for usage.\n`);
		return 2;
	}
	const options: CliOptions = parsed.values;
	const [name, ...args] = parsed.positionals;
	if (options.help || !name || name === 'help') {
		io.out(usageText());
		return name || options.help ? 0 : 2;
	}
	const root = options.cwd ? resolve(options.cwd) : findWorkspaceRoot(process.cwd());
	let ledger: Ledger | undefined;
	try {
		const command = findCommand(name);
		if (!command) throw new UsageError(`unknown command \`${name}\`.`);
		const result = await command.run({
			args,
			options,
			json,
			root,
			cwd: process.cwd(),
			io,
			// Every command but init needs a valid config: checking it first keeps errors early and
			// never creates .model-ledger/ in a folder that has no ledger.
			ledger: () => {
				if (!ledger) {
					ledger = Ledger.at(root);
					void ledger.config;
					// cat and restore pull objects missing here from the configured remote.
					ledger.fetchMissing = remoteFetcher(ledger);
				}
				return ledger;
			},
			author: () => authorOf(root),
		});
		print(io, result, json);
		return result.exitCode ?? 0;
	} catch (err) {
		return reportError(io, err);
	} finally {
		ledger?.close();
	}
}

/** The result as one JSON document (--json), the command's raw output, or its text for people. */
function print(io: Io, result: CommandResult, json: boolean): void {
	if (result.raw !== undefined) {
		if (typeof result.raw === 'string') io.out(result.raw);
		else io.writeBytes(result.raw);
		return;
	}
	const { human } = result;
	io.out(json ? JSON.stringify(result.data, null, 2) + '\n' : human.endsWith('\n') || human === '' ? human : human + '\n');
}

/** Usage errors exit 2 with a pointer to --help; everything else exits 1 with one line of cause and fix. */
function reportError(io: Io, err: unknown): number {
	if (err instanceof UsageError) {
		io.err(`model-ledger: ${err.message}\nRun \`model-ledger --help\` for usage.\n`);
		return 2;
	}
	io.err(`model-ledger: ${describeError(err)}\n`);
	// Errors the ledger expects (LedgerError, a native module that will not load) need no stack trace.
	if (!(err instanceof LedgerError || err instanceof NativeModuleError) && process.env.MODEL_LEDGER_DEBUG) io.err(`${(err as Error).stack}\n`);
	return 1;
}

/**
 * The one place human output passes through: control characters from repository content, git or
 * the arguments never reach the terminal as escape sequences (shown as `\\e`, `\\x07`, …; the
 * tool's own line breaks stay). JSON output has them as `\\uXXXX` escapes. `cat` bytes are the
 * file's own and are written unchanged.
 */
function terminalSafe(io: Io, json: boolean): Io {
	return {
		out: (text) => io.out(json ? escapeJsonText(text) : escapeControls(text)),
		err: (text) => io.err(escapeControls(text)),
		writeBytes: (data) => io.writeBytes(data),
	};
}

/** The nearest folder upwards that holds model-ledger.yaml; the start folder when none does. */
export function findWorkspaceRoot(start: string): string {
	for (let dir = resolve(start); ; dir = dirname(dir)) {
		if (existsSync(join(dir, CONFIG_FILE))) return dir;
		if (dirname(dir) === dir) return resolve(start);
	}
}

async function authorOf(root: string) {
	try {
		return (await readLineage(root)).author;
	} catch {
		return osAuthor();
	}
}

/** Runs `model-ledger` with this process's arguments (dist/cli.js, launch.ts, calls it). */
export function main(): void {
	// A reader that stops early (`| head`, `less` quit) closes the pipe: the next write fails with EPIPE.
	// That is the reader's choice, not an error: stop writing, let the command finish what it was doing
	// (a snapshot or push is never cut in half), print no stack trace and exit 0.
	let stdoutClosed = false;
	const closedPipe = (stream: NodeJS.WriteStream, onClosed: () => void) =>
		stream.on('error', (err: NodeJS.ErrnoException) => {
			if (err.code !== 'EPIPE') throw err;
			onClosed();
		});
	closedPipe(process.stdout, () => {
		stdoutClosed = true;
	});
	closedPipe(process.stderr, () => undefined);
	const write = (stream: NodeJS.WriteStream, data: string | Buffer) => {
		if (stream === process.stdout && stdoutClosed) return;
		if (!stream.destroyed) stream.write(data);
	};
	runCli(process.argv.slice(2), {
		out: (t) => write(process.stdout, t),
		err: (t) => write(process.stderr, t),
		writeBytes: (b) => write(process.stdout, b),
	}).then(
		(code) => {
			process.exitCode = code;
		},
		(err) => {
			write(process.stderr, escapeControls(`model-ledger: ${describeError(err)}
`));
			process.exitCode = 1;
		},
	);
}

if (require.main === module) main();
