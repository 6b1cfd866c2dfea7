// What `init` looks at: one bounded walk of the workspace (names and sizes), then the first bytes of
// the few files whose name or extension can say what they are. Nothing is parsed as a whole, nothing
// executed; a 100,000-file repository costs one walk and small reads of at most MAX_READ_TOTAL bytes.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Entries (files and folders) the walk visits at most; beyond it the scan says it stopped. */
export const MAX_ENTRIES = 300_000;
/** Files whose first bytes are read at most (structured files and text that may be a prompt)… */
const MAX_READS = 50_000;
/** …and bytes read in all: an evaluation suite's 14,000 small task configs are read whole, 100,000 big files are not. */
const MAX_READ_TOTAL = 64 * 1024 * 1024;
/** Bytes read from the head of a file: keys and template variables show in the first screens. */
const HEAD_BYTES = 16 * 1024;
/** Structured or text files larger than this are data (a dataset, a dump), not a config or a prompt. */
const MAX_READ_SIZE = 1024 * 1024;

/**
 * Folders never entered: VCS, dependencies, caches, build output, tests and docs (their configs are
 * fixtures and examples), and recorded test traffic (vcrpy cassettes, promptflow's recordings).
 */
const SKIPPED_DIRS = new Set([
	'node_modules', '__pycache__', 'site-packages', 'dist', 'build', 'target', 'venv',
	'tests', 'test', '__tests__', 'testing', 'fixtures', '__snapshots__', 'cassettes', 'recordings',
	'docs', 'doc', 'wandb', 'mlruns', 'lightning_logs',
]);
/** Intermediate Hugging Face trainer checkpoints: copies of the final folder. */
const CHECKPOINT_DIR = /^checkpoint-\d+$/;

export interface LayoutScan {
	/** Workspace-relative paths, forward slashes, sorted. */
	files: string[];
	/** True when the walk stopped at MAX_ENTRIES. */
	truncated: boolean;
	entries: number;
	/** Head of a file (at most HEAD_BYTES), or undefined when too large, unreadable or over the read budget. */
	head(path: string): string | undefined;
	reads: number;
}

/** Walks the workspace once, skipping hidden folders and SKIPPED_DIRS. */
export function scanLayout(root: string): LayoutScan {
	const files: string[] = [];
	let entries = 0;
	let truncated = false;
	const stack = [''];
	while (stack.length > 0 && !truncated) {
		const dir = stack.pop()!;
		let list;
		try {
			list = readdirSync(dir ? join(root, dir) : root, { withFileTypes: true });
		} catch {
			continue;
		}
		for (const entry of list) {
			if (++entries > MAX_ENTRIES) {
				truncated = true;
				break;
			}
			const name = entry.name;
			const rel = dir ? `${dir}/${name}` : name;
			if (entry.isDirectory()) {
				if (name.startsWith('.') || SKIPPED_DIRS.has(name) || CHECKPOINT_DIR.test(name) || rel === '.model-ledger') continue;
				stack.push(rel);
			} else if (entry.isFile() && !name.startsWith('.env')) {
				files.push(rel);
			}
		}
	}
	files.sort();
	const heads = new Map<string, string | undefined>();
	let reads = 0;
	let bytes = 0;
	const scan: LayoutScan = {
		files,
		truncated,
		entries,
		reads: 0,
		head(path) {
			if (heads.has(path)) return heads.get(path);
			let text: string | undefined;
			if (reads < MAX_READS && bytes < MAX_READ_TOTAL) {
				reads++;
				scan.reads = reads;
				text = readHead(join(root, path));
				bytes += text?.length ?? 0;
			}
			heads.set(path, text);
			return text;
		},
	};
	return scan;
}

function readHead(abs: string): string | undefined {
	try {
		const size = statSync(abs).size;
		if (size > MAX_READ_SIZE) return undefined;
		const fd = openSync(abs, 'r');
		try {
			const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
			const n = readSync(fd, buf, 0, buf.length, 0);
			const bytes = buf.subarray(0, n);
			return bytes.includes(0) ? undefined : bytes.toString('utf8');
		} finally {
			closeSync(fd);
		}
	} catch {
		return undefined;
	}
}
