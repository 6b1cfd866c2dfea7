// `model-ledger`: a thin shell over src/core. Exit 0 ok, 1 error (one line: cause and fix, on
// stderr), 2 usage. With --json, stdout is exactly one JSON document.
import { appendAll } from '../core/bulkArrays';
import { formatBytes } from '../core/byteSize';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { escapeControls, escapeJsonText, oneLine } from '../core/displayText';
import { describeError, LedgerError } from '../core/errors';
import { osAuthor, readLineage } from '../core/snapshot/gitLineage';
import { registryTracking } from '../core/index/gitTracking';
import { Ledger } from '../core/ledger';
import type { Bump, FlatValues, VersionDetail, VersionSummary } from '../core/model';
import { adoptOtherRefVersions, otherRefVersions } from '../core/index/otherRefs';
import type { OtherRefVersion } from '../core/index/otherRefs';
import { NativeModuleError } from '../core/index/sqlite';
import { versionMatchingWorkingTree } from '../core/store/restore';
import { createSnapshot, workingChanges } from '../core/snapshot/snapshot';
import { CONFIG_FILE } from '../core/parse/workspaceConfig';
import { formatAge } from '../core/relativeTime';
import { parseLinks, parseMeta, runInfoLines } from '../core/snapshot/runMetadata';
import { parseRef, UsageError } from './context';
import type { Io } from './context';
import { formatScalar } from './diffCommand';
import { renderTable } from './format';
import { resolvePathArg } from './pathArg';
import { diffCommand, historyCommand } from './diffCommand';
import { gcCommand } from './gcCommand';
import { initCommand } from './initCommand';
import { remoteCommand } from './remoteCommand';
import { restoreCommand } from './restoreCommand';
import { rollbackCommand } from './rollbackCommand';
import { scanCommand } from './scanCommand';
import { noteCommand, tagCommand } from './tagCommand';
import { pullCommand, pushCommand } from './transferCommand';
import { verifyCommand } from './verifyCommand';
import { keyHistoryCommand } from './keyHistoryCommand';
import { usedByCommand } from './usedByCommand';
import { versionName, versionNameWithLabel } from '../core/store/versionName';
import { aliasHistoryCommand, aliasSetCommand } from './aliasCommand';
import { checkCommand } from './checkCommand';
import { parseTime, resolveAt } from '../core/lifecycle/aliasTimeline';
import { displayLabel } from '../core/lifecycle/releaseLabels';

