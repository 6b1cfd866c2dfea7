// The `gates:` block of a model in `model-ledger.yaml`: per alias, what a version must show before
// the alias may point at it. Parsed with the same positioned errors as the rest of the config.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';

/** `require:` entries: `approved`, `clean`, or the name of an alias the version must have held before. */
export type GateRequirement = { kind: 'approved' } | { kind: 'clean' } | { kind: 'held'; alias: string };

/** An absolute amount, or a share of the current value (`"10%"` → {percent: 10}). */
export type GateAmount = { absolute: number } | { percent: number };

export interface MetricRule {
	/** The metric's key as recorded (`recall_at_5`, or a nested `eval.recall_at_5`). */
	metric: string;
	min?: number;
	max?: number;
	/** Largest allowed fall below the value of the version the alias points to now. */
	maxDrop?: GateAmount;
	/** Largest allowed rise above it. */
	maxRise?: GateAmount;
}

export interface GateConfig {
	/** The alias this gate protects. */
	alias: string;
	require: GateRequirement[];
	metrics: MetricRule[];
	/** 1-based line of the gate's key in the config. */
	line: number;
}

type Fail = (message: string, node: YamlNode | Pair | null | undefined, fix: string) => never;

const GATE_KEYS = ['require', 'metrics'];
const METRIC_RULE_KEYS = ['min', 'max', 'max_drop', 'max_rise'];

/** Parses `gates: {ALIAS: {require: [...], metrics: {KEY: {min, max, max_drop, max_rise}}}}` of one model. */
export function parseGates(node: YamlNode | null | undefined, model: string, aliasName: RegExp, lineOf: (node: YamlNode) => number, fail: Fail): GateConfig[] {
	if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
	if (!isMap(node)) return fail(`\`gates\` of \`${model}\` must map alias names to their rules.`, node, 'Write e.g. `gates: { production: { require: [approved] } }`.');
	const gates: GateConfig[] = [];
	for (const pair of node.items) {
		const alias = keyOf(pair);
		if (alias === 'latest') fail('`latest` is computed and cannot have a gate.', pair.key as YamlNode, 'Gate an alias you move, e.g. production.');
		if (!aliasName.test(alias)) fail(`invalid alias name \`${alias}\` in \`gates\` of \`${model}\`.`, pair.key as YamlNode, 'Alias names are lower-case letters, digits and `-`, starting with a letter.');
		const body = pair.value as YamlNode | null;
		if (!isMap(body)) fail(`the gate of \`${alias}\` must be a mapping with \`require\` and/or \`metrics\`.`, body ?? (pair.key as YamlNode), 'Write e.g. `require: [approved]` under it.');
		const gate: GateConfig = { alias, require: [], metrics: [], line: lineOf(pair.key as YamlNode) };
		for (const item of (body as { items: Pair[] }).items) {
			const key = keyOf(item);
			const value = item.value as YamlNode | null;
			if (!GATE_KEYS.includes(key)) fail(`unknown key \`${key}\` in the gate of \`${alias}\`.`, item.key as YamlNode, `Use one of: ${GATE_KEYS.join(', ')}.`);
			if (key === 'require') gate.require = parseRequire(value ?? (item.key as YamlNode), alias, aliasName, fail);
			else gate.metrics = parseMetricRules(value ?? (item.key as YamlNode), alias, fail);
		}
		if (gate.require.length === 0 && gate.metrics.length === 0) fail(`the gate of \`${alias}\` has no rules.`, pair.key as YamlNode, 'Add `require: [approved]` or a `metrics:` rule, or remove the gate.');
		gates.push(gate);
	}
	return gates;
}

function parseRequire(node: YamlNode, alias: string, aliasName: RegExp, fail: Fail): GateRequirement[] {
	const items = isSeq(node) ? (node.items as YamlNode[]) : [node];
	return items.map((item) => {
		const value = isScalar(item) && typeof item.value === 'string' ? item.value : undefined;
		if (value === 'approved' || value === 'clean') return { kind: value };
		if (value !== undefined && aliasName.test(value) && value !== 'latest') {
			if (value === alias) fail(`the gate of \`${alias}\` requires \`${alias}\` itself.`, item, 'Name another alias the version must have held first, e.g. staging.');
			return { kind: 'held', alias: value };
		}
		return fail(
			`\`require\` of the gate of \`${alias}\` lists \`${value ?? String(isScalar(item) ? item.value : 'a mapping')}\`.`,
			item,
			'Use approved, clean, or the name of an alias the version must have held before (e.g. staging).',
		);
	});
}

function parseMetricRules(node: YamlNode, alias: string, fail: Fail): MetricRule[] {
	if (!isMap(node)) return fail(`\`metrics\` of the gate of \`${alias}\` must map metric names to rules.`, node, 'Write e.g. `metrics: { recall_at_5: { min: 0.6, max_drop: 0.02 } }`.');
	const rules: MetricRule[] = [];
	for (const pair of node.items) {
		const metric = keyOf(pair);
		const body = pair.value as YamlNode | null;
		if (!isMap(body) || body.items.length === 0) fail(`the rule for \`${metric}\` in the gate of \`${alias}\` must set min, max, max_drop or max_rise.`, body ?? (pair.key as YamlNode), 'Write e.g. `{ min: 0.6 }`.');
		const rule: MetricRule = { metric };
		for (const item of (body as { items: Pair[] }).items) {
			const key = keyOf(item);
			const value = item.value as YamlNode | null;
			if (!METRIC_RULE_KEYS.includes(key)) fail(`unknown key \`${key}\` in the rule for \`${metric}\`.`, item.key as YamlNode, `Use one of: ${METRIC_RULE_KEYS.join(', ')}.`);
			if (key === 'min' || key === 'max') rule[key] = numberOf(value, item, `\`${key}\` of \`${metric}\``, fail);
			else {
				const amount = amountOf(value, item, `\`${key}\` of \`${metric}\``, fail);
				if (key === 'max_drop') rule.maxDrop = amount;
				else rule.maxRise = amount;
			}
		}
		if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) fail(`the rule for \`${metric}\` has min ${rule.min} above max ${rule.max}.`, pair.key as YamlNode, 'No value could pass: swap or fix them.');
		rules.push(rule);
	}
	return rules;
}

function numberOf(node: YamlNode | null, item: Pair, what: string, fail: Fail): number {
	if (isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value)) return node.value;
	return fail(`${what} must be a number.`, node ?? (item.key as YamlNode), 'Write a plain number, e.g. 0.6.');
}

/** A number, or a string like `"10%"` (a share of the current value); negative amounts are refused. */
function amountOf(node: YamlNode | null, item: Pair, what: string, fail: Fail): GateAmount {
	if (isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value) && node.value >= 0) return { absolute: node.value };
	const percent = isScalar(node) && typeof node.value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(node.value) : null;
	if (percent) return { percent: Number(percent[1]) };
	return fail(`${what} must be a non-negative number or a percentage like "10%".`, node ?? (item.key as YamlNode), 'Write e.g. 0.02 (absolute) or "10%" (of the value the alias points to now).');
}

function keyOf(pair: Pair): string {
	return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}
