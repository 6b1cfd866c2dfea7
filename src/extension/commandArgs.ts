// How a command tells a person from code, and reads its argument. A person runs a command from the
// palette or a button (no argument), a tree node's menu (the node, which has a `kind`) or the
// explorer (the file's Uri): then it may ask questions and shows its errors. Code (another
// extension, a hover link, a test) passes an argument object: then nothing is asked and errors go
// back to the caller.
import * as vscode from 'vscode';

/** The argument object code passed, or undefined for a person's invocation (nothing, a tree node, a Uri). */
export function argumentObject(arg: unknown): Record<string, unknown> | undefined {
	if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri || 'kind' in arg) return undefined;
	return arg as Record<string, unknown>;
}

/**
 * True when a person ran the command (questions may be asked, errors are shown). `answers`: the
 * keys an argument object needs to answer every question; without them it is treated as a person's.
 */
export function isInteractive(arg: unknown, ...answers: string[]): boolean {
	const object = argumentObject(arg);
	return !object || answers.some((key) => object[key] === undefined);
}

/** A string field of an argument object or tree node (numbers are accepted: `version: 3`). */
export function stringArg(arg: unknown, key: string): string | undefined {
	if (!arg || typeof arg !== 'object') return undefined;
	const value = (arg as Record<string, unknown>)[key];
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
