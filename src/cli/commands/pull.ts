// `model-ledger pull [MODEL@REF…] [--remote NAME]`: downloads the missing objects of those versions (all
// versions when none is named), each verified. Progress goes to stderr, the summary to stdout.
import { appendAll } from '../../core/bulkArrays';
import { formatBytes } from '../../core/byteSize';
import type { Ledger } from '../../core/ledger';
import { pullVersions, selectVersions } from '../../core/remotes/remoteTransfer';
import { parseRef } from '../context';
import type { CliCommand, CommandResult, Io } from '../context';
import { missingLines, objectJson, progressPrinter, untilInterrupted } from './push';
import type { TransferCliOptions } from './push';

export const pullCli: CliCommand = {
	name: 'pull',
	usage: [{ synopsis: 'pull [MODEL@REF...] [--remote NAME]', summary: 'download missing objects of those versions (all when none given), each verified' }],
	run: ({ args, options, json, io, ledger }) => untilInterrupted((signal) => pullCommand(ledger(), args, { remote: options.remote, json, signal }, io)),
};

async function pullCommand(ledger: Ledger, rest: string[], options: TransferCliOptions, io: Io): Promise<CommandResult> {
	const versions = selectVersions(ledger, rest.map((arg) => parseRef(arg, 'pull [MODEL@REF…] [--remote NAME]', false)));
	const report = await pullVersions(ledger, versions, { remote: options.remote, signal: options.signal, onProgress: options.json ? undefined : progressPrinter(io, 'pulling') });
	const failed = report.notOnRemote.length + report.corrupt.length;
	const data = { ...report, notOnRemote: report.notOnRemote.map(objectJson) };
	const exitCode = failed ? 1 : 0;
	if (options.json) return { human: '', data, exitCode };
	const lines = [
		report.pulled.length
			? `Pulled ${report.pulled.length} object(s), ${formatBytes(report.bytesPulled)} in ${report.seconds.toFixed(1)} s (${formatBytes(report.bytesPerSecond)}/s) from ${report.remote} (${report.url}); each was verified.`
			: `Nothing pulled from ${report.remote} (${report.url}).`,
		`${report.versions} version(s), ${report.objects} object(s): ${report.alreadyLocal} were already here.`,
	];
	for (const c of report.corrupt) lines.push(`refused  ${c.path}: ${c.message}`);
	if (report.notOnRemote.length) appendAll(lines, missingLines(report.notOnRemote, `not on ${report.remote}`));
	if (failed) lines.push('Fix: run `model-ledger push` on a machine that has these objects, then pull again.');
	return { human: lines.join('\n'), data, exitCode };
}
