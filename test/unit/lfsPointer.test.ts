// Git LFS pointer files in place of their content (a Hugging Face model repository cloned with
// GIT_LFS_SKIP_SMUDGE=1, openai/evals' data without `git lfs pull`): recognized, never parsed as
// weights, params or prompts, and named in a warning that says how to fetch the content.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Ledger } from '../../src/core/ledger';
import { lfsPointer } from '../../src/core/parse/lfsPointer';
import { createSnapshot } from '../../src/core/snapshot/snapshot';
import { git, initGitRepo, makeTempDir, removeDir, writeFile } from './fixtures';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

const OID = '4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393';
const pointer = (oid = OID, size = 4943162336) => `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

describe('Git LFS pointers', () => {
	test('the pointer format: extension lines, the old hawser version; near misses are not pointers', () => {
		const bytes = (text: string) => new TextEncoder().encode(text);
		assert.deepEqual(lfsPointer(bytes(pointer())), { oid: OID, size: 4943162336 });
		const withExtension = `version https://git-lfs.github.com/spec/v1\next-0-foo sha256:${'1'.repeat(64)}\noid sha256:${OID}\nsize 12\n`;
		assert.deepEqual(lfsPointer(bytes(withExtension)), { oid: OID, size: 12 });
		assert.deepEqual(lfsPointer(bytes(pointer().replace('git-lfs.github.com', 'hawser.github.com'))), { oid: OID, size: 4943162336 });
		for (const text of [
			`# How we store weights\nversion https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 1\n`, // quoted in a document
			pointer().replace('sha256:4d', 'sha256:4D'), // not lower-case hex
			pointer().slice(0, -1), // no final newline
			pointer() + 'x'.repeat(1024), // 1 KB or more
		]) {
			assert.equal(lfsPointer(bytes(text)), undefined, JSON.stringify(text.slice(0, 80)));
		}
	});

	test('a snapshot of pointers records them with a warning per file, and parses none as weights, params or a prompt', async () => {
		const root = makeTempDir('lfs');
		dirs.push(root);
		initGitRepo(root);
		writeFile(root, 'model-ledger.yaml', 'models:\n  m:\n    weights: model/*.safetensors\n    params: config/*.yaml\n    prompts: prompts/*.md\n');
		writeFile(root, 'model/model.safetensors', pointer());
		writeFile(root, 'config/train.yaml', pointer('a'.repeat(64), 2048));
		writeFile(root, 'prompts/system.md', pointer('b'.repeat(64), 90));
		git(root, 'add', '-A');
		git(root, 'commit', '-qm', 'pointers only');
		const ledger = Ledger.at(root);
		try {
			const { created, warnings } = await createSnapshot(ledger, { message: 'first' });
			const manifest = ledger.readManifest(created[0]);
			assert.deepEqual(manifest.artifacts.map((a) => a.path).sort(), ['config/train.yaml', 'model/model.safetensors', 'prompts/system.md']);
			assert.deepEqual(manifest.weights, {}, 'no tensor header read from a pointer');
			assert.deepEqual(manifest.params, {}, 'no params `version`, `oid` and `size` from a pointer');
			assert.deepEqual(manifest.prompts, {}, 'no prompt variables from a pointer');
			const all = [...warnings, ...(manifest.warnings ?? [])].join('\n');
			assert.match(all, /model\/model\.safetensors is a Git LFS pointer \(object 4d7a214614ab, 4\.6 GB\), not the file's content: this version records the pointer\. To version the content, fetch it first: git lfs pull --include "model\/model\.safetensors"/);
			assert.match(all, /config\/train\.yaml is a Git LFS pointer \(object aaaaaaaaaaaa, 2\.0 KB\)/);
			assert.doesNotMatch(all, /not a valid safetensors file/);
		} finally {
			ledger.close();
		}
	});
});
