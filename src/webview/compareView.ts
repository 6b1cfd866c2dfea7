// The compare view's page (bundled as an iife into dist/webview/compareView.js). It builds every
// element with createElement/textContent — never innerHTML — so a prompt holding `<script>` is
// text. Its state (the comparison, toggles, chosen metric) lives in the webview state, so hiding
// and showing the panel loses nothing. It posts `ready` first; the host sends nothing before that.
import { maxOf, minOf } from '../core/bulkArrays';
import { formatBytes } from '../core/byteSize';
import { formatNumber } from '../core/numberText';
import { formatAge } from '../core/relativeTime';
import type { MetricHistory, MetricPoint, VersionDiff } from '../core/compare/versionDiff';
import type { DiffSide } from '../core/compare/versionDiff';
import type { Scalar } from '../core/model';
import type { GateResult } from '../core/lifecycle/gates';
import type { ClickTarget, CompareModel, HostMessage, PageMessage, PageState, RenderReport, TestHostMessage } from './protocol';

interface VsCodeApi {
	postMessage(message: PageMessage): void;
	getState(): PageState | undefined;
	setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const state: PageState = vscode.getState() ?? { showAllKeys: false, collapsed: [] };
const root = document.getElementById('root') as HTMLElement;

function post(message: PageMessage): void {
	vscode.postMessage(message);
}

function save(): void {
	vscode.setState(state);
}

// --- DOM building: text only ------------------------------------------------------------------------

// A list of children is appended in order: callers pass arrays instead of spreading them into
// arguments (thousands of rows would overflow the call stack).
type Child = Node | string | null | undefined | false | readonly Child[];

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; attrs?: Record<string, string>; on?: Record<string, (e: Event) => void> } = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
	const el = document.createElement(tag);
	if (props.class) el.className = props.class;
	for (const [name, value] of Object.entries(props.attrs ?? {})) el.setAttribute(name, value);
	for (const [name, handler] of Object.entries(props.on ?? {})) el.addEventListener(name, handler);
	append(el, children);
	return el;
}

function append(el: Element, children: readonly Child[]): void {
	for (const child of children) {
		if (child === null || child === undefined || child === false) continue;
		if (Array.isArray(child)) append(el, child);
		else el.appendChild(typeof child === 'string' ? document.createTextNode(child) : (child as Node));
	}
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
	const el = document.createElementNS(SVG_NS, tag);
	for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
	append(el, children);
	return el;
}

// --- formatting ---------------------------------------------------------------------------------------

/** Strings that would read as another type are quoted, so `"512"` → `512` shows as a change of type. */
function formatScalar(value: Scalar, present = true): string {
	if (!present) return '—';
	if (value === null) return 'null';
	if (typeof value === 'string') return /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|)$/.test(value) || /^\s|\s$/.test(value) ? JSON.stringify(value) : value;
	return typeof value === 'number' ? formatNumber(value) : String(value);
}

function signed(n: number, suffix = ''): string {
	const text = `${Math.abs(n) >= 1e-4 || n === 0 ? Number.parseFloat(n.toPrecision(6)) : n.toExponential(2)}${suffix}`;
	return n > 0 ? `+${text}` : text.replace(/^-/, '−');
}

/** `+2.2%`, `−0.4%`; tiny changes keep two significant digits instead of reading as 0.0%. */
function percent(ratio: number): string {
	const value = ratio * 100;
	const text = Math.abs(value) >= 0.1 ? value.toFixed(1) : Number.parseFloat(value.toPrecision(2)).toString();
	return value > 0 ? `+${text}%` : `${text.replace(/^-/, '−')}%`;
}

function sideTitle(side: DiffSide): string {
	return side.working ? 'Working tree' : `v${side.number}`;
}

function shortCommit(commit: string | null, dirty: boolean): string {
	return `${commit ? commit.slice(0, 7) : 'no commit'}${dirty ? ' + uncommitted changes' : ''}`;
}

// --- sections -----------------------------------------------------------------------------------------

