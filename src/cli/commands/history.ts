// `model-ledger history MODEL --metric KEY`: one metric across all versions, oldest first, with a
// sparkline (the metric history of src/core/compare/versionDiff.ts).
import { formatNumber } from '../../core/numberText';
import { formatAge } from '../../core/relativeTime';
import { metricHistory } from '../../core/compare/versionDiff';
import type { MetricHistory } from '../../core/compare/versionDiff';
import type { Ledger } from '../../core/ledger';
import { UsageError } from '../context';
import type { CliCommand } from '../context';
import { renderTable } from '../format';
import { formatScalar, signed } from './diff';

export const historyCli: CliCommand = {
	name: 'history',
	usage: [{ synopsis: 'history MODEL --metric KEY', summary: 'one metric across all versions, oldest first' }],
	run: ({ args, options, ledger }) => historyCommand(ledger(), args[0], options.metric),
};

/** Runs `history`: one metric across all versions, oldest first. */
export function historyCommand(ledger: Ledger, model: string | undefined, metric: string | undefined): { human: string; data: MetricHistory } {
	if (!model) throw new UsageError('history needs a MODEL: model-ledger history MODEL --metric KEY');
	if (!metric) throw new UsageError('history needs --metric KEY: model-ledger history MODEL --metric KEY');
	const data = metricHistory(ledger, model, metric);
	return { human: historyText(data), data };
}

const SPARKS = '▁▂▃▄▅▆▇█';

function historyText(h: MetricHistory): string {
	const numbers = h.points.map((p) => (typeof p.value === 'number' ? p.value : null));
	let previous: number | null = null;
	const rows = h.points.map((p, i) => {
		const value = numbers[i];
		let change = '';
		if (value !== null && previous !== null && value !== previous) change = signed(Number.parseFloat((value - previous).toPrecision(12)));
		if (value !== null) previous = value;
		return [`v${p.number}`, p.label, p.aliases.join(', '), formatAge(p.createdAt), p.file ? formatScalar(p.value) : '-', change];
	});
	const present = numbers.filter((n): n is number => n !== null);
	const lines = [`${h.model} ${h.metric}${h.direction ? ` (${h.direction} is better)` : ''}`];
	if (present.length > 1) {
		// A loop, not Math.min(...present): a spread of thousands of versions overflows the call stack.
		let min = present[0];
		let max = present[0];
		for (const n of present) {
			if (n < min) min = n;
			if (n > max) max = n;
		}
		const spark = numbers.map((n) => (n === null ? ' ' : SPARKS[max === min ? 3 : Math.round(((n - min) / (max - min)) * (SPARKS.length - 1))])).join('');
		lines.push(`${spark}  min ${formatNumber(min)}, max ${formatNumber(max)}`);
	}
	lines.push('', renderTable(['VERSION', 'LABEL', 'ALIASES', 'AGE', h.metric.toUpperCase(), 'CHANGE'], rows));
	return lines.join('\n');
}
