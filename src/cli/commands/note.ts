// `model-ledger note MODEL[@REF] -m NOTE`: a free-form note on the audit trail (it moves nothing).
import type { Ledger } from '../../core/ledger';
import type { Author } from '../../core/model';
import { UsageError } from '../context';
import type { CliCommand, CommandResult } from '../context';
import { versionNameWithLabel } from '../../core/store/versionName';

export const noteCli: CliCommand = {
	name: 'note',
	usage: [{ synopsis: 'note MODEL[@REF] -m NOTE', summary: 'add a note to the audit trail' }],
	run: async ({ args, options, ledger, author }) => noteCommand(ledger(), args, { message: options.message, author: await author() }),
};

function noteCommand(ledger: Ledger, rest: string[], options: { message?: string; author: Author }): CommandResult {
	if (!rest[0]) throw new UsageError('note needs a MODEL: model-ledger note MODEL[@REF] -m NOTE');
	if (!options.message) throw new UsageError('note needs its text: model-ledger note MODEL[@REF] -m NOTE');
	const at = rest[0].indexOf('@');
	const model = at < 0 ? rest[0] : rest[0].slice(0, at);
	const ref = at < 0 ? undefined : rest[0].slice(at + 1) || 'latest';
	const event = ledger.note(model, ref, options.message, options.author);
	const v = ref === undefined ? undefined : ledger.resolve(model, ref);
	return { human: `Noted on ${model}${v ? ` ${versionNameWithLabel(v)}` : ''}.`, data: event };
}
