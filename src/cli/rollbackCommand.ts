// `model-ledger rollback MODEL [ALIAS]`: moves an alias (default production) back to its previous target.
import type { Ledger } from '../core/ledger';
import type { Author } from '../core/model';
import { rollback } from '../core/lifecycle/rollback';
import { UsageError } from './context';
import type { Io } from './context';
import { versionNameWithLabel } from '../core/store/versionName';

export function rollbackCommand(ledger: Ledger, rest: string[], options: { message?: string; json: boolean; author: Author }, io: Io): number {
	const [model, alias = 'production'] = rest;
	if (!model) throw new UsageError('rollback needs a MODEL: model-ledger rollback MODEL [ALIAS]');
	const { event, from, to } = rollback(ledger, model, alias, options.author, options.message);
	const was = from ? versionNameWithLabel(from) : 'nothing';
	io.out(options.json ? JSON.stringify({ event, from: from ?? null, to }, null, 2) + '\n' : `${model}: ${alias} rolled back to ${versionNameWithLabel(to)}, was ${was}.\n`);
	return 0;
}
