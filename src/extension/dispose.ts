// The one way to dispose (the pattern of VS Code's markdown-language-features util/dispose.ts):
// every disposable is disposed even when one throws, and disposing twice does nothing the second
// time. Type-only vscode: it is plain code, unit-tested without a host, in both bundles.

/** Anything with `dispose()` (vscode.Disposable, EventEmitter, a watcher, a panel). */
export interface IDisposable {
	dispose(): void;
}

/** Disposes each one; one that throws does not keep the rest alive (its error is rethrown after). */
export function disposeAll(disposables: Iterable<IDisposable>): void {
	const errors: unknown[] = [];
	for (const disposable of disposables) {
		try {
			disposable.dispose();
		} catch (err) {
			errors.push(err);
		}
	}
	if (errors.length === 1) throw errors[0];
	if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed to dispose.');
}

/** A base class that owns disposables: `register` them; `dispose()` runs once, however often it is called. */
export abstract class Disposable implements IDisposable {
	private disposed = false;
	private readonly owned: IDisposable[] = [];

	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		disposeAll(this.owned.splice(0));
	}

	/** Owns `value` (disposed with this); after dispose it is disposed at once. */
	protected register<T extends IDisposable>(value: T): T {
		if (this.disposed) value.dispose();
		else this.owned.push(value);
		return value;
	}

	protected get isDisposed(): boolean {
		return this.disposed;
	}
}

/** A plain disposable over a list (functions that register several things). Disposes once. */
export function disposableOf(disposables: IDisposable[]): IDisposable {
	let disposed = false;
	return {
		dispose: () => {
			if (disposed) return;
			disposed = true;
			disposeAll(disposables.splice(0));
		},
	};
}
