// `model-ledger diff MODEL@A [MODEL@B | @B]`: the version diff of src/core/compare/versionDiff.ts as tables
// like `dvc params diff`, or Markdown for a pull request.
import { parseTime, resolveAt } from '../../core/lifecycle/aliasTimeline';
import { appendAll } from '../../core/bulkArrays';
import { formatBytes } from '../../core/byteSize';
import { diffMarkdown } from '../../core/compare/diffMarkdown';
import { oneLine } from '../../core/displayText';
import type { GateResult } from '../../core/lifecycle/gates';
import type { Ledger } from '../../core/ledger';
import { checkGate, gateText } from './check';
import type { Scalar } from '../../core/model';
import { diffVersions, WORKING_TREE } from '../../core/compare/versionDiff';
import type { ArtifactRename, DiffProgress, DiffSide, PromptDiff, VersionDiff } from '../../core/compare/versionDiff';
import { parseRef, refAfterAt, UsageError } from '../context';
import { withOtherRefs } from '../versionRefs';
import type { CliCommand, Io } from '../context';
import { formatNumber } from '../../core/numberText';
import { renderTable } from '../format';
import { versionName, versionNameWithLabel } from '../../core/store/versionName';
import type { Cell } from '../format';

const DIFF_USAGE = 'diff MODEL@A [MODEL@B | @B] [--all] [--tensors] [--format text|markdown|json] [--gate ALIAS] [--at TIME]';

export const diffCli: CliCommand = {
	name: 'diff',
	usage: [
		{
			synopsis: DIFF_USAGE,
			summary: [
				'what changed: files, params, metrics, prompts, weights, data, code',
				'(B omitted: the working tree; --all: unchanged keys too; --tensors: hash tensor bytes;',
				'--format markdown: changed-only tables for a pull request; --gate: B checked against ALIAS\'s gate)',
			],
		},
	],
	async run({ args, options, json, io, ledger }) {
		const format = options.format ?? (json ? 'json' : 'text');
		if (!['text', 'markdown', 'json'].includes(format)) throw new UsageError('--format must be text, markdown or json.');
		const at = options.at === undefined ? undefined : parseTime(options.at);
		const l = ledger();
		const report = await withOtherRefs(l, () => diffCommand(l, args, { all: options.all, tensors: options.tensors, gate: options.gate, at, progress: format === 'text' ? io : undefined }));
		// --format decides the output, whatever --json says (--json alone means --format json).
		const raw = format === 'json' ? JSON.stringify(report.data, null, 2) + '\n' : format === 'markdown' ? report.markdown() : report.human + '\n';
		return { human: report.human, data: report.data, raw };
	},
};

export interface DiffCommandOptions {
	all?: boolean;
	tensors?: boolean;
	/** Check B against this alias's gate (shown in the Markdown report). */
	gate?: string;
	/** Alias refs on either side mean the version the alias pointed to at this time. */
	at?: Date;
	progress?: Io;
}