function section(id: string, title: string, count: string | null, ...body: Child[]): HTMLElement {
	const details = h('details', { class: 'section', attrs: { 'data-section': id } });
	if (!state.collapsed.includes(id)) details.open = true;
	details.addEventListener('toggle', () => {
		state.collapsed = details.open ? state.collapsed.filter((c) => c !== id) : [...new Set([...state.collapsed, id])];
		save();
	});
	append(details, [h('summary', {}, h('span', { class: 'section-title' }, title), count ? h('span', { class: 'count' }, count) : null), h('div', { class: 'section-body' }, body)]);
	return details;
}

function summarySection(d: VersionDiff): HTMLElement {
	const side = (s: DiffSide, which: string) =>
		h(
			'div',
			{ class: 'side' },
			h('div', { class: 'side-head' }, h('span', { class: `badge side-${which}` }, which.toUpperCase()), h('span', { class: 'side-name' }, sideTitle(s)), s.working ? null : h('span', { class: 'muted' }, s.releaseLabel ? `${s.releaseLabel} · ${s.label}` : s.label)),
			s.aliases.length ? h('div', { class: 'chips' }, s.aliases.map((a) => h('span', { class: 'chip alias' }, `@${a}`))) : null,
			h('dl', {},
				h('dt', {}, 'Author'), h('dd', {}, s.author ? s.author.name : '—'),
				h('dt', {}, 'Created'), h('dd', {}, s.createdAt ? `${s.createdAt.replace('T', ' ').slice(0, 16)} UTC (${formatAge(s.createdAt)})` : 'now (not a version)'),
				h('dt', {}, 'Message'), h('dd', {}, s.message || '—'),
				h('dt', {}, 'Commit'), h('dd', { class: 'mono' }, `${shortCommit(s.git.commit, s.git.dirty)}${s.git.branch ? ` on ${s.git.branch}` : ''}`),
				// Where and how it was made: the machine, training duration/throughput, --meta, --link (text, never markup).
				(s.run ?? []).flatMap(([k, v]) => [h('dt', {}, k[0].toUpperCase() + k.slice(1)), h('dd', { class: 'run-info' }, v)]),
			),
		);
	const { commits, commitsBack } = d.code;
	const range =
		commits === null ? 'Commits between: unknown (a commit is not in this repository)' : commits === 0 && !commitsBack ? 'Same commit' : `${commits} commit${commits === 1 ? '' : 's'} from A to B${commitsBack ? `, ${commitsBack} in A not in B` : ''}`;
	const { added, removed, changed, renamed, unchanged } = d.artifacts;
	return section(
		'summary',
		'Summary',
		null,
		h('div', { class: 'sides' }, side(d.a, 'a'), h('div', { class: 'arrow', attrs: { 'aria-hidden': 'true' } }, '→'), side(d.b, 'b')),
		h('p', { class: 'range' }, range),
		h('p', { class: 'muted' }, `Files: ${changed.length} changed, ${renamed.length ? `${renamed.length} renamed, ` : ''}${added.length} added, ${removed.length} removed, ${unchanged} unchanged.`),
		d.code.lockfiles.length ? h('p', {}, `Dependency lockfiles changed: ${d.code.lockfiles.map((l) => l.path).join(', ')}`) : null,
	);
}

