// Keys that come from files (paths, tensor names, config and metadata keys) written into plain
// objects: `__proto__` as a key would set the object's prototype instead of adding an entry (the
// value then vanishes from the manifest), so it is defined as an own property like any other key.

/** `record[key] = value`, with `__proto__` stored as an ordinary own entry. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
	if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
	else record[key] = value;
}

/** `record[key]` only when it is the record's own entry (never `constructor` or `toString` from Object.prototype). */
export function getOwn<T>(record: Record<string, T>, key: string): T | undefined {
	return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
