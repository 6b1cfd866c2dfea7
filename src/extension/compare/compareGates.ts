// The compare view's gate results and its Copy as Markdown text. No `vscode` import: unit-tested
// under plain Node. B is checked against every gated alias that A or B holds — B would take A's
// alias, or holds it already; the working tree is not a version and takes no alias.
import { diffMarkdown } from '../../core/compare/diffMarkdown';
import { evaluateGate } from '../../core/lifecycle/gates';
import type { GateResult } from '../../core/lifecycle/gates';
import type { Ledger } from '../../core/ledger';
import type { VersionDiff } from '../../core/compare/versionDiff';
import type { CompareModel } from '../../webview/protocol';

/** B's result for each gate of an alias that A or B holds; empty when B is the working tree or no such gate exists. */
export function compareGates(ledger: Ledger, diff: VersionDiff): GateResult[] {
	if (diff.b.working || !diff.b.digest) return [];
	const held = new Set([...diff.a.aliases, ...diff.b.aliases]);
	const gates = ledger.model(diff.b.model).gates.filter((g) => held.has(g.alias));
	if (gates.length === 0) return [];
	const version = ledger.index.versionByDigest(diff.b.digest);
	if (!version) return [];
	const manifest = ledger.readManifest(version);
	return gates.map((gate) => evaluateGate(ledger, gate, version, manifest));
}

/** The comparison as the CLI's `diff --format markdown` report: changed keys only, plus the gate results. */
export function compareMarkdown(model: CompareModel): string {
	const d = model.diff;
	const changedOnly: VersionDiff = { ...d, metrics: d.metrics.filter((m) => m.change !== 'unchanged'), params: d.params.filter((p) => p.change !== 'unchanged') };
	return diffMarkdown(changedOnly, model.gates ?? []);
}

/** The modal a refused *Set Alias…* shows: which gate, how many rules fail, and each failing rule with its values. */
export function gateRefusalText(result: GateResult): { message: string; detail: string } {
	const failing = result.rules.filter((r) => !r.pass);
	return {
		message: `${result.gate} is gated: ${result.model} v${result.version.number} fails ${failing.length} of ${result.rules.length} rule${result.rules.length === 1 ? '' : 's'}.`,
		detail: failing.map((r) => `✗ ${r.rule}: ${r.detail}`).join('\n'),
	};
}
