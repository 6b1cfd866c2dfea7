// `model-ledger key-history FILE KEY`: one config key's value across versions, with the metric change where it changed.
import { LedgerError } from '../../core/errors';
import { describeRuns, formatKeyValue, formatMetricDelta, keyHistory, runSpan } from '../../core/query/keyHistory';
import type { KeyHistory } from '../../core/query/keyHistory';
import type { Ledger } from '../../core/ledger';
import { isInAnyVersion } from '../../core/query/usedBy';
import { formatAge } from '../../core/relativeTime';
import { UsageError } from '../context';
import type { CliCommand } from '../context';
import { renderTable } from '../format';
import { versionName } from '../../core/store/versionName';
import { resolvePathArg } from '../pathArg';

export const keyHistoryCli: CliCommand = {
	name: 'key-history',
	usage: [{ synopsis: 'key-history FILE KEY', summary: "one config key's value across versions (KEY like retriever.chunk_size)" }],
	run: ({ args, cwd, ledger }) => keyHistoryCommand(ledger(), args[0], args[1], cwd),
};

/** Runs `key-history`; returns the human text and the JSON document. */
export function keyHistoryCommand(ledger: Ledger, fileArg: string | undefined, key: string | undefined, cwd: string): { human: string; data: KeyHistory } {
	if (!fileArg || key === undefined) throw new UsageError('key-history needs a FILE and a KEY: model-ledger key-history config/rag.yaml retriever.chunk_size');
	const file = resolvePathArg(ledger.root, fileArg, cwd, (p) => isInAnyVersion(ledger, p));
	const history = keyHistory(ledger, file, key);
	if (history.models.length === 0) {
		throw new LedgerError({ code: 'UNKNOWN_FILE', message: `No version holds \`${file}\`.`, fix: 'Give a params, RAG or metrics file of a model, relative to the workspace root, and snapshot it first.', location: { file } });
	}
	if (!history.found) {
		throw new LedgerError({
			code: 'UNKNOWN_KEY',
			message: `No version of \`${file}\` has the key \`${key}\`.`,
			fix: 'Key paths join nested keys with `.` and list items with `[n]`, or by their `id`/`name` as `diff` prints them: `retriever.chunk_size`, `stages[0].name`, `nodes[name="classify"].inputs.deployment_name`; `model-ledger show MODEL` lists them.',
			location: { file },
		});
	}
	return { human: keyHistoryText(history), data: history };
}

function keyHistoryText(h: KeyHistory): string {
	const lines: string[] = [];
	for (const { model, runs, renames, removed } of h.models) {
		lines.push(`${model}: ${h.key} = ${describeRuns(runs, removed)}`);
		// Like `git log --follow`: the history continues under the file's earlier names.
		for (const r of renames ?? []) lines.push(`  ${r.from} → ${r.to}: renamed in v${r.at.number}${r.similarity < 100 ? ` (${r.similarity}% similar)` : ''}; v${r.before.number} and before read ${r.from}`);
		const rows = [...runs].reverse().map((run) => {
			const aliased = run.aliased.map((v) => `${v.aliases.join(', ')}${run.count === 1 ? '' : ` ${versionName(v)}`}`).join('; ');
			const versions = runSpan(run) + (aliased ? ` [${aliased}]` : '');
			const changed = run.change ? `${versionName(run.first)} (${formatAge(run.first.createdAt)}, ${run.first.author})` : '';
			const what = run.change?.changedKeys?.length ? `keys ${run.change.changedKeys.join(', ')}; ` : '';
			const metrics = run.change ? what + (run.change.metrics.map(formatMetricDelta).join(', ') || 'no metric changed') : '';
			if (run.unparseable !== undefined) return [versions, `(unparseable: ${run.unparseable})`, changed, 'not a change of the key'];
			return [versions, formatKeyValue(run.value), changed, metrics];
		});
		if (removed) rows.unshift([versionName(removed), '(file removed)', `${versionName(removed)} (${formatAge(removed.createdAt)}, ${removed.author})`, '']);
		lines.push(renderTable(['VERSIONS', 'VALUE', 'CHANGED IN', 'METRICS AT THE CHANGE'], rows).replace(/^/gm, '  '), '');
	}
	return lines.join('\n').trimEnd();
}
