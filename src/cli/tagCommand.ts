// `model-ledger tag MODEL@REF TAG [-m NOTE]` and `model-ledger note MODEL[@REF] -m NOTE`: free-form
// marks on the audit trail (they move nothing).
import type { Ledger } from '../core/ledger';
import type { Author } from '../core/model';
import { parseRef, UsageError } from './context';
import type { Io } from './context';
import { versionNameWithLabel } from '../core/store/versionName';

export function tagCommand(ledger: Ledger, rest: string[], options: { message?: string; json: boolean; author: Author }, io: Io): number {
	const { model, ref } = parseRef(rest[0], 'tag MODEL@REF TAG', false);
	if (!rest[1]) throw new UsageError('tag needs a TAG: model-ledger tag MODEL@REF TAG [-m NOTE]');
	const event = ledger.tag(model, ref, rest[1], options.author, options.message);
	const v = ledger.resolve(model, ref);
	io.out(options.json ? JSON.stringify(event, null, 2) + '\n' : `Tagged ${model} ${versionNameWithLabel(v)} ${rest[1]}.\n`);
	return 0;
}

export function noteCommand(ledger: Ledger, rest: string[], options: { message?: string; json: boolean; author: Author }, io: Io): number {
	if (!rest[0]) throw new UsageError('note needs a MODEL: model-ledger note MODEL[@REF] -m NOTE');
	if (!options.message) throw new UsageError('note needs its text: model-ledger note MODEL[@REF] -m NOTE');
	const at = rest[0].indexOf('@');
	const model = at < 0 ? rest[0] : rest[0].slice(0, at);
	const ref = at < 0 ? undefined : rest[0].slice(at + 1) || 'latest';
	const event = ledger.note(model, ref, options.message, options.author);
	const v = ref === undefined ? undefined : ledger.resolve(model, ref);
	io.out(options.json ? JSON.stringify(event, null, 2) + '\n' : `Noted on ${model}${v ? ` ${versionNameWithLabel(v)}` : ''}.\n`);
	return 0;
}