const USAGE = `model-ledger — version prompts, RAG config, weights, params, metrics and data with your git commit

Usage: model-ledger <command> [options]

Commands:
  init                                   create .model-ledger/ and a model-ledger.yaml detected from the workspace
  snapshot [MODEL...] [-m MSG] [--bump major|minor|patch] [--require-clean] [--allow-secrets]
           [--meta KEY=VALUE]... [--link URL]...
                                         record a new version of each model whose files changed (with the
                                         machine it was made on, your meta and run links)
  status [MODEL]                         files changed since each model's latest version
  list [MODEL] [--all-refs]              versions, newest first; --all-refs: also those whose manifests git holds
                                         only on other branches, tags, stashes or the index (read-only)
  show MODEL[@REF] [--at TIME]           one version in full (REF defaults to latest)
  diff MODEL@A [MODEL@B | @B] [--all] [--tensors] [--format text|markdown|json] [--gate ALIAS] [--at TIME]
                                         what changed: files, params, metrics, prompts, weights, data, code
                                         (B omitted: the working tree; --all: unchanged keys too; --tensors: hash tensor bytes;
                                         --format markdown: changed-only tables for a pull request; --gate: B checked against ALIAS's gate)
  check MODEL@REF --gate ALIAS           every rule of ALIAS's gate for that version; exit 0 when all pass, 1 otherwise
  history MODEL --metric KEY             one metric across all versions, oldest first
  cat MODEL@REF PATH [--at TIME]         the stored bytes of one file of a version
  alias set MODEL@REF NAME [-m NOTE] [--override] [--bump major|minor|patch]
                                         point an alias (production, staging, …) at a version; a gated alias
                                         refuses a failing version unless --override -m REASON (recorded)
  alias history MODEL NAME               every move of an alias: when, who, from, to, note, override
  alias rm MODEL NAME [-m NOTE]          remove an alias
  alias list [MODEL]                     aliases and where they point
  approve MODEL@REF [-m NOTE]            record an approval of a version
  events MODEL                           the model's audit trail, newest first
  tag MODEL@REF TAG [-m NOTE]            mark a version with a free-form tag (recorded as an event)
  note MODEL[@REF] -m NOTE               add a note to the audit trail
  rollback MODEL [ALIAS]                 move an alias (default production) back to its previous version
  restore MODEL@REF [--force] [--dry-run] [--delete-extra] [--at TIME]
                                         write a version's files back (replaced content is stored first)
  verify [--quick] [--remote [NAME]]     re-hash every stored object and manifest; exit 1 when any is broken or missing
                                         everywhere (objects only on the configured remote are fine); --remote: check its copies too
  gc [--dry-run] [--yes]                 report (default) or, with --yes, delete objects no branch or tag needs
  push [MODEL@REF...] [--remote NAME]    upload the objects those versions need (all when none given) that the remote lacks
  pull [MODEL@REF...] [--remote NAME]    download missing objects of those versions (all when none given), each verified
  remote status [--remote NAME]          objects local only, remote only, or both; \`remote list\` shows the remotes
  reindex                                rebuild the index (.model-ledger/cache/index.db) from manifests and events
  used-by PATH                           which versions hold a file's current content, and its earlier contents
  key-history FILE KEY                   one config key's value across versions (KEY like retriever.chunk_size)
  scan [PATH...]                         the snapshot's secret scan on files/folders (default: every model's files); exit 1 on a finding

REF: latest, a number (3 or v3), a label (1.4.0), a release label (hybrid), an alias (production), a digest prefix
     (7+ hex), or a git commit-ish (a1b2c3d, main, HEAD~2, a tag): the version made at that commit.
--at TIME: with an alias REF, the version the alias pointed to then (ISO 8601: 2026-11-01 = 00:00 UTC, 2026-11-01T12:00:00Z).

Options:
  -C, --cwd DIR     workspace root (default: nearest folder upwards with ${CONFIG_FILE})
  --json            print one JSON document on stdout
  -h, --help        this help
`;

