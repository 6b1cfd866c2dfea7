// `npm run bench`: bundles bench/bench.ts (which imports src/core directly) and runs it with the
// arguments given after `--`. Not part of `npm test`: it takes minutes and writes gigabytes to a temp folder.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(repo, 'out', 'bench', 'bench.js');
await esbuild.build({
	entryPoints: [join(repo, 'bench', 'bench.ts')],
	outfile,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	sourcemap: true,
	external: ['vscode', 'better-sqlite3'],
	logLevel: 'warning',
	// Same as esbuild.mjs: ESM dependencies (fdir) call createRequire(import.meta.url).
	define: { 'import.meta.url': '__bundleImportMetaUrl' },
	banner: { js: "const __bundleImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
// A child process, so the bench starts with a fresh heap and its own libuv threadpool.
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: repo });
process.exit(run.status ?? 1);
