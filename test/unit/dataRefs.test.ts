import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDvcFile, parseDvcFile, parseDvcLock } from '../../src/core/snapshot/dataRefs';
import { parseErrorOf } from './fixtures';


describe('isDvcFile', () => {
	test('matches .dvc pointer files and dvc.lock anywhere', () => {
		for (const path of ['data/corpus.dvc', 'model.pt.dvc', 'dvc.lock', 'pipelines/train/dvc.lock', 'data\\raw.dvc']) assert.equal(isDvcFile(path), true, path);
	});
	test('does not match DVC config, dvc.yaml or look-alikes', () => {
		for (const path of ['.dvc', '.dvc/config', 'dvc.yaml', 'dvc.lock.bak', 'data/corpus.dvc.txt', 'notes/dvc']) assert.equal(isDvcFile(path), false, path);
	});
});

describe('parseDvcFile', () => {
	test('a directory output: md5, size, nfiles, path relative to the .dvc file', () => {
		const text = 'outs:\n- md5: 3f6c2a9e8b1d4c7f0a5e6b2d9c8f1a47.dir\n  size: 48213377\n  nfiles: 1284\n  hash: md5\n  path: corpus\n';
		assert.deepEqual(parseDvcFile('data/corpus.dvc', text), [
			{ source: 'data/corpus.dvc', path: 'data/corpus', md5: '3f6c2a9e8b1d4c7f0a5e6b2d9c8f1a47.dir', size: 48213377, nfiles: 1284, kind: 'out' },
		]);
	});

	test('a file output at the root, and one that climbs out of its folder', () => {
		assert.deepEqual(parseDvcFile('model.pt.dvc', 'outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 1024\n  path: model.pt\n'), [
			{ source: 'model.pt.dvc', path: 'model.pt', md5: 'a304afb96060aad90176268345e10355', size: 1024, kind: 'out' },
		]);
		assert.equal(parseDvcFile('pointers/x.dvc', 'outs:\n- md5: abc\n  path: ../data/x.csv\n')[0].path, 'data/x.csv');
	});

	test('wdir, remote paths, outputs without md5 and several outputs', () => {
		const text = [
			'wdir: ../shared',
			'outs:',
			'- md5: 11111111111111111111111111111111',
			'  path: labels.csv',
			'- path: s3://bucket/raw/images',
			'  etag: "abc-12"',
			'  cache: false',
		].join('\n');
		assert.deepEqual(parseDvcFile('data/labels.dvc', text), [
			{ source: 'data/labels.dvc', path: 'shared/labels.csv', md5: '11111111111111111111111111111111', kind: 'out' },
			{ source: 'data/labels.dvc', path: 's3://bucket/raw/images', md5: null, kind: 'out' },
		]);
	});

	test('an import .dvc keeps only its outputs', () => {
		const text = 'md5: 0123\nfrozen: true\ndeps:\n- path: datasets/faq\n  repo:\n    url: https://github.com/acme/data-registry\n    rev_lock: 9f2d1\nouts:\n- md5: aa.dir\n  size: 10\n  nfiles: 2\n  path: faq\n';
		assert.deepEqual(parseDvcFile('data/faq.dvc', text).map((ref) => ref.path), ['data/faq']);
	});

	test('malformed YAML reports file and line', () => {
		const err = parseErrorOf(() => parseDvcFile('data/corpus.dvc', 'outs:\n- md5: abc\n  path: [corpus\n'));
		assert.equal(err.location?.file, 'data/corpus.dvc');
		assert.equal(err.location?.line, 4);
		assert.match(err.fix ?? '', /dvc add/);
	});

	test('wrong shapes report the line of the offending node', () => {
		let err = parseErrorOf(() => parseDvcFile('a.dvc', 'outs:\n  path: corpus\n'));
		assert.equal(err.location?.line, 2);
		assert.match(err.message, /`outs` is not a list/);
		err = parseErrorOf(() => parseDvcFile('a.dvc', 'outs:\n- md5: abc\n- md5: def\n  size: 3\n'));
		assert.equal(err.location?.line, 2);
		assert.match(err.message, /has no `path`/);
		err = parseErrorOf(() => parseDvcFile('a.dvc', 'md5: abc\n'));
		assert.match(err.message, /`outs` is missing/);
		assert.equal(err.location?.line, 1);
		err = parseErrorOf(() => parseDvcFile('a.dvc', '- just a list\n'));
		assert.match(err.message, /not a YAML mapping/);
	});

	test('an empty .dvc file has no references', () => {
		assert.deepEqual(parseDvcFile('a.dvc', ''), []);
	});
});

