// Issue 16 item 1: init reads at most what it needs. On a 100,000-file repository (20,000 in quick mode)
// it walks once, reads the heads of the few files that can say what they are (within 64 MB), and
// answers in bounded time; the time is printed.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { initCommand } from '../../src/cli/commands/init';
import { makeTempDir, removeDir, writeFile } from '../unit/fixtures';
import { QUICK } from './support';

const FOLDERS = QUICK ? 200 : 1000;
const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

describe('issue 16 item 1: init on a big repository', () => {
	test(`issue 16 item 1: bounded on a ${FOLDERS * 100}-file repository (measured)`, { timeout: 600_000 }, () => {
		const root = makeTempDir('init-big');
		dirs.push(root);
		// FOLDERS source folders of 99 code files and one unrelated JSON each; one of them is a prompt flow.
		for (let d = 0; d < FOLDERS; d++) {
			const dir = join(root, 'src', `pkg${d}`);
			mkdirSync(dir, { recursive: true });
			for (let f = 0; f < 99; f++) writeFileSync(join(dir, `m${f}.py`), 'x = 1\n');
			writeFileSync(join(dir, 'settings.json'), '{"name": "pkg", "version": 1}\n');
		}
		writeFile(root, 'src/pkg7/flow.dag.yaml', 'nodes:\n- name: a\n  type: llm\n  inputs:\n    temperature: 0.2\n    max_tokens: 64\n');
		writeFile(root, 'src/pkg7/answer.jinja2', '{{ question }}\n');
		const t0 = process.hrtime.bigint();
		const { data } = initCommand(root);
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		console.log(`init on ${data.scan.files} files: ${ms.toFixed(0)} ms, ${data.scan.reads} files read`);
		assert.ok(data.scan.files >= FOLDERS * 100);
		assert.deepEqual(data.models.map((m) => m.name), ['pkg7']);
		assert.ok(data.scan.reads <= 2000, `reads ${data.scan.reads}`);
		assert.ok(ms < 30_000, `init took ${ms} ms on ${data.scan.files} files`);
	});
});