/** Runs `diff`; B defaults to the working tree. Returns the human text, the JSON document and the Markdown report. */
export async function diffCommand(ledger: Ledger, args: string[], options: DiffCommandOptions): Promise<{ human: string; data: VersionDiff; gate?: GateResult; markdown: () => string }> {
	if (args.length === 0) throw new UsageError(`missing MODEL@A: model-ledger ${DIFF_USAGE}`);
	if (args.length > 2) throw new UsageError(`diff compares two versions: model-ledger ${DIFF_USAGE}`);
	const a = parseRef(args[0], DIFF_USAGE, true);
	let refB = WORKING_TREE;
	if (args[1] !== undefined) {
		const b = args[1].startsWith('@') ? { model: a.model, ref: refAfterAt(args[1], 0) } : parseRef(args[1], DIFF_USAGE, true);
		if (b.model !== a.model) throw new UsageError(`diff compares two versions of one model, not \`${a.model}\` and \`${b.model}\`.`);
		refB = b.ref;
	}
	let refA = a.ref;
	if (options.at) {
		// --at moves alias refs back in time; numbers, labels and digests name the same version at every moment.
		const aliases = new Set(ledger.index.events(a.model).flatMap((e) => (e.alias ? [e.alias] : [])));
		if (!aliases.has(refA) && !aliases.has(refB)) throw new UsageError(`--at applies to alias refs, and neither \`${refA}\` nor \`${refB}\` is an alias of \`${a.model}\`.`);
		if (aliases.has(refA)) refA = resolveAt(ledger, a.model, refA, options.at).digest;
		if (aliases.has(refB)) refB = resolveAt(ledger, a.model, refB, options.at).digest;
	}
	if (options.gate && refB === WORKING_TREE) throw new UsageError('--gate checks a version: snapshot the working tree first, then diff against it (e.g. @latest).');
	const gate = options.gate ? checkGate(ledger, a.model, refB, options.gate) : undefined;
	const data = await diffVersions(ledger, a.model, refA, refB, { all: options.all, tensors: options.tensors, promptText: true, onProgress: options.progress ? progressPrinter(options.progress) : undefined });
	const human = diffText(data, options.all === true) + (gate ? `\n\n${gateText(gate)}` : '');
	// The preview lines are for the Markdown report; the JSON document stays what --json always printed.
	const markdown = diffMarkdown(data, gate ? [gate] : []);
	for (const p of data.prompts) delete p.preview;
	return { human, data, ...(gate ? { gate } : {}), markdown: () => markdown };
}

/** Per changed prompt: lines and variables added and removed, a removed variable's warning, the changed lines. */
function promptLines(prompts: PromptDiff[]): string[] {
	const lines: string[] = [];
	const previewBudget = { lines: PREVIEW_TOTAL_LINES };
	for (const p of prompts) {
		const vars = [...p.variablesAdded.map((v) => `+${v}`), ...p.variablesRemoved.map((v) => `-${v}`)];
		const how = p.renamedFrom ? ` (renamed from ${p.renamedFrom})` : p.change === 'changed' ? '' : ` (${p.change})`;
		lines.push(`  ${p.path}${how}: +${p.linesAdded} -${p.linesRemoved} lines${vars.length ? `; variables ${vars.join(', ')}` : ''}`);
		const removed = p.variablesRemoved;
		if (p.breaksCallers) lines.push(`    ! removed variable${removed.length > 1 ? 's' : ''} ${removed.join(', ')}: what callers pass for ${removed.length > 1 ? 'them' : 'it'} no longer reaches the model; check the callers`);
		appendAll(lines, promptPreview(p, previewBudget));
	}
	return lines;
}

/** Changed prompt lines shown per file, and in all, before the rest is left to `cat` or VS Code. */
const PREVIEW_FILE_LINES = 24;
const PREVIEW_TOTAL_LINES = 200;

/**
 * A prompt's changed lines with two lines of context (`+`, `-`, and `…` for unchanged runs), as
 * `git diff` shows them, within what is left of `budget`; the cut says how to see the rest.
 */
function promptPreview(p: PromptDiff, budget: { lines: number }): string[] {
	const preview = p.preview ?? [];
	if (preview.length === 0 || budget.lines <= 0) return [];
	const shown = preview.slice(0, Math.min(PREVIEW_FILE_LINES, budget.lines));
	budget.lines -= shown.length;
	const out = shown.map((line) => (line.op === '…' ? '      …' : `    ${line.op} ${line.text}`));
	if (shown.length < preview.length) out.push(`      … (${preview.length - shown.length} more lines: \`model-ledger cat\` the file, or compare the versions in VS Code)`);
	return out;
}

function sideName(side: DiffSide): string {
	if (side.working) return 'working tree';
	return `${versionNameWithLabel({ number: side.number!, digest: side.digest!, label: side.label, numberShared: side.numberShared })}${side.aliases.length ? ` [${side.aliases.join(', ')}]` : ''}`;
}