const OPTIONS = {
	json: { type: 'boolean' },
	help: { type: 'boolean', short: 'h' },
	cwd: { type: 'string', short: 'C' },
	message: { type: 'string', short: 'm' },
	bump: { type: 'string' },
	'require-clean': { type: 'boolean' },
	'allow-secrets': { type: 'boolean' },
	meta: { type: 'string', multiple: true },
	link: { type: 'string', multiple: true },
	all: { type: 'boolean' },
	tensors: { type: 'boolean' },
	metric: { type: 'string' },
	force: { type: 'boolean' },
	'dry-run': { type: 'boolean' },
	'delete-extra': { type: 'boolean' },
	quick: { type: 'boolean' },
	yes: { type: 'boolean', short: 'y' },
	remote: { type: 'string' },
	'all-refs': { type: 'boolean' },
	gate: { type: 'string' },
	override: { type: 'boolean' },
	format: { type: 'string' },
	at: { type: 'string' },
} as const;

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function runCli(argv: string[], rawIo: Io): Promise<number> {
	const json = argv.includes('--json');
	const io = terminalSafe(rawIo, json);
	let parsed;
	try {
		// `verify --remote` takes an optional NAME: a bare flag means the default remote.
		if (argv.includes('verify')) argv = argv.map((a, i) => (a === '--remote' && (i === argv.length - 1 || argv[i + 1].startsWith('-')) ? '--remote=' : a));
		parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
	} catch (err) {
		io.err(`model-ledger: ${(err as Error).message}\nRun \`model-ledger --help\` for usage.\n`);
		return 2;
	}
	const { values, positionals } = parsed;
	const [command, ...rest] = positionals;
	if (values.help || !command || command === 'help') {
		io.out(USAGE);
		return command || values.help ? 0 : 2;
	}
	const print = (human: string, data: unknown) => io.out(json ? JSON.stringify(data, null, 2) + '\n' : human.endsWith('\n') || human === '' ? human : human + '\n');
	const root = values.cwd ? resolve(values.cwd) : findWorkspaceRoot(process.cwd());
	let ledger: Ledger | undefined;
	try {
		// Every command but init needs a valid config: checking it first keeps errors early and
		// never creates .model-ledger/ in a folder that has no ledger.
		const open = () => {
			if (!ledger) {
				ledger = Ledger.at(root);
				void ledger.config;
			}
			return ledger;
		};
		switch (command) {
			case 'init': {
				const { human, data } = initCommand(root);
				print(human, data);
				return 0;
			}
			case 'snapshot': {
				const bump = values.bump;
				if (bump !== undefined && !['major', 'minor', 'patch'].includes(bump)) throw new UsageError('--bump must be major, minor or patch.');
				const result = await createSnapshot(open(), {
					models: rest,
					message: values.message,
					bump: bump as Bump | undefined,
					requireClean: values['require-clean'],
					allowSecrets: values['allow-secrets'] === true,
					meta: runMeta(values.meta ?? []),
					links: runLinks(values.link ?? []),
					onProgress: json ? undefined : progressPrinter(io),
				});
				for (const w of result.warnings) io.err(`warning: ${w}\n`);
				const lines = [
					...result.created.map((v) => `Created ${v.model} ${versionNameWithLabel(v)} ${v.digest.slice(0, 12)}${v.git.dirty ? ' — uncommitted changes stored as a patch' : ''}`),
					...result.unchanged.map((u) => `Unchanged: ${u.model} matches ${versionNameWithLabel(u.matches)}; no version created.`),
				];
				print(lines.join('\n'), { created: result.created, unchanged: result.unchanged, warnings: result.warnings });
				return 0;
			}
			case 'status': {
				const l = open();
				// Named models must exist (a typo is an unknown model); models no longer configured are reported, not compared.
				const models = rest.length ? rest.filter((name) => l.readableModel(name)) : l.config.models.map((m) => m.name);
				const unconfigured = rest.length ? rest.filter((name) => !l.config.models.some((m) => m.name === name)) : l.unconfiguredModels();
				const [lineage, tracking] = await Promise.all([readLineage(root), registryTracking(root)]);
				const ref = (v: VersionSummary) => ({ number: v.number, label: v.label, digest: v.digest, numberShared: v.numberShared });
				const report = models.map((name) => {
					const { latest, changes, warnings } = workingChanges(l, name);
					const differs = changes.added.length + changes.modified.length + changes.removed.length > 0;
					// After a restore the workspace may hold an older version exactly: say which.
					const match = latest && differs ? versionMatchingWorkingTree(l, name) : undefined;
					return { model: name, configured: true, latest: latest ? ref(latest) : null, matches: match ? ref(match) : latest && !differs ? ref(latest) : null, ...changes, warnings };
				});
				const gone = unconfigured.map((name) => {
					const latest = l.index.latestVersion(name);
					return { model: name, configured: false, latest: latest ? ref(latest) : null, matches: null, added: [], modified: [], removed: [], warnings: [] };
				});
				const human = [
					...report.map((r) => {
						const changed = [...r.added.map((p) => `  added     ${p}`), ...r.modified.map((p) => `  modified  ${p}`), ...r.removed.map((p) => `  removed   ${p}`)];
						if (!r.latest) {
							// Never "no versions yet" and "matches the latest version" together: there is no latest to match.
							const head = `${r.model}: no versions yet`;
							return changed.length ? [`${head}; the first snapshot would record:`, ...changed].join('\n') : `${head}, and its globs match no file (see \`model-ledger snapshot\` for what they matched).`;
						}
						const head = `${r.model}: latest ${versionNameWithLabel(r.latest)}`;
						if (r.matches && r.matches.digest !== r.latest.digest) return `${head}\n  matches ${versionNameWithLabel(r.matches)}`;
						return [head, ...(changed.length ? changed : [`  matches ${versionName(r.latest)} (the latest version)`])].join('\n');
					}),
					...gone.map((g) => `${g.model}: no longer configured in ${CONFIG_FILE}; its versions stay readable${g.latest ? ` (latest ${versionName(g.latest)}, ${g.latest.label})` : ''}`),
				].join('\n');
				const untracked = tracking.untrackedVersions.length;
				// Versions git does not carry exist only here: say so while they do (issue: nobody else can see them).
				const warning = untracked
					? `\nwarning: ${untracked} version${untracked === 1 ? '' : 's'} not tracked by git: nobody who clones or pulls can see ${untracked === 1 ? 'it' : 'them'}. Commit them: git add ${tracking.commit.join(' ')}`
					: '';
				print(human + (lineage.dirty ? '\n(git: uncommitted changes to tracked files)' : '') + warning, {
					models: [...report, ...gone],
					git: { commit: lineage.commit, branch: lineage.branch, dirty: lineage.dirty, untrackedVersions: tracking.untrackedVersions, configUntracked: tracking.configUntracked },
				});
				return 0;
			}
			case 'list': {
				const l = open();
				if (rest[0]) l.readableModel(rest[0]);
				const versions = l.listVersions(rest[0]);
				const unconfigured = new Set(l.unconfiguredModels());
				const gone = [...new Set(versions.map((v) => v.model))].filter((m) => unconfigured.has(m));
				const note = gone.length ? `\n\nNo longer configured in ${CONFIG_FILE} (versions kept and readable with list, show, cat, diff): ${gone.join(', ')}` : '';
				const listed = versions.map((v) => ({ ...versionJson(v), configured: !unconfigured.has(v.model) }));
				if (values['all-refs']) {
					const others = await otherRefVersions(l);
					for (const p of others.problems) io.err(`warning: ${p}\n`);
					const mine = others.versions.filter((v) => !rest[0] || v.model === rest[0]);
					const human = [versionsTable(versions) + note, '', otherRefsTable(mine, others.inRepo)].join('\n');
					print(human, { versions: listed, otherRefs: mine.map(({ manifest: _m, ...v }) => v) });
				} else print(versionsTable(versions) + note, listed);
				// Planted manifests are not versions; they are listed apart (stderr keeps --json one document).
				const suspects = l.suspects.filter((s) => !rest[0] || s.includes(`/versions/${rest[0]}/`));
				for (const s of suspects) io.err(`suspect: ${s}\n`);
				if (suspects.length) io.err('Fix: suspect manifests (and links) were not written by Model Ledger (a planted or edited file); they are not versions and cannot be restored. See `model-ledger verify`, check who added them with `git log -- <file>`, and delete them.\n');
				return 0;
			}
			case 'show': {
				const { model, ref } = parseRef(rest[0], 'show MODEL[@REF]', true);
				const l = open();
				const detail = await withOtherRefs(l, () => l.show(model, refAtTime(l, model, ref, values.at)));
				const other = l.otherRefOf(detail.digest);
				// A version only on another branch is shown, named by where git holds it, and stays read-only.
				const where = other ? `\n\nOnly on ${other.refs.join(', ')} (git), not in this checkout: read-only. Check out that ref to set aliases or restore it.` : '';
				print(showText(detail) + where, { ...showJson(detail), ...(other ? { otherRefs: other.refs } : {}) });
				return 0;
			}
			case 'cat': {
				const { model, ref } = parseRef(rest[0], 'cat MODEL@REF PATH', false);
				if (!rest[1]) throw new UsageError('cat needs a PATH: model-ledger cat MODEL@REF PATH');
				const l = open();
				const version = await withOtherRefs(l, () => l.resolveReadable(model, refAtTime(l, model, ref, values.at)));
				const stored = new Set(l.readManifest(version).artifacts.map((a) => a.path));
				const path = resolvePathArg(root, rest[1], process.cwd(), (p) => stored.has(p));
				// Pulls the object first when it is only on the remote.
				io.writeBytes(await l.fetchArtifact(version, path));
				return 0;
			}
			case 'alias': {
				const [sub, target, name] = rest;
				const l = open();
				const author = await authorOf(root);
				if (sub === 'set') {
					const bump = values.bump;
					if (bump !== undefined && !['major', 'minor', 'patch'].includes(bump)) throw new UsageError('--bump must be major, minor or patch.');
					return aliasSetCommand(l, [target, name], { message: values.message, override: values.override === true, bump: bump as Bump | undefined, json, author }, io);
				}
				if (sub === 'history') return aliasHistoryCommand(l, [target, name], { json }, io);
				if (sub === 'rm') {
					if (!target || !name) throw new UsageError('alias rm needs MODEL and NAME: model-ledger alias rm MODEL NAME');
					const event = l.removeAlias(target, name, author, values.message);
					print(`${target}: removed alias ${name}`, event);
					return 0;
				}
				if (sub === 'list' || sub === undefined) {
					const models = target ? [(l.readableModel(target), target)] : l.config.models.map((m) => m.name);
					const rows = models.flatMap((m) => l.listVersions(m).flatMap((v) => v.aliases.map((alias) => ({ model: m, alias, number: v.number, label: v.label, digest: v.digest, numberShared: v.numberShared }))));
					print(rows.length ? renderTable(['MODEL', 'ALIAS', 'VERSION', 'LABEL', 'DIGEST'], rows.map((r) => [r.model, r.alias, versionName(r), r.label, r.digest.slice(0, 12)])) : 'No aliases yet.', rows);
					return 0;
				}
				throw new UsageError(`unknown alias command \`${sub}\`: use set, rm, list or history.`);
			}
			case 'approve': {
				const { model, ref } = parseRef(rest[0], 'approve MODEL@REF', false);
				const l = open();
				const event = l.approve(model, ref, await authorOf(root), values.message);
				const v = l.resolve(model, ref);
				print(`Approved ${model} ${versionNameWithLabel(v)} as ${event.by.name}.`, event);
				return 0;
			}
			case 'events': {
				if (!rest[0]) throw new UsageError('events needs a MODEL: model-ledger events MODEL');
				const l = open();
				const events = l.events(rest[0]);
				const byDigest = new Map(l.listVersions(rest[0]).map((v) => [v.digest, v]));
				const name = (d?: string) => (d ? (byDigest.has(d) ? versionName(byDigest.get(d)!) : d.slice(0, 12)) : '');
				const rows = events.map((e) => [e.at.replace('T', ' ').slice(0, 19), `${e.rollback ? 'alias.set (rollback)' : e.type}${e.unverified ? ' (unverified)' : ''}`, e.alias ?? e.tag ?? '', e.from ? `${name(e.from)} → ${name(e.digest)}` : name(e.digest), e.by.name, e.note ?? '']);
				const unverified = events.filter((e) => e.unverified).map((e) => `  ${e.at.replace('T', ' ').slice(0, 19)} ${e.type}${e.alias ? ` ${e.alias}` : ''}: ${e.unverified}`);
				const notes = unverified.length ? ['', 'Unverified (not applied):', ...unverified] : [];
				print(events.length ? [renderTable(['WHEN', 'EVENT', 'ALIAS/TAG', 'VERSION', 'BY', 'NOTE'], rows), ...notes].join('\n') : 'No events yet.', events);
				return 0;
			}
			case 'used-by': {
				const { human, data } = usedByCommand(open(), rest[0], process.cwd());
				print(human, data);
				return 0;
			}
			case 'key-history': {
				const { human, data } = keyHistoryCommand(open(), rest[0], rest[1], process.cwd());
				print(human, data);
				return 0;
			}
			case 'scan':
				return scanCommand(root, open, rest, { json, cwd: process.cwd() }, io);
			case 'tag':
				return tagCommand(open(), rest, { message: values.message, json, author: await authorOf(root) }, io);
			case 'note':
				return noteCommand(open(), rest, { message: values.message, json, author: await authorOf(root) }, io);
			case 'rollback':
				return rollbackCommand(open(), rest, { message: values.message, json, author: await authorOf(root) }, io);
			case 'restore': {
				if (values.at !== undefined) {
					const { model, ref } = parseRef(rest[0], 'restore MODEL@REF [--force] [--dry-run] [--delete-extra] [--at TIME]', false);
					rest[0] = `${model}@${refAtTime(open(), model, ref, values.at)}`;
				}
				return await restoreCommand(open(), rest, { force: values.force === true, dryRun: values['dry-run'] === true, deleteExtra: values['delete-extra'] === true, json }, io);
			}
			case 'check':
				return checkCommand(open(), rest, { gate: values.gate, json }, io);
			case 'verify':
				return await verifyCommand(open(), { quick: values.quick === true, json, remote: values.remote }, io);
			case 'gc':
				return await gcCommand(open(), { dryRun: values['dry-run'] === true, yes: values.yes === true, json }, io);
			case 'diff': {
				const format = values.format ?? (json ? 'json' : 'text');
				if (!['text', 'markdown', 'json'].includes(format)) throw new UsageError('--format must be text, markdown or json.');
				const at = values.at === undefined ? undefined : parseTime(values.at);
				const l = open();
				const report = await withOtherRefs(l, () => diffCommand(l, rest, { all: values.all, tensors: values.tensors, gate: values.gate, at, progress: format === 'text' ? io : undefined }));
				io.out(format === 'json' ? JSON.stringify(report.data, null, 2) + '\n' : format === 'markdown' ? report.markdown() : report.human + '\n');
				return 0;
			}
			case 'history': {
				const { human, data } = historyCommand(open(), rest[0], values.metric);
				print(human, data);
				return 0;
			}
			case 'push':
			case 'pull': {
				// Ctrl+C aborts cleanly: uploads in flight are aborted, finished objects stay, a re-run sends the rest.
				const abort = new AbortController();
				const onInterrupt = () => abort.abort();
				process.once('SIGINT', onInterrupt);
				try {
					return await (command === 'push' ? pushCommand : pullCommand)(open(), rest, { remote: values.remote, json, signal: abort.signal }, io);
				} finally {
					process.off('SIGINT', onInterrupt);
				}
			}
			case 'remote':
				return await remoteCommand(open(), rest, { remote: values.remote, json }, io);
			case 'reindex': {
				const l = open();
				const report = l.reindex();
				for (const p of report.problems) io.err(`warning: ${p}\n`);
				print(`Reindexed ${report.added} versions from ${l.versionsDir}.`, report);
				return 0;
			}
			default:
				throw new UsageError(`unknown command \`${command}\`.`);
		}
	} catch (err) {
		if (err instanceof UsageError) {
			io.err(`model-ledger: ${err.message}\nRun \`model-ledger --help\` for usage.\n`);
			return 2;
		}
		if (err instanceof LedgerError || err instanceof NativeModuleError) {
			io.err(`model-ledger: ${describeError(err)}\n`);
			return 1;
		}
		io.err(`model-ledger: ${describeError(err)}\n`);
		if (process.env.MODEL_LEDGER_DEBUG) io.err(`${(err as Error).stack}\n`);
		return 1;
	} finally {
		ledger?.close();
	}
}

