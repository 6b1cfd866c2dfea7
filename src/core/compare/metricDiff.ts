// Metric deltas between two versions and which way is better: the model's config says so first
// (`metrics: {higher_is_better, lower_is_better}`), then the metric's name; unknown stays unknown.
import type { FlatValues, Scalar } from '../model';
import type { KeyChange } from './configDiff';
import type { MetricsDirection } from '../parse/workspaceConfig';

export type Direction = 'higher' | 'lower';

export interface MetricDiff {
	/** The metrics file the key comes from. */
	file: string;
	key: string;
	a: Scalar;
	b: Scalar;
	change: KeyChange;
	/** b − a when both are numbers, else null. */
	delta: number | null;
	/** (b − a) / |a| when both are numbers and a ≠ 0, else null. */
	relative: number | null;
	direction: Direction | null;
	/** Whether B is better than A; null when equal, not numeric, or the direction is unknown. */
	better: boolean | null;
}

// Word parts of a metric name that say which way is better (matched against `_`/`-`/`.`-separated parts).
// Includes the names LLM eval tools print (ragas, Azure AI / promptflow evaluators, deepeval).
const LOWER_IS_BETTER = [
	'loss', 'error', 'errors', 'err', 'latency', 'cost', 'perplexity', 'ppl', 'wer', 'cer', 'mae', 'mse', 'rmse', 'duration',
	'toxicity', 'toxic', 'hallucination', 'hallucinations', 'bias', 'harm', 'harms', 'harmful', 'harmfulness',
];
const HIGHER_IS_BETTER = [
	'accuracy', 'acc', 'f1', 'recall', 'precision', 'bleu', 'rouge', 'faithfulness', 'relevancy', 'relevance', 'ndcg', 'mrr', 'auc', 'map', 'exact',
	'groundedness', 'coherence', 'fluency', 'similarity', 'helpfulness', 'correctness',
];
// `score` says "higher" only when no other word decides: `toxicity_score` is lower-is-better.
const GENERIC_HIGHER = ['score'];

/** Which way is better for a metric key: config lists (full key or its last part), else the name, else null. */
export function metricDirection(direction: MetricsDirection, key: string): Direction | null {
	const last = lastSegment(key);
	const listed = (names: string[]) => names.some((n) => n === key || n === last);
	const higher = listed(direction.higherIsBetter);
	const lower = listed(direction.lowerIsBetter);
	if (higher !== lower) return higher ? 'higher' : 'lower';
	if (higher && lower) return null;
	const words = last.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
	// `rouge1`, `rougeL`, `f1_macro`, `bleu4`: a known word followed by digits or a variant letter still counts.
	const matches = (names: string[]) => words.some((w) => names.some((n) => w === n || (w.startsWith(n) && /^(\d+|l|lsum)$/.test(w.slice(n.length)))));
	const byNameHigher = matches(HIGHER_IS_BETTER);
	const byNameLower = matches(LOWER_IS_BETTER);
	if (byNameHigher !== byNameLower) return byNameHigher ? 'higher' : 'lower';
	if (!byNameHigher && matches(GENERIC_HIGHER)) return 'higher';
	return null;
}

/** The last key-path segment: `eval.rouge_l` → `rouge_l`, `scores[0].f1` → `f1`, `a["x.y"]` → `x.y`. */
function lastSegment(key: string): string {
	const quoted = /\["((?:[^"\\]|\\.)*)"\]$/.exec(key);
	if (quoted) return JSON.parse(`"${quoted[1]}"`) as string;
	const stripped = key.replace(/(\[[^\]]*\])+$/, '');
	const dot = stripped.lastIndexOf('.');
	return dot >= 0 ? stripped.slice(dot + 1) : stripped;
}

/** Compares the metrics files of two versions; only changed metrics unless `all`. */
export function diffMetrics(a: Record<string, FlatValues>, b: Record<string, FlatValues>, direction: MetricsDirection, all = false): MetricDiff[] {
	const files = [...new Set([...Object.keys(b), ...Object.keys(a)])];
	const result: MetricDiff[] = [];
	for (const file of files) {
		const left = a[file] ?? {};
		const right = b[file] ?? {};
		const keys = [...new Set([...Object.keys(right), ...Object.keys(left)])];
		for (const key of keys) {
			const inA = Object.prototype.hasOwnProperty.call(left, key);
			const inB = Object.prototype.hasOwnProperty.call(right, key);
			const va = inA ? left[key] : null;
			const vb = inB ? right[key] : null;
			const change: KeyChange = !inA ? 'added' : !inB ? 'removed' : va === vb ? 'unchanged' : 'changed';
			if (change === 'unchanged' && !all) continue;
			result.push(compareMetric(file, key, va, vb, change, metricDirection(direction, key)));
		}
	}
	return result;
}

function compareMetric(file: string, key: string, a: Scalar, b: Scalar, change: KeyChange, direction: Direction | null): MetricDiff {
	const numeric = typeof a === 'number' && typeof b === 'number';
	const delta = numeric ? roundFloat(b - a) : null;
	const relative = numeric && a !== 0 ? roundFloat((b - a) / Math.abs(a)) : null;
	let better: boolean | null = null;
	if (delta !== null && delta !== 0 && direction) better = direction === 'higher' ? delta > 0 : delta < 0;
	return { file, key, a, b, change, delta, relative, direction, better };
}

/** Drops binary floating-point noise (0.87 − 0.91 = −0.04000000000000004) without losing real digits. */
function roundFloat(x: number): number {
	return Number.parseFloat(x.toPrecision(12));
}
