// `model-ledger events MODEL`: the model's audit trail, newest first.
import { versionName } from '../../core/store/versionName';
import { UsageError } from '../context';
import type { CliCommand } from '../context';
import { renderTable } from '../format';

export const eventsCli: CliCommand = {
	name: 'events',
	usage: [{ synopsis: 'events MODEL', summary: "the model's audit trail, newest first" }],
	run({ args, ledger }) {
		if (!args[0]) throw new UsageError('events needs a MODEL: model-ledger events MODEL');
		const l = ledger();
		const events = l.events(args[0]);
		const byDigest = new Map(l.listVersions(args[0]).map((v) => [v.digest, v]));
		const name = (d?: string) => (d ? (byDigest.has(d) ? versionName(byDigest.get(d)!) : d.slice(0, 12)) : '');
		const rows = events.map((e) => [e.at.replace('T', ' ').slice(0, 19), `${e.rollback ? 'alias.set (rollback)' : e.type}${e.unverified ? ' (unverified)' : ''}`, e.alias ?? e.tag ?? '', e.from ? `${name(e.from)} → ${name(e.digest)}` : name(e.digest), e.by.name, e.note ?? '']);
		const unverified = events.filter((e) => e.unverified).map((e) => `  ${e.at.replace('T', ' ').slice(0, 19)} ${e.type}${e.alias ? ` ${e.alias}` : ''}: ${e.unverified}`);
		const notes = unverified.length ? ['', 'Unverified (not applied):', ...unverified] : [];
		return { human: events.length ? [renderTable(['WHEN', 'EVENT', 'ALIAS/TAG', 'VERSION', 'BY', 'NOTE'], rows), ...notes].join('\n') : 'No events yet.', data: events };
	},
};