/**
 * The one place human output passes through: control characters from repository content, git or
 * the arguments never reach the terminal as escape sequences (shown as `\\e`, `\\x07`, …; the
 * tool's own line breaks stay). JSON output has them as `\\uXXXX` escapes. `cat` bytes are the
 * file's own and are written unchanged.
 */
function terminalSafe(io: Io, json: boolean): Io {
	return {
		out: (text) => io.out(json ? escapeJsonText(text) : escapeControls(text)),
		err: (text) => io.err(escapeControls(text)),
		writeBytes: (data) => io.writeBytes(data),
	};
}

/** The nearest folder upwards that holds model-ledger.yaml; the start folder when none does. */
export function findWorkspaceRoot(start: string): string {
	for (let dir = resolve(start); ; dir = dirname(dir)) {
		if (existsSync(join(dir, CONFIG_FILE))) return dir;
		if (dirname(dir) === dir) return resolve(start);
	}
}

/** With --at, an alias ref becomes the digest of the version it pointed to then; without, the ref as given. */
function refAtTime(ledger: Ledger, model: string, ref: string, at: string | undefined): string {
	if (at === undefined) return ref;
	return resolveAt(ledger, model, ref, parseTime(at)).digest;
}

async function authorOf(root: string) {
	try {
		return (await readLineage(root)).author;
	} catch {
		return osAuthor();
	}
}

