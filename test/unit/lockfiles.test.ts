import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { globSync } from 'tinyglobby';
import { findLockfiles, isLockfile, LOCKFILE_GLOBS, LOCKFILE_IGNORE } from '../../src/core/snapshot/lockfiles';
import { makeTempDir, removeDir, writeFile } from './fixtures';

describe('isLockfile', () => {
	test('known lockfiles at the root and one folder down', () => {
		for (const path of [
			'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'requirements.txt', 'requirements-dev.txt', 'requirements_gpu.txt',
			'poetry.lock', 'uv.lock', 'Pipfile.lock', 'environment.yml', 'environment.yaml', 'conda-lock.yml', 'Cargo.lock',
			'serving/requirements.txt', 'training/poetry.lock', 'webapp/package-lock.json', 'requirements/base.txt', './uv.lock',
		]) {
			assert.equal(isLockfile(path), true, path);
		}
	});

	test('not deeper than one folder, not inside dependency or tool folders, not look-alikes', () => {
		for (const path of [
			'a/b/requirements.txt', 'node_modules/package-lock.json', '.venv/requirements.txt', 'venv/poetry.lock', '.model-ledger/uv.lock',
			'.git/yarn.lock', 'package.json', 'pyproject.toml', 'requirements.in', 'requirements.txt.bak', 'my-requirements.txt',
			'Pipfile', 'environment.yml.example', 'svc/requirements/base.txt', '../requirements.txt',
		]) {
			assert.equal(isLockfile(path), false, path);
		}
	});
});

describe('LOCKFILE_GLOBS and findLockfiles', () => {
	const dir = makeTempDir('lockfiles');
	after(() => removeDir(dir));
	const present = [
		'package-lock.json', 'requirements.txt', 'requirements-dev.txt', 'requirements/base.txt', 'uv.lock',
		'serving/requirements.txt', 'training/environment.yml', 'webapp/yarn.lock',
	];
	const absent = [
		'node_modules/foo/package-lock.json', 'node_modules/yarn.lock', 'venv/requirements.txt', '.venv/requirements.txt',
		'.model-ledger/cache/uv.lock', 'a/b/requirements.txt', 'examples/demo/nested/poetry.lock', 'README.md', 'requirements.in',
	];
	for (const path of [...present, ...absent]) writeFile(dir, path, 'x\n');

	test('findLockfiles returns exactly the lockfiles, sorted', () => {
		assert.deepEqual(findLockfiles(dir), [...present].sort());
	});

	test('the exported globs agree with isLockfile when used with tinyglobby directly', () => {
		const viaGlobs = globSync(LOCKFILE_GLOBS, { cwd: dir, ignore: LOCKFILE_IGNORE }).sort();
		assert.deepEqual(viaGlobs, [...present].sort());
		const everything = globSync(['**/*'], { cwd: dir, dot: true }).sort();
		assert.deepEqual(everything.filter(isLockfile), [...present].sort());
	});

	test('an empty workspace has none', () => {
		const empty = makeTempDir('lockfiles-empty');
		try {
			assert.deepEqual(findLockfiles(empty), []);
		} finally {
			removeDir(empty);
		}
	});
});
