// `model-ledger tag MODEL@REF TAG [-m NOTE]`: a free-form mark on the audit trail (it moves nothing).
import type { Ledger } from '../../core/ledger';
import type { Author } from '../../core/model';
import { parseRef, UsageError } from '../context';
import type { CliCommand, CommandResult } from '../context';
import { versionNameWithLabel } from '../../core/store/versionName';

export const tagCli: CliCommand = {
	name: 'tag',
	usage: [{ synopsis: 'tag MODEL@REF TAG [-m NOTE]', summary: 'mark a version with a free-form tag (recorded as an event)' }],
	run: async ({ args, options, ledger, author }) => tagCommand(ledger(), args, { message: options.message, author: await author() }),
};

function tagCommand(ledger: Ledger, rest: string[], options: { message?: string; author: Author }): CommandResult {
	const { model, ref } = parseRef(rest[0], 'tag MODEL@REF TAG', false);
	if (!rest[1]) throw new UsageError('tag needs a TAG: model-ledger tag MODEL@REF TAG [-m NOTE]');
	const event = ledger.tag(model, ref, rest[1], options.author, options.message);
	const v = ledger.resolve(model, ref);
	return { human: `Tagged ${model} ${versionNameWithLabel(v)} ${rest[1]}.`, data: event };
}
