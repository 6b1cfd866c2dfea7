// `model-ledger show MODEL[@REF] [--at TIME]`: one version in full (REF defaults to latest).
import { appendAll } from '../../core/bulkArrays';
import { oneLine } from '../../core/displayText';
import type { FlatValues, VersionDetail } from '../../core/model';
import { displayLabel } from '../../core/lifecycle/releaseLabels';
import { runInfoLines } from '../../core/snapshot/runMetadata';
import { versionNameWithLabel } from '../../core/store/versionName';
import { parseRef } from '../context';
import type { CliCommand } from '../context';
import { renderTable } from '../format';
import { refAtTime, versionJson, withOtherRefs } from '../versionRefs';
import { formatScalar } from './diff';

export const showCli: CliCommand = {
	name: 'show',
	usage: [{ synopsis: 'show MODEL[@REF] [--at TIME]', summary: 'one version in full (REF defaults to latest)' }],
	async run({ args, options, ledger }) {
		const { model, ref } = parseRef(args[0], 'show MODEL[@REF]', true);
		const l = ledger();
		const detail = await withOtherRefs(l, () => l.show(model, refAtTime(l, model, ref, options.at)));
		const other = l.otherRefOf(detail.digest);
		// A version only on another branch is shown, named by where git holds it, and stays read-only.
		const where = other ? `\n\nOnly on ${other.refs.join(', ')} (git), not in this checkout: read-only; \`${other.refs[0]}:v${other.summary.number}\` names it. Check out that ref to set aliases or restore it.` : '';
		return { human: showText(detail) + where, data: { ...showJson(detail), ...(other ? { otherRefs: other.refs } : {}) } };
	},
};

function showJson(d: VersionDetail) {
	const m = d.manifest;
	return {
		...versionJson(d),
		versioning: m.versioning,
		parent: m.parent ?? null,
		git: m.git,
		artifacts: m.artifacts,
		params: m.params,
		metrics: m.metrics,
		prompts: m.prompts,
		weights: m.weights,
		lockfiles: m.lockfiles,
		data: m.data,
		environment: m.environment ?? null,
		meta: m.meta ?? {},
		links: m.links ?? [],
		training: m.training ?? {},
		warnings: m.warnings ?? [],
	};
}

function showText(d: VersionDetail): string {
	const m = d.manifest;
	const lines = [
		`${d.model} ${versionNameWithLabel({ ...d, label: displayLabel(d) })}${d.aliases.length ? `  [${d.aliases.join(', ')}]` : ''}`,
		`digest   ${d.digest}`,
		`created  ${d.createdAt} by ${d.author.name}${d.author.email ? ` <${d.author.email}>` : ''}`,
		`message  ${oneLine(d.message) || '-'}`,
		`commit   ${m.git.commit ?? '-'}${m.git.branch ? ` (${m.git.branch})` : ''}${m.git.dirty ? ' + uncommitted patch ' + (m.git.patch ?? '').slice(0, 12) : ''}`,
		...runInfoLines(m).map(([k, v]) => `${k.padEnd(8)} ${v}`),
		'',
		renderTable(['ROLE', 'PATH', 'SIZE', 'SHA256'], m.artifacts.map((a) => [a.role, a.path, a.size, a.sha256.slice(0, 12)])),
	];
	const flat = (title: string, files: Record<string, FlatValues>) => {
		const rows = Object.entries(files).flatMap(([file, values]) => Object.entries(values).map(([k, v]) => [file, k, formatScalar(v)]));
		if (rows.length) lines.push('', title, renderTable(['FILE', 'KEY', 'VALUE'], rows));
	};
	flat('Params', m.params);
	flat('Metrics', m.metrics);
	const prompts = Object.entries(m.prompts);
	if (prompts.length) appendAll(lines, ['', 'Prompt variables', ...promptVariableLines(prompts)]);
	const weights = Object.entries(m.weights);
	if (weights.length) appendAll(lines, ['', 'Weights', ...weights.map(([p, w]) => `  ${p}: ${w.huge ? `${w.huge.tensorCount} tensors (a huge header: counts only)` : `${Object.keys(w.tensors).length} tensors`}`)]);
	if (m.data.length) appendAll(lines, ['', 'Data', ...m.data.map((r) => `  ${r.path}: md5 ${r.md5 ?? '-'} (from ${r.source})`)]);
	const locks = Object.entries(m.lockfiles);
	if (locks.length) appendAll(lines, ['', 'Lockfiles', ...locks.map(([p, sha]) => `  ${p}: ${sha.slice(0, 12)}`)]);
	if (m.warnings?.length) appendAll(lines, ['', 'Warnings', ...m.warnings.map((w) => `  ${oneLine(w)}`)]);
	return lines.join('\n');
}

/**
 * One line per prompt file that has variables; the files without any are counted, not listed (an
 * eval suite's hundreds of task configs would each print a line saying so).
 */
function promptVariableLines(prompts: [string, { variables: string[] }][]): string[] {
	const withVariables = prompts.filter(([, info]) => info.variables.length > 0);
	const lines = withVariables.map(([p, info]) => `  ${p}: ${info.variables.join(', ')}`);
	const without = prompts.length - withVariables.length;
	if (without > 0) lines.push(`  ${withVariables.length ? 'and ' : ''}${without} prompt file${without === 1 ? '' : 's'} without variables`);
	return lines;
}
