// Release gates: whether a version may take a gated alias. Every rule of the alias's gate is
// evaluated against the version's manifest, its event trail, and the version the alias points to now.
import { appendAll } from '../bulkArrays';
import { LedgerError } from '../errors';
import type { GateAmount, GateConfig, MetricRule } from '../parse/gateConfig';
import type { LedgerEvent } from './events';
import type { RegistryIndex } from '../index/registryIndex';
import type { FlatValues, Scalar, VersionManifest, VersionSummary } from '../model';
import type { ModelConfig } from '../parse/workspaceConfig';

/** What a gate reads of a ledger: named here rather than importing Ledger, whose setAlias calls the gates. */
export interface GateLedger {
	model(name: string): ModelConfig;
	readonly index: RegistryIndex;
	readManifest(version: Pick<VersionSummary, 'model' | 'digest'>): VersionManifest;
}

export interface GateRuleResult {
	/** `require approved`, `require clean`, `require staging`, `recall_at_5 min`, `latency_ms max_rise`, … */
	rule: string;
	pass: boolean;
	/** The version's value (a metric, or what the requirement found); null when it has none. */
	actual: Scalar;
	/** What the rule asks for, e.g. `>= 0.62` or `approved`. */
	expected: string;
	/** One line a reviewer can read: `0.6 < 0.64 − 0.02 (production v3)`. */
	detail: string;
}

export interface GateVersion {
	number: number;
	label: string;
	releaseLabel?: string;
	digest: string;
}

export interface GateResult {
	model: string;
	version: GateVersion;
	gate: string;
	/** The version the alias points to now (the baseline of max_drop / max_rise); null when it points nowhere. */
	against: GateVersion | null;
	pass: boolean;
	rules: GateRuleResult[];
}

/** A move refused by a gate: carries the evaluation so shells can list the failing rules. */
export class GateRefusedError extends LedgerError {
	constructor(readonly result: GateResult) {
		const failing = result.rules.filter((r) => !r.pass);
		super({
			code: 'GATE_FAILED',
			message: `\`${result.gate}\` is gated: ${result.model} v${result.version.number} fails ${failing.length} of ${result.rules.length} rule${result.rules.length === 1 ? '' : 's'}: ${failing.map((r) => `${r.rule} (${r.detail})`).join('; ')}.`,
			fix: `Fix the version, or move it anyway with \`model-ledger alias set ${result.model}@${result.version.number} ${result.gate} --override -m "why"\` (recorded as an override event).`,
		});
		this.name = 'GateRefusedError';
	}
}

/** The gate of `alias` in the model's config, if it has one. */
export function gateOf(ledger: GateLedger, model: string, alias: string): GateConfig | undefined {
	return ledger.model(model).gates.find((g) => g.alias === alias);
}

/** Whether the version already held the alias at some point (a rollback target: not gated again). */
export function heldBefore(events: LedgerEvent[], alias: string, digest: string): boolean {
	// An unverified event (a protected move without approval, dated far ahead) never counts as having held it.
	return events.some((e) => e.type === 'alias.set' && !e.unverified && e.alias === alias && e.digest === digest);
}

/**
 * Evaluates `gate` for a version of `model`. `events` is the model's trail (any order); the baseline
 * is where the alias points now. Pure apart from reading the baseline's manifest through `ledger`.
 */
export function evaluateGate(ledger: GateLedger, gate: GateConfig, version: VersionSummary, manifest: VersionManifest): GateResult {
	const model = version.model;
	const events = ledger.index.events(model);
	const currentDigest = ledger.index.aliasesOf(model).get(gate.alias);
	const current = currentDigest ? ledger.index.versionByDigest(currentDigest) : undefined;
	const baseline = current ? { version: current, metrics: ledger.readManifest(current).metrics } : undefined;
	const rules: GateRuleResult[] = [];
	for (const requirement of gate.require) {
		if (requirement.kind === 'approved') {
			const approval = events.find((e) => e.type === 'approved' && !e.unverified && e.digest === version.digest);
			rules.push({
				rule: 'require approved',
				pass: approval !== undefined,
				actual: approval ? 'approved' : 'not approved',
				expected: 'approved',
				detail: approval ? `approved by ${approval.by?.name ?? 'unknown'} at ${approval.at}` : `v${version.number} has no approval`,
			});
		} else if (requirement.kind === 'clean') {
			const dirty = manifest.git.dirty;
			const commit = manifest.git.commit;
			const pass = !dirty && commit !== null;
			rules.push({
				rule: 'require clean',
				pass,
				actual: dirty ? 'uncommitted changes' : commit === null ? 'no git commit' : 'clean',
				expected: 'clean',
				detail: pass ? `made from a clean tree at ${commit!.slice(0, 7)}` : dirty ? `v${version.number} was made with uncommitted changes` : `v${version.number} was made outside a git commit`,
			});
		} else {
			const held = events.find((e) => e.type === 'alias.set' && !e.unverified && e.alias === requirement.alias && e.digest === version.digest);
			rules.push({
				rule: `require ${requirement.alias}`,
				pass: held !== undefined,
				actual: held ? `held ${requirement.alias}` : `never held ${requirement.alias}`,
				expected: `held ${requirement.alias}`,
				detail: held ? `held ${requirement.alias} since ${held.at}` : `v${version.number} never held ${requirement.alias}`,
			});
		}
	}
	const against = baseline ? `${gate.alias} v${baseline.version.number}` : undefined;
	for (const rule of gate.metrics) appendAll(rules, metricRules(rule, version, manifest.metrics, baseline?.metrics, against, gate.alias));
	return {
		model,
		version: gateVersion(version),
		gate: gate.alias,
		against: current ? gateVersion(current) : null,
		pass: rules.every((r) => r.pass),
		rules,
	};
}