function progressPrinter(io: Io): (p: { file?: string; bytesDone: number; bytesTotal: number }) => void {
	let lastPrint = 0;
	return (p) => {
		const now = Date.now();
		if (!p.file || p.bytesTotal < 64 * 1024 * 1024 || now - lastPrint < 1000) return;
		lastPrint = now;
		io.err(`  ${p.file}: ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}\n`);
	};
}

function versionJson(v: VersionSummary) {
	return {
		model: v.model,
		number: v.number,
		label: v.label,
		...(v.releaseLabel ? { releaseLabel: v.releaseLabel } : {}),
		digest: v.digest,
		createdAt: v.createdAt,
		author: v.author,
		message: v.message,
		aliases: v.aliases,
		git: v.git,
		artifactCount: v.artifactCount,
	};
}

function showJson(d: VersionDetail) {
	const m = d.manifest;
	return {
		...versionJson(d),
		versioning: m.versioning,
		parent: m.parent ?? null,
		git: m.git,
		artifacts: m.artifacts,
		params: m.params,
		metrics: m.metrics,
		prompts: m.prompts,
		weights: m.weights,
		lockfiles: m.lockfiles,
		data: m.data,
		environment: m.environment ?? null,
		meta: m.meta ?? {},
		links: m.links ?? [],
		training: m.training ?? {},
		warnings: m.warnings ?? [],
	};
}

