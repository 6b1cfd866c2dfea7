// Uploads read local objects through this: the bytes are hashed on their way out, so a corrupt
// local object fails its upload instead of reaching the remote.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cancelled, LedgerError } from '../errors';

const CHUNK = 1024 * 1024;

/**
 * The bytes of a local file in 1 MiB chunks, hashed on the way; throws after the last chunk when
 * they do not hash to `expected`, so an upload consuming it fails before it completes.
 */
export async function* verifiedChunks(absPath: string, expected: string, onBytes?: (n: number) => void, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
	const handle = await open(absPath, 'r');
	try {
		const hash = createHash('sha256');
		for (;;) {
			if (signal?.aborted) throw cancelled('Transfer');
			// A fresh buffer per chunk: consumers (the S3 uploader) may hold on to it.
			const buffer = Buffer.allocUnsafe(CHUNK);
			const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
			if (bytesRead === 0) break;
			const chunk = buffer.subarray(0, bytesRead);
			hash.update(chunk);
			yield chunk;
			onBytes?.(bytesRead);
		}
		const actual = hash.digest('hex');
		if (actual !== expected) {
			throw new LedgerError({
				code: 'OBJECT_CORRUPT',
				message: `Local object ${expected.slice(0, 12)}… is corrupt (its content hashes to ${actual.slice(0, 12)}…); it was not pushed.`,
				fix: 'Run `model-ledger verify` to list the affected versions.',
				location: { file: absPath },
			});
		}
	} finally {
		await handle.close();
	}
}
