// A version diff as Markdown for a pull request comment (GitHub / GitLab flavoured): changed-only
// tables of metrics (▲/▼), params, prompts (lines and variables), files, and the gate result when
// B was checked against an alias. Everything that came from files, manifests or events is escaped:
// a prompt cannot inject links, HTML or table cells into the comment.
import { appendAll, maxOf } from '../bulkArrays';
import type { GateResult } from '../lifecycle/gates';
import { displayLabel } from '../lifecycle/releaseLabels';
import type { Scalar } from '../model';
import type { DiffSide, PromptLine, VersionDiff } from './versionDiff';

/** Renders the report; `gates` are B's gate results (one per alias asked about). */
export function diffMarkdown(d: VersionDiff, gates: GateResult[] = []): string {
	const A = sideColumn(d.a);
	const B = sideColumn(d.b);
	const out: string[] = [`### ${esc(d.a.model)}: ${esc(sideTitle(d.a))} → ${esc(sideTitle(d.b))}`, ''];
	for (const gate of gates) appendAll(out, gateMarkdown(gate)).push('');

	const metricFiles = new Set(d.metrics.map((m) => m.file));
	if (d.metrics.length) {
		out.push('#### Metrics', '', row(['Metric', A, B, 'Change']), '|---|--:|--:|---|');
		for (const m of d.metrics) {
			const name = metricFiles.size > 1 ? `${m.key} (${m.file})` : m.key;
			out.push(row([esc(name), value(m.a, m.change !== 'added'), value(m.b, m.change !== 'removed'), metricChange(m)]));
		}
		out.push('');
	}
	if (d.params.length) {
		out.push('#### Params', '', row(['File', 'Param', A, B]), '|---|---|---|---|');
		for (const p of d.params) out.push(row([esc(p.file), esc(p.key), value(p.a, p.change !== 'added'), value(p.b, p.change !== 'removed')]));
		out.push('');
	}
	if (d.prompts.length) {
		out.push('#### Prompts', '', row(['Prompt', 'Change', 'Lines', 'Variables']), '|---|---|--:|---|');
		for (const p of d.prompts) {
			const vars = [...p.variablesAdded.map((v) => `+${v}`), ...p.variablesRemoved.map((v) => `−${v}`)];
			const warn = p.breaksCallers ? ' ⚠️ removed variables no longer reach the model' : '';
			out.push(row([esc(p.renamedFrom ? `${p.renamedFrom} → ${p.path}` : p.path), p.change, `+${p.linesAdded} −${p.linesRemoved}`, esc(vars.join(', ')) + warn]));
		}
		out.push('');
		for (const p of d.prompts) if (p.preview?.length) appendAll(out, previewBlock(p.path, p.preview)).push('');
	}
	const { added, removed, changed } = d.artifacts;
	const renamed = d.artifacts.renamed ?? [];
	if (added.length + removed.length + changed.length + renamed.length) {
		out.push('#### Files', '', row(['Change', 'Path', 'Role', 'Size']), '|---|---|---|--:|');
		for (const c of changed) out.push(row(['modified', esc(c.path), c.role, c.formattingOnly ? 'comments/formatting only' : `${c.size.a} → ${c.size.b} bytes`]));
		for (const r of renamed) out.push(row([r.similarity === 100 ? 'renamed' : `renamed (${r.similarity}% similar)`, `${esc(r.from)} → ${esc(r.to)}`, r.role, r.similarity === 100 ? '' : `${r.size.a} → ${r.size.b} bytes`]));
		for (const x of added) out.push(row(['added', esc(x.path), x.role, `${x.size} bytes`]));
		for (const x of removed) out.push(row(['removed', esc(x.path), x.role, '']));
		out.push('');
	}
	if (d.data.length) {
		out.push('#### Data', '', row(['Path', A, B]), '|---|---|---|');
		for (const r of d.data) out.push(row([esc(r.path), esc(r.a ?? '-'), esc(r.b ?? '-')]));
		out.push('');
	}
	if (d.metrics.length + d.params.length + d.prompts.length + added.length + removed.length + changed.length + renamed.length + d.data.length === 0) out.push('No changes.', '');
	const commits = d.code.commits === null ? '' : ` (${d.code.commits} commit${d.code.commits === 1 ? '' : 's'} ahead${d.code.commitsBack ? `, ${d.code.commitsBack} behind` : ''})`;
	out.push(`Code: \`${d.code.a?.slice(0, 7) ?? '-'}\`${d.code.dirty.a ? '\\*' : ''} → \`${d.code.b?.slice(0, 7) ?? '-'}\`${d.code.dirty.b ? '\\*' : ''}${commits}${d.code.dirty.a || d.code.dirty.b ? ' (\\* uncommitted changes)' : ''}`);
	if (d.warnings.length) appendAll(out, ['', ...d.warnings.map((w) => `> ${esc(w)}`)]);
	return out.join('\n') + '\n';
}