/** `--meta key=value` as a usage error when malformed. */
function runMeta(pairs: string[]): Record<string, string> {
	try {
		return parseMeta(pairs);
	} catch (err) {
		throw new UsageError((err as Error).message);
	}
}

function runLinks(links: string[]): string[] {
	try {
		return parseLinks(links);
	} catch (err) {
		throw new UsageError((err as Error).message);
	}
}

/**
 * Runs a read of a version; when the version is not in this checkout, looks for it among the versions
 * git holds on other refs (branches, tags, stash; O(1) git processes) and reads it from there.
 */
async function withOtherRefs<T>(l: Ledger, read: () => T | Promise<T>): Promise<T> {
	try {
		return await read();
	} catch (err) {
		if (!(err instanceof LedgerError) || err.code !== 'UNKNOWN_VERSION') throw err;
		const report = await adoptOtherRefVersions(l);
		if (report.versions.length === 0) throw err;
		return await read();
	}
}

function otherRefsTable(versions: OtherRefVersion[], inRepo: boolean): string {
	if (!inRepo) return 'Not a git repository: there are no other refs.';
	if (versions.length === 0) return 'No versions exist only on other refs (branches, tags, stashes, the index).';
	return [
		'Only on other refs (read-only; check one out, or `git stash pop`, to use it):',
		renderTable(
			['MODEL', 'VERSION', 'LABEL', 'WHERE', 'AGE', 'COMMIT', 'FILES HERE'],
			versions.map((v) => [
				v.model,
				versionName({ number: v.number, digest: v.digest, numberShared: true }),
				v.label,
				v.refs.join(', '),
				formatAge(v.createdAt),
				v.commit ? v.commit.slice(0, 7) : '-',
				v.objectsPresent === v.objectsTotal ? 'all' : `${v.objectsPresent}/${v.objectsTotal}`,
			]),
		),
	].join('\n');
}

