// Whether git carries the registry: versions whose manifest git does not track (never `git add`ed)
// exist only on this machine — nobody who clones or pulls sees them. One `git ls-files` per call.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { modelFolders } from '../store/noFollow';
import { gitDisabledReason } from '../snapshot/gitLineage';
import { COMMIT_PATHS } from '../init/initWorkspace';

export interface RegistryTracking {
	/** False outside a git repository (or with git unavailable): nothing to warn about. */
	repository: boolean;
	/** Manifests on disk (`.model-ledger/versions/<model>/<digest>.yaml`) that git does not track. */
	untrackedVersions: string[];
	/** `model-ledger.yaml` exists and git does not track it. */
	configUntracked: boolean;
	/** What to `git add`. */
	commit: string[];
}

/** Manifests and config of the ledger at `root` that git does not track (workspace-relative paths). */
export async function registryTracking(root: string): Promise<RegistryTracking> {
	const none: RegistryTracking = { repository: false, untrackedVersions: [], configUntracked: false, commit: COMMIT_PATHS };
	if (gitDisabledReason()) return none;
	const tracked = await new Promise<string | null>((resolve) => {
		execFile('git', ['ls-files', '-z', '--', '.model-ledger/versions', 'model-ledger.yaml'], { cwd: root, timeout: 15_000, windowsHide: true, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => resolve(err ? null : stdout));
	});
	if (tracked === null) return none;
	const known = new Set(tracked.split('\0').filter(Boolean));
	const untrackedVersions: string[] = [];
	const versionsDir = join(root, '.model-ledger', 'versions');
	// Linked model folders are never listed through (list and verify report them).
	for (const model of modelFolders(versionsDir).models) {
		let names: string[] = [];
		try {
			names = readdirSync(join(versionsDir, model));
		} catch {
			continue;
		}
		for (const name of names) {
			if (!name.endsWith('.yaml')) continue;
			const rel = `.model-ledger/versions/${model}/${name}`;
			if (!known.has(rel)) untrackedVersions.push(rel);
		}
	}
	return { repository: true, untrackedVersions, configUntracked: !known.has('model-ledger.yaml'), commit: COMMIT_PATHS };
}
