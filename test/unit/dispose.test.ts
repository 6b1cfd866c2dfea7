// The one dispose helper (src/extension/dispose.ts): everything is disposed even when one throws,
// and a second dispose() does nothing (VS Code disposes context.subscriptions and a panel's own
// onDidDispose may call dispose again).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Disposable, disposableOf, disposeAll } from '../../src/extension/dispose';
import type { IDisposable } from '../../src/extension/dispose';

function counter(): IDisposable & { count: number } {
	const d = { count: 0, dispose: () => void d.count++ };
	return d;
}

class Owner extends Disposable {
	constructor(readonly parts: IDisposable[]) {
		super();
		parts.forEach((p) => this.register(p));
	}
	add(part: IDisposable): IDisposable {
		return this.register(part);
	}
}

describe('dispose helper', () => {
	test('disposeAll disposes every one even when one throws, then rethrows it', () => {
		const a = counter();
		const b = counter();
		const failing = { dispose: () => { throw new Error('boom'); } };
		assert.throws(() => disposeAll([a, failing, b]), /boom/);
		assert.equal(a.count, 1);
		assert.equal(b.count, 1);
		assert.throws(() => disposeAll([failing, failing]), AggregateError);
	});

	test('a Disposable disposes what it registered once, however often dispose() is called', () => {
		const parts = [counter(), counter()];
		const owner = new Owner(parts);
		owner.dispose();
		owner.dispose();
		assert.deepEqual(parts.map((p) => p.count), [1, 1]);
		const late = counter();
		owner.add(late);
		assert.equal(late.count, 1, 'registered after dispose: disposed at once');
	});

	test('disposableOf disposes its list once', () => {
		const parts = [counter(), counter()];
		const all = disposableOf([...parts]);
		all.dispose();
		all.dispose();
		assert.deepEqual(parts.map((p) => p.count), [1, 1]);
	});
});
