// Manifests that git holds outside the working tree: at every ref (branches, tags, remote-tracking
// branches, notes, anything under refs/), in each stash entry (`stash@{n}` from the stash reflog,
// with its index and untracked-files parents), in the index (staged manifests) and at the HEAD of
// every other worktree. Read with a constant number of git processes whatever the number of refs:
// `for-each-ref`, `log -g refs/stash`, `ls-files -s`, `worktree list`, ONE `cat-file --batch`
// that walks commit → versions tree → model trees → manifest blobs, each distinct object once, and
// ONE `cat-file --batch-check` that sizes the manifest blobs first (one over the limit is not read).
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

	const blobSources = new Map<string, { model: string; file: string; sources: Set<string> }>();
	const addBlob = (blob: string, model: string, file: string, source: string) => {
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
			await walk(batch, sources, versionsPath, addBlob, scan);
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

/** commit:versions → model trees → manifest blobs; each distinct tree is read once. */
async function walk(
	batch: CatFileBatch,
	sources: Source[],
	versionsPath: string,
	addBlob: (blob: string, model: string, file: string, source: string) => void,
	scan: GitManifestScan,
): Promise<void> {
	const byCommit = new Map<string, string[]>();
	for (const s of sources) byCommit.set(s.id, [...(byCommit.get(s.id) ?? []), s.name]);
	const commits = [...byCommit.keys()];
	// `<commit>:<path>` resolves the path in that commit's tree (tags are peeled); "missing" when absent.
	// The answer is the versions tree itself (its entries): the model trees are read next, each once.
	const roots = await batch.read(commits.map((id) => `${id}:${versionsPath}`));
	const modelTrees = new Map<string, { model: string; sources: Set<string> }[]>();
	const seenRoots = new Map<string, Set<string>>();
	roots.forEach((object, i) => {
		if (!object || object.type !== 'tree') return;
		const known = seenRoots.get(object.id);
		if (known) {
			for (const name of byCommit.get(commits[i])!) known.add(name);
			return;
		}
		const names = new Set(byCommit.get(commits[i]));
		seenRoots.set(object.id, names);
		for (const entry of parseTree(object.data, object.id.length / 2)) {
			if (entry.mode !== '40000') continue;
			const list = modelTrees.get(entry.id) ?? [];
			list.push({ model: entry.name, sources: names });
			modelTrees.set(entry.id, list);
		}
	});
	const modelIds = [...modelTrees.keys()];
	const modelObjects = await batch.read(modelIds);
	modelIds.forEach((tree, i) => {
		const object = modelObjects[i];
		const uses = modelTrees.get(tree)!;
		if (!object) return void scan.problems.push(`git tree ${tree.slice(0, 10)} (${versionsPath}/${uses[0].model}) is missing`);
		for (const entry of parseTree(object.data, object.id.length / 2)) {
			if (!entry.mode.startsWith('100') || !entry.name.endsWith('.yaml')) continue;
			for (const use of uses) for (const source of use.sources) addBlob(entry.id, use.model, entry.name, source);
		}
	});
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

/**
 * The size of each object (`git cat-file --batch-check`: one process, ids on stdin, no content read);
 * an id git does not know is absent from the map.
 */
function objectSizes(cwd: string, ids: string[]): Promise<Map<string, number>> {
	return new Promise((resolve, reject) => {
		const sizes = new Map<string, number>();
		if (ids.length === 0) return resolve(sizes);
		const child = spawn('git', ['cat-file', '--batch-check'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
		child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`git cat-file --batch-check failed (exit ${code}): ${err.trim()}`));
			for (const line of out.split('\n')) {
				const m = /^([0-9a-f]{40,64}) \S+ (\d+)$/.exec(line);
				if (m) sizes.set(m[1], Number(m[2]));
			}
			resolve(sizes);
		});
		child.stdin.on('error', () => undefined); // reported through 'close'
		child.stdin.end(ids.join('\n') + '\n');
	});
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
