// `model-ledger remote status [--remote NAME] [--json]`: what is only local, only on the remote, or both.
import type { Ledger } from '../core/ledger';
import { remoteStatus } from '../core/remotes/remoteTransfer';
import { selectRemote } from '../core/remotes/remoteStore';
import { UsageError } from './context';
import type { Io } from './context';
import { renderTable } from './format';
import { formatBytes } from '../core/byteSize';

export async function remoteCommand(ledger: Ledger, rest: string[], options: { remote?: string; json: boolean }, io: Io): Promise<number> {
	const [sub] = rest;
	if (sub === 'list') {
		const remotes = ledger.config.remotes.map((r) => ({ name: r.name, url: r.url, endpoint: r.endpoint ?? null, region: r.region ?? null, default: r.name === safeDefault(ledger) }));
		io.out(options.json ? JSON.stringify(remotes, null, 2) + '\n' : (remotes.length ? renderTable(['NAME', 'URL', 'ENDPOINT', 'DEFAULT'], remotes.map((r) => [r.name, r.url, r.endpoint ?? '', r.default ? 'yes' : ''])) : 'No remotes configured.') + '\n');
		return 0;
	}
	if (sub !== 'status') throw new UsageError(`unknown remote command \`${sub ?? ''}\`: use status or list.`);
	const report = await remoteStatus(ledger, { remote: options.remote });
	if (options.json) {
		io.out(JSON.stringify(report, null, 2) + '\n');
		return 0;
	}
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
	io.out(lines.join('\n') + '\n');
	return 0;
}

function safeDefault(ledger: Ledger): string | undefined {
	try {
		return selectRemote(ledger.config).name;
	} catch {
		return undefined;
	}
}
