// Manifests that git holds outside the working tree: at every ref (branches, tags, remote-tracking
// branches, notes, anything under refs/), in each stash entry (`stash@{n}` from the stash reflog,
// with its index and untracked-files parents), in the index (staged manifests) and at the HEAD of
// every other worktree. Read with a constant number of git processes whatever the number of refs:
// `for-each-ref`, `log -g refs/stash`, `ls-files -s`, `worktree list`, ONE `cat-file --batch`
// that walks commit → versions tree → model trees → manifest blobs, each distinct object once, and
// a `cat-file --batch-check` before each level (versions trees, model trees, manifest blobs) that
// sizes the objects first: one over its limit is named and not read (planted content is untrusted).
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { gitDisabledReason } from '../snapshot/gitLineage';
import { formatMiB, MAX_MANIFEST_BYTES } from '../store/boundedRead';

export interface GitManifest {
	/** The git blob id of the manifest. */
	blob: string;
	model: string;
	/** The file name in `versions/<model>/` (`<digest>.yaml`). */
	file: string;
	text: string;
	/** Where it was found: `refs/heads/feature`, `stash@{0}`, `index`, `worktree /path`, `HEAD`. */
	sources: string[];
}

export interface GitManifestScan {
	/** False outside a git repository (nothing else is then filled in). */
	inRepo: boolean;
	/** Every source looked at, whether or not it held manifests. */
	sources: string[];
	manifests: GitManifest[];
	/** Why the scan may be incomplete (git failing, an object missing): callers that delete must stop. */
	problems: string[];
	/** Git processes started (the point of this module is that it does not grow with the refs). */
	gitProcesses: number;
}

export interface GitManifestOptions {
	/** Path of the versions folder relative to the workspace root (`.model-ledger/versions`). */
	versionsPath: string;
	/** Lower limits (tests); by default {@link MAX_GIT_TREE_BYTES} and {@link MAX_GIT_MANIFESTS}. */
	limits?: Partial<GitManifestLimits>;
}

export interface GitManifestLimits {
	/** A versions or model folder's tree object over this many bytes is not read. */
	treeBytes: number;
	/** Distinct manifest blobs read at most; the scan is incomplete past it. */
	manifests: number;
}

interface Source {
	name: string;
	/** A commit-ish (or tree) id. */
	id: string;
}