/** B against each gate it holds or would take: a verdict per gate, then every rule with its values. */
function gatesSection(gates: GateResult[]): HTMLElement | null {
	if (!gates || gates.length === 0) return null;
	const failing = gates.filter((g) => !g.pass).length;
	const blocks = gates.map((g) => {
		const failed = g.rules.filter((r) => !r.pass).length;
		const against = g.against ? `against ${g.gate} → v${g.against.number}` : `${g.gate} points to no version yet`;
		const rows = g.rules.map((r) =>
			h(
				'tr',
				{ class: `gate-rule ${r.pass ? 'pass' : 'fail'}`, attrs: { 'data-gate': g.gate, 'data-rule': r.rule } },
				h('td', { class: 'mono' }, r.rule),
				h('td', { class: `verdict ${r.pass ? 'verdict-better' : 'verdict-worse'}` }, r.pass ? '✓ pass' : '✗ fail'),
				h('td', { class: 'num' }, r.actual === null ? '—' : String(r.actual)),
				h('td', { class: 'mono' }, r.expected),
				h('td', {}, r.detail),
			),
		);
		return h(
			'div',
			{ class: `gate ${g.pass ? 'pass' : 'fail'}`, attrs: { 'data-gate': g.gate } },
			h(
				'p',
				{ class: 'gate-head' },
				h('span', { class: `badge gate-verdict ${g.pass ? 'pass' : 'fail'}` }, g.pass ? 'PASS' : 'FAIL'),
				h('strong', {}, ` @${g.gate} `),
				h('span', { class: 'muted' }, `v${g.version.number} ${against}${g.pass ? `: all ${g.rules.length} rules pass` : `: ${failed} of ${g.rules.length} rules fail`}`),
			),
			h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Rule'), h('th', {}, 'Result'), h('th', { class: 'num' }, 'Actual'), h('th', {}, 'Expected'), h('th', {}, 'Detail'))), h('tbody', {}, rows)),
		);
	});
	return section('gates', 'Release gates', failing ? `${failing} failing` : 'passing', blocks);
}

function metricsSection(d: VersionDiff): HTMLElement | null {
	if (d.metrics.length === 0) return null;
	const files = new Set(d.metrics.map((m) => m.file));
	const changed = d.metrics.filter((m) => m.change !== 'unchanged').length;
	const rows = d.metrics.map((m) => {
		const verdict = m.better === true ? 'better' : m.better === false ? 'worse' : '';
		const delta = m.delta !== null && m.delta !== 0 ? signed(m.delta) : m.change === 'changed' ? 'changed' : m.change === 'unchanged' ? '' : m.change;
		const relative = m.relative !== null && m.relative !== 0 ? percent(m.relative) : '';
		return h(
			'tr',
			{ class: `metric ${verdict} ${m.change}`, attrs: { 'data-key': m.key } },
			h('th', { attrs: { scope: 'row' } }, m.key, files.size > 1 ? h('span', { class: 'muted file' }, ` ${m.file}`) : null),
			h('td', { class: 'num' }, formatScalar(m.a, m.change !== 'added')),
			h('td', { class: 'num' }, formatScalar(m.b, m.change !== 'removed')),
			h('td', { class: 'num delta' }, delta),
			h('td', { class: 'num delta' }, relative),
			h('td', { class: 'verdict' }, verdict ? h('span', { class: `verdict-${verdict}` }, verdict === 'better' ? '▲ better' : '▼ worse') : m.direction ? '' : h('span', { class: 'muted', attrs: { title: 'Neither the config (metrics: higher_is_better / lower_is_better) nor the name says which way is better.' } }, 'direction unknown')),
		);
	});
	return section(
		'metrics',
		'Metrics',
		`${changed} changed`,
		h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), h('th', { class: 'num' }, sideTitle(d.a)), h('th', { class: 'num' }, sideTitle(d.b)), h('th', { class: 'num' }, 'Δ'), h('th', { class: 'num' }, 'Δ %'), h('th', {}, ''))), h('tbody', {}, rows)),
	);
}

