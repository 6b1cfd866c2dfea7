// A shared or network folder as a remote (`file:///mnt/shared/ledger`). Objects are written to
// tmp/ inside the remote folder, fsynced, then renamed into place: readers on other machines see an
// object whole or not at all, and an interrupted push leaves only a tmp file (never a partial object).
import { createReadStream, existsSync } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cancelled, LedgerError } from '../errors';
import { fsyncDir } from '../store/objectStore';
import { remoteTmpIsLeftover, remoteTmpName } from '../store/leftovers';
import type { RemoteConfig } from '../parse/workspaceConfig';
import { describeRemote, objectKey } from './types';
import type { RemoteStore } from './types';

export class FolderRemote implements RemoteStore {
	private readonly root: string;

	constructor(readonly config: RemoteConfig) {
		this.root = config.path!;
	}

	async list(): Promise<Map<string, number>> {
		this.checkMounted();
		const result = new Map<string, number>();
		const base = join(this.root, 'objects', 'sha256');
		for (const dir of await listDir(base)) {
			if (!/^[0-9a-f]{2}$/.test(dir)) continue;
			for (const name of await listDir(join(base, dir))) {
				if (!/^[0-9a-f]{62}$/.test(name)) continue;
				try {
					result.set(dir + name, (await stat(join(base, dir, name))).size);
				} catch {
					// Removed while listing: not there.
				}
			}
		}
		return result;
	}

	async stat(sha256: string): Promise<number | undefined> {
		try {
			return (await stat(this.pathOf(sha256))).size;
		} catch {
			return undefined;
		}
	}

	async upload(sha256: string, _size: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
		this.checkMounted();
		const tmpDir = join(this.root, 'tmp');
		await mkdir(tmpDir, { recursive: true });
		const tmp = join(tmpDir, remoteTmpName(sha256));
		let handle: FileHandle | undefined;
		try {
			handle = await open(tmp, 'wx', 0o644);
			for await (const chunk of body) {
				if (signal?.aborted) throw cancelled('Transfer');
				await handle.write(chunk);
			}
			await handle.sync();
			await handle.close();
			handle = undefined;
			const finalPath = this.pathOf(sha256);
			await mkdir(dirname(finalPath), { recursive: true });
			await chmod(tmp, 0o444);
			// Content-addressed: replacing an existing (possibly damaged) copy with verified bytes is safe.
			await rename(tmp, finalPath);
			fsyncDir(dirname(finalPath));
		} catch (err) {
			await handle?.close().catch(() => undefined);
			await rm(tmp, { force: true }).catch(() => undefined);
			throw err;
		}
	}

	async download(sha256: string): Promise<AsyncIterable<Uint8Array> | undefined> {
		const path = this.pathOf(sha256);
		if (!existsSync(path)) return undefined;
		return createReadStream(path, { highWaterMark: 1024 * 1024 });
	}

	/**
	 * Removes tmp files of pushes that were killed: written on this machine by a process that is gone
	 * (the name carries host and pid), or by anyone but untouched for a day. The folder is shared by
	 * machines, so another host's recent tmp file is never touched. Returns how many were removed.
	 */
	async cleanLeftovers(now = Date.now()): Promise<number> {
		const tmpDir = join(this.root, 'tmp');
		let removed = 0;
		for (const name of await listDir(tmpDir)) {
			try {
				const s = await lstat(join(tmpDir, name));
				if (!s.isFile() || !remoteTmpIsLeftover(name, s.mtimeMs, now)) continue;
				await unlink(join(tmpDir, name));
				removed++;
			} catch {
				// Removed by another machine meanwhile, or a read-only share: nothing to do.
			}
		}
		return removed;
	}

	close(): void {}

	private pathOf(sha256: string): string {
		return join(this.root, objectKey('', sha256));
	}

	/** A folder whose parent is gone is most likely an unmounted share: refuse rather than fill the local disk. */
	private checkMounted(): void {
		if (!existsSync(dirname(this.root))) {
			throw new LedgerError({
				code: 'REMOTE_UNREACHABLE',
				message: `The folder of ${describeRemote(this.config)} is not reachable: ${dirname(this.root)} does not exist.`,
				fix: 'Mount the shared folder (or create it), then try again.',
			});
		}
	}
}

async function listDir(dir: string): Promise<string[]> {
	try {
		return await readdir(dir);
	} catch {
		return [];
	}
}