/** Reads every manifest git holds for the workspace at `root` (see the file comment for where it looks). */
export async function readGitManifests(root: string, options: GitManifestOptions): Promise<GitManifestScan> {
	const scan: GitManifestScan = { inRepo: false, sources: [], manifests: [], problems: [], gitProcesses: 0 };
	// Restricted Mode turns git off (a repository's config could run commands): nothing is read, and
	// the problem stops callers that delete (gc) the way a failing git does.
	const disabled = gitDisabledReason();
	if (disabled) {
		scan.problems.push(`git may not run: ${disabled}`);
		return scan;
	}
	const run = async (args: string[]): Promise<string> => {
		scan.gitProcesses++;
		return gitOutput(root, args);
	};
	const failed = (what: string) => (err: Error) => {
		scan.problems.push(`${what} failed (${err.message.split('\n')[0]})`);
		return '';
	};
	// All at once (these are independent); outside a repository they fail and nothing is reported.
	const repo = run(['rev-parse', '--is-inside-work-tree', '--show-prefix']).catch(() => '');
	const listings = Promise.all([
		run(['for-each-ref', '--format=%(objectname) %(refname)']).catch(failed('git for-each-ref')),
		run(['worktree', 'list', '--porcelain']).catch(failed('git worktree list')),
		run(['ls-files', '-s', '--', options.versionsPath]).catch(failed('git ls-files')),
	]);
	const out = (await repo).split('\n');
	if (out[0] !== 'true') {
		await listings;
		scan.problems = [];
		return scan; // Not a repository (or git missing): there is no history to read.
	}
	scan.inRepo = true;
	const versionsPath = `${out[1] ?? ''}${options.versionsPath}`;
	const [refList, worktrees, staged] = await listings;
	const sources: Source[] = [];
	let hasStash = false;
	for (const line of refList.split('\n')) {
		const m = /^([0-9a-f]{40,64}) (.+)$/.exec(line);
		if (!m) continue;
		if (m[2] === 'refs/stash') hasStash = true;
		sources.push({ name: m[2], id: m[1] });
	}
	let worktree = '';
	for (const line of worktrees.split('\n')) {
		if (line.startsWith('worktree ')) worktree = line.slice('worktree '.length);
		const head = /^HEAD ([0-9a-f]{40,64})$/.exec(line);
		if (head) sources.push({ name: `HEAD of worktree ${worktree}`, id: head[1] });
	}
	if (hasStash) {
		// Each entry: the working-tree commit, its index parent (^2) and, after `stash -u`, the untracked files (^3).
		const log = await run(['log', '-g', '--format=%H %P', 'refs/stash']).catch(failed('git log -g refs/stash'));
		log.split('\n').forEach((line, n) => {
			const ids = line.split(' ').filter((id) => /^[0-9a-f]{40,64}$/.test(id));
			if (ids.length === 0) return;
			sources.push({ name: `stash@{${n}}`, id: ids[0] });
			for (const parent of ids.slice(2)) sources.push({ name: `stash@{${n}}`, id: parent });
		});
	}
	scan.sources = [...new Set(sources.map((s) => s.name))];

	const limits: GitManifestLimits = { treeBytes: MAX_GIT_TREE_BYTES, manifests: MAX_GIT_MANIFESTS, ...options.limits };
	const blobSources = new Map<string, { model: string; file: string; sources: Set<string> }>();
	let overCount = false;
	const addBlob = (blob: string, model: string, file: string, source: string) => {
		if (!blobSources.has(blob) && blobSources.size >= limits.manifests) {
			if (!overCount) scan.problems.push(`git holds more than ${limits.manifests.toLocaleString('en-US')} distinct manifests across its refs (at ${source}: ${versionsPath}/${model}); the rest were not read. Model Ledger reads at most that many in one scan: delete stale branches or planted folders (\`git log --all --stat -- ${versionsPath}\` shows who added them).`);
			overCount = true;
			return;
		}
		const entry = blobSources.get(blob) ?? { model, file, sources: new Set<string>() };
		entry.sources.add(source);
		blobSources.set(blob, entry);
	};
	// Staged manifests: `<mode> <blob> <stage>\t<path>`.
	for (const line of staged.split('\n')) {
		const m = /^\d+ ([0-9a-f]{40,64}) \d\t(.+)$/.exec(line);
		const parts = m?.[2].split('/') ?? [];
		if (m && parts.length >= 2 && parts[parts.length - 1].endsWith('.yaml')) addBlob(m[1], parts[parts.length - 2], parts[parts.length - 1], 'index');
	}

	if (sources.length > 0 || blobSources.size > 0) {
		let batch: CatFileBatch;
		try {
			batch = new CatFileBatch(root);
			scan.gitProcesses++;
		} catch (err) {
			scan.problems.push(`git cat-file --batch could not start (${(err as Error).message})`);
			return scan;
		}
		try {
			await walk(root, batch, sources, versionsPath, addBlob, scan, limits);
			await readBlobs(root, batch, blobSources, options.versionsPath, scan);
		} catch (err) {
			scan.problems.push((err as Error).message);
		} finally {
			batch.close();
		}
	}
	return scan;
}