function gateVersion(v: VersionSummary): GateVersion {
	return { number: v.number, label: v.label, ...(v.releaseLabel ? { releaseLabel: v.releaseLabel } : {}), digest: v.digest };
}

function metricRules(rule: MetricRule, version: VersionSummary, metrics: Record<string, FlatValues>, baseline: Record<string, FlatValues> | undefined, against: string | undefined, alias: string): GateRuleResult[] {
	const { metric } = rule;
	const value = findMetric(metrics, metric);
	const results: GateRuleResult[] = [];
	const checks: Array<[string, string]> = [];
	if (rule.min !== undefined) checks.push(['min', `>= ${fmt(rule.min)}`]);
	if (rule.max !== undefined) checks.push(['max', `<= ${fmt(rule.max)}`]);
	if (rule.maxDrop) checks.push(['max_drop', `drop <= ${amountText(rule.maxDrop)}`]);
	if (rule.maxRise) checks.push(['max_rise', `rise <= ${amountText(rule.maxRise)}`]);
	if (typeof value !== 'number') {
		// A metric the gate names but the version lacks (or records as text) fails every rule on it.
		const why = value === undefined ? `v${version.number} has no metric ${metric}` : `${metric} is ${JSON.stringify(value)}, not a number`;
		for (const [kind, expected] of checks) results.push({ rule: `${metric} ${kind}`, pass: false, actual: value ?? null, expected, detail: why });
		return results;
	}
	if (rule.min !== undefined) {
		const pass = value >= rule.min;
		results.push({ rule: `${metric} min`, pass, actual: value, expected: `>= ${fmt(rule.min)}`, detail: `${fmt(value)} ${pass ? '≥' : '<'} ${fmt(rule.min)}` });
	}
	if (rule.max !== undefined) {
		const pass = value <= rule.max;
		results.push({ rule: `${metric} max`, pass, actual: value, expected: `<= ${fmt(rule.max)}`, detail: `${fmt(value)} ${pass ? '≤' : '>'} ${fmt(rule.max)}` });
	}
	for (const [kind, amount] of [['max_drop', rule.maxDrop], ['max_rise', rule.maxRise]] as const) {
		if (!amount) continue;
		const name = `${metric} ${kind}`;
		const expectedText = `${kind === 'max_drop' ? 'drop' : 'rise'} <= ${amountText(amount)}`;
		if (!baseline || !against) {
			results.push({ rule: name, pass: true, actual: value, expected: expectedText, detail: `${alias} points to no version yet: nothing to compare against` });
			continue;
		}
		const base = findMetric(baseline, metric);
		if (typeof base !== 'number') {
			results.push({ rule: name, pass: false, actual: value, expected: expectedText, detail: `${against} has no numeric ${metric} to compare against` });
			continue;
		}
		const allowed = 'absolute' in amount ? amount.absolute : round((Math.abs(base) * amount.percent) / 100);
		const shown = 'absolute' in amount ? fmt(amount.absolute) : `${amount.percent}%`;
		if (kind === 'max_drop') {
			const floor = round(base - allowed);
			const pass = value >= floor;
			results.push({ rule: name, pass, actual: value, expected: `>= ${fmt(floor)}`, detail: `${fmt(value)} ${pass ? '≥' : '<'} ${fmt(base)} − ${shown} (${against})` });
		} else {
			const ceiling = round(base + allowed);
			const pass = value <= ceiling;
			results.push({ rule: name, pass, actual: value, expected: `<= ${fmt(ceiling)}`, detail: `${fmt(value)} ${pass ? '≤' : '>'} ${fmt(base)} + ${shown} (${against})` });
		}
	}
	return results;
}

/** A metric by key in any of the version's metrics files (files in manifest order; the first that has it wins). */
export function findMetric(metrics: Record<string, FlatValues>, key: string): Scalar | undefined {
	for (const values of Object.values(metrics)) if (Object.prototype.hasOwnProperty.call(values, key)) return values[key];
	return undefined;
}

function amountText(amount: GateAmount): string {
	return 'absolute' in amount ? fmt(amount.absolute) : `${amount.percent}%`;
}

/** Drops floating-point noise (0.64 − 0.02 = 0.6200000000000001) so thresholds compare and print as written. */
function round(x: number): number {
	return Number.parseFloat(x.toPrecision(12));
}

function fmt(n: number): string {
	return String(round(n));
}