function paramsSection(d: VersionDiff): HTMLElement | null {
	if (d.params.length === 0) return null;
	const visible = d.params.filter((p) => state.showAllKeys || p.change !== 'unchanged');
	const changedCount = d.params.filter((p) => p.change !== 'unchanged').length;
	const toggle = h('label', { class: 'toggle' });
	const box = h('input', { attrs: { type: 'checkbox', 'data-action': 'toggleAllKeys' } });
	box.checked = state.showAllKeys;
	box.addEventListener('change', () => {
		state.showAllKeys = box.checked;
		save();
		render();
	});
	append(toggle, [box, ' Show all keys']);
	const byFile = new Map<string, typeof visible>();
	for (const p of visible) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
	const tables = [...byFile].map(([file, params]) =>
		h(
			'div',
			{ class: 'file-group' },
			h('h3', { class: 'mono' }, file),
			h(
				'table',
				{ class: 'grid' },
				h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, sideTitle(d.a)), h('th', {}, sideTitle(d.b)), h('th', {}, ''))),
				h(
					'tbody',
					{},
					params.map((p) =>
						h(
							'tr',
							{ class: `param ${p.change}`, attrs: { 'data-key': `${p.file} ${p.key}` } },
							h('th', { class: 'mono', attrs: { scope: 'row' } }, p.key),
							h('td', { class: 'mono value-a' }, formatScalar(p.a, p.change !== 'added')),
							h('td', { class: 'mono value-b' }, formatScalar(p.b, p.change !== 'removed')),
							h('td', { class: 'note' }, p.typeChanged ? h('span', { class: 'chip warn' }, `type ${typeName(p.a)} → ${typeName(p.b)}`) : p.change === 'added' || p.change === 'removed' ? h('span', { class: `chip ${p.change}` }, p.change) : ''),
						),
					),
				),
			),
		),
	);
	return section('params', 'Params and config', `${changedCount} changed key${changedCount === 1 ? '' : 's'}`, toggle, tables.length ? h('div', {}, tables) : h('p', { class: 'muted' }, 'No key changed. Comment and formatting edits are not changes.'));
}

function typeName(v: Scalar): string {
	return v === null ? 'null' : typeof v;
}

function diffButton(path: string, label: string): HTMLButtonElement {
	return h('button', { class: 'link', attrs: { type: 'button', 'data-action': 'openDiff', 'data-path': path, title: `Open ${path} in the diff editor` }, on: { click: () => post({ type: 'openDiff', path }) } }, label);
}

function filesSection(d: VersionDiff): HTMLElement {
	const { added, removed, changed, renamed, unchanged } = d.artifacts;
	const row = (kind: string, path: string, role: string, text: boolean, note: string, label = path) =>
		h('li', { class: `file ${kind}` }, h('span', { class: `chip ${kind}` }, kind), text ? diffButton(path, label) : h('span', { class: 'mono' }, label), h('span', { class: 'muted' }, ` ${role}${note ? ` · ${note}` : ''}`));
	const items = [
		// A rename's diff button opens A's old path against B's new one.
		...renamed.map((r) => row('renamed', r.to, r.role, r.text, r.a === r.b ? 'identical' : `${r.similarity}% similar`, `${r.from} → ${r.to}`)),
		...changed.map((c) => row('modified', c.path, c.role, c.text, c.formattingOnly ? 'comments/formatting only' : `${formatBytes(c.size.a)} → ${formatBytes(c.size.b)}`)),
		...added.map((x) => row('added', x.path, x.role, x.text, formatBytes(x.size))),
		...removed.map((x) => row('removed', x.path, x.role, x.text, formatBytes(x.size))),
	];
	return section('files', 'Files', `${items.length} of ${items.length + unchanged}`, items.length ? h('ul', { class: 'files' }, items) : h('p', { class: 'muted' }, 'All files are identical.'));
}