describe('parseDvcLock', () => {
	const lock = [
		"schema: '2.0'",
		'stages:',
		'  prepare:',
		'    cmd: python prepare.py',
		'    deps:',
		'    - path: data/raw',
		'      md5: aaaa.dir',
		'      size: 100',
		'      nfiles: 3',
		'    - path: prepare.py',
		'      md5: bbbb',
		'      size: 10',
		'    params:',
		'      params.yaml:',
		'        prepare.split: 0.2',
		'    outs:',
		'    - path: data/prepared',
		'      md5: cccc.dir',
		'      size: 80',
		'      nfiles: 2',
		'  train:',
		'    cmd: python train.py',
		'    deps:',
		'    - path: data/prepared',
		'      md5: cccc.dir',
		'      size: 80',
		'      nfiles: 2',
		'    - path: data/raw',
		'      md5: aaaa.dir',
		'    - path: remote-only',
		'    outs:',
		'    - path: model.pt',
		'      hash: md5',
		'      md5: dddd',
		'      size: 5',
	].join('\n');

	test('outs of every stage, then deps with an md5 that no stage produced, once each', () => {
		assert.deepEqual(parseDvcLock('dvc.lock', lock), [
			{ source: 'dvc.lock', path: 'data/prepared', md5: 'cccc.dir', size: 80, nfiles: 2, kind: 'out', stage: 'prepare' },
			{ source: 'dvc.lock', path: 'model.pt', md5: 'dddd', size: 5, kind: 'out', stage: 'train' },
			{ source: 'dvc.lock', path: 'data/raw', md5: 'aaaa.dir', size: 100, nfiles: 3, kind: 'dep', stage: 'prepare' },
			{ source: 'dvc.lock', path: 'prepare.py', md5: 'bbbb', size: 10, kind: 'dep', stage: 'prepare' },
		]);
	});

	test('paths are made relative to the workspace from the lock file folder', () => {
		const refs = parseDvcLock('pipelines/rag/dvc.lock', lock);
		assert.deepEqual(refs.map((ref) => ref.path), ['pipelines/rag/data/prepared', 'pipelines/rag/model.pt', 'pipelines/rag/data/raw', 'pipelines/rag/prepare.py']);
		assert.ok(refs.every((ref) => ref.source === 'pipelines/rag/dvc.lock'));
	});

	test('DVC 1 locks keep stages at the top level', () => {
		const v1 = 'train:\n  cmd: python train.py\n  outs:\n  - path: model.pt\n    md5: eeee\n';
		assert.deepEqual(parseDvcLock('dvc.lock', v1), [{ source: 'dvc.lock', path: 'model.pt', md5: 'eeee', kind: 'out', stage: 'train' }]);
	});

	test('foreach stages keep their generated names', () => {
		const text = "schema: '2.0'\nstages:\n  embed@en:\n    cmd: x\n    outs:\n    - path: emb/en.npy\n      md5: ffff\n";
		assert.equal(parseDvcLock('dvc.lock', text)[0].stage, 'embed@en');
	});

	test('a lock with no stages has no references', () => {
		assert.deepEqual(parseDvcLock('dvc.lock', "schema: '2.0'\n"), []);
		assert.deepEqual(parseDvcLock('dvc.lock', ''), []);
	});

	test('malformed lock files report file and line', () => {
		let err = parseErrorOf(() => parseDvcLock('dvc.lock', "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: a\n    md5: x\n   oops: 1\n"));
		assert.equal(err.location?.file, 'dvc.lock');
		assert.equal(typeof err.location?.line, 'number');
		err = parseErrorOf(() => parseDvcLock('dvc.lock', "schema: '2.0'\nstages:\n  train:\n    outs: model.pt\n"));
		assert.equal(err.location?.line, 4);
		assert.match(err.message, /`stages\.train\.outs` is not a list/);
		err = parseErrorOf(() => parseDvcLock('dvc.lock', "schema: '2.0'\nstages:\n  train: python train.py\n"));
		assert.equal(err.location?.line, 3);
		assert.match(err.message, /stage "train" is not a mapping/);
	});
});
