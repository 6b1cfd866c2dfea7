// Which workspace paths can ever be a model's file. Manifests travel with git, so a teammate's branch
// or a cloned repository can name any path; restore writes only paths that pass these rules (and
// that the model's current globs track), and snapshot never stores a path that fails them, so a
// manifest naming one was not written by Model Ledger: it is reported as suspect, never indexed.

/**
 * Path segments (case-insensitive, at any depth) under which nothing is a model file: what git,
 * CI, editors and shells read as configuration or run as code when a folder is opened, a command
 * runs or a commit is made, plus the ledger itself and dependency trees. `.git*` covers `.git/`
 * (hooks), `.gitmodules`, `.gitattributes` and `.github/` (workflows run in CI with its secrets).
 */
const NEVER_SEGMENTS = ['.model-ledger', '.vscode', '.idea', '.devcontainer', '.husky', 'node_modules', '.venv', '__pycache__'];

/** Glob ignore patterns for the same folders (snapshot never even walks them). */
export const NEVER_TRACKED_GLOBS = ['**/.git/**', '**/.git*', '**/.git*/**', ...NEVER_SEGMENTS.map((s) => `**/${s}/**`), '**/model-ledger.yaml', '**/.envrc'];

/** The longest name (path segment) in bytes file systems hold (Linux, macOS, Windows: 255). */
const MAX_NAME_BYTES = 255;

/** C0 and C1 control characters and DEL: a name with one can rewrite a terminal or split a line-based listing. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `path` (workspace-relative, forward slashes) can never be a model's file, or undefined when it
 * can. Structural only: whether the model's globs track it is checked separately.
 */
export function unsafeArtifactPath(path: string): string | undefined {
	if (typeof path !== 'string' || path === '') return 'it is empty';
	const control = CONTROL.exec(path);
	if (control) return `its name holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
	if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is absolute';
	// A backslash is a folder separator on Windows: `..\\x` would leave the workspace there.
	if (path.includes('\\')) return 'it holds a backslash';
	const segments = path.split('/');
	if (segments.includes('..')) return 'it leaves the workspace (`..`)';
	if (segments.some((s) => s === '' || s === '.')) return 'it has an empty or `.` segment';
	// No file system holds a longer name, so no snapshot stored one (restore would fail with ENAMETOOLONG).
	const long = segments.find((s) => s.length > MAX_NAME_BYTES / 3 && Buffer.byteLength(s) > MAX_NAME_BYTES);
	if (long !== undefined) return `a name in it is ${Buffer.byteLength(long)} bytes long, more than the ${MAX_NAME_BYTES} a file system allows`;
	for (const segment of segments) {
		const lower = segment.toLowerCase();
		if (lower.startsWith('.git')) return `it lies in git's or CI's configuration (\`${segment}\`)`;
		if (NEVER_SEGMENTS.includes(lower)) return `it lies in \`${segment}/\`, which is never a model's file`;
	}
	const name = segments[segments.length - 1].toLowerCase();
	if (name === 'model-ledger.yaml') return 'it is the workspace configuration (`model-ledger.yaml`)';
	if (((name === '.env' || name.startsWith('.env.')) && !isEnvTemplate(name)) || name === '.envrc') return 'it is an environment file (`.env*`), which holds secrets or runs as shell code';
	return undefined;
}

// Templates committed on purpose (placeholders and settings such as `CHUNK_SIZE=512`): versioned like
// any config, and secret-scanned like one. No loader reads them as the environment.
const ENV_TEMPLATE = /^\.env\.(?:example|sample|template|dist|defaults)$/i;

/** `.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.defaults` (a file name, any case). */
export function isEnvTemplate(name: string): boolean {
	return ENV_TEMPLATE.test(name);
}

/** The paths of `paths` that can never be a model's file, each with why. */
export function unsafeArtifactPaths(paths: Iterable<string>): Array<{ path: string; why: string }> {
	const found: Array<{ path: string; why: string }> = [];
	for (const path of paths) {
		const why = unsafeArtifactPath(path);
		if (why) found.push({ path, why });
	}
	return found;
}

/** A path for a message: control characters shown as `\xNN` / `\uNNNN`, so a name cannot rewrite the terminal. */
export function printablePath(path: string): string {
	return JSON.stringify(path).slice(1, -1);
}