function promptsSection(d: VersionDiff): HTMLElement | null {
	if (d.prompts.length === 0) return null;
	const blocks = d.prompts.map((p) =>
		h(
			'div',
			{ class: 'prompt' },
			h('div', { class: 'prompt-head' }, diffButton(p.path, p.renamedFrom ? `${p.renamedFrom} → ${p.path}` : p.path), p.renamedFrom ? h('span', { class: 'chip renamed' }, 'renamed') : p.change !== 'changed' ? h('span', { class: `chip ${p.change}` }, p.change) : null, h('span', { class: 'lines' }, h('span', { class: 'added-text' }, `+${p.linesAdded}`), ' ', h('span', { class: 'removed-text' }, `−${p.linesRemoved}`), ' lines')),
			p.variablesAdded.length || p.variablesRemoved.length
				? h('div', { class: 'chips' }, h('span', { class: 'muted' }, 'Variables: '), p.variablesAdded.map((v) => h('span', { class: 'chip added mono' }, `+ ${v}`)), p.variablesRemoved.map((v) => h('span', { class: 'chip removed mono' }, `− ${v}`)))
				: null,
			p.breaksCallers ? h('p', { class: 'warning', attrs: { role: 'note' } }, `Removed variable${p.variablesRemoved.length > 1 ? 's' : ''} ${p.variablesRemoved.join(', ')}: whatever callers pass for ${p.variablesRemoved.length > 1 ? 'them' : 'it'} no longer reaches the model. Check the code that renders this prompt.`) : null,
			p.preview && p.preview.length ? h('div', { class: 'preview mono', attrs: { role: 'region', 'aria-label': `Changes in ${p.path}` } }, p.preview.map((l) => h('div', { class: `line op-${l.op === '+' ? 'add' : l.op === '-' ? 'del' : l.op === '…' ? 'gap' : 'ctx'}` }, h('span', { class: 'op', attrs: { 'aria-hidden': 'true' } }, l.op === '…' ? '⋯' : l.op), h('span', { class: 'text' }, l.text)))) : null,
		),
	);
	return section('prompts', 'Prompts', `${d.prompts.length} changed`, blocks);
}

function weightsSection(d: VersionDiff): HTMLElement | null {
	if (d.weights.length === 0) return null;
	const blocks = d.weights.map((w) => {
		const rows = [
			...w.tensorsAdded.map((n) => [n, 'added', '']),
			...w.tensorsRemoved.map((n) => [n, 'removed', '']),
			...w.shapeChanged.map((s) => [s.name, 'shape', `[${s.a.join(', ')}] → [${s.b.join(', ')}]`]),
			...w.dtypeChanged.map((s) => [s.name, 'dtype', `${s.a} → ${s.b}`]),
			...(w.bytesChanged ?? []).filter((n) => !w.shapeChanged.some((s) => s.name === n)).map((n) => [n, 'bytes', 'values changed']),
		];
		const note = w.bytesChanged === null ? 'Header only: run `model-ledger diff … --tensors` to compare tensor bytes.' : `${w.bytesChanged.length} tensors with different bytes, ${w.bytesUnchanged} identical.`;
		return h(
			'div',
			{ class: 'file-group' },
			h('h3', { class: 'mono' }, w.path),
			rows.length
				? h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Tensor'), h('th', {}, 'Change'), h('th', {}, ''))), h('tbody', {}, rows.map(([name, kind, detail]) => h('tr', {}, h('th', { class: 'mono', attrs: { scope: 'row' } }, name), h('td', {}, h('span', { class: `chip ${kind === 'added' || kind === 'removed' ? kind : 'modified'}` }, kind)), h('td', { class: 'mono' }, detail)))))
				: h('p', { class: 'muted' }, 'Same tensor names, shapes and dtypes.'),
			w.metadataChanged.length ? h('p', { class: 'muted' }, `Metadata changed: ${w.metadataChanged.join(', ')}`) : null,
			h('p', { class: 'muted' }, note),
		);
	});
	return section('weights', 'Weights', `${d.weights.length} file${d.weights.length === 1 ? '' : 's'}`, blocks);
}

function dataSection(d: VersionDiff): HTMLElement | null {
	if (d.data.length === 0) return null;
	return section(
		'data',
		'Data references',
		`${d.data.length} changed`,
		h(
			'table',
			{ class: 'grid' },
			h('thead', {}, h('tr', {}, h('th', {}, 'Data'), h('th', {}, 'From'), h('th', {}, sideTitle(d.a)), h('th', {}, sideTitle(d.b)))),
			h('tbody', {}, d.data.map((r) => h('tr', { class: r.change }, h('th', { class: 'mono', attrs: { scope: 'row' } }, r.path), h('td', { class: 'mono' }, `${r.source}${r.stage ? ` (${r.stage}, ${r.kind ?? ''})` : ''}`), h('td', { class: 'mono' }, r.a ?? '—'), h('td', { class: 'mono' }, r.b ?? '—')))),
		),
	);
}

// --- chart ----------------------------------------------------------------------------------------------