/** The gate section alone (also shown by the compare view's Copy as Markdown). */
export function gateMarkdown(g: GateResult): string[] {
	const failed = g.rules.filter((r) => !r.pass).length;
	const against = g.against ? `against ${esc(g.gate)} → v${g.against.number} (${esc(displayLabel(g.against))})` : `${esc(g.gate)} points to no version yet`;
	return [
		`#### Gate \`${g.gate}\`: ${g.pass ? '✅ pass' : `❌ fail (${failed} of ${g.rules.length} rules)`}`,
		'',
		`v${g.version.number} (${esc(displayLabel(g.version))}) ${against}.`,
		'',
		row(['Rule', 'Result', 'Actual', 'Expected', 'Detail']),
		'|---|---|--:|---|---|',
		...g.rules.map((r) => row([esc(r.rule), r.pass ? '✅ pass' : '❌ fail', r.actual === null ? '-' : esc(String(r.actual)), esc(r.expected), esc(r.detail)])),
	];
}

function sideTitle(s: DiffSide): string {
	if (s.working) return 'working tree';
	return `v${s.number} (${displayLabel(s)})${s.aliases.length ? ` [${s.aliases.join(', ')}]` : ''}`;
}

function sideColumn(s: DiffSide): string {
	return s.working ? 'workspace' : `v${s.number}`;
}

function metricChange(m: VersionDiff['metrics'][number]): string {
	if (m.change === 'added' || m.change === 'removed') return m.change;
	if (m.delta === null || m.delta === 0) return 'changed';
	const arrow = m.delta > 0 ? '▲' : '▼';
	const sign = m.delta > 0 ? '+' : '−';
	const rel = m.relative === null ? '' : ` (${sign}${Math.abs(m.relative * 100).toFixed(1)}%)`;
	const verdict = m.better === null ? '' : m.better ? ' better' : ' **worse**';
	return `${arrow} ${sign}${Math.abs(m.delta)}${rel}${verdict}`;
}

function value(v: Scalar, present: boolean): string {
	if (!present) return '-';
	if (v === null) return 'null';
	return esc(typeof v === 'string' ? JSON.stringify(v) : String(v));
}

function row(cells: string[]): string {
	return `| ${cells.join(' | ')} |`;
}

/** Escapes text for a Markdown table cell or line: no HTML, links, emphasis, cell breaks or control characters. */
export function esc(text: string): string {
	return text
		.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
		.replace(/\r?\n/g, ' ')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/([\\`*_[\]|~#!])/g, '\\$1');
}

/** A prompt's changed lines in a collapsed ```diff block; the fence is longer than any backtick run inside. */
function previewBlock(path: string, lines: PromptLine[]): string[] {
	const body = lines.map((l) => (l.op === '…' ? '…' : `${l.op === ' ' ? ' ' : l.op}${l.text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')}`));
	const longest = maxOf([2, maxOf(body.map((l) => maxOf((l.match(/`+/g) ?? []).map((r) => r.length), 0)))]);
	const fence = '`'.repeat(longest + 1);
	return [`<details><summary>${esc(path)}</summary>`, '', `${fence}diff`, ...body, fence, '', '</details>'];
}
