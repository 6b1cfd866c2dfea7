// `model-ledger approve MODEL@REF [-m NOTE]`: records an approval of a version on the audit trail.
import { versionNameWithLabel } from '../../core/store/versionName';
import { parseRef } from '../context';
import type { CliCommand } from '../context';

export const approveCli: CliCommand = {
	name: 'approve',
	usage: [{ synopsis: 'approve MODEL@REF [-m NOTE]', summary: 'record an approval of a version' }],
	async run({ args, options, ledger, author }) {
		const { model, ref } = parseRef(args[0], 'approve MODEL@REF', false);
		const l = ledger();
		const event = l.approve(model, ref, await author(), options.message);
		const v = l.resolve(model, ref);
		return { human: `Approved ${model} ${versionNameWithLabel(v)} as ${event.by.name}.`, data: event };
	},
};