/** Reads the manifest blobs found, after sizing them: one over the manifest limit is reported, not read. */
async function readBlobs(root: string, batch: CatFileBatch, blobSources: Map<string, { model: string; file: string; sources: Set<string> }>, versionsPath: string, scan: GitManifestScan): Promise<void> {
	// Sizes first (`cat-file --batch-check`): a blob over the manifest limit is never read.
	if (blobSources.size === 0) return;
	const sizes = await objectSizes(root, [...blobSources.keys()]);
	scan.gitProcesses++;
	const blobs = [...blobSources.keys()].filter((blob) => {
		const entry = blobSources.get(blob)!;
		const size = sizes.get(blob);
		if (size === undefined || size <= MAX_MANIFEST_BYTES) return true;
		const where = `${versionsPath}/${entry.model}/${entry.file} (git blob ${blob.slice(0, 10)}, ${[...entry.sources][0]})`;
		scan.problems.push(`manifest ${where} is ${formatMiB(size)}, more than the ${formatMiB(MAX_MANIFEST_BYTES)} a manifest may have; it was not read. Model Ledger never writes one this big: delete it on that ref (\`git log --all -- ${versionsPath}/${entry.model}/${entry.file}\` shows who added it).`);
		return false;
	});
	const objects = await batch.read(blobs);
	blobs.forEach((blob, i) => {
		const entry = blobSources.get(blob)!;
		const object = objects[i];
		if (!object || object.type !== 'blob') {
			scan.problems.push(`manifest ${versionsPath}/${entry.model}/${entry.file} (git blob ${blob.slice(0, 10)}, ${[...entry.sources][0]}) is missing from the git object database`);
			return;
		}
		scan.manifests.push({ blob, model: entry.model, file: entry.file, text: object.data.toString('utf8'), sources: [...entry.sources] });
	});
}

/**
 * Git trees are sized before they are read, like manifest blobs: a planted branch whose versions
 * folder holds 1,000,000 entries is a 97 MB tree object (573 MB of peak memory to list it). A real
 * model folder holds ~97 bytes per version, so 16 MiB is ~170,000 versions of one model.
 */
export const MAX_GIT_TREE_BYTES = 16 * 1024 * 1024;
/** Trees are read in rounds of at most this many bytes, so their buffers are not all held at once. */
const TREE_ROUND_BYTES = 32 * 1024 * 1024;
/** Distinct manifest blobs read from git in one scan (each becomes a parsed manifest in memory). */
export const MAX_GIT_MANIFESTS = 200_000;

/** commit:versions → model trees → manifest blobs; each distinct tree is sized, then read once. */
async function walk(
	root: string,
	batch: CatFileBatch,
	sources: Source[],
	versionsPath: string,
	addBlob: (blob: string, model: string, file: string, source: string) => void,
	scan: GitManifestScan,
	limits: GitManifestLimits,
): Promise<void> {
	const byCommit = new Map<string, string[]>();
	for (const s of sources) byCommit.set(s.id, [...(byCommit.get(s.id) ?? []), s.name]);
	const commits = [...byCommit.keys()];
	// `<commit>:<path>` resolves the path in that commit's tree (tags are peeled); "missing" when absent.
	// Sized first (one `--batch-check`), so the versions trees are then read by id, each once.
	const rootInfo = await objectInfo(root, commits.map((id) => `${id}:${versionsPath}`));
	scan.gitProcesses++;
	const rootTrees = new Map<string, { size: number; sources: Set<string> }>();
	rootInfo.forEach((info, i) => {
		if (!info || info.type !== 'tree') return;
		const entry = rootTrees.get(info.id) ?? { size: info.size, sources: new Set<string>() };
		for (const name of byCommit.get(commits[i])!) entry.sources.add(name);
		rootTrees.set(info.id, entry);
	});
	const modelTrees = new Map<string, { model: string; sources: Set<string> }[]>();
	const readableRoots = [...rootTrees].filter(([id, t]) => treeWithinLimit(id, t.size, versionsPath, [...t.sources][0], scan, limits));
	await readTrees(batch, readableRoots.map(([id, t]) => ({ id, size: t.size })), (id, data) => {
		const names = rootTrees.get(id)!.sources;
		for (const entry of parseTree(data, id.length / 2)) {
			if (entry.mode !== '40000') continue;
			const list = modelTrees.get(entry.id) ?? [];
			list.push({ model: entry.name, sources: names });
			modelTrees.set(entry.id, list);
		}
	});
	const modelIds = [...modelTrees.keys()];
	const sizes = await objectSizes(root, modelIds);
	scan.gitProcesses++;
	const readable = modelIds.filter((tree) => {
		const uses = modelTrees.get(tree)!;
		const size = sizes.get(tree);
		if (size === undefined) return void scan.problems.push(`git tree ${tree.slice(0, 10)} (${versionsPath}/${uses[0].model}) is missing`);
		return treeWithinLimit(tree, size, `${versionsPath}/${uses[0].model}`, [...uses[0].sources][0], scan, limits);
	});
	await readTrees(batch, readable.map((id) => ({ id, size: sizes.get(id)! })), (tree, data) => {
		const uses = modelTrees.get(tree)!;
		for (const entry of parseTree(data, tree.length / 2)) {
			if (!entry.mode.startsWith('100') || !entry.name.endsWith('.yaml')) continue;
			for (const use of uses) for (const source of use.sources) addBlob(entry.id, use.model, entry.name, source);
		}
	});
}

