// `model-ledger push [MODEL@REF…] [--remote NAME]`: uploads the objects those versions need (all
// versions when none is named) that the remote lacks. Progress goes to stderr, the summary to stdout.
// What push and pull share (progress, the objects found nowhere, Ctrl+C) lives here too.
import { appendAll } from '../../core/bulkArrays';
import { formatBytes } from '../../core/byteSize';
import type { Ledger } from '../../core/ledger';
import { pushVersions, selectVersions } from '../../core/remotes/remoteTransfer';
import type { NeededObject, TransferProgress } from '../../core/remotes/remoteTransfer';
import { parseRef } from '../context';
import type { CliCommand, CommandResult, Io } from '../context';

export const pushCli: CliCommand = {
	name: 'push',
	usage: [{ synopsis: 'push [MODEL@REF...] [--remote NAME]', summary: 'upload the objects those versions need (all when none given) that the remote lacks' }],
	run: ({ args, options, json, io, ledger }) => untilInterrupted((signal) => pushCommand(ledger(), args, { remote: options.remote, json, signal }, io)),
};

/** Ctrl+C aborts cleanly: uploads in flight are aborted, finished objects stay, a re-run sends the rest. */
export async function untilInterrupted<T>(transfer: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const abort = new AbortController();
	const onInterrupt = () => abort.abort();
	process.once('SIGINT', onInterrupt);
	try {
		return await transfer(abort.signal);
	} finally {
		process.off('SIGINT', onInterrupt);
	}
}

export interface TransferCliOptions {
	remote?: string;
	json: boolean;
	signal?: AbortSignal;
}

async function pushCommand(ledger: Ledger, rest: string[], options: TransferCliOptions, io: Io): Promise<CommandResult> {
	const versions = selectVersions(ledger, rest.map((arg) => parseRef(arg, 'push [MODEL@REF…] [--remote NAME]', false)));
	const report = await pushVersions(ledger, versions, { remote: options.remote, signal: options.signal, onProgress: options.json ? undefined : progressPrinter(io, 'pushing') });
	const missing = report.missingEverywhere;
	const data = { ...report, missingEverywhere: missing.map(objectJson) };
	const exitCode = missing.length ? 1 : 0;
	if (options.json) return { human: '', data, exitCode };
	const lines = [
		report.uploaded.length
			? `Pushed ${report.uploaded.length} object(s), ${formatBytes(report.bytesUploaded)} in ${report.seconds.toFixed(1)} s (${formatBytes(report.bytesPerSecond)}/s) to ${report.remote} (${report.url}).`
			: `Nothing to push: ${report.remote} (${report.url}) already has every object.`,
		`${report.versions} version(s), ${report.objects} object(s): ${report.alreadyOnRemote} were already there${report.remoteOnly ? `, ${report.remoteOnly} are on the remote but not here` : ''}.`,
	];
	if (missing.length) appendAll(lines, missingLines(missing, 'in neither the local store nor the remote'));
	return { human: lines.join('\n'), data, exitCode };
}

export function missingLines(objects: NeededObject[], where: string): string[] {
	return [
		`${objects.length} object(s) are ${where}:`,
		...objects.map((o) => `  ${o.sha256.slice(0, 12)}  ${o.usedBy.map((u) => `${u.model} v${u.number} ${u.path}`).join(', ')}`),
	];
}

export function objectJson(o: NeededObject) {
	return { sha256: o.sha256, size: o.size ?? null, usedBy: o.usedBy };
}

/** One progress line at most every second on stderr: objects, bytes and the average rate. */
export function progressPrinter(io: Io, verb: string): (p: TransferProgress) => void {
	let last = 0;
	return (p) => {
		const now = Date.now();
		if (now - last < 1000 && p.objectsDone < p.objectsTotal) return;
		last = now;
		io.err(`  ${verb} ${p.objectsDone}/${p.objectsTotal} objects, ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}, ${formatBytes(p.bytesPerSecond)}/s${p.current && p.objectsDone < p.objectsTotal ? `  ${p.current}` : ''}\n`);
	};
}

