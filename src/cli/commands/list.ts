// `model-ledger list [MODEL] [--all-refs]`: versions, newest first; with --all-refs also those whose
// manifests git holds only on other refs (read-only).
import type { VersionSummary } from '../../core/model';
import { otherRefVersions } from '../../core/index/otherRefs';
import type { OtherRefVersion } from '../../core/index/otherRefs';
import { displayLabel } from '../../core/lifecycle/releaseLabels';
import { formatAge } from '../../core/relativeTime';
import { versionName } from '../../core/store/versionName';
import { CONFIG_FILE } from '../../core/parse/workspaceConfig';
import type { CliCommand, CommandResult } from '../context';
import { renderTable } from '../format';
import { versionJson } from '../versionRefs';

export const listCli: CliCommand = {
	name: 'list',
	usage: [
		{
			synopsis: 'list [MODEL] [--all-refs]',
			summary: ['versions, newest first; --all-refs: also those whose manifests git holds', 'only on other branches, tags, stashes or the index (read-only)'],
		},
	],
	async run({ args, options, io, ledger }) {
		const l = ledger();
		const model = args[0];
		if (model) l.readableModel(model);
		const versions = l.listVersions(model);
		const unconfigured = new Set(l.unconfiguredModels());
		const gone = [...new Set(versions.map((v) => v.model))].filter((m) => unconfigured.has(m));
		const note = gone.length ? `\n\nNo longer configured in ${CONFIG_FILE} (versions kept and readable with list, show, cat, diff): ${gone.join(', ')}` : '';
		const listed = versions.map((v) => ({ ...versionJson(v), configured: !unconfigured.has(v.model) }));
		let result: CommandResult;
		if (options['all-refs']) {
			const others = await otherRefVersions(l);
			for (const p of others.problems) io.err(`warning: ${p}\n`);
			const mine = others.versions.filter((v) => !model || v.model === model);
			const human = [versionsTable(versions) + note, '', otherRefsTable(mine, others.inRepo)].join('\n');
			result = { human, data: { versions: listed, otherRefs: mine.map(({ manifest: _m, ...v }) => v) } };
		} else result = { human: versionsTable(versions) + note, data: listed };
		// Planted manifests are not versions; they are listed apart (stderr keeps --json one document).
		const suspects = l.suspects.filter((s) => !model || s.includes(`/versions/${model}/`));
		for (const s of suspects) io.err(`suspect: ${s}\n`);
		if (suspects.length) io.err('Fix: suspect manifests (and links) were not written by Model Ledger (a planted or edited file); they are not versions and cannot be restored. See `model-ledger verify`, check who added them with `git log -- <file>`, and delete them.\n');
		return result;
	},
};

function otherRefsTable(versions: OtherRefVersion[], inRepo: boolean): string {
	if (!inRepo) return 'Not a git repository: there are no other refs.';
	if (versions.length === 0) return 'No versions exist only on other refs (branches, tags, stashes, the index).';
	return [
		'Only on other refs (read-only; check one out, or `git stash pop`, to use it):',
		renderTable(
			['MODEL', 'VERSION', 'LABEL', 'WHERE', 'AGE', 'COMMIT', 'FILES HERE'],
			versions.map((v) => [
				v.model,
				versionName({ number: v.number, digest: v.digest, numberShared: true }),
				v.label,
				v.refs.join(', '),
				formatAge(v.createdAt),
				v.commit ? v.commit.slice(0, 7) : '-',
				v.objectsPresent === v.objectsTotal ? 'all' : `${v.objectsPresent}/${v.objectsTotal}`,
			]),
		),
	].join('\n');
}

function versionsTable(versions: VersionSummary[]): string {
	if (versions.length === 0) return 'No versions yet. Run `model-ledger snapshot`.';
	return renderTable(
		['MODEL', 'VERSION', 'LABEL', 'ALIASES', 'AGE', 'COMMIT', 'AUTHOR', 'MESSAGE'],
		versions.map((v) => [
			v.model,
			versionName(v),
			displayLabel(v),
			v.aliases.join(', '),
			formatAge(v.createdAt),
			v.git.commit ? v.git.commit.slice(0, 7) + (v.git.dirty ? '*' : '') : '-',
			v.author.name,
			v.message,
		]),
	);
}