/** False (and a problem naming the folder, the ref, the size and the fix) for a tree over the limit. */
function treeWithinLimit(id: string, size: number, folder: string, source: string, scan: GitManifestScan, limits: GitManifestLimits): boolean {
	if (size <= limits.treeBytes) return true;
	scan.problems.push(
		`the folder ${folder} (git tree ${id.slice(0, 10)}, ${source}) is ${formatMiB(size)}, more than the ${formatMiB(limits.treeBytes)} a versions folder may have (about ${Math.floor(limits.treeBytes / 97).toLocaleString('en-US')} manifests); it was not read. Model Ledger never writes one this big: delete it on that ref (\`git log --all --stat -- ${folder}\` shows who added it).`,
	);
	return false;
}

/** Reads trees by id in rounds bounded by bytes; `use` sees each tree's data once, then it is dropped. */
async function readTrees(batch: CatFileBatch, trees: { id: string; size: number }[], use: (id: string, data: Buffer) => void): Promise<void> {
	for (let start = 0; start < trees.length; ) {
		let end = start;
		let bytes = 0;
		while (end < trees.length && (end === start || bytes + trees[end].size <= TREE_ROUND_BYTES)) bytes += trees[end++].size;
		const round = trees.slice(start, end);
		const objects = await batch.read(round.map((t) => t.id));
		objects.forEach((object, i) => {
			if (object && object.type === 'tree') use(round[i].id, object.data);
		});
		start = end;
	}
}

interface TreeEntry {
	mode: string;
	name: string;
	id: string;
}

/** A raw tree object: `<mode> <name>\0<binary id>` repeated (id length 20 for SHA-1, 32 for SHA-256). */
function parseTree(data: Buffer, idBytes: number): TreeEntry[] {
	const entries: TreeEntry[] = [];
	let pos = 0;
	while (pos < data.length) {
		const space = data.indexOf(0x20, pos);
		const nul = data.indexOf(0, space);
		if (space < 0 || nul < 0 || nul + 1 + idBytes > data.length) break;
		entries.push({ mode: data.toString('latin1', pos, space), name: data.toString('utf8', space + 1, nul), id: data.toString('hex', nul + 1, nul + 1 + idBytes) });
		pos = nul + 1 + idBytes;
	}
	return entries;
}

/** What `git cat-file --batch-check` says of an object: one line per request, in order. */
interface ObjectInfo {
	id: string;
	type: string;
	size: number;
}

/**
 * The type and size of the object each request names (`git cat-file --batch-check`: one process,
 * requests on stdin, no content read), in the order asked; undefined where git says missing.
 */
function objectInfo(cwd: string, requests: string[]): Promise<Array<ObjectInfo | undefined>> {
	return new Promise((resolve, reject) => {
		if (requests.length === 0) return resolve([]);
		for (const r of requests) if (r.includes('\n')) return reject(new Error(`a git object name with a newline cannot be read: ${JSON.stringify(r)}`));
		const child = spawn('git', ['cat-file', '--batch-check'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
		child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`git cat-file --batch-check failed (exit ${code}): ${err.trim()}`));
			const lines = out.split('\n');
			resolve(
				requests.map((_, i) => {
					const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(lines[i] ?? '');
					return m ? { id: m[1], type: m[2], size: Number(m[3]) } : undefined;
				}),
			);
		});
		child.stdin.on('error', () => undefined); // reported through 'close'
		child.stdin.end(requests.join('\n') + '\n');
	});
}

