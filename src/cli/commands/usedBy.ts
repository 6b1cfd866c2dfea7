// `model-ledger used-by PATH`: which versions hold a file's current content, and what it held before.
import { appendAll } from '../../core/bulkArrays';
import { LedgerError } from '../../core/errors';
import type { Ledger } from '../../core/ledger';
import { formatAge } from '../../core/relativeTime';
import { describeVersions, isInAnyVersion, usedBy } from '../../core/query/usedBy';
import type { UsedBy } from '../../core/query/usedBy';
import type { VersionRef } from '../../core/query/versionsByPath';
import { describeRanges, rangesCount } from '../../core/query/versionRanges';
import { UsageError } from '../context';
import type { CliCommand } from '../context';
import { resolvePathArg } from '../pathArg';
import { renderTable } from '../format';
import { versionName as nameOf } from '../../core/store/versionName';

export const usedByCli: CliCommand = {
	name: 'used-by',
	usage: [{ synopsis: 'used-by PATH', summary: "which versions hold a file's current content, and its earlier contents" }],
	run: ({ args, cwd, ledger }) => usedByCommand(ledger(), args[0], cwd),
};

/** Runs `used-by`; returns the human text and the JSON document. */
export function usedByCommand(ledger: Ledger, pathArg: string | undefined, cwd: string): { human: string; data: UsedBy } {
	if (!pathArg) throw new UsageError('used-by needs a PATH: model-ledger used-by PATH');
	const path = resolvePathArg(ledger.root, pathArg, cwd, (p) => isInAnyVersion(ledger, p));
	const result = usedBy(ledger, path);
	if (!result.tracked) {
		if (!result.exists) throw new LedgerError({ code: 'UNKNOWN_FILE', message: `No file \`${path}\` in the workspace, and no version holds it.`, fix: 'Give a path relative to the workspace root (where model-ledger.yaml is).', location: { file: path } });
		return { human: `${path} is not tracked: no version holds it and no model's globs in model-ledger.yaml match it.`, data: result };
	}
	return { human: usedByText(result), data: result };
}

function versionName(v: VersionRef, withModel: boolean): string {
	return `${withModel ? `${v.model} ` : ''}${nameOf(v)}${v.aliases.length ? ` [${v.aliases.join(', ')}]` : ''}`;
}

function usedByText(r: UsedBy): string {
	const manyModels = new Set([...r.history.flatMap((h) => h.ranges.map((v) => v.model)), ...r.sameContentElsewhere.map((v) => v.model)]).size > 1;
	const lines = [`${r.path}${r.role ? ` (${r.role})` : ''}  ${r.sha256 ? `sha256 ${r.sha256.slice(0, 12)}` : r.exists ? 'not hashed' : 'deleted from the workspace'}`];
	if (r.removedIn && !r.exists) lines.push(`Removed in ${versionName(r.removedIn, true)} (${formatAge(r.removedIn.createdAt)}, by ${r.removedIn.author}): gone from the workspace and from the versions since.`);
	else if (!r.exists && r.newest) lines.push(`Deleted from the workspace; the latest version holding it is ${versionName(r.newest, true)} (snapshot to record the removal).`);
	if (r.current.length) {
		const n = rangesCount(r.current);
		lines.push(`Current content: ${describeRanges(r.current, { withModel: manyModels })} (${n} ${n === 1 ? 'version' : 'versions'})`);
	}
	else if (r.modified) lines.push(`Modified: the current content is in no version (newest holding the file: ${versionName(r.newest!, true)}).`);
	else if (r.history.length === 0) lines.push(`Not in any version yet (matched by ${r.models.join(', ')}); run \`model-ledger snapshot\`.`);
	if (r.lastChanged) lines.push(`Last changed in ${versionName(r.lastChanged, true)} (${formatAge(r.lastChanged.createdAt)}, by ${r.lastChanged.author})`);
	for (const rename of r.renames) lines.push(`Renamed from ${rename.from} in ${versionName(rename.at, manyModels)}${rename.similarity < 100 ? ` (${rename.similarity}% similar)` : ''}`);
	if (r.sameContentElsewhere.length) {
		const byPath = new Map<string, VersionRef[]>();
		for (const v of r.sameContentElsewhere) byPath.set(v.path, [...(byPath.get(v.path) ?? []), v]);
		lines.push('Same content elsewhere:');
		appendAll(lines, [...byPath].map(([p, vs]) => `  ${p}: ${describeVersions(vs, true)}`));
	}
	if (r.history.length) {
		lines.push(
			'',
			'History (newest first):',
			renderTable(
				['SHA256', 'VERSIONS', 'COUNT', 'FIRST SEEN', 'LAST SEEN'],
				r.history.map((h) => [
					`${h.sha256.slice(0, 12)}${h.sha256 === r.sha256 ? '*' : ''}`,
					describeRanges(h.ranges, { withModel: manyModels }) + (h.path ? ` (as ${h.path})` : ''),
					String(h.count),
					h.firstSeen.slice(0, 16).replace('T', ' '),
					h.lastSeen.slice(0, 16).replace('T', ' '),
				]),
			),
		);
		if (r.current.length) lines.push('(* = current content)');
	}
	return lines.join('\n');
}
