// Words for the lifecycle surfaces (History node, events document, restore confirmation, store
// summaries). Plain functions without `vscode`, so unit tests can check them.
import { formatBytes } from '../../core/byteSize';
import { relative } from 'node:path';
import type { LedgerEvent } from '../../core/lifecycle/events';
import type { GcReport } from '../../core/store/gc';
import type { VersionSummary } from '../../core/model';
import type { RestoreResult } from '../../core/store/restore';
import type { VerifyReport } from '../../core/store/verify';
import { versionName as nameOf, versionNameWithLabel } from '../../core/store/versionName';

type Named = Pick<VersionSummary, 'digest' | 'number' | 'numberShared'>;

/** `v3`, or a digest prefix when the version is not known here (made on another branch). */
export function versionName(versions: Map<string, Named>, digest: string | undefined): string {
	if (!digest) return '';
	const v = versions.get(digest);
	if (!v) return digest.slice(0, 10);
	// One form everywhere (CLI, tree, titles): `v2 (fc78108)` when two branches both made a v2.
	return nameOf(v);
}

/** One event as a line: `production: v6 → v7 (rollback)`, `approved v7`, `created v3`. */
export function eventSummary(e: LedgerEvent, versions: Map<string, Named>): string {
	const name = (d?: string) => versionName(versions, d);
	switch (e.type) {
		case 'created':
			return `created ${name(e.digest)}`;
		case 'alias.set':
			return `${e.alias}: ${e.from ? `${name(e.from)} → ` : '→ '}${name(e.digest)}${e.rollback ? ' (rollback)' : ''}${e.override ? ' (gate overridden)' : ''}`;
		case 'alias.removed':
			return `${e.alias} removed (was ${name(e.from)})`;
		case 'approved':
			return `approved ${name(e.digest)}`;
		case 'tagged':
			return `tagged ${name(e.digest)} #${e.tag ?? ''}`;
		case 'noted':
			return e.digest ? `note on ${name(e.digest)}` : 'note';
		case 'override':
			return `override of the ${e.alias} gate for ${name(e.digest)}: ${(e.rules ?? []).map((r) => r.rule).join(', ')}`;
		case 'released':
			return `released ${name(e.digest)} as ${e.label ?? '?'}`;
	}
}

/** Codicon for an event. */
export function eventIcon(e: LedgerEvent): string {
	if (e.rollback) return 'discard';
	return { created: 'add', 'alias.set': 'bookmark', 'alias.removed': 'close', approved: 'pass', tagged: 'tag', noted: 'note', override: 'warning', released: 'rocket' }[e.type];
}

/** `production → v7 · staging → v8` for the model line; highlighted aliases first. */
export function aliasLine(versions: VersionSummary[]): string {
	const pairs = versions.flatMap((v) => v.aliases.map((a) => ({ alias: a, v })));
	const rank = (a: string) => (a === 'production' || a === 'prod' ? 0 : a === 'champion' ? 1 : a === 'staging' ? 2 : 3);
	pairs.sort((x, y) => rank(x.alias) - rank(y.alias) || (x.alias < y.alias ? -1 : 1));
	const names = new Map(versions.map((v) => [v.digest, v]));
	return pairs.map((p) => `${p.alias} → ${versionName(names, p.v.digest)}`).join(' · ');
}

/** The events document: a Markdown table, newest first. */
export function eventsMarkdown(model: string, events: LedgerEvent[], versions: VersionSummary[]): string {
	const names = new Map(versions.map((v) => [v.digest, v]));
	const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
	const current = aliasLine(versions);
	const lines = [`# ${model}: audit trail`, '', current ? `Aliases now: ${current}` : 'No aliases yet.', '', `${events.length} event(s), newest first. Recorded in \`.model-ledger/events/${model}.jsonl\`; "created" comes from the version manifests.`, ''];
	lines.push('| When (UTC) | Event | By | Note |', '|---|---|---|---|');
	for (const e of events) {
		const by = e.by.email ? `${e.by.name} <${e.by.email}>` : e.by.name;
		lines.push(`| ${e.at.replace('T', ' ').slice(0, 19)} | ${cell(eventSummary(e, names))} | ${cell(by)} | ${cell(e.note ?? '')} |`);
	}
	return lines.join('\n') + '\n';
}

/** The modal confirmation's detail for a restore (from its dry run). */
export function restorePreview(plan: RestoreResult): { message: string; detail: string; changes: number; unsaved: number } {
	const v = plan.version;
	const changing = plan.files.filter((f) => f.action !== 'unchanged');
	const unsaved = changing.filter((f) => f.displaced && !f.displaced.inVersion && !f.displaced.stored).length;
	const verbs = { create: 'create', overwrite: 'replace', mode: 'set mode of', unchanged: '', delete: 'delete' } as const;
	const lines = changing.map((f) => {
		let line = `• ${verbs[f.action]} ${f.path}`;
		if (f.action === 'delete') line += '  (not in this version; its content is stored first)';
		else if (f.displaced && !f.displaced.inVersion) line += '  (your current content is stored first)';
		return line;
	});
	if (plan.extra.length && !changing.some((f) => f.action === 'delete')) lines.push('', `Left as they are (not in ${nameOf(v)}): ${plan.extra.join(', ')}`);
	if (unsaved) lines.push('', `${unsaved} file(s) hold changes that are in no version: they are kept in the store (.model-ledger/cache/objects) and listed in .model-ledger/cache/restores/.`);
	return {
		message: changing.length ? `Restore ${v.model} ${versionNameWithLabel(v)}? ${changing.length} file(s) will change.` : `The workspace already holds ${v.model} ${versionNameWithLabel(v)}.`,
		detail: lines.join('\n'),
		changes: changing.length,
		unsaved,
	};
}