function versionsTable(versions: VersionSummary[]): string {
	if (versions.length === 0) return 'No versions yet. Run `model-ledger snapshot`.';
	return renderTable(
		['MODEL', 'VERSION', 'LABEL', 'ALIASES', 'AGE', 'COMMIT', 'AUTHOR', 'MESSAGE'],
		versions.map((v) => [
			v.model,
			versionName(v),
			displayLabel(v),
			v.aliases.join(', '),
			formatAge(v.createdAt),
			v.git.commit ? v.git.commit.slice(0, 7) + (v.git.dirty ? '*' : '') : '-',
			v.author.name,
			v.message,
		]),
	);
}

function showText(d: VersionDetail): string {
	const m = d.manifest;
	const lines = [
		`${d.model} ${versionNameWithLabel({ ...d, label: displayLabel(d) })}${d.aliases.length ? `  [${d.aliases.join(', ')}]` : ''}`,
		`digest   ${d.digest}`,
		`created  ${d.createdAt} by ${d.author.name}${d.author.email ? ` <${d.author.email}>` : ''}`,
		`message  ${oneLine(d.message) || '-'}`,
		`commit   ${m.git.commit ?? '-'}${m.git.branch ? ` (${m.git.branch})` : ''}${m.git.dirty ? ' + uncommitted patch ' + (m.git.patch ?? '').slice(0, 12) : ''}`,
		...runInfoLines(m).map(([k, v]) => `${k.padEnd(8)} ${v}`),
		'',
		renderTable(['ROLE', 'PATH', 'SIZE', 'SHA256'], m.artifacts.map((a) => [a.role, a.path, a.size, a.sha256.slice(0, 12)])),
	];
	const flat = (title: string, files: Record<string, FlatValues>) => {
		const rows = Object.entries(files).flatMap(([file, values]) => Object.entries(values).map(([k, v]) => [file, k, formatScalar(v)]));
		if (rows.length) lines.push('', title, renderTable(['FILE', 'KEY', 'VALUE'], rows));
	};
	flat('Params', m.params);
	flat('Metrics', m.metrics);
	const prompts = Object.entries(m.prompts);
	if (prompts.length) appendAll(lines, ['', 'Prompt variables', ...prompts.map(([p, info]) => `  ${p}: ${info.variables.join(', ') || '(none)'}`)]);
	const weights = Object.entries(m.weights);
	if (weights.length) appendAll(lines, ['', 'Weights', ...weights.map(([p, w]) => `  ${p}: ${w.huge ? `${w.huge.tensorCount} tensors (a huge header: counts only)` : `${Object.keys(w.tensors).length} tensors`}`)]);
	if (m.data.length) appendAll(lines, ['', 'Data', ...m.data.map((r) => `  ${r.path}: md5 ${r.md5 ?? '-'} (from ${r.source})`)]);
	const locks = Object.entries(m.lockfiles);
	if (locks.length) appendAll(lines, ['', 'Lockfiles', ...locks.map(([p, sha]) => `  ${p}: ${sha.slice(0, 12)}`)]);
	if (m.warnings?.length) appendAll(lines, ['', 'Warnings', ...m.warnings.map((w) => `  ${oneLine(w)}`)]);
	return lines.join('\n');
}

