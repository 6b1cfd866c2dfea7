// Which remote a command uses (`--remote`, `default_remote`, the only one) and opening it: the one
// place that knows the implementations, each loaded on first use.
import { LedgerError } from '../errors';
import type { RemoteConfig, WorkspaceConfig } from '../parse/workspaceConfig';
import { CONFIG_FILE } from '../parse/workspaceConfig';
import type { MultipartOptions, RemoteStore } from './types';

/** The remote to use: `name`, else `default_remote`, else the only one. Throws with a fix when none fits. */
export function selectRemote(config: WorkspaceConfig, name?: string): RemoteConfig {
	const remotes = config.remotes ?? [];
	if (remotes.length === 0) {
		throw new LedgerError({
			code: 'NO_REMOTE',
			message: `No remote is configured in ${CONFIG_FILE}.`,
			fix: 'Add e.g. `remotes: { team: { url: "s3://bucket/prefix" } }` (or `url: file:///mnt/shared/ledger`) and `default_remote: team`.',
			location: { file: CONFIG_FILE },
		});
	}
	if (name !== undefined) {
		const found = remotes.find((r) => r.name === name);
		if (!found) throw new LedgerError({ code: 'UNKNOWN_REMOTE', message: `Unknown remote \`${name}\`.`, fix: `Remotes in ${CONFIG_FILE}: ${remotes.map((r) => r.name).join(', ')}.`, location: { file: CONFIG_FILE } });
		return found;
	}
	if (config.defaultRemote) return remotes.find((r) => r.name === config.defaultRemote)!;
	if (remotes.length === 1) return remotes[0];
	throw new LedgerError({
		code: 'NO_DEFAULT_REMOTE',
		message: `${remotes.length} remotes are configured and none is the default.`,
		fix: `Pass --remote NAME (one of ${remotes.map((r) => r.name).join(', ')}) or set \`default_remote\` in ${CONFIG_FILE}.`,
		location: { file: CONFIG_FILE },
	});
}

/** Opens a remote. The S3 client (the AWS SDK) is loaded only here, only for s3:// remotes. */
export async function openRemote(config: RemoteConfig, multipart: MultipartOptions = {}): Promise<RemoteStore> {
	if (config.kind === 'file') {
		const { FolderRemote } = await import('./folderRemote');
		return new FolderRemote(config);
	}
	// Bundled into its own file (dist/remotes.js) so the SDK costs nothing until an s3 remote is used.
	const { createS3Remote } = await import('./s3Remote');
	return createS3Remote(config, multipart);
}
