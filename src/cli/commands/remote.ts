// `model-ledger remote status [--remote NAME] [--json]`: what is only local, only on the remote, or both.
import type { Ledger } from '../../core/ledger';
import { remoteStatus } from '../../core/remotes/remoteTransfer';
import { selectRemote } from '../../core/remotes/openRemote';
import { UsageError } from '../context';
import type { CliCommand, CommandResult } from '../context';
import { renderTable } from '../format';
import { formatBytes } from '../../core/byteSize';

export const remoteCli: CliCommand = {
	name: 'remote',
	usage: [{ synopsis: 'remote status [--remote NAME]', summary: 'objects local only, remote only, or both; `remote list` shows the remotes' }],
	run: ({ args, options, json, ledger }) => remoteCommand(ledger(), args, { remote: options.remote, json }),
};

async function remoteCommand(ledger: Ledger, rest: string[], options: { remote?: string; json: boolean }): Promise<CommandResult> {
	const [sub] = rest;
	if (sub === 'list') {
		const remotes = ledger.config.remotes.map((r) => ({ name: r.name, url: r.url, endpoint: r.endpoint ?? null, region: r.region ?? null, default: r.name === safeDefault(ledger) }));
		return { human: remotes.length ? renderTable(['NAME', 'URL', 'ENDPOINT', 'DEFAULT'], remotes.map((r) => [r.name, r.url, r.endpoint ?? '', r.default ? 'yes' : ''])) : 'No remotes configured.', data: remotes };
	}
	if (sub !== 'status') throw new UsageError(`unknown remote command \`${sub ?? ''}\`: use status or list.`);
	const report = await remoteStatus(ledger, { remote: options.remote });
	if (options.json) return { human: '', data: report };
	const sum = (xs: Array<{ size: number }>) => formatBytes(xs.reduce((n, x) => n + x.size, 0));
	const lines = [
		`${report.remote} (${report.url}):`,
		`  both         ${report.both} object(s), ${formatBytes(report.bothBytes)}`,
		`  local only   ${report.localOnly.length} object(s), ${sum(report.localOnly)}${report.localOnly.length ? '  → `model-ledger push`' : ''}`,
		`  remote only  ${report.remoteOnly.length} object(s), ${sum(report.remoteOnly)}${report.remoteOnly.some((o) => o.path) ? '  → `model-ledger pull`' : ''}`,
	];
	if (report.missing.length) lines.push(`  missing      ${report.missing.length} object(s) needed by a version are in neither place`);
	const rows = report.versions.map((v) => [v.model, `v${v.number}`, v.label, `${v.local}/${v.objects}`, `${v.onRemote}/${v.objects}`, v.missing ? String(v.missing) : '']);
	if (rows.length) lines.push('', renderTable(['MODEL', 'VERSION', 'LABEL', 'LOCAL', 'REMOTE', 'MISSING'], rows));
	return { human: lines.join('\n'), data: report };
}

function safeDefault(ledger: Ledger): string | undefined {
	try {
		return selectRemote(ledger.config).name;
	} catch {
		return undefined;
	}
}
