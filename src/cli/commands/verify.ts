// `model-ledger verify [--json] [--quick] [--remote [NAME]]`: exit 1 when any object is missing
// everywhere (here and on the configured remote) or corrupt, or any manifest was modified; with
// --remote, also when a remote copy is damaged.
import { relative } from 'node:path';
import type { Ledger } from '../../core/ledger';
import { verifyStore } from '../../core/store/verify';
import type { CliCommand, CommandResult, Io } from '../context';
import { renderTable } from '../format';
import { formatBytes } from '../../core/byteSize';

export const verifyCli: CliCommand = {
	name: 'verify',
	usage: [
		{
			synopsis: 'verify [--quick] [--remote [NAME]]',
			summary: [
				're-hash every stored object and manifest; exit 1 when any is broken or missing',
				'everywhere (objects only on the configured remote are fine); --remote: check its copies too',
			],
		},
	],
	run: ({ options, json, io, ledger }) => verifyCommand(ledger(), { quick: options.quick === true, json, remote: options.remote }, io),
};

async function verifyCommand(ledger: Ledger, options: { quick: boolean; json: boolean; remote?: string }, io: Io): Promise<CommandResult> {
	// `--remote` alone (an empty value) is the default remote.
	const report = await verifyStore(ledger, { quick: options.quick, remote: options.remote === undefined ? undefined : options.remote || true });
	const exitCode = report.ok ? 0 : 1;
	if (options.json) return { human: '', data: report, exitCode };
	const lines = [
		`Checked ${report.manifestsChecked} manifest(s) and ${report.objectsChecked} object(s)${report.quick ? ' (quick: existence and size only)' : `, ${formatBytes(report.bytesChecked)} re-hashed`}.`,
	];
	for (const m of report.manifests) lines.push(`${m.problem.padEnd(10)}  ${m.file}: ${m.message}`);
	for (const o of report.objects) {
		const users = o.usedBy.map((u) => `${u.model} v${u.number ?? '?'} ${u.path}`);
		lines.push(`${o.problem.padEnd(10)}  object ${o.sha256.slice(0, 12)}… (${relative(ledger.root, o.objectPath)}) used by ${users.join(', ')}`);
	}
	const r = report.remote;
	if (report.remoteOnly.length) {
		const versions = new Set(report.remoteOnly.flatMap((o) => o.usedBy.map((u) => `${u.model}@${u.digest}`)));
		lines.push(
			`${report.remoteOnly.length} object(s) of ${versions.size} version(s) are not on this machine but on remote \`${r?.name}\`${r && !r.reachable ? ` (as of its last listing, ${r.listedAt}; it could not be reached: ${r.error})` : ''}: cat, restore and pull fetch them.`,
		);
	}
	if (r && !r.reachable && r.error && !report.remoteOnly.length) lines.push(`warning: remote \`${r.name}\` could not be reached (${r.error}); objects missing here were not looked up there.`);
	if (r?.checkedCopies) {
		lines.push(
			`Remote \`${r.name}\` (${r.url}): ${r.objectsChecked} copies checked${report.quick ? ' (size only)' : `, ${formatBytes(r.bytesChecked)} downloaded and re-hashed`}${r.notOnRemote ? `; ${r.notOnRemote} object(s) only here (\`push\` uploads them)` : ''}.`,
		);
		for (const p of r.problems) lines.push(`${p.problem.padEnd(10)}  remote copy ${p.sha256.slice(0, 12)}… used by ${p.usedBy.map((u) => `${u.model} v${u.number ?? '?'} ${u.path}`).join(', ')}`);
		if (r.problems.length) lines.push('Fix: delete the damaged copies on the remote, then `model-ledger push` from a machine whose `verify` passes.');
	}
	if (report.brokenVersions.length) {
		lines.push('', 'Broken versions:');
		lines.push(renderTable(['MODEL', 'VERSION', 'LABEL', 'DIGEST', 'WHY'], report.brokenVersions.map((b) => [b.model, b.number === null ? '?' : `v${b.number}`, b.label ?? '?', b.digest.slice(0, 12), b.reasons.join('; ')])));
		lines.push('', 'Fix: restore modified manifests with `git checkout -- <file>`; delete suspect manifests (`git log -- <file>` shows who added them); re-snapshot or pull missing/corrupt objects (delete a corrupt object first).');
	}
	for (const w of report.warnings) io.err(`warning: ${w}\n`);
	if (report.unverifiedEvents.length) {
		lines.push('', `Unverified events (not applied; anyone who can push can write an events line — see SECURITY.md):`);
		for (const e of report.unverifiedEvents) lines.push(`  ${e}`);
	}
	lines.push(
		report.ok
			? `OK: every version is whole${report.remoteOnly.length ? ' (some objects are only on the remote)' : ''}.`
			: report.brokenVersions.length
				? `FAILED: ${report.brokenVersions.length} version(s) cannot be fully restored.`
				: `FAILED: ${r?.problems.length ?? 0} remote copy(ies) are damaged.`,
	);
	return { human: lines.join('\n'), data: report, exitCode };
}