/** One line for the notification after a restore. */
export function restoreSummary(root: string, result: RestoreResult): string {
	const v = result.version;
	const written = result.files.filter((f) => f.action !== 'unchanged').length;
	const kept = result.files.filter((f) => f.displaced && !f.displaced.inVersion);
	const where = kept.length ? ` Replaced content kept: ${kept.map((f) => `${f.path} → ${relative(root, f.displaced!.objectPath)}`).join(', ')}.` : '';
	return `Restored ${v.model} ${versionNameWithLabel(v)}: ${written} file(s) written.${where}`;
}

/** The verify notification's text. */
export function verifySummary(report: VerifyReport): string {
	const checked = `${report.manifestsChecked} manifest(s), ${report.objectsChecked} object(s)${report.quick ? ' (quick)' : `, ${formatBytes(report.bytesChecked)} re-hashed`}`;
	if (report.ok) return `Store verified: every version is whole (${checked}).`;
	const broken = report.brokenVersions.map((b) => `${b.model} ${b.number === null ? b.digest.slice(0, 10) : `v${b.number}`}`).join(', ');
	return `Store problems: ${report.objects.length} object(s) missing or corrupt, ${report.manifests.length} manifest(s) modified; broken: ${broken} (${checked}).`;
}

/** The verify report as Markdown (opened from "Show Details"). */
export function verifyMarkdown(root: string, report: VerifyReport): string {
	const lines = ['# Model Ledger: store verification', '', verifySummary(report), ''];
	if (report.manifests.length) {
		lines.push('## Manifests', '');
		for (const m of report.manifests) lines.push(`- **${m.problem}** \`${m.file}\`: ${m.message}. Fix: \`git checkout -- ${m.file}\`.`);
		lines.push('');
	}
	if (report.objects.length) {
		lines.push('## Objects', '');
		for (const o of report.objects) {
			lines.push(`- **${o.problem}** \`${o.sha256.slice(0, 12)}…\` (\`${relative(root, o.objectPath)}\`), used by ${o.usedBy.map((u) => `${u.model} v${u.number ?? '?'} \`${u.path}\``).join(', ')}`);
		}
		lines.push('', 'Fix: delete a corrupt object, then snapshot the file again if you still have it, or pull it from a remote.', '');
	}
	if (report.brokenVersions.length) {
		lines.push('## Broken versions', '');
		for (const b of report.brokenVersions) lines.push(`- ${b.model} ${b.number === null ? '?' : `v${b.number}`} (${b.label ?? '?'}) \`${b.digest.slice(0, 12)}\`: ${b.reasons.join('; ')}`);
		lines.push('');
	}
	for (const w of report.warnings) lines.push(`> warning: ${w}`);
	return lines.join('\n') + '\n';
}

/** The clean-up preview (modal detail) and summary. */
export function gcPreview(report: GcReport): { message: string; detail: string } {
	const r = report.reclaimable;
	const k = report.kept;
	const detail = [
		`Reclaimable:`,
		`• ${r.unreferenced.count} object(s) no manifest references (${formatBytes(r.unreferenced.bytes)})`,
		`• ${r['stray-file'].count} stray file(s) in the object folders (${formatBytes(r['stray-file'].bytes)})`,
		`• ${r['stale-tmp'].count} leftover(s) of interrupted writes (${formatBytes(r['stale-tmp'].bytes)})`,
		'',
		'Kept:',
		`• ${k['working-tree'].count} referenced by manifests in the working tree (${formatBytes(k['working-tree'].bytes)})`,
		`• ${k['git-history'].count} referenced only on other branches or tags (${formatBytes(k['git-history'].bytes)}; ${report.refsScanned.length} ref(s) read)`,
		`• ${k['restore-backup'].count} replaced by a restore (${formatBytes(k['restore-backup'].bytes)})`,
		`• ${k.recent.count} written in the last hour (${formatBytes(k.recent.bytes)})`,
		...report.incomplete.map((w) => `\nCannot delete: ${w}`),
	].join('\n');
	const message = report.dryRun
		? report.total.count
			? `Clean up the Model Ledger store? ${report.total.count} file(s), ${formatBytes(report.total.bytes)} can be deleted.`
			: 'The Model Ledger store has nothing to clean up.'
		: `Cleaned up the Model Ledger store: ${report.deleted.count} file(s), ${formatBytes(report.deleted.bytes)} deleted.`;
	return { message, detail };
}