function chartSection(model: CompareModel): HTMLElement | null {
	if (model.metricKeys.length === 0) return null;
	const history = model.history;
	const select = h('select', { attrs: { 'aria-label': 'Metric to chart', 'data-action': 'metric' } });
	for (const key of model.metricKeys) {
		const option = h('option', { attrs: { value: key } }, key);
		if (key === history?.metric) option.selected = true;
		select.appendChild(option);
	}
	select.addEventListener('change', () => selectMetric(select.value));
	const head = h('div', { class: 'chart-head' }, h('label', {}, 'Metric ', select), history?.direction ? h('span', { class: 'muted' }, `${history.direction} is better`) : null);
	return section('chart', 'Across all versions', null, head, history ? chart(history, model.diff) : h('p', { class: 'muted' }, 'Pick a metric.'));
}

function selectMetric(metric: string): void {
	state.metric = metric;
	save();
	post({ type: 'selectMetric', metric });
}

const W = 640;
const H = 220;
const M = { top: 28, right: 24, bottom: 36, left: 56 };

/** Round axis bounds and 3–6 ticks at 1/2/5 × 10ⁿ steps, so labels read 0.90, 0.92 — not 0.9103. */
function niceScale(low: number, high: number): { lo: number; hi: number; ticks: number[]; decimals: number } {
	// A little air above and below, so no point sits on the axis or under its labels.
	const pad = low === high ? Math.abs(low) * 0.05 || 1 : (high - low) * 0.06;
	low -= pad;
	high += pad;
	const raw = (high - low) / 4;
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	const norm = raw / magnitude;
	const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
	const lo = Math.floor(low / step) * step;
	const hi = Math.ceil(high / step) * step;
	const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
	const ticks: number[] = [];
	for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number.parseFloat(v.toFixed(decimals)));
	return { lo, hi, ticks, decimals };
}

/**
 * `@production @staging` above a point. The first and last points' labels grow inward, so they run
 * over neither the value axis's tick labels nor the chart's right edge.
 */
function aliasLabel(px: number, py: number, anchor: 'start' | 'middle' | 'end', aliases: string[]): Element {
	const nudge = anchor === 'start' ? -6 : anchor === 'end' ? 6 : 0;
	return svg('text', { x: px + nudge, y: py, class: 'alias-label', 'text-anchor': anchor }, aliases.map((a) => `@${a}`).join(' '));
}

