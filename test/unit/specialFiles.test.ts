// Special files where a model's file is expected (issue 20, item 3 of the red-team pass): a FIFO put
// in a file's place between the listing and the open, or a character device such as /dev/zero. A
// plain open of a FIFO waits for a writer forever; /dev/zero reads without end. Every open of a
// workspace file goes through openRegularFile(Sync) (O_NONBLOCK, then fstat on the descriptor), so
// each reader refuses at once. Each case runs in a child with a time limit: a hang fails, not stalls.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, removeDir } from './fixtures';
import { appendNoFollow } from '../../src/core/store/noFollow';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** Runs `code` (CommonJS, with the built test bundle's modules at hand) in a child; killed after 10 s. */
function inChild(code: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 10_000 });
	return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// The child requires this file for probe(): it must not register (and run) the test again.
if (!(globalThis as { __specialFilesChild?: boolean }).__specialFilesChild) describe('special files where a model file is expected are refused at once, never waited on', () => {
	test('a FIFO and /dev/zero: hashFileSync, ObjectStore.copyFile, readSafetensorsHeader, readRegularFileSync refuse (NOT_A_FILE); the secret scan reads nothing', () => {
		const dir = makeTempDir('special');
		dirs.push(dir);
		const fifo = join(dir, 'prompt.md');
		execFileSync('mkfifo', [fifo]);
		// The bundle of this test file holds the modules; the child requires them from it through a global.
		const bundle = __filename;
		for (const path of [fifo, '/dev/zero']) {
			const r = inChild(`
				globalThis.__specialFilesChild = true;
				const m = require(${JSON.stringify(bundle)});
				m.probe(${JSON.stringify(path)}, ${JSON.stringify(join(dir, 'cache'))}).then((out) => { console.log(JSON.stringify(out)); process.exit(0); });
			`);
			assert.equal(r.signal, null, `${path}: a reader waited (killed after 10 s): ${r.stderr}`);
			assert.equal(r.status, 0, r.stderr);
			const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string>;
			for (const [reader, result] of Object.entries(out)) {
				if (reader === 'scan') assert.equal(result, '0 findings, 0 bytes', `${path}: ${reader}`);
				else assert.match(result, /NOT_A_FILE: .* is not a regular file \(a device, pipe, socket or folder\)/, `${path}: ${reader}`);
			}
		}
	});
});

if (!(globalThis as { __specialFilesChild?: boolean }).__specialFilesChild) describe('an events file that is a FIFO when an event is appended', () => {
	test('appendNoFollow refuses at once (no wait for a reader), naming the file', () => {
		const dir = makeTempDir('special-append');
		dirs.push(dir);
		const fifo = join(dir, 'm.jsonl');
		execFileSync('mkfifo', [fifo]);
		const r = inChild(`
			globalThis.__specialFilesChild = true;
			const m = require(${JSON.stringify(__filename)});
			try { m.append(${JSON.stringify(fifo)}); console.log('written'); } catch (err) { console.log(err.code + ': ' + err.message); }
		`);
		assert.equal(r.signal, null, 'the append waited for a reader (killed after 10 s)');
		assert.match(r.stdout, /LINK_IN_LEDGER: \.model-ledger\/events\/m\.jsonl is not a regular file but a pipe, device, socket or other special file/);
		assert.doesNotMatch(r.stdout, /symlink|follows links/, 'a FIFO is not called a link');
	});
});

/** Appends one line to `path` the way events are appended (exported for the child process above). */
export function append(path: string): void {
	appendNoFollow(path, '.model-ledger/events/m.jsonl', '{}\n');
}

/** Every reader on `path`, each result as text (exported for the child process above). */
export async function probe(path: string, cacheDir: string): Promise<Record<string, string>> {
	const { hashFileSync, ObjectStore } = await import('../../src/core/store/objectStore');
	const { readRegularFileSync } = await import('../../src/core/store/boundedRead');
	const { readSafetensorsHeader } = await import('../../src/core/parse/safetensors');
	const { scanFileDetailed } = await import('../../src/core/secrets/secretScan');
	const result: Record<string, string> = {};
	const attempt = async (name: string, run: () => unknown) => {
		try {
			await run();
			result[name] = 'read';
		} catch (err) {
			result[name] = `${(err as { code?: string }).code}: ${(err as Error).message}`;
		}
	};
	await attempt('hashFileSync', () => hashFileSync(path));
	await attempt('copyFile', () => new ObjectStore(cacheDir).copyFile(path));
	await attempt('readSafetensorsHeader', () => readSafetensorsHeader(path, path));
	await attempt('readRegularFileSync', () => readRegularFileSync(path));
	const scan = scanFileDetailed(path, 'prompt.md');
	result.scan = `${scan.findings.length} findings, ${scan.bytes} bytes`;
	return result;
}
