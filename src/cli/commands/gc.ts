// `model-ledger gc [--dry-run] [--yes]`: reports (default) or deletes objects no manifest references.
import { formatBytes } from '../../core/byteSize';
import { collectGarbage } from '../../core/store/gc';
import type { ByteCount, GcReport } from '../../core/store/gc';
import type { CliCommand } from '../context';
import { renderTable } from '../format';

export const gcCli: CliCommand = {
	name: 'gc',
	usage: [{ synopsis: 'gc [--dry-run] [--yes]', summary: 'report (default) or, with --yes, delete objects no branch or tag needs' }],
	async run({ options, json, ledger }) {
		const dryRun = options['dry-run'] === true || options.yes !== true;
		const report = await collectGarbage(ledger(), { dryRun });
		// The text is only built for people: --json prints the report alone.
		return { human: json ? '' : gcText(report), data: report };
	},
};

const RECLAIM_LABELS: Record<keyof GcReport['reclaimable'], string> = {
	unreferenced: 'objects no manifest references',
	'stray-file': 'stray files in the object folders',
	'stale-tmp': 'leftovers of interrupted writes (tmp/)',
};
const KEEP_LABELS: Record<keyof GcReport['kept'], string> = {
	'working-tree': 'referenced by manifests in the working tree',
	'git-history': 'referenced only in git (other refs, stashes, the index)',
	'restore-backup': 'content replaced by a restore (see cache/restores/)',
	recent: 'unreferenced but less than an hour old (a snapshot may be running)',
};

function gcText(r: GcReport): string {
	const row = (label: string, c: ByteCount) => [String(c.count), formatBytes(c.bytes), label];
	const lines = [
		r.dryRun
			? `Dry run: ${r.total.count} file(s), ${formatBytes(r.total.bytes)} reclaimable.`
			: `Deleted ${r.deleted.count} file(s), ${formatBytes(r.deleted.bytes)}.`,
		renderTable(['COUNT', 'SIZE', 'RECLAIMABLE'], Object.entries(r.reclaimable).map(([k, c]) => row(RECLAIM_LABELS[k as keyof GcReport['reclaimable']], c))),
		'',
		renderTable(['COUNT', 'SIZE', 'KEPT'], Object.entries(r.kept).map(([k, c]) => row(KEEP_LABELS[k as keyof GcReport['kept']], c))),
		`Manifests read: ${r.manifestsRead.workingTree} in the working tree, ${r.manifestsRead.git} from ${r.refsScanned.length} git ref(s).`,
	];
	for (const w of r.warnings) lines.push(`warning: ${w}`);
	for (const w of r.incomplete) lines.push(`incomplete: ${w}`);
	if (r.incomplete.length) lines.push('Deleting is refused until the above is fixed.');
	else if (r.dryRun && r.total.count > 0) lines.push('Run `model-ledger gc --yes` to delete them.');
	return lines.join('\n');
}
