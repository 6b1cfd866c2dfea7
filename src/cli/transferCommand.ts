// `model-ledger push|pull [MODEL@REF…] [--remote NAME]`: move the objects those versions need (all
// versions when none is named) to or from a remote. Progress goes to stderr, the summary to stdout.
import { appendAll } from '../core/bulkArrays';
import { formatBytes } from '../core/byteSize';
import type { Ledger } from '../core/ledger';
import { pullVersions, pushVersions, selectVersions } from '../core/remotes/remoteTransfer';
import type { NeededObject, TransferProgress } from '../core/remotes/remoteTransfer';
import { parseRef } from './context';
import type { Io } from './context';

interface TransferCliOptions {
	remote?: string;
	json: boolean;
	signal?: AbortSignal;
}

export async function pushCommand(ledger: Ledger, rest: string[], options: TransferCliOptions, io: Io): Promise<number> {
	const versions = selectVersions(ledger, rest.map((arg) => parseRef(arg, 'push [MODEL@REF…] [--remote NAME]', false)));
	const report = await pushVersions(ledger, versions, { remote: options.remote, signal: options.signal, onProgress: options.json ? undefined : progressPrinter(io, 'pushing') });
	const missing = report.missingEverywhere;
	if (options.json) {
		io.out(JSON.stringify({ ...report, missingEverywhere: missing.map(objectJson) }, null, 2) + '\n');
		return missing.length ? 1 : 0;
	}
	const lines = [
		report.uploaded.length
			? `Pushed ${report.uploaded.length} object(s), ${formatBytes(report.bytesUploaded)} in ${report.seconds.toFixed(1)} s (${formatBytes(report.bytesPerSecond)}/s) to ${report.remote} (${report.url}).`
			: `Nothing to push: ${report.remote} (${report.url}) already has every object.`,
		`${report.versions} version(s), ${report.objects} object(s): ${report.alreadyOnRemote} were already there${report.remoteOnly ? `, ${report.remoteOnly} are on the remote but not here` : ''}.`,
	];
	if (missing.length) appendAll(lines, missingLines(missing, 'in neither the local store nor the remote'));
	io.out(lines.join('\n') + '\n');
	return missing.length ? 1 : 0;
}

export async function pullCommand(ledger: Ledger, rest: string[], options: TransferCliOptions, io: Io): Promise<number> {
	const versions = selectVersions(ledger, rest.map((arg) => parseRef(arg, 'pull [MODEL@REF…] [--remote NAME]', false)));
	const report = await pullVersions(ledger, versions, { remote: options.remote, signal: options.signal, onProgress: options.json ? undefined : progressPrinter(io, 'pulling') });
	const failed = report.notOnRemote.length + report.corrupt.length;
	if (options.json) {
		io.out(JSON.stringify({ ...report, notOnRemote: report.notOnRemote.map(objectJson) }, null, 2) + '\n');
		return failed ? 1 : 0;
	}
	const lines = [
		report.pulled.length
			? `Pulled ${report.pulled.length} object(s), ${formatBytes(report.bytesPulled)} in ${report.seconds.toFixed(1)} s (${formatBytes(report.bytesPerSecond)}/s) from ${report.remote} (${report.url}); each was verified.`
			: `Nothing pulled from ${report.remote} (${report.url}).`,
		`${report.versions} version(s), ${report.objects} object(s): ${report.alreadyLocal} were already here.`,
	];
	for (const c of report.corrupt) lines.push(`refused  ${c.path}: ${c.message}`);
	if (report.notOnRemote.length) appendAll(lines, missingLines(report.notOnRemote, `not on ${report.remote}`));
	if (failed) lines.push('Fix: run `model-ledger push` on a machine that has these objects, then pull again.');
	io.out(lines.join('\n') + '\n');
	return failed ? 1 : 0;
}

function missingLines(objects: NeededObject[], where: string): string[] {
	return [
		`${objects.length} object(s) are ${where}:`,
		...objects.map((o) => `  ${o.sha256.slice(0, 12)}  ${o.usedBy.map((u) => `${u.model} v${u.number} ${u.path}`).join(', ')}`),
	];
}

function objectJson(o: NeededObject) {
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