function chart(history: MetricHistory, d: VersionDiff): Element {
	const points = history.points.map((p, i) => ({ p, i, y: typeof p.value === 'number' ? p.value : null }));
	const numeric = points.filter((x): x is { p: MetricPoint; i: number; y: number } => x.y !== null);
	if (numeric.length === 0) return h('p', { class: 'muted' }, `${history.metric} is not a number in any version.`);
	const { lo: min, hi: max, ticks, decimals } = niceScale(minOf(numeric.map((x) => x.y)), maxOf(numeric.map((x) => x.y)));
	const n = history.points.length;
	const x = (i: number) => M.left + (n === 1 ? (W - M.left - M.right) / 2 : (i * (W - M.left - M.right)) / (n - 1));
	const y = (v: number) => M.top + ((max - v) * (H - M.top - M.bottom)) / (max - min);
	const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${history.metric} across ${n} versions` });
	for (const v of ticks) {
		root.appendChild(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid-line' }));
		root.appendChild(svg('text', { x: M.left - 8, y: y(v) + 4, class: 'axis-label', 'text-anchor': 'end' }, v.toFixed(decimals)));
	}
	// A line through consecutive numeric points; a version without the metric leaves a gap.
	let run: string[] = [];
	const flush = () => {
		if (run.length > 1) root.appendChild(svg('polyline', { points: run.join(' '), class: 'series' }));
		run = [];
	};
	for (const pt of points) {
		if (pt.y === null) flush();
		else run.push(`${x(pt.i).toFixed(1)},${y(pt.y).toFixed(1)}`);
	}
	flush();
	const labelEvery = Math.max(1, Math.ceil(n / 12));
	for (const pt of points) {
		const isA = pt.p.digest === d.a.digest;
		const isB = pt.p.digest === d.b.digest;
		if (pt.i % labelEvery === 0 || isA || isB || pt.i === n - 1) {
			root.appendChild(svg('text', { x: x(pt.i), y: H - M.bottom + 22, class: `axis-label${isA || isB ? ' strong' : ''}`, 'text-anchor': 'middle' }, `v${pt.p.number}`));
		}
		if (pt.y === null) continue;
		const label = `v${pt.p.number} (${pt.p.label}): ${formatScalar(pt.p.value)}${pt.p.aliases.length ? ` — ${pt.p.aliases.map((a) => `@${a}`).join(' ')}` : ''}${isA ? ' — A' : ''}${isB ? ' — B' : ''}`;
		const g = svg('g', { class: `point${isA ? ' side-a' : ''}${isB ? ' side-b' : ''}${pt.p.aliases.length ? ' aliased' : ''}`, tabindex: 0, role: 'img', 'aria-label': label, 'data-version': `v${pt.p.number}` });
		g.appendChild(svg('title', {}, label));
		if (pt.p.aliases.length) g.appendChild(svg('circle', { cx: x(pt.i), cy: y(pt.y), r: 8, class: 'alias-ring' }));
		g.appendChild(svg('circle', { cx: x(pt.i), cy: y(pt.y), r: isA || isB ? 5 : 3.5, class: 'dot' }));
		if (pt.p.aliases.length) g.appendChild(aliasLabel(x(pt.i), y(pt.y) - 14, pt.i === 0 && n > 1 ? 'start' : pt.i === n - 1 && n > 1 ? 'end' : 'middle', pt.p.aliases));
		if (isA || isB) g.appendChild(svg('text', { x: x(pt.i) + 9, y: y(pt.y) + 4, class: 'side-label' }, isA && isB ? 'A B' : isA ? 'A' : 'B'));
		root.appendChild(g);
	}
	return h('div', { class: 'chart-wrap' }, root);
}

// --- page ---------------------------------------------------------------------------------------------

function render(): void {
	const model = state.model;
	root.replaceChildren();
	if (!model) {
		root.appendChild(h('p', { class: 'muted' }, 'Loading…'));
		return;
	}
	const d = model.diff;
	const title = `${model.model}: ${sideTitle(d.a)} ↔ ${sideTitle(d.b)}`;
	document.title = title;
	append(root, [
		h(
			'div',
			{ class: 'toolbar' },
			h('h1', {}, title, model.folder ? h('span', { class: 'muted folder' }, `  ${model.folder}`) : null),
			h('button', { class: 'toggle', attrs: { type: 'button', 'data-action': 'copyMarkdown', title: 'The same report as `model-ledger diff --format markdown`, for a pull request' }, on: { click: () => post({ type: 'copyMarkdown' }) } }, 'Copy as Markdown'),
		),
		summarySection(d),
		gatesSection(model.gates),
		metricsSection(d),
		paramsSection(d),
		promptsSection(d),
		filesSection(d),
		weightsSection(d),
		dataSection(d),
		chartSection(model),
		d.warnings.length ? section('warnings', 'Warnings', String(d.warnings.length), h('ul', {}, d.warnings.map((w) => h('li', {}, w)))) : null,
	]);
	if (__TEST_HOOKS__) post({ type: 'rendered', report: report(title) });
}

/** The host tests' build only: what the page drew, read back from its DOM. */
function report(title: string): RenderReport {
	const texts = (selector: string) => Array.from(document.querySelectorAll(selector)).map((el) => el.textContent ?? '');
	return {
		title,
		sections: Array.from(document.querySelectorAll('details.section')).map((el) => el.getAttribute('data-section') ?? ''),
		paramRows: Array.from(document.querySelectorAll('tr.param')).map((el) => el.getAttribute('data-key') ?? ''),
		gateRows: [
			...Array.from(document.querySelectorAll('div.gate')).map((el) => `${el.getAttribute('data-gate') ?? ''}: ${el.classList.contains('pass') ? 'PASS' : 'FAIL'}`),
			...Array.from(document.querySelectorAll('tr.gate-rule')).map((el) => `${el.getAttribute('data-gate') ?? ''} ${el.getAttribute('data-rule') ?? ''}: ${el.classList.contains('pass') ? 'pass' : 'fail'}`),
		],
		metricRows: Array.from(document.querySelectorAll('tr.metric')).map((el) => ({
			key: el.getAttribute('data-key') ?? '',
			delta: el.querySelector('td.delta')?.textContent ?? '',
			verdict: el.classList.contains('better') ? 'better' : el.classList.contains('worse') ? 'worse' : '',
		})),
		promptLines: texts('.preview .line .text'),
		diffButtons: Array.from(document.querySelectorAll('[data-action="openDiff"]')).map((el) => el.getAttribute('data-path') ?? ''),
		fileRows: texts('li.file'),
		chartMetric: state.model?.history?.metric ?? null,
		chartPoints: document.querySelectorAll('svg.chart g.point').length,
		chartAliases: Array.from(document.querySelectorAll('svg.chart g.point.aliased')).map((g) => `${g.getAttribute('data-version') ?? ''} ${g.querySelector('.alias-label')?.textContent ?? ''}`),
		scriptsInContent: root.querySelectorAll('script').length,
		imagesInContent: root.querySelectorAll('img').length,
		linksInContent: root.querySelectorAll('a, [href], [src], [onerror], [onclick]').length,
		injectedScriptRan: (window as unknown as { __modelLedgerInjected?: boolean }).__modelLedgerInjected === true,
		showAllKeys: state.showAllKeys,
	};
}

/** The host tests' build only: presses a button through its own handler. */
function click(target: ClickTarget): boolean {
	let el: HTMLElement | null = null;
	if (target.kind === 'openDiff') el = Array.from(document.querySelectorAll<HTMLElement>('[data-action="openDiff"]')).find((e) => e.getAttribute('data-path') === target.path) ?? null;
	else if (target.kind === 'toggleAllKeys') el = document.querySelector<HTMLElement>('[data-action="toggleAllKeys"]');
	else if (target.kind === 'copyMarkdown') el = document.querySelector<HTMLElement>('[data-action="copyMarkdown"]');
	else if (target.kind === 'section') {
		// Keyboard users land on the section's summary: focus it and bring it into view.
		const summary = document.querySelector<HTMLElement>(`details.section[data-section="${CSS.escape(target.section)}"] > summary`);
		if (!summary) return false;
		summary.focus();
		summary.scrollIntoView({ block: 'start' });
		return true;
	}
	else {
		const select = document.querySelector<HTMLSelectElement>('[data-action="metric"]');
		if (!select || !Array.from(select.options).some((o) => o.value === target.metric)) return false;
		select.value = target.metric;
		select.dispatchEvent(new Event('change'));
		return true;
	}
	if (!el) return false;
	el.click();
	return true;
}

window.addEventListener('message', (event: MessageEvent<HostMessage | TestHostMessage>) => {
	const message = event.data;
	if (__TEST_HOOKS__ && message.type === 'click') {
		post({ type: 'clicked', target: message.target, found: click(message.target) });
		return;
	}
	switch (message.type) {
		case 'show':
			state.model = message.model;
			if (state.metric && message.model.history && state.metric !== message.model.history.metric && message.model.metricKeys.includes(state.metric)) {
				// The panel came back (or was refreshed): keep the metric the user had picked.
				post({ type: 'selectMetric', metric: state.metric });
			}
			save();
			render();
			break;
		case 'history':
			if (state.model) {
				state.model = { ...state.model, history: message.history };
				state.metric = message.history.metric;
				save();
				render();
			}
			break;
		case 'loading':
			root.replaceChildren(h('p', { class: 'muted' }, message.title));
			break;
		case 'error':
			root.replaceChildren(h('div', { class: 'error', attrs: { role: 'alert' } }, message.message));
			break;
	}
});

// Draw what we had before the panel was hidden, then ask for fresh data.
if (state.model) render();
post({ type: 'ready' });
