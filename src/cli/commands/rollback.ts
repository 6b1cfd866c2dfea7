// `model-ledger rollback MODEL [ALIAS]`: moves an alias (default production) back to its previous target.
import type { Ledger } from '../../core/ledger';
import type { Author } from '../../core/model';
import { rollback } from '../../core/lifecycle/rollback';
import { UsageError } from '../context';
import type { CliCommand, CommandResult } from '../context';
import { versionNameWithLabel } from '../../core/store/versionName';

export const rollbackCli: CliCommand = {
	name: 'rollback',
	usage: [{ synopsis: 'rollback MODEL [ALIAS]', summary: 'move an alias (default production) back to its previous version' }],
	run: async ({ args, options, ledger, author }) => rollbackCommand(ledger(), args, { message: options.message, author: await author() }),
};

function rollbackCommand(ledger: Ledger, rest: string[], options: { message?: string; author: Author }): CommandResult {
	const [model, alias = 'production'] = rest;
	if (!model) throw new UsageError('rollback needs a MODEL: model-ledger rollback MODEL [ALIAS]');
	const { event, from, to } = rollback(ledger, model, alias, options.author, options.message);
	const was = from ? versionNameWithLabel(from) : 'nothing';
	return { human: `${model}: ${alias} rolled back to ${versionNameWithLabel(to)}, was ${was}.`, data: { event, from: from ?? null, to } };
}