/** The size of each object by id; an id git does not know is absent from the map. */
async function objectSizes(cwd: string, ids: string[]): Promise<Map<string, number>> {
	const sizes = new Map<string, number>();
	(await objectInfo(cwd, ids)).forEach((info, i) => {
		if (info) sizes.set(ids[i], info.size);
	});
	return sizes;
}

function gitOutput(cwd: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
			if (err) reject(new Error(`git ${args[0]}: ${(stderr || err.message).trim()}`));
			else resolve(stdout);
		});
	});
}

export interface GitObject {
	id: string;
	type: string;
	data: Buffer;
}

/**
 * One long-lived `git cat-file --batch`: requests are written, answers are read in order, and the
 * process serves any number of rounds. A request names an object (`<id>`, `<rev>:<path>`); the answer
 * is the object or undefined when git says it is missing or ambiguous.
 */
export class CatFileBatch {
	private readonly child: ChildProcessWithoutNullStreams;
	private buffer: Buffer = Buffer.alloc(0);
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	/** Bytes the buffer must hold before the next answer can be complete. */
	private need = 0;
	private waiting: Array<(object: GitObject | undefined) => void> = [];
	private failure: Error | undefined;
	private stderr = '';

	constructor(cwd: string) {
		this.child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
		this.child.stdout.on('data', (chunk: Buffer) => {
			// Chunks are joined only once an answer can be complete: joining on every 64 KB chunk
			// would copy a big object hundreds of times.
			this.pending.push(chunk);
			this.pendingBytes += chunk.length;
			if (this.buffer.length + this.pendingBytes < this.need) return;
			this.buffer = Buffer.concat([this.buffer, ...this.pending]);
			this.pending = [];
			this.pendingBytes = 0;
			this.drain();
		});
		this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
		const fail = (err: Error) => {
			this.failure = err;
			for (const w of this.waiting.splice(0)) w(undefined);
		};
		this.child.on('error', fail);
		this.child.on('close', (code) => {
			if (this.waiting.length) fail(new Error(`git cat-file --batch stopped (exit ${code}): ${this.stderr.trim()}`));
		});
		this.child.stdin.on('error', () => undefined); // reported through 'close'
	}

	/** The objects named by `requests`, in the same order. */
	async read(requests: string[]): Promise<Array<GitObject | undefined>> {
		if (requests.length === 0) return [];
		if (this.failure) throw this.failure;
		for (const r of requests) if (r.includes('\n')) throw new Error(`a git object name with a newline cannot be read: ${JSON.stringify(r)}`);
		const answers = requests.map(() => new Promise<GitObject | undefined>((resolve) => this.waiting.push(resolve)));
		this.child.stdin.write(requests.join('\n') + '\n');
		const result = await Promise.all(answers);
		if (this.failure) throw this.failure;
		return result;
	}

	close(): void {
		this.child.stdin.end();
	}

	private drain(): void {
		for (;;) {
			this.need = 0;
			const eol = this.buffer.indexOf(0x0a);
			if (this.waiting.length === 0) return;
			if (eol < 0) return void (this.need = this.buffer.length + 1);
			const header = this.buffer.toString('utf8', 0, eol);
			const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
			if (!m) {
				// `<request> missing` / `<request> ambiguous`: no content follows.
				this.buffer = this.buffer.subarray(eol + 1);
				this.waiting.shift()!(undefined);
				continue;
			}
			const size = Number(m[3]);
			if (this.buffer.length < eol + 1 + size + 1) return void (this.need = eol + 1 + size + 1); // the content is still coming
			// A view, not a copy: stream chunks are never reused.
			const data = this.buffer.subarray(eol + 1, eol + 1 + size);
			this.buffer = this.buffer.subarray(eol + 1 + size + 1);
			this.waiting.shift()!({ id: m[1], type: m[2], data });
		}
	}
}
