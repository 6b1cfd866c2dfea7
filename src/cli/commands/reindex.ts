// `model-ledger reindex`: rebuilds the index (.model-ledger/cache/index.db) from manifests and events.
import type { CliCommand } from '../context';

export const reindexCli: CliCommand = {
	name: 'reindex',
	usage: [{ synopsis: 'reindex', summary: 'rebuild the index (.model-ledger/cache/index.db) from manifests and events' }],
	run({ io, ledger }) {
		const l = ledger();
		const report = l.reindex();
		for (const p of report.problems) io.err(`warning: ${p}\n`);
		return { human: `Reindexed ${report.added} versions from ${l.versionsDir}.`, data: report };
	},
};
