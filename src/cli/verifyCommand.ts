// `model-ledger verify [--json] [--quick]`: exit 1 when any object is missing or corrupt or any manifest was modified.
import { relative } from 'node:path';
import type { Ledger } from '../core/ledger';
import { verifyStore } from '../core/verify';
import type { Io } from './context';
import { renderTable } from './format';
import { formatBytes } from '../core/byteSize';

export async function verifyCommand(ledger: Ledger, options: { quick: boolean; json: boolean }, io: Io): Promise<number> {
	const report = await verifyStore(ledger, { quick: options.quick });
	if (options.json) {
		io.out(JSON.stringify(report, null, 2) + '\n');
		return report.ok ? 0 : 1;
	}
	const lines = [
		`Checked ${report.manifestsChecked} manifest(s) and ${report.objectsChecked} object(s)${report.quick ? ' (quick: existence and size only)' : `, ${formatBytes(report.bytesChecked)} re-hashed`}.`,
	];
	for (const m of report.manifests) lines.push(`${m.problem.padEnd(10)}  ${m.file}: ${m.message}`);
	for (const o of report.objects) {
		const users = o.usedBy.map((u) => `${u.model} v${u.number ?? '?'} ${u.path}`);
		lines.push(`${o.problem.padEnd(10)}  object ${o.sha256.slice(0, 12)}… (${relative(ledger.root, o.objectPath)}) used by ${users.join(', ')}`);
	}
	if (report.brokenVersions.length) {
		lines.push('', 'Broken versions:');
		lines.push(renderTable(['MODEL', 'VERSION', 'LABEL', 'DIGEST', 'WHY'], report.brokenVersions.map((b) => [b.model, b.number === null ? '?' : `v${b.number}`, b.label ?? '?', b.digest.slice(0, 12), b.reasons.join('; ')])));
		lines.push('', 'Fix: restore modified manifests with `git checkout -- <file>`; delete suspect manifests (`git log -- <file>` shows who added them); re-snapshot or pull missing/corrupt objects (delete a corrupt object first).');
	}
	for (const w of report.warnings) io.err(`warning: ${w}\n`);
	lines.push(report.ok ? 'OK: every version is whole.' : `FAILED: ${report.brokenVersions.length} version(s) cannot be fully restored.`);
	io.out(lines.join('\n') + '\n');
	return report.ok ? 0 : 1;
}
