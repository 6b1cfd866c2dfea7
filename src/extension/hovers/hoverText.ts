// What the file and key hovers say, as Markdown. Plain functions over core results with no `vscode`
// import, so unit tests check the wording and, above all, the escaping: every piece of text that
// comes from a file, a config or a version (paths, values, names, messages) goes through md()/code().
import type { KeyHistory, KeyRun, MetricDelta, VariableHistory } from '../../core/query/keyHistory';
import { formatKeyValue, runSpan } from '../../core/query/keyHistory';
import type { Scalar } from '../../core/model';
import { formatAge } from '../../core/relativeTime';
import type { UsedBy } from '../../core/query/usedBy';
import type { VersionRef } from '../../core/query/versionsByPath';
import { describeVersions } from '../../core/query/usedBy';
import { describeRanges } from '../../core/query/versionRanges';
import type { VersionRange } from '../../core/query/versionRanges';
import { versionName } from '../../core/store/versionName';
import { COMMANDS } from '../commands';
import { escapeMarkdown, markdownCode } from '../registry/versionText';

/** The commands hover links may run; the MarkdownString trusts exactly these. */
export const HOVER_COMMANDS = {
	diffFileWithVersion: COMMANDS.diffFileWithVersion,
	diffFileWithProduction: COMMANDS.diffFileWithProduction,
	revealVersion: COMMANDS.revealVersion,
	snapshot: COMMANDS.snapshot,
} as const;

const PRODUCTION = 'production';
const MAX_RUNS = 6;
const MAX_METRICS = 3;
const MAX_VALUE_CHARS = 80;

export interface HoverContext {
	/** Workspace folder root, passed to the commands. */
	root: string;
	now?: Date;
	/** The editor holds unsaved changes: the hover describes the file on disk. */
	dirty?: boolean;
	/** Whether "Show in sidebar" can be offered (the Registry view exists). */
	canReveal?: boolean;
}

/** One line of text for hover Markdown: escapeMarkdown (controls visible, every ASCII punctuation character escaped), line breaks as spaces. */
export function md(text: string): string {
	return escapeMarkdown(text.replace(/\r?\n/g, ' '));
}

/** An inline code span that holds any text (markdownCode): newlines are shown as ⏎, long text is cut. */
export function code(text: string): string {
	let t = text.replace(/\r?\n/g, '⏎');
	if (t.length > MAX_VALUE_CHARS) t = `${t.slice(0, MAX_VALUE_CHARS - 1)}…`;
	return markdownCode(t);
}

/** `[title](command:id?args)`: the arguments travel as one JSON-encoded object. */
export function commandLink(title: string, command: string, args: unknown, tooltip?: string): string {
	const uri = `command:${command}?${encodeURIComponent(JSON.stringify([args]))}`;
	return `[${md(title)}](${uri}${tooltip ? ` "${tooltip.replace(/["\\]/g, '')}"` : ''})`;
}

/**
 * Version numbers per model as ranges, with aliased versions on their own: `support-bot v1–v6,
 * v7 (**production**), v8`. The model name is left out when all versions are of `soleModel`.
 */
export function versionList(versions: VersionRef[], soleModel?: string): string {
	const byModel = new Map<string, VersionRef[]>();
	for (const v of versions) byModel.set(v.model, [...(byModel.get(v.model) ?? []), v]);
	return [...byModel]
		.map(([model, refs]) => {
			const sorted = [...new Map(refs.map((r) => [r.digest, r])).values()].sort((a, b) => a.number - b.number);
			const parts: string[] = [];
			let plain: VersionRef[] = [];
			const flush = () => {
				if (plain.length) parts.push(describeVersions(plain));
				plain = [];
			};
			for (const v of sorted) {
				if (v.aliases.length === 0) {
					plain.push(v);
					continue;
				}
				flush();
				parts.push(`v${v.number} (${v.aliases.map((a) => `**${md(a)}**`).join(', ')})`);
			}
			flush();
			const list = parts.join(', ');
			return byModel.size === 1 && model === soleModel ? list : `${md(model)} ${list}`;
		})
		.join(' · ');
}

/**
 * Ranges of versions per model: `support-bot v1–v8 (**production** v7)`, `v3–v9 (5 versions)` when
 * versions between did not hold the file. The model name is left out when all are of `soleModel`.
 */
export function rangeList(ranges: VersionRange[], soleModel?: string): string {
	const one = ranges.every((r) => r.model === soleModel);
	return describeRanges(ranges, {
		withModel: !one,
		escape: md,
		aliases: (aliased, single) => (aliased.length ? ` (${aliased.map((v) => `${v.aliases.map((a) => `**${md(a)}**`).join(', ')}${single ? '' : ` v${v.number}`}`).join('; ')})` : ''),
	});
}

function byWhom(v: VersionRef, now: Date): string {
	return `${formatAge(v.createdAt, now)}, by ${md(v.author)}`;
}

