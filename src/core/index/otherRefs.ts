// Versions whose manifests git holds only elsewhere: on another branch, a tag, a remote-tracking
// branch, a stash entry, the index or another worktree's HEAD. Checking out an old commit hides newer
// versions and a stash hides one; `list --all-refs` and the Registry's "Other branches" node show
// them, read-only, named by where they are. Read with O(1) git processes (gitManifests.ts).
import { existsSync } from 'node:fs';
import { describeError } from '../errors';
import { readGitManifests } from './gitManifests';
import { LEDGER_DIR } from '../ledger';
import type { Ledger } from '../ledger';
import { manifestDigest, parseManifest } from '../store/manifest';
import type { VersionManifest, VersionSummary } from '../model';

const DIGEST_FILE = /^([0-9a-f]{64})\.yaml$/;

export interface OtherRefVersion {
	model: string;
	digest: string;
	number: number;
	label: string;
	createdAt: string;
	author: string;
	message: string;
	commit: string | null;
	/** Where git holds it, short: `feature`, `origin/main`, `tag v1`, `stash@{0}`, `index`. */
	refs: string[];
	/** Objects the version needs that are in the local store (readable when all are). */
	objectsPresent: number;
	objectsTotal: number;
	manifest: VersionManifest;
}

export interface OtherRefsReport {
	inRepo: boolean;
	versions: OtherRefVersion[];
	/** Manifests that could not be read or do not hash to their name: skipped. */
	problems: string[];
	gitProcesses: number;
}

/** Versions present in git but not in the working tree's versions folder, newest first per model. */
export async function otherRefVersions(ledger: Ledger): Promise<OtherRefsReport> {
	const scan = await readGitManifests(ledger.root, { versionsPath: `${LEDGER_DIR}/versions` });
	const report: OtherRefsReport = { inRepo: scan.inRepo, versions: [], problems: [...scan.problems], gitProcesses: scan.gitProcesses };
	const seen = new Set<string>();
	for (const m of scan.manifests) {
		const digest = DIGEST_FILE.exec(m.file)?.[1];
		if (!digest || seen.has(digest) || existsSync(ledger.manifestPath(m.model, digest))) continue;
		seen.add(digest);
		const rel = `${LEDGER_DIR}/versions/${m.model}/${m.file} (${m.sources[0]})`;
		if (manifestDigest(Buffer.from(m.text, 'utf8')) !== digest) {
			report.problems.push(`${rel} does not hash to its name; skipped.`);
			continue;
		}
		let manifest: VersionManifest;
		try {
			manifest = parseManifest(m.text, rel);
		} catch (err) {
			report.problems.push(describeError(err));
			continue;
		}
		if (manifest.model !== m.model) continue;
		const needed = new Set([...manifest.artifacts.map((a) => a.sha256), ...(manifest.git.patch ? [manifest.git.patch] : []), ...Object.values(manifest.lockfiles)]);
		report.versions.push({
			model: manifest.model,
			digest,
			number: manifest.number,
			label: manifest.label,
			createdAt: manifest.createdAt,
			author: manifest.author.name,
			message: manifest.message,
			commit: manifest.git.commit,
			refs: [...new Set(m.sources.map((s) => shortSource(s, ledger.root)))],
			objectsPresent: [...needed].filter((sha) => ledger.store.has(sha)).length,
			objectsTotal: needed.size,
			manifest,
		});
	}
	report.versions.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : b.number - a.number || (b.createdAt < a.createdAt ? -1 : 1)));
	return report;
}

/** `refs/heads/feature` → `feature`, `refs/remotes/origin/x` → `origin/x`, `refs/tags/v1` → `tag v1`; this worktree's HEAD → `HEAD`. */
export function shortSource(source: string, root: string): string {
	if (source.startsWith('refs/heads/')) return source.slice('refs/heads/'.length);
	if (source.startsWith('refs/remotes/')) return source.slice('refs/remotes/'.length);
	if (source.startsWith('refs/tags/')) return `tag ${source.slice('refs/tags/'.length)}`;
	if (source === 'refs/stash') return 'stash@{0}';
	if (source.startsWith('HEAD of worktree ')) return source.slice('HEAD of worktree '.length) === root ? 'HEAD' : source;
	return source;
}

/** An other-ref version as the registry names versions (no aliases: events about it are not here). */
export function otherRefSummary(v: OtherRefVersion, numberShared: boolean): VersionSummary {
	const m = v.manifest;
	return {
		model: v.model,
		number: v.number,
		label: v.label,
		digest: v.digest,
		createdAt: v.createdAt,
		author: m.author,
		message: v.message,
		aliases: [],
		git: { commit: m.git.commit, branch: m.git.branch, dirty: m.git.dirty },
		artifactCount: m.artifacts.length,
		numberShared,
	};
}

/**
 * Makes the versions git holds only on other refs readable through `ledger` (show, cat, diff, the
 * stored-file documents): their manifests come from git, their objects from the local store (or the
 * remote). Read-only: `ledger.resolve` and every write still see only the checked-out versions.
 */
export async function adoptOtherRefVersions(ledger: Ledger): Promise<OtherRefsReport> {
	const report = await otherRefVersions(ledger);
	const local = new Map<string, Set<number>>();
	const numbersOf = (model: string) => {
		let set = local.get(model);
		if (!set) local.set(model, (set = new Set(ledger.index.listVersions(model).map((v) => v.number))));
		return set;
	};
	const count = new Map<string, number>();
	for (const v of report.versions) count.set(`${v.model}\0${v.number}`, (count.get(`${v.model}\0${v.number}`) ?? 0) + 1);
	ledger.adoptOtherRefVersions(
		report.versions.map((v) => ({
			summary: otherRefSummary(v, numbersOf(v.model).has(v.number) || (count.get(`${v.model}\0${v.number}`) ?? 0) > 1),
			manifest: v.manifest,
			refs: v.refs,
		})),
	);
	return report;
}
