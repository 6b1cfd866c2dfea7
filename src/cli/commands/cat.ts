// `model-ledger cat MODEL@REF PATH [--at TIME]`: the stored bytes of one file of a version.
import { parseRef, UsageError } from '../context';
import type { CliCommand } from '../context';
import { resolvePathArg } from '../pathArg';
import { refAtTime, withOtherRefs } from '../versionRefs';

export const catCli: CliCommand = {
	name: 'cat',
	usage: [{ synopsis: 'cat MODEL@REF PATH [--at TIME]', summary: 'the stored bytes of one file of a version' }],
	async run({ args, options, root, cwd, ledger }) {
		const { model, ref } = parseRef(args[0], 'cat MODEL@REF PATH', false);
		if (!args[1]) throw new UsageError('cat needs a PATH: model-ledger cat MODEL@REF PATH');
		const l = ledger();
		const version = await withOtherRefs(l, () => l.resolveReadable(model, refAtTime(l, model, ref, options.at)));
		const stored = new Set(l.readManifest(version).artifacts.map((a) => a.path));
		const path = resolvePathArg(root, args[1], cwd, (p) => stored.has(p));
		// Pulls the object first when it is only on the remote. The file's own bytes, unchanged, even with --json.
		return { human: '', data: undefined, raw: await l.fetchArtifact(version, path) };
	},
};
