// `model-ledger` starts here (dist/cli.js): it turns on Node's on-disk compile cache, then loads the
// CLI itself (dist/cliMain.js, built from main.ts). Compiling that ~1 MB bundle was the largest
// part of start-up in a CPU profile of `model-ledger --help` (V8's compile, `wrapSafe`, ahead of
// reading it and of the built-in modules it loads); with the cache, later runs load V8's code for
// the unchanged bundle instead of compiling it again (TypeScript's tsc does the same). The cache
// is a quiet optimization: when it cannot be used, nothing changes but the time.
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the cache lives: NODE_COMPILE_CACHE when set (Node's own variable), else a folder of this
 * user's (not the shared temp folder Node picks by default, where another account could plant
 * one). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
function cacheDir(): string | undefined {
	if (process.env.NODE_COMPILE_CACHE) return undefined;
	if (process.platform === 'win32') return process.env.LOCALAPPDATA ? join(process.env.LOCALAPPDATA, 'model-ledger', 'compile-cache') : undefined;
	return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'model-ledger', 'compile-cache');
}

try {
	enableCompileCache?.(cacheDir());
} catch {
	// No cache: only slower.
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./cliMain.js') as { main: () => void }).main();
