// Git LFS pointer files: what a repository holds in place of a large file when the content was not
// fetched (`GIT_LFS_SKIP_SMUDGE=1`, a clone without git-lfs, `git lfs pull` not run yet). Hugging
// Face model repositories and openai/evals' data are stored this way. A pointer is data about the
// file, never its content: it must not be read as weights, params or a prompt.
// Format: https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md (a pointer is under 1024 bytes).

/** Pointer files are smaller than this, by the spec. */
export const MAX_LFS_POINTER_BYTES = 1024;

const POINTER = /^version https:\/\/(?:git-lfs\.github\.com\/spec\/v1|hawser\.github\.com\/spec\/v1)\n(?:[a-z0-9.-]+ [^\n]*\n)*?oid sha256:([0-9a-f]{64})\n(?:[a-z0-9.-]+ [^\n]*\n)*?size (\d+)\n/;

export interface LfsPointer {
	/** The object's SHA-256, as git-lfs names it. */
	oid: string;
	/** The content's size in bytes. */
	size: number;
}

/** The object a Git LFS pointer names, or undefined when `bytes` is not a pointer file. */
export function lfsPointer(bytes: Uint8Array): LfsPointer | undefined {
	if (bytes.length >= MAX_LFS_POINTER_BYTES || bytes.length < 40) return undefined;
	const match = POINTER.exec(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
	return match ? { oid: match[1], size: Number(match[2]) } : undefined;
}
