// What every CLI command shares: output streams, usage errors and MODEL@REF parsing.
import type { Ledger } from '../core/ledger';
import type { Author, Bump } from '../core/model';

/** Where the CLI writes; tests pass their own to capture output. */
export interface Io {
	out: (text: string) => void;
	err: (text: string) => void;
	writeBytes: (data: Buffer) => void;
}

/** A mistake in the command line itself: exit code 2 and a pointer to --help. */
export class UsageError extends Error {}

/** Splits `MODEL@REF`; without `@`, the ref is `latest` when optional, else a usage error. */
export function parseRef(arg: string | undefined, usage: string, refOptional: boolean): { model: string; ref: string } {
	if (!arg) throw new UsageError(`missing MODEL@REF: model-ledger ${usage}`);
	const at = arg.indexOf('@');
	if (at < 0) {
		if (refOptional) return { model: arg, ref: 'latest' };
		throw new UsageError(`\`${arg}\` needs a version: write MODEL@REF, e.g. ${arg}@latest or ${arg}@3.`);
	}
	const model = arg.slice(0, at);
	if (!model) throw new UsageError(`\`${arg}\` names no model before @: write MODEL@REF, e.g. my-model${arg}.`);
	return { model, ref: refAfterAt(arg, at) };
}

/** The REF after `@` in `arg`; an empty one (`zephyr@`) is a mistake, not a silent `latest`. */
export function refAfterAt(arg: string, at: number): string {
	const ref = arg.slice(at + 1);
	if (!ref) throw new UsageError(`\`${arg}\` has nothing after @: write a version, e.g. ${arg}latest, ${arg}3 or ${arg}production.`);
	return ref;
}

/** The flags `main.ts` parses for every command (node:util parseArgs, strict). */
export interface CliOptions {
	json?: boolean;
	help?: boolean;
	cwd?: string;
	message?: string;
	bump?: string;
	'require-clean'?: boolean;
	'allow-secrets'?: boolean;
	meta?: string[];
	link?: string[];
	all?: boolean;
	tensors?: boolean;
	metric?: string;
	force?: boolean;
	'dry-run'?: boolean;
	'delete-extra'?: boolean;
	quick?: boolean;
	yes?: boolean;
	remote?: string;
	'all-refs'?: boolean;
	gate?: string;
	override?: boolean;
	format?: string;
	at?: string;
}

/** What a command receives: its positional arguments, the flags, where it runs and how to open the ledger. */
export interface CommandContext {
	/** The positional arguments after the command name. */
	args: string[];
	options: CliOptions;
	json: boolean;
	/** The workspace root (-C, or the nearest folder upwards with model-ledger.yaml). */
	root: string;
	/** Where the command runs: paths on the command line are relative to it. */
	cwd: string;
	/** Progress and warnings go to io.err; the result is printed by main.ts. */
	io: Io;
	/** Opens the workspace's ledger once (checking its config first); main.ts closes it. */
	ledger: () => Ledger;
	/** The author of events: git's user, else the OS user. */
	author: () => Promise<Author>;
}

/** A command's answer: main.ts prints `human`, or `data` as one JSON document with --json. */
export interface CommandResult {
	human: string;
	data: unknown;
	/** 0 unless the command reports a failure it found (verify, check, scan, push, pull). */
	exitCode?: number;
	/** Printed as is instead of human or JSON (cat's bytes, diff's --format). */
	raw?: string | Buffer;
}

/** One entry of the help text: the synopsis (a few lines when long) and what it does. */
export interface UsageLine {
	synopsis: string | string[];
	summary: string | string[];
}

/** One `model-ledger` command: main.ts dispatches on `name` and builds the help from `usage`. */
export interface CliCommand {
	name: string;
	usage: UsageLine[];
	run: (ctx: CommandContext) => CommandResult | Promise<CommandResult>;
}

/** `--bump`, checked: major, minor or patch. */
export function bumpOption(bump: string | undefined): Bump | undefined {
	if (bump !== undefined && !['major', 'minor', 'patch'].includes(bump)) throw new UsageError('--bump must be major, minor or patch.');
	return bump as Bump | undefined;
}
