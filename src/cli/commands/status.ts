// `model-ledger status [MODEL]`: the files changed since each model's latest version.
import { readLineage } from '../../core/snapshot/gitLineage';
import { registryTracking } from '../../core/index/gitTracking';
import type { VersionSummary } from '../../core/model';
import { versionMatchingWorkingTree } from '../../core/store/restore';
import { workingChanges } from '../../core/snapshot/snapshot';
import { versionName, versionNameWithLabel } from '../../core/store/versionName';
import { CONFIG_FILE } from '../../core/parse/workspaceConfig';
import type { CliCommand } from '../context';

export const statusCli: CliCommand = {
	name: 'status',
	usage: [{ synopsis: 'status [MODEL]', summary: "files changed since each model's latest version" }],
	async run({ args, root, ledger }) {
		const l = ledger();
		// Named models must exist (a typo is an unknown model); models no longer configured are reported, not compared.
		const models = args.length ? args.filter((name) => l.readableModel(name)) : l.config.models.map((m) => m.name);
		const unconfigured = args.length ? args.filter((name) => !l.config.models.some((m) => m.name === name)) : l.unconfiguredModels();
		const [lineage, tracking] = await Promise.all([readLineage(root), registryTracking(root)]);
		const ref = (v: VersionSummary) => ({ number: v.number, label: v.label, digest: v.digest, numberShared: v.numberShared });
		const report = models.map((name) => {
			const { latest, changes, warnings } = workingChanges(l, name);
			const differs = changes.added.length + changes.modified.length + changes.removed.length > 0;
			// After a restore the workspace may hold an older version exactly: say which.
			const match = latest && differs ? versionMatchingWorkingTree(l, name) : undefined;
			return { model: name, configured: true, latest: latest ? ref(latest) : null, matches: match ? ref(match) : latest && !differs ? ref(latest) : null, ...changes, warnings };
		});
		const gone = unconfigured.map((name) => {
			const latest = l.index.latestVersion(name);
			return { model: name, configured: false, latest: latest ? ref(latest) : null, matches: null, added: [], modified: [], removed: [], warnings: [] };
		});
		const human = [
			...report.map(modelText),
			...gone.map((g) => `${g.model}: no longer configured in ${CONFIG_FILE}; its versions stay readable${g.latest ? ` (latest ${versionName(g.latest)}, ${g.latest.label})` : ''}`),
		].join('\n');
		const untracked = tracking.untrackedVersions.length;
		// Versions git does not carry exist only here: say so while they do (issue: nobody else can see them).
		const warning = untracked
			? `\nwarning: ${untracked} version${untracked === 1 ? '' : 's'} not tracked by git: nobody who clones or pulls can see ${untracked === 1 ? 'it' : 'them'}. Commit them: git add ${tracking.commit.join(' ')}`
			: '';
		return {
			human: human + (lineage.dirty ? '\n(git: uncommitted changes to tracked files)' : '') + (lineage.refused ? `\nwarning: ${lineage.refused.message} Fix: ${lineage.refused.fix}` : '') + warning,
			data: {
				models: [...report, ...gone],
				git: { commit: lineage.commit, branch: lineage.branch, dirty: lineage.dirty, untrackedVersions: tracking.untrackedVersions, configUntracked: tracking.configUntracked },
			},
		};
	},
};

type VersionRef = Pick<VersionSummary, 'number' | 'label' | 'digest' | 'numberShared'>;

function modelText(r: { model: string; latest: VersionRef | null; matches: VersionRef | null; added: string[]; modified: string[]; removed: string[] }): string {
	const changed = [...r.added.map((p) => `  added     ${p}`), ...r.modified.map((p) => `  modified  ${p}`), ...r.removed.map((p) => `  removed   ${p}`)];
	if (!r.latest) {
		// Never "no versions yet" and "matches the latest version" together: there is no latest to match.
		const head = `${r.model}: no versions yet`;
		return changed.length ? [`${head}; the first snapshot would record:`, ...changed].join('\n') : `${head}, and its globs match no file (see \`model-ledger snapshot\` for what they matched).`;
	}
	const head = `${r.model}: latest ${versionNameWithLabel(r.latest)}`;
	if (r.matches && r.matches.digest !== r.latest.digest) return `${head}\n  matches ${versionNameWithLabel(r.matches)}`;
	return [head, ...(changed.length ? changed : [`  matches ${versionName(r.latest)} (the latest version)`])].join('\n');
}
