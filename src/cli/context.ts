// What every CLI command shares: output streams, usage errors and MODEL@REF parsing.

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