/** Column header for a side: `v3` or `workspace`, as dvc names the working tree. */
function columnName(side: DiffSide): string {
	return side.working ? 'workspace' : versionName({ number: side.number!, digest: side.digest!, numberShared: side.numberShared });
}

/**
 * A value as a table cell: numbers stay numbers (the table writes a column's numbers in one
 * notation); strings that would read as another type are quoted, so a type change (`"512"` → `512`) is visible.
 */
export function formatScalar(value: Scalar, present = true): Cell {
	if (!present) return '-';
	if (value === null) return 'null';
	if (typeof value === 'string') return /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|)$/.test(value) || /^\s|\s$/.test(value) ? JSON.stringify(value) : value;
	if (typeof value === 'number') return value;
	return String(value);
}

export function signed(n: number, digits?: number): string {
	const text = digits === undefined ? formatNumber(n) : n.toFixed(digits);
	return n > 0 ? `+${text}` : text;
}

function diffText(d: VersionDiff, all: boolean): string {
	const A = columnName(d.a);
	const B = columnName(d.b);
	const commits =
		d.code.commits === null
			? ''
			: d.code.commits === 0 && (d.code.commitsBack ?? 0) === 0
				? 'same commit'
				: `${d.code.commits} commit${d.code.commits === 1 ? '' : 's'} ahead${d.code.commitsBack ? `, ${d.code.commitsBack} behind` : ''}`;
	const lines = [`${d.a.model}: ${sideName(d.a)} → ${sideName(d.b)}`];
	const range = `${d.code.a?.slice(0, 7) ?? '-'}${d.code.dirty.a ? '*' : ''} → ${d.code.b?.slice(0, 7) ?? '-'}${d.code.dirty.b ? '*' : ''}`;
	lines.push(`code: ${range}${commits ? ` (${commits})` : ''}${d.code.dirty.a || d.code.dirty.b ? '  (* uncommitted changes)' : ''}`);

	const { added, removed, changed, renamed, unchanged } = d.artifacts;
	lines.push(`files: ${changed.length} changed, ${renamed.length ? `${renamed.length} renamed, ` : ''}${added.length} added, ${removed.length} removed, ${unchanged} unchanged`);
	const fileRows = [
		...renamed.map((r) => ['renamed', `${r.from} → ${r.to}`, r.role, renameNote(r)]),
		...changed.map((c) => ['modified', c.path, c.role, c.formattingOnly ? 'comments/formatting only' : `${c.size.a} → ${c.size.b} bytes`]),
		...added.map((x) => ['added', x.path, x.role, `${x.size} bytes`]),
		...removed.map((x) => ['removed', x.path, x.role, '']),
	];
	if (fileRows.length) lines.push('', renderTable(['CHANGE', 'PATH', 'ROLE', ''], fileRows));

	if (d.metrics.length) {
		const rows = d.metrics.map((m) => {
			let change = m.change === 'added' ? 'added' : m.change === 'removed' ? 'removed' : m.change === 'unchanged' ? '' : 'changed';
			if (m.delta !== null && m.delta !== 0) {
				change = `${signed(m.delta)}${m.relative !== null ? ` (${signed(m.relative * 100, 1)}%)` : ''}${m.better === null ? '' : m.better ? '  better' : '  worse'}`;
			}
			return [m.file, m.key, formatScalar(m.a, m.change !== 'added'), formatScalar(m.b, m.change !== 'removed'), change];
		});
		lines.push('', 'Metrics', renderTable(['PATH', 'METRIC', A, B, 'CHANGE'], rows));
	} else {
		lines.push('', `Metrics: ${all ? 'none recorded' : 'no changes'}`);
	}

	if (d.params.length) {
		const rows = d.params.map((p) => [
			p.file,
			p.key,
			formatScalar(p.a, p.change !== 'added'),
			formatScalar(p.b, p.change !== 'removed'),
			p.typeChanged ? `type ${typeName(p.a)} → ${typeName(p.b)}` : p.change === 'changed' || p.change === 'unchanged' ? '' : p.change,
		]);
		lines.push('', 'Params', renderTable(['PATH', 'PARAM', A, B, ''], rows));
	} else {
		lines.push('', `Params: ${all ? 'none recorded' : 'no changes'}`);
	}

	if (d.prompts.length) appendAll(lines, ['', 'Prompts', ...promptLines(d.prompts)]);

	if (d.weights.length) {
		lines.push('', 'Weights');
		for (const w of d.weights) {
			const parts = [
				w.tensorsAdded.length ? `${w.tensorsAdded.length} tensors added` : '',
				w.tensorsRemoved.length ? `${w.tensorsRemoved.length} removed` : '',
				w.shapeChanged.length ? `${w.shapeChanged.length} changed shape` : '',
				w.dtypeChanged.length ? `${w.dtypeChanged.length} changed dtype` : '',
				w.bytesChanged ? `${w.bytesChanged.length} with different bytes, ${w.bytesUnchanged} identical` : '',
				w.metadataChanged.length ? `metadata ${w.metadataChanged.join(', ')}` : '',
			].filter(Boolean);
			lines.push(`  ${w.path}: ${parts.join('; ') || 'same tensors, shapes and dtypes (run with --tensors to compare their bytes)'}`);
			const rows = [
				...w.tensorsAdded.map((n) => [n, 'added', '']),
				...w.tensorsRemoved.map((n) => [n, 'removed', '']),
				...w.shapeChanged.map((s) => [s.name, 'shape', `[${s.a.join(', ')}] → [${s.b.join(', ')}]`]),
				...w.dtypeChanged.map((s) => [s.name, 'dtype', `${s.a} → ${s.b}`]),
				// A tensor whose shape or dtype changed has different bytes anyway: listed once.
				...(w.bytesChanged ?? []).filter((n) => !w.shapeChanged.some((x) => x.name === n) && !w.dtypeChanged.some((x) => x.name === n)).map((n) => [n, 'bytes', '']),
			];
			if (rows.length) lines.push(indent(renderTable(['TENSOR', 'CHANGE', ''], rows), 4));
		}
	}

	if (d.data.length) {
		lines.push('', 'Data', renderTable(['PATH', 'SOURCE', A, B], d.data.map((r) => [r.path, r.source + (r.stage ? ` (${r.stage} ${r.kind})` : ''), r.a ?? '-', r.b ?? '-'])));
	}
	if (d.code.lockfiles.length) {
		lines.push('', 'Lockfiles', renderTable(['PATH', A, B], d.code.lockfiles.map((l) => [l.path, l.a?.slice(0, 12) ?? '-', l.b?.slice(0, 12) ?? '-'])));
	}
	if (d.warnings.length) appendAll(lines, ['', 'Warnings', ...d.warnings.map((w) => `  ${oneLine(w)}`)]);
	return lines.join('\n');
}

/** `identical` for a pure rename, else git's wording: `87% similar`. */
export function renameNote(r: ArtifactRename): string {
	if (r.similarity === 100 && r.a === r.b) return 'identical';
	return `${r.similarity}% similar${r.formattingOnly ? ', comments/formatting only' : ''}`;
}

function typeName(value: Scalar): string {
	return value === null ? 'null' : typeof value;
}

function indent(text: string, n: number): string {
	return text
		.split('\n')
		.map((l) => ' '.repeat(n) + l)
		.join('\n');
}

function progressPrinter(io: Io): (p: DiffProgress) => void {
	let last = 0;
	return (p) => {
		const now = Date.now();
		// Small adapters hash in milliseconds; only multi-gigabyte checkpoints need a sign of life.
		if (p.bytesTotal < 64 * 1024 * 1024 || now - last < 1000) return;
		last = now;
		io.err(`  ${p.message}: ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}\n`);
	};
}
