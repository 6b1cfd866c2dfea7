// `model-ledger scan` and the editor's diagnostics: the snapshot's secret detectors run on demand
// over files and folders (for CI and pre-commit hooks), with a report of what was read.
import { appendAll } from '../bulkArrays';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SecretFinding } from './secretRules';
import type { ScanEncoding } from './secretScan';
import { isNeverText, scanFileAndValues } from './secretValues';

export interface ScanReport {
	findings: SecretFinding[];
	/** Files read. */
	files: number;
	bytes: number;
	/** Files per encoding they were decoded as (UTF-16 and Latin-1 files are scanned too). */
	encodings: Partial<Record<ScanEncoding, number>>;
	/** Files not read, and why (binary by name, unreadable, missing). */
	skipped: Array<{ path: string; reason: string }>;
}

/** Folders a tree scan never enters: VCS data, the ledger itself, dependency trees. */
const SKIPPED_DIRS = new Set(['.git', '.model-ledger', 'node_modules', '.venv', 'venv', '__pycache__', '.mypy_cache', '.pytest_cache', '.tox']);

/**
 * Scans files and folders (recursively); paths are reported relative to `root` when inside it.
 * Symbolic links are not followed (a link can point anywhere; its target is scanned where it lives).
 */
export function scanPaths(root: string, inputs: string[]): ScanReport {
	const report: ScanReport = { findings: [], files: 0, bytes: 0, encodings: {}, skipped: [] };
	const show = (abs: string) => {
		const rel = relative(root, abs);
		return (rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel).split(sep).join('/');
	};
	const visit = (abs: string) => {
		let stat;
		try {
			stat = lstatSync(abs);
		} catch {
			report.skipped.push({ path: show(abs), reason: 'does not exist' });
			return;
		}
		if (stat.isSymbolicLink()) {
			try {
				if (statSync(abs).isFile()) scanOne(abs);
			} catch {
				report.skipped.push({ path: show(abs), reason: 'broken link' });
			}
			return;
		}
		if (stat.isDirectory()) {
			let names: string[];
			try {
				names = readdirSync(abs).sort();
			} catch {
				report.skipped.push({ path: show(abs), reason: 'cannot be listed' });
				return;
			}
			for (const name of names) if (!SKIPPED_DIRS.has(name)) visit(join(abs, name));
			return;
		}
		if (stat.isFile()) scanOne(abs);
	};
	const scanOne = (abs: string) => {
		const rel = show(abs);
		if (isNeverText(rel)) {
			report.skipped.push({ path: rel, reason: 'binary by its extension (weights, archive, image or media)' });
			return;
		}
		try {
			const scan = scanFileAndValues(abs, rel);
			report.files++;
			report.bytes += scan.bytes;
			report.encodings[scan.encoding] = (report.encodings[scan.encoding] ?? 0) + 1;
			appendAll(report.findings, scan.findings);
		} catch (err) {
			report.skipped.push({ path: rel, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
		}
	};
	for (const input of inputs) visit(resolve(root, input));
	return report;
}
