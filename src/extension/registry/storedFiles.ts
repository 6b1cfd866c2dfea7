// Stored files are documents: a read-only file system for the `model-ledger:` scheme serves any file
// of any version from the object store. The URI's path is the artifact's workspace path (so tab
// titles and language modes come out as for the real file) and its query names the version:
//   model-ledger:/prompts/system.md?{"root":"/ws","model":"support-bot","digest":"…"}
import { getOwn } from '../../core/ownKeys';
import { closeSync, openSync, readSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ArtifactRecord, VersionManifest } from '../../core/model';
import { binarySummary, decodeStoredFileQuery, encodeStoredFileQuery, showsAsSummary, STORED_FILE_SCHEME } from './storedFileContent';
import type { StoredFileRef } from './storedFileContent';
import type { WorkspaceLedgers } from '../workspaceLedgers';
import type { Ledger } from '../../core/ledger';

/** The URI of one file of one version. */
export function storedFileUri(ref: StoredFileRef, path: string): vscode.Uri {
	return vscode.Uri.from({ scheme: STORED_FILE_SCHEME, path: `/${path.replace(/^\/+/, '')}`, query: encodeStoredFileQuery(ref) });
}

/** The version and path a `model-ledger:` URI names. */
export function parseStoredFileUri(uri: vscode.Uri): { ref: StoredFileRef; path: string } {
	return { ref: decodeStoredFileQuery(uri.query), path: uri.path.replace(/^\/+/, '') };
}

/** The working copy of a workspace file. */
export function workingFileUri(root: string, path: string): vscode.Uri {
	// eslint-disable-next-line no-restricted-syntax -- path segments: bounded by the path's length
	return vscode.Uri.joinPath(vscode.Uri.file(root), ...path.split('/'));
}

/** Reads up to `bytes` from the start of a file (to sniff binary content without reading gigabytes). */
function readHead(file: string, bytes: number): Uint8Array {
	const fd = openSync(file, 'r');
	try {
		const buf = Buffer.alloc(bytes);
		const n = readSync(fd, buf, 0, bytes, 0);
		return buf.subarray(0, n);
	} finally {
		closeSync(fd);
	}
}

export class StoredFileSystem implements vscode.FileSystemProvider {
	private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
	// Versions are immutable, so nothing ever changes: the event exists because the API requires it.
	readonly onDidChangeFile = this.emitter.event;
	private readonly manifests = new Map<string, VersionManifest>();

	constructor(private readonly ledgers: WorkspaceLedgers) {}

	private ledgerOf(ref: StoredFileRef): Ledger {
		const entry = this.ledgers.forRoot(ref.root);
		if (!entry) throw vscode.FileSystemError.Unavailable(`${ref.root} is not a workspace folder with a model-ledger.yaml in this window.`);
		return entry.ledger;
	}

	private resolve(uri: vscode.Uri): { ledger: Ledger; ref: StoredFileRef; manifest: VersionManifest; artifact: ArtifactRecord } {
		let parsed;
		try {
			parsed = parseStoredFileUri(uri);
		} catch (err) {
			throw vscode.FileSystemError.FileNotFound(`${uri.toString(true)}: ${(err as Error).message}`);
		}
		const { ref, path } = parsed;
		const ledger = this.ledgerOf(ref);
		let manifest = this.manifests.get(ref.digest);
		if (!manifest) {
			try {
				manifest = ledger.readManifest({ model: ref.model, digest: ref.digest });
			} catch (err) {
				throw vscode.FileSystemError.FileNotFound(`${ref.model} has no version ${ref.digest.slice(0, 12)} in ${ref.root}: ${(err as Error).message}`);
			}
			this.manifests.set(ref.digest, manifest);
		}
		const artifact = manifest.artifacts.find((a) => a.path === path);
		if (!artifact) throw vscode.FileSystemError.FileNotFound(`${ref.model} v${manifest.number} has no file ${path}.`);
		return { ledger, ref, manifest, artifact };
	}

	stat(uri: vscode.Uri): vscode.FileStat {
		const { manifest, artifact, ledger } = this.resolve(uri);
		const time = new Date(manifest.createdAt).getTime();
		// Summaries are small; their exact length is only known once rendered.
		const size = this.isSummary(ledger, artifact) ? this.content(uri).length : artifact.size;
		return { type: vscode.FileType.File, ctime: time, mtime: time, size, permissions: vscode.FilePermission.Readonly };
	}

	async readFile(uri: vscode.Uri): Promise<Uint8Array> {
		const { ledger, ref, manifest, artifact } = this.resolve(uri);
		// A text file whose bytes are only on the remote is pulled (verified, with progress) on open.
		if (!showsAsSummary(artifact) && !ledger.store.has(artifact.sha256)) {
			try {
				await ledger.ensureObjects([artifact.sha256]);
			} catch (err) {
				throw vscode.FileSystemError.Unavailable(`${artifact.path} of ${ref.model} v${manifest.number}: ${(err as Error).message}`);
			}
		}
		return this.content(uri);
	}

	private isSummary(ledger: Ledger, artifact: ArtifactRecord): boolean {
		if (showsAsSummary(artifact)) return true;
		if (!ledger.store.has(artifact.sha256)) return true;
		return showsAsSummary(artifact, readHead(ledger.store.objectPath(artifact.sha256), 8000));
	}

	private content(uri: vscode.Uri): Uint8Array {
		const { ledger, ref, manifest, artifact } = this.resolve(uri);
		if (this.isSummary(ledger, artifact)) {
			const text = binarySummary({
				model: ref.model,
				versionName: ref.name ?? `v${manifest.number}`,
				artifact,
				weights: getOwn(manifest.weights, artifact.path),
				stored: ledger.store.has(artifact.sha256),
			});
			return Buffer.from(text, 'utf8');
		}
		try {
			return ledger.store.read(artifact.sha256);
		} catch (err) {
			throw vscode.FileSystemError.Unavailable(`${artifact.path} of ${ref.model} v${manifest.number}: ${(err as Error).message}`);
		}
	}

	watch(): vscode.Disposable {
		return new vscode.Disposable(() => undefined);
	}

	readDirectory(): [string, vscode.FileType][] {
		return [];
	}

	createDirectory(uri: vscode.Uri): void {
		throw vscode.FileSystemError.NoPermissions(uri);
	}

	writeFile(uri: vscode.Uri): void {
		throw vscode.FileSystemError.NoPermissions(uri);
	}

	delete(uri: vscode.Uri): void {
		throw vscode.FileSystemError.NoPermissions(uri);
	}

	rename(uri: vscode.Uri): void {
		throw vscode.FileSystemError.NoPermissions(uri);
	}

	dispose(): void {
		this.emitter.dispose();
	}
}

export function registerStoredFiles(ledgers: WorkspaceLedgers): vscode.Disposable {
	const provider = new StoredFileSystem(ledgers);
	return vscode.Disposable.from(
		provider,
		vscode.workspace.registerFileSystemProvider(STORED_FILE_SCHEME, provider, { isReadonly: true, isCaseSensitive: true }),
	);
}