if (require.main === module) {
	// A reader that stops early (`| head`, `less` quit) closes the pipe: the next write fails with EPIPE.
	// That is the reader's choice, not an error: stop writing, let the command finish what it was doing
	// (a snapshot or push is never cut in half), print no stack trace and exit 0.
	let stdoutClosed = false;
	const closedPipe = (stream: NodeJS.WriteStream, onClosed: () => void) =>
		stream.on('error', (err: NodeJS.ErrnoException) => {
			if (err.code !== 'EPIPE') throw err;
			onClosed();
		});
	closedPipe(process.stdout, () => {
		stdoutClosed = true;
	});
	closedPipe(process.stderr, () => undefined);
	const write = (stream: NodeJS.WriteStream, data: string | Buffer) => {
		if (stream === process.stdout && stdoutClosed) return;
		if (!stream.destroyed) stream.write(data);
	};
	runCli(process.argv.slice(2), {
		out: (t) => write(process.stdout, t),
		err: (t) => write(process.stderr, t),
		writeBytes: (b) => write(process.stdout, b),
	}).then(
		(code) => {
			process.exitCode = code;
		},
		(err) => {
			write(process.stderr, escapeControls(`model-ledger: ${describeError(err)}
`));
			process.exitCode = 1;
		},
	);
}
