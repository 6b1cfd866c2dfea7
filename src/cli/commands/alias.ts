// `model-ledger alias set MODEL@REF NAME [-m NOTE] [--override]` (gated aliases refuse a failing
// version unless overridden with a reason), `alias history MODEL NAME`, `alias rm` and `alias list`.
import { aliasMoves } from '../../core/lifecycle/aliasTimeline';
import { GateRefusedError } from '../../core/lifecycle/gates';
import type { Ledger } from '../../core/ledger';
import type { Author, Bump } from '../../core/model';
import { displayLabel } from '../../core/lifecycle/releaseLabels';
import { versionName } from '../../core/store/versionName';
import { bumpOption, parseRef, UsageError } from '../context';
import type { CliCommand, CommandResult, Io } from '../context';
import { renderTable } from '../format';
import { gateText } from './check';

export const aliasCli: CliCommand = {
	name: 'alias',
	usage: [
		{
			synopsis: 'alias set MODEL@REF NAME [-m NOTE] [--override] [--bump major|minor|patch]',
			summary: ['point an alias (production, staging, …) at a version; a gated alias', 'refuses a failing version unless --override -m REASON (recorded)'],
		},
		{ synopsis: 'alias history MODEL NAME', summary: 'every move of an alias: when, who, from, to, note, override' },
		{ synopsis: 'alias rm MODEL NAME [-m NOTE]', summary: 'remove an alias' },
		{ synopsis: 'alias list [MODEL]', summary: 'aliases and where they point' },
	],
	async run({ args, options, json, io, ledger, author }) {
		const [sub, target, name] = args;
		const l = ledger();
		const by = await author();
		if (sub === 'set') {
			const bump = bumpOption(options.bump);
			return aliasSetCommand(l, [target, name], { message: options.message, override: options.override === true, bump, json, author: by }, io);
		}
		if (sub === 'history') return aliasHistoryCommand(l, [target, name]);
		if (sub === 'rm') {
			if (!target || !name) throw new UsageError('alias rm needs MODEL and NAME: model-ledger alias rm MODEL NAME');
			const event = l.removeAlias(target, name, by, options.message);
			return { human: `${target}: removed alias ${name}`, data: event };
		}
		if (sub === 'list' || sub === undefined) {
			const models = target ? [(l.readableModel(target), target)] : l.config.models.map((m) => m.name);
			const rows = models.flatMap((m) => l.listVersions(m).flatMap((v) => v.aliases.map((alias) => ({ model: m, alias, number: v.number, label: v.label, digest: v.digest, numberShared: v.numberShared }))));
			return { human: rows.length ? renderTable(['MODEL', 'ALIAS', 'VERSION', 'LABEL', 'DIGEST'], rows.map((r) => [r.model, r.alias, versionName(r), r.label, r.digest.slice(0, 12)])) : 'No aliases yet.', data: rows };
		}
		throw new UsageError(`unknown alias command \`${sub}\`: use set, rm, list or history.`);
	},
};

function aliasSetCommand(ledger: Ledger, rest: string[], options: { message?: string; override: boolean; bump?: Bump; json: boolean; author: Author }, io: Io): CommandResult {
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
	return { human, data: { ...event, ...(to.releaseLabel ? { releaseLabel: to.releaseLabel } : {}) } };
}

function aliasHistoryCommand(ledger: Ledger, rest: string[]): CommandResult {
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
	const ref = (digest?: string) => {
		if (!digest) return null;
		const v = versions.get(digest);
		return v ? { number: v.number, label: v.label, ...(v.releaseLabel ? { releaseLabel: v.releaseLabel } : {}), digest } : { digest };
	};
	const data = { model, alias, moves: moves.map((m) => ({ ...m, from: ref(m.from), to: ref(m.to) })) };
	if (moves.length === 0) return { human: `${model}: \`${alias}\` has never been set.`, data };
	const rows = moves.map((m) => [
		m.at.replace('T', ' ').slice(0, 19),
		m.by?.name ?? '-',
		name(m.from),
		m.removed ? '(removed)' : name(m.to),
		m.override ? `override: ${(m.overriddenRules ?? []).join('; ')}` : m.rollback ? 'rollback' : '',
		m.note ?? '',
	]);
	return { human: `${model} ${alias}: ${moves.length} move${moves.length === 1 ? '' : 's'}, newest first (UTC)\n\n${renderTable(['WHEN', 'BY', 'FROM', 'TO', 'FLAGS', 'NOTE'], rows)}`, data };
}
