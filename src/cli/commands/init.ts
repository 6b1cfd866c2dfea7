// `model-ledger init`: what init found and why, per proposed model; the template when it found nothing;
// inside a git repository, the paths to commit so teammates see the versions.
import { appendAll } from '../../core/bulkArrays';
import { initWorkspace } from '../../core/init/initWorkspace';
import type { InitResult } from '../../core/init/initWorkspace';
import { CONFIG_FILE } from '../../core/parse/workspaceConfig';
import type { CliCommand } from '../context';

/** Files listed per role before "… and N more". */
const SHOWN_PER_ROLE = 6;

export const initCli: CliCommand = {
	name: 'init',
	usage: [{ synopsis: 'init', summary: 'create .model-ledger/ and a model-ledger.yaml detected from the workspace' }],
	run: ({ root }) => initCommand(root),
};

/** Runs `init` at `root`; returns the human text and the JSON document. */
export function initCommand(root: string): { human: string; data: InitResult } {
	const result = initWorkspace(root);
	return { human: initText(result), data: result };
}

export function initText(r: InitResult): string {
	const lines: string[] = [];
	if (!r.configCreated && r.template === undefined) {
		lines.push(`${CONFIG_FILE} already exists; it was left as it is (created .model-ledger/ where missing).`);
	} else if (r.template !== undefined) {
		lines.push(
			`Found nothing to version in ${r.scan.files} files: no prompt templates, training or inference configs, flows, eval results, model folders or DVC files.`,
			`${CONFIG_FILE} was not written (a config that matches nothing makes empty versions). Start from this template, adjust the globs, and save it as ${CONFIG_FILE}:`,
			'',
		);
		appendAll(lines, r.template.trimEnd().split('\n').map((l) => `  ${l}`));
	} else {
		lines.push(`Created ${CONFIG_FILE} with ${r.models.length} model${r.models.length === 1 ? '' : 's'} (looked at ${r.scan.files} files, read ${r.scan.reads}, ${r.scan.ms} ms):`);
		for (const model of r.models) {
			lines.push('', `${model.name} — ${model.reason}`);
			for (const [key, globs] of Object.entries(model.globs)) {
				lines.push(`  ${key}: ${globs.join(', ')}`);
				const files = model.files.filter((f) => f.role === key);
				for (const f of files.slice(0, SHOWN_PER_ROLE)) lines.push(`    ${f.path}  (${f.reason})`);
				if (files.length > SHOWN_PER_ROLE) lines.push(`    … and ${files.length - SHOWN_PER_ROLE} more`);
			}
		}
		lines.push('', 'Edit it, then run `model-ledger snapshot`.');
	}
	if (r.scan.truncated) lines.push(`Stopped looking after ${r.scan.entries} entries; add globs for anything further by hand.`);
	if (r.git.repository && (r.configCreated || r.template === undefined)) {
		lines.push('', `Commit the registry so others see the versions (the cache stays local): git add ${r.git.commit.join(' ')}`);
	}
	return lines.join('\n');
}
