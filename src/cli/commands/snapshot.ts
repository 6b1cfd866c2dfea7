// `model-ledger snapshot [MODEL...]`: records a new version of each model whose files changed.
import { formatBytes } from '../../core/byteSize';
import { parseLinks, parseMeta } from '../../core/snapshot/runMetadata';
import { createSnapshot } from '../../core/snapshot/snapshot';
import { versionNameWithLabel } from '../../core/store/versionName';
import { bumpOption, UsageError } from '../context';
import type { CliCommand, Io } from '../context';

export const snapshotCli: CliCommand = {
	name: 'snapshot',
	usage: [
		{
			synopsis: ['snapshot [MODEL...] [-m MSG] [--bump major|minor|patch] [--require-clean] [--allow-secrets]', '         [--meta KEY=VALUE]... [--link URL]...'],
			summary: ['record a new version of each model whose files changed (with the', 'machine it was made on, your meta and run links)'],
		},
	],
	async run({ args, options, json, io, ledger }) {
		const bump = bumpOption(options.bump);
		const result = await createSnapshot(ledger(), {
			models: args,
			message: options.message,
			bump,
			requireClean: options['require-clean'],
			allowSecrets: options['allow-secrets'] === true,
			meta: runMeta(options.meta ?? []),
			links: runLinks(options.link ?? []),
			onProgress: json ? undefined : progressPrinter(io),
		});
		for (const w of result.warnings) io.err(`warning: ${w}\n`);
		const lines = [
			...result.created.map((v) => `Created ${v.model} ${versionNameWithLabel(v)} ${v.digest.slice(0, 12)}${v.git.dirty ? ' — uncommitted changes stored as a patch' : ''}`),
			...result.unchanged.map((u) => `Unchanged: ${u.model} matches ${versionNameWithLabel(u.matches)}; no version created.`),
		];
		return { human: lines.join('\n'), data: { created: result.created, unchanged: result.unchanged, warnings: result.warnings } };
	},
};

/** `--meta key=value` as a usage error when malformed. */
function runMeta(pairs: string[]): Record<string, string> {
	try {
		return parseMeta(pairs);
	} catch (err) {
		throw new UsageError((err as Error).message);
	}
}

function runLinks(links: string[]): string[] {
	try {
		return parseLinks(links);
	} catch (err) {
		throw new UsageError((err as Error).message);
	}
}

function progressPrinter(io: Io): (p: { file?: string; bytesDone: number; bytesTotal: number }) => void {
	let lastPrint = 0;
	return (p) => {
		const now = Date.now();
		if (!p.file || p.bytesTotal < 64 * 1024 * 1024 || now - lastPrint < 1000) return;
		lastPrint = now;
		io.err(`  ${p.file}: ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}\n`);
	};
}
