// `model-ledger scan [PATH…] [--json]`: the snapshot's secret detectors on demand, for CI and
// pre-commit hooks. Exit 1 when anything is found, 0 when nothing is. Without PATH: the files of
// every model of model-ledger.yaml (what a snapshot would store), or the current folder when there
// is no config. The secret itself is never printed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../../core/byteSize';
import type { Ledger } from '../../core/ledger';
import { scanPaths } from '../../core/secrets/secretScanPaths';
import { CONFIG_FILE } from '../../core/parse/workspaceConfig';
import { collectModelFiles } from '../../core/snapshot/workspaceFiles';
import type { CliCommand, CommandResult } from '../context';

export const scanCli: CliCommand = {
	name: 'scan',
	usage: [{ synopsis: 'scan [PATH...]', summary: "the snapshot's secret scan on files/folders (default: every model's files); exit 1 on a finding" }],
	run: ({ args, json, root, cwd, ledger }) => scanCommand(root, ledger, args, { json, cwd }),
};

function scanCommand(root: string, open: () => Ledger, paths: string[], options: { json: boolean; cwd: string }): CommandResult {
	let base = root;
	let inputs = paths;
	let what = paths.join(', ');
	if (paths.length === 0) {
		if (existsSync(join(root, CONFIG_FILE))) {
			const ledger = open();
			inputs = [...new Set(ledger.config.models.flatMap((m) => collectModelFiles(root, m).files.map((f) => f.path)))];
			what = `the files of ${ledger.config.models.length} model(s) in ${CONFIG_FILE}`;
		} else {
			base = options.cwd;
			inputs = ['.'];
			what = base;
		}
	} else {
		// Paths on the command line are relative to where the command runs, as in any tool.
		base = options.cwd;
	}
	const report = scanPaths(base, inputs);
	const exitCode = report.findings.length ? 1 : 0;
	if (options.json) return { human: '', data: report, exitCode };
	const lines = report.findings.map((f) => `${f.path}:${f.line}:${f.column}: ${f.kind}`);
	const decoded = Object.entries(report.encodings)
		.filter(([encoding]) => encoding !== 'utf-8')
		.map(([encoding, n]) => `${n} as ${encoding}`);
	lines.push(
		`Scanned ${report.files} file(s), ${formatBytes(report.bytes)}${decoded.length ? ` (${decoded.join(', ')})` : ''} in ${what}; ` +
			`${report.skipped.length} skipped; ${report.findings.length === 0 ? 'no secret found.' : `${report.findings.length} secret(s) found.`}`,
	);
	if (report.findings.length) lines.push('Fix: move each secret out of the file (read it from an environment variable) and rotate it if it was ever committed or pushed.');
	return { human: lines.join('\n'), data: report, exitCode };
}
