// `model-ledger restore MODEL@REF [--force] [--dry-run]`: writes a version's files back into the workspace.
import { maxOf } from '../../core/bulkArrays';
import { relative } from 'node:path';
import type { Ledger } from '../../core/ledger';
import { restoreVersion } from '../../core/store/restore';
import type { RestoreFile, RestoreResult } from '../../core/store/restore';
import { parseRef } from '../context';
import type { CliCommand, CommandResult } from '../context';
import { refAtTime } from '../versionRefs';
import { versionName, versionNameWithLabel } from '../../core/store/versionName';

export const restoreCli: CliCommand = {
	name: 'restore',
	usage: [{ synopsis: 'restore MODEL@REF [--force] [--dry-run] [--delete-extra] [--at TIME]', summary: "write a version's files back (replaced content is stored first)" }],
	run({ args, options, ledger }) {
		const rest = [...args];
		if (options.at !== undefined) {
			const { model, ref } = parseRef(rest[0], 'restore MODEL@REF [--force] [--dry-run] [--delete-extra] [--at TIME]', false);
			rest[0] = `${model}@${refAtTime(ledger(), model, ref, options.at)}`;
		}
		return restoreCommand(ledger(), rest, { force: options.force === true, dryRun: options['dry-run'] === true, deleteExtra: options['delete-extra'] === true });
	},
};

async function restoreCommand(ledger: Ledger, rest: string[], options: { force: boolean; dryRun: boolean; deleteExtra?: boolean }): Promise<CommandResult> {
	const { model, ref } = parseRef(rest[0], 'restore MODEL@REF [--force] [--dry-run] [--delete-extra]', false);
	const result = await restoreVersion(ledger, model, ref, { force: options.force, dryRun: options.dryRun, deleteExtra: options.deleteExtra });
	return { human: restoreText(ledger, result), data: restoreJson(result) };
}

function restoreJson(r: RestoreResult) {
	return {
		model: r.version.model,
		version: { number: r.version.number, label: r.version.label, digest: r.version.digest },
		dryRun: r.dryRun,
		files: r.files,
		extra: r.extra,
		notLocal: r.notLocal,
		journal: r.journal ?? null,
	};
}

function restoreText(ledger: Ledger, r: RestoreResult): string {
	const v = r.version;
	const changing = r.files.filter((f) => f.action !== 'unchanged');
	const unchanged = r.files.length - changing.length;
	const rel = (p: string) => relative(ledger.root, p);
	const lines = [
		r.dryRun
			? `Restoring ${v.model} ${versionNameWithLabel(v)} would change ${changing.length} file(s); ${unchanged} already match. Nothing was written (dry run).`
			: `Restored ${v.model} ${versionNameWithLabel(v)}: ${changing.length} file(s) written, ${unchanged} already matched.`,
	];
	const width = maxOf(changing.map((f) => f.path.length), 0);
	for (const f of changing) lines.push(`  ${f.action.padEnd(9)}  ${f.path.padEnd(width)}${displacedText(f, r.dryRun, rel)}`);
	const deleting = r.files.some((f) => f.action === 'delete');
	if (r.extra.length && !deleting) lines.push(`Left in place (tracked now, not in ${versionName(v)}; --delete-extra removes them): ${r.extra.join(', ')}`);
	if (r.notLocal.length) lines.push(`Not in the local store: ${r.notLocal.join(', ')} — restoring pulls them from the remote (\`model-ledger pull\`), or fails without one.`);
	if (r.journal) lines.push(`Journal of replaced contents: ${rel(r.journal)}`);
	const unsaved = changing.filter((f) => f.displaced && !f.displaced.inVersion && !f.displaced.stored);
	if (r.dryRun && unsaved.length) lines.push(`${unsaved.length} file(s) hold changes that are in no version: restore needs --force, and stores them first.`);
	return lines.join('\n');
}

function displacedText(f: RestoreFile, dryRun: boolean, rel: (p: string) => string): string {
	if (!f.displaced) return '';
	const where = `${rel(f.displaced.objectPath)}`;
	if (f.action === 'delete') return dryRun && !f.displaced.stored ? `  (not in this version; its content would be stored at ${where})` : `  (not in this version; content kept at ${where})`;
	if (f.displaced.inVersion) return `  (current content is in a version; kept at ${where})`;
	if (dryRun && !f.displaced.stored) return `  (current content is unsaved: would be stored at ${where})`;
	return `  (previous content kept at ${where})`;
}
