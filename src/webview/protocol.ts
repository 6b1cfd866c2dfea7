// The compare view's messages, both directions, in one place: the panel (src/extension/compare/compareView.ts)
// and the page (src/webview/compareView.ts) import these types, so a renamed field fails to compile
// on both sides. Types only: nothing here runs, and nothing pulls Node or VS Code into the page.
import type { GateResult } from '../core/lifecycle/gates';
import type { MetricHistory, VersionDiff } from '../core/compare/versionDiff';

/** What a panel compares, kept in the page's state so a reloaded window can reopen it. */
export interface CompareTarget {
	root: string;
	model: string;
	/** Digests; `b` may be `working` (the working tree). */
	a: string;
	b: string;
}

/** Everything the page needs to draw one comparison. */
export interface CompareModel {
	/** Workspace folder name, for the heading when several folders have ledgers. */
	folder: string;
	model: string;
	diff: VersionDiff;
	/** Every metric any version of the model recorded (the chart's picker). */
	metricKeys: string[];
	/** The chart's metric across all versions; null when the model records no metrics. */
	history: MetricHistory | null;
	/** B checked against each gated alias that A or B holds (B would take it, or holds it). */
	gates: GateResult[];
	target: CompareTarget;
}

/** Host → page. */
export type HostMessage =
	| { type: 'show'; model: CompareModel }
	| { type: 'history'; history: MetricHistory }
	| { type: 'loading'; title: string }
	| { type: 'error'; message: string };

/** Page → host. */
export type PageMessage =
	| { type: 'ready' }
	/** Open the native diff editor for one file of the two versions. */
	| { type: 'openDiff'; path: string }
	/** Draw the chart for another metric. */
	| { type: 'selectMetric'; metric: string }
	/** Copy the comparison as the CLI's Markdown report (`diff --format markdown`). */
	| { type: 'copyMarkdown' }
	| TestPageMessage;

/**
 * The host tests' build only (`__TEST_HOOKS__`; compiled out of the shipped bundles): the host asks
 * the page to press something through the same handlers a user's click runs...
 */
export type TestHostMessage = { type: 'click'; target: ClickTarget };
/** ...and the page reports what it drew after each render, and whether a press found its target. */
export type TestPageMessage = { type: 'rendered'; report: RenderReport } | { type: 'clicked'; target: ClickTarget; found: boolean };

/** What a test (or a user's keyboard) can press in the page. */
export type ClickTarget = { kind: 'openDiff'; path: string } | { kind: 'toggleAllKeys' } | { kind: 'metric'; metric: string } | { kind: 'section'; section: string } | { kind: 'copyMarkdown' };

/** What the page drew, read back from its DOM after each render (tests assert on it). */
export interface RenderReport {
	title: string;
	sections: string[];
	/** `file key` of each params row shown. */
	paramRows: string[];
	/** `production: PASS` / `production: FAIL` per gate shown, then `production context_recall max_drop: fail` per rule row. */
	gateRows: string[];
	/** Metric rows as shown: key, delta text, and `better`/`worse`/`` from the row's class. */
	metricRows: Array<{ key: string; delta: string; verdict: string }>;
	/** The text of each prompt preview line, as the DOM holds it. */
	promptLines: string[];
	/** Paths with a diff button. */
	diffButtons: string[];
	/** The text of each row of the Files section (`renamed a → b prompt · identical`). */
	fileRows: string[];
	chartMetric: string | null;
	chartPoints: number;
	/** `v3 @production` for each chart point marked with aliases. */
	chartAliases: string[];
	/** `<script>` and `<img>` elements inside the rendered content: data must never create any. */
	scriptsInContent: number;
	imagesInContent: number;
	/** Links and elements with an href, src or handler attribute inside the rendered content: the page draws none. */
	linksInContent: number;
	/** Set by a script that data would have injected, if any had run. */
	injectedScriptRan: boolean;
	showAllKeys: boolean;
}

/** What the page keeps with `setState`, so hiding and showing the panel loses nothing. */
export interface PageState {
	model?: CompareModel;
	showAllKeys: boolean;
	metric?: string;
	collapsed: string[];
}
