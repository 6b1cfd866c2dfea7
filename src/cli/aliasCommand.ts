// `model-ledger alias set MODEL@REF NAME [-m NOTE] [--override]` (gated aliases refuse a failing
// version unless overridden with a reason) and `model-ledger alias history MODEL NAME`.
import { aliasMoves } from '../core/lifecycle/aliasTimeline';
import { GateRefusedError } from '../core/lifecycle/gates';
import type { Ledger } from '../core/ledger';
import type { Author, Bump } from '../core/model';
import { displayLabel } from '../core/lifecycle/releaseLabels';
import { parseRef, UsageError } from './context';
import type { Io } from './context';
import { renderTable } from './format';
import { gateText } from './checkCommand';

export function aliasSetCommand(ledger: Ledger, rest: string[], options: { message?: string; override: boolean; bump?: Bump; json: boolean; author: Author }, io: Io): number {
	const { model, ref } = parseRef(rest[0], 'alias set MODEL@REF NAME', false);
	const name = rest[1];
	if (!name) throw new UsageError('alias set needs a NAME: model-ledger alias set MODEL@REF NAME');
	if (options.override && !options.message?.trim()) throw new UsageError('--override needs a reason: model-ledger alias set MODEL@REF NAME --override -m "why"');
	let event;
	try {
		event = ledger.setAlias(model, ref, name, options.author, options.message, { override: options.override, bump: options.bump });
	} catch (err) {
		// The rules go to stderr as a table before the one-line error, so a refused deploy says why in full.
		if (err instanceof GateRefusedError && !options.json) io.err(gateText(err.result) + '\n\n');
		throw err;
	}
	const to = ledger.resolve(model, name);
	const from = event.from ? ledger.listVersions(model).find((v) => v.digest === event.from) : undefined;
	const human = `${model}: ${name} → v${to.number} (${displayLabel(to)})${from ? `, was v${from.number}` : ''}${event.override ? ' — gate overridden, recorded as an override event' : ''}`;
	io.out(options.json ? JSON.stringify({ ...event, ...(to.releaseLabel ? { releaseLabel: to.releaseLabel } : {}) }, null, 2) + '\n' : human + '\n');
	return 0;
}

export function aliasHistoryCommand(ledger: Ledger, rest: string[], options: { json: boolean }, io: Io): number {
	const [model, alias] = rest;
	if (!model || !alias) throw new UsageError('alias history needs MODEL and NAME: model-ledger alias history MODEL NAME');
	ledger.model(model);
	const moves = aliasMoves(ledger.index.events(model), alias);
	const versions = new Map(ledger.listVersions(model).map((v) => [v.digest, v]));
	const name = (digest?: string) => {
		if (!digest) return '-';
		const v = versions.get(digest);
		return v ? `v${v.number} (${displayLabel(v)})` : digest.slice(0, 12);
	};
	if (options.json) {
		const ref = (digest?: string) => {
			if (!digest) return null;
			const v = versions.get(digest);
			return v ? { number: v.number, label: v.label, ...(v.releaseLabel ? { releaseLabel: v.releaseLabel } : {}), digest } : { digest };
		};
		io.out(JSON.stringify({ model, alias, moves: moves.map((m) => ({ ...m, from: ref(m.from), to: ref(m.to) })) }, null, 2) + '\n');
		return 0;
	}
	if (moves.length === 0) {
		io.out(`${model}: \`${alias}\` has never been set.\n`);
		return 0;
	}
	const rows = moves.map((m) => [
		m.at.replace('T', ' ').slice(0, 19),
		m.by?.name ?? '-',
		name(m.from),
		m.removed ? '(removed)' : name(m.to),
		m.override ? `override: ${(m.overriddenRules ?? []).join('; ')}` : m.rollback ? 'rollback' : '',
		m.note ?? '',
	]);
	io.out(`${model} ${alias}: ${moves.length} move${moves.length === 1 ? '' : 's'}, newest first (UTC)\n\n${renderTable(['WHEN', 'BY', 'FROM', 'TO', 'FLAGS', 'NOTE'], rows)}\n`);
	return 0;
}