/** The file hover: which versions hold the current content, when it last changed, earlier contents, links. */
export function fileHoverMarkdown(used: UsedBy, ctx: HoverContext, variables?: VariableHistory): string {
	const now = ctx.now ?? new Date();
	const model = used.newest?.model ?? used.models[0];
	const sole = new Set([...used.history.flatMap((h) => h.ranges.map((v) => v.model)), ...used.models]).size === 1 ? model : undefined;
	const lines: string[] = [];
	const facts: string[] = [];
	if (used.current.length) {
		facts.push(`Current content = ${sole ? `${md(sole)} ` : ''}${rangeList(used.current, sole)}`);
	} else if (used.modified) {
		facts.push(`**Modified** since ${md(used.newest!.model)} v${used.newest!.number}: the current content is in no version`);
	} else if (used.history.length === 0) {
		facts.push(`Not in any version of ${md(used.models.join(', '))} yet`);
	}
	if (used.lastChanged) {
		// One content in every version holding the file: it never changed, so say since when it is there.
		const never = used.history.length === 1 && !used.modified;
		facts.push(`${never ? 'unchanged since' : 'last changed in'} v${used.lastChanged.number} (${byWhom(used.lastChanged, now)})`);
	}
	const earlier = used.history.filter((h) => h.sha256 !== used.sha256).flatMap((h) => h.ranges);
	if (earlier.length && used.current.length) facts.push(`earlier contents used by ${rangeList(earlier, sole)}`);
	else if (earlier.length && used.modified && used.history.length > 1) facts.push(`${used.history.length} earlier contents in ${rangeList(earlier, sole)}`);
	lines.push(facts.join(' · '));
	if (ctx.dirty) lines.push('_Unsaved changes are not included: this describes the file on disk._');
	// Like `git log --follow`: the versions above include the ones that held the file under an earlier name.
	const renames = used.renames;
	if (renames.length) lines.push(renames.map((r) => renameText(r, sole)).join(' · '));

	if (used.sameContentElsewhere.length) {
		const byPath = new Map<string, VersionRef[]>();
		for (const v of used.sameContentElsewhere) byPath.set(v.path, [...(byPath.get(v.path) ?? []), v]);
		const shown = [...byPath].slice(0, 2).map(([path, refs]) => `${code(path)} in ${versionList(refs, sole)}`);
		const more = byPath.size > 2 ? ` and ${byPath.size - 2} more paths` : '';
		lines.push(`Same content as ${shown.join('; ')}${more}`);
	}

	const vars = variables?.models.find((m) => m.model === model);
	if (vars) {
		const parts = [`Variables (v${vars.newest.number}): ${vars.variables.length ? vars.variables.map(code).join(', ') : 'none'}`];
		for (const change of vars.changes.slice(0, 3)) {
			const what = [
				change.added.length ? `added ${change.added.map(code).join(', ')}` : '',
				change.removed.length ? `removed ${change.removed.map(code).join(', ')}` : '',
			].filter(Boolean);
			parts.push(`v${change.version.number} ${what.join(' and ')}`);
		}
		if (vars.changes.length > 3) parts.push(`${vars.changes.length - 3} earlier changes`);
		lines.push(parts.join(' · '));
	}

	const links = fileLinks(used, ctx, model);
	if (links.length) lines.push(links.join(' · '));
	return lines.join('\n\n');
}

function fileLinks(used: UsedBy, ctx: HoverContext, model: string | undefined): string[] {
	if (!model) return [];
	const links: string[] = [];
	const base = { root: ctx.root, model, path: used.path };
	const ofModel = used.history
		.map((h) => ({ sha: h.sha256, ranges: h.ranges.filter((r) => r.model === model) }))
		.filter((h) => h.ranges.length)
		.map((h) => ({ ...h, newest: h.ranges.reduce((a, b) => (b.last.number > a.last.number ? b : a)).last }));
	const production = ofModel.find((h) => h.ranges.some((r) => r.aliased.some((v) => v.aliases.includes(PRODUCTION))));
	if (production && production.sha !== used.sha256) {
		links.push(commandLink('Diff with production', HOVER_COMMANDS.diffFileWithProduction, base, 'The version marked production (left) against the working file (right)'));
	}
	// The newest version with other content than the working file: "what did I change since?"
	const other = ofModel.find((h) => h.sha !== used.sha256 && h !== production)?.newest;
	if (other && used.exists) {
		links.push(commandLink(`Diff with v${other.number}`, HOVER_COMMANDS.diffFileWithVersion, { ...base, version: other.digest }, `${model} v${other.number} (left) against the working file (right)`));
	}
	if (ctx.canReveal && used.lastChanged) {
		links.push(commandLink(`Show v${used.lastChanged.number} in sidebar`, HOVER_COMMANDS.revealVersion, { root: ctx.root, model: used.lastChanged.model, digest: used.lastChanged.digest }));
	}
	if (used.modified || (used.history.length === 0 && used.models.length)) {
		links.push(commandLink('Snapshot', HOVER_COMMANDS.snapshot, { root: ctx.root, model }, `Record a new version of ${model}`));
	}
	return links;
}

/** The key hover: the key's value in each version, newest first, with the metric change where it changed. */
export function keyHoverMarkdown(history: KeyHistory, ctx: HoverContext, working?: { value?: Scalar }): string {
	const now = ctx.now ?? new Date();
	const blocks: string[] = [];
	for (const { model, runs, renames, removed } of history.models) {
		const head = `${code(history.key)} in ${md(model)}${history.subtree ? ' (the keys under it)' : ''}`;
		const lines: string[] = [head];
		if (renames?.length) lines.push(`- ${renames.map((r) => renameText(r, model)).join('; ')}`);
		const last = runs[runs.length - 1];
		if (working?.value !== undefined && last && !history.subtree && JSON.stringify(working.value) !== JSON.stringify(last.value)) {
			lines.push(`- ${code(formatKeyValue(working.value))} in the working file, not in a version yet`);
		}
		if (removed) lines.push(`- the file was removed in ${versionName(removed)} (${md(formatAge(removed.createdAt, now))})`);
		const newestFirst = [...runs].reverse();
		for (const run of newestFirst.slice(0, MAX_RUNS)) lines.push(`- ${runLine(run, history.subtree, now)}`);
		if (runs.length > MAX_RUNS) lines.push(`- … ${runs.length - MAX_RUNS} earlier values`);
		const links: string[] = [];
		const previous = last?.change?.from;
		if (previous) {
			links.push(
				commandLink(`Diff with v${previous.number}`, HOVER_COMMANDS.diffFileWithVersion, { root: ctx.root, model, path: history.file, version: previous.digest }, `${model} v${previous.number}, before the last change (left), against the working file (right)`),
			);
		}
		if (ctx.canReveal && last?.change) {
			links.push(commandLink(`Show v${last.first.number} in sidebar`, HOVER_COMMANDS.revealVersion, { root: ctx.root, model, digest: last.first.digest }));
		}
		blocks.push(lines.join('\n') + (links.length ? `\n\n${links.join(' · ')}` : ''));
	}
	return blocks.join('\n\n---\n\n');
}

/** "Renamed from `a.yaml` in v4 (87% similar)". */
function renameText(r: { from: string; at: VersionRef; similarity: number }, soleModel: string | undefined): string {
	return `Renamed from ${code(r.from)} in ${soleModel === r.at.model ? '' : `${md(r.at.model)} `}v${r.at.number}${r.similarity < 100 ? ` (${r.similarity}% similar)` : ''}`;
}

function runLine(run: KeyRun, subtree: boolean, now: Date): string {
	const versions = runSpan(run);
	// A file that did not parse is not a change of the key: say so, with file:line.
	if (run.unparseable !== undefined) return `unparseable in ${versions} (${md(run.unparseable)})`;
	const aliased = run.aliased;
	const aliases = aliased.length
		? ` (${aliased.map((v) => `${v.aliases.map((a) => `**${md(a)}**`).join(', ')}${run.first === run.last ? '' : ` v${v.number}`}`).join('; ')})`
		: '';
	const span = (run.current && run.change ? `since ${versionName(run.first)}` : versions) + aliases;
	const value = subtree ? (run.change?.changedKeys?.length ? `changed ${run.change.changedKeys.slice(0, 4).map(code).join(', ')}${run.change.changedKeys.length > 4 ? ' …' : ''}` : 'first recorded') : code(formatKeyValue(run.value));
	const parts = [`${value} ${span}`];
	if (run.change) {
		parts.push(`${byWhom(run.first, now)}`);
		parts.push(metricsText(run.change.metrics));
	}
	return parts.join(' · ');
}

function metricsText(metrics: MetricDelta[]): string {
	if (metrics.length === 0) return 'no metric changed';
	// Metrics with a declared direction first: they say whether the change helped.
	const ranked = [...metrics].sort((a, b) => Number(b.better !== undefined) - Number(a.better !== undefined));
	const shown = ranked.slice(0, MAX_METRICS).map((m) => {
		const verdict = m.better === undefined ? '' : m.better ? ' (better)' : ' (worse)';
		if (m.delta === null) return `${md(m.key)} ${code(String(m.before ?? '–'))} → ${code(String(m.after ?? '–'))}`;
		return `${md(m.key)} ${m.delta > 0 ? '+' : '−'}${md(String(Math.abs(m.delta)))}${verdict}`;
	});
	return shown.join(', ') + (metrics.length > MAX_METRICS ? ` +${metrics.length - MAX_METRICS} more` : '');
}
