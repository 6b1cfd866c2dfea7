// No network, no telemetry: the CLI's commands run with every Node networking entry point replaced
// by a trap that records the attempt and throws. With no remote configured, nothing may be tried.
// Also: with git turned off (what the extension does in an untrusted workspace), no git runs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readLineage, setGitDisabled } from '../../src/core/snapshot/gitLineage';
import { copyExampleWorkspace, makeTempDir, removeDir } from '../unit/fixtures';
import { cli, writePreload } from './support';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

// Plain JS for `node --require`: replaces sockets, DNS, HTTP(S), HTTP/2, UDP and fetch.
const NETWORK_TRAP = `
const fs = require('node:fs');
const log = process.env.MODEL_LEDGER_NET_LOG;
function trap(name) {
	return function () {
		const where = new Error().stack.split('\\n').slice(2, 5).join(' | ');
		fs.appendFileSync(log, name + ' ' + JSON.stringify([...arguments].filter((a) => typeof a !== 'function').map(String)) + ' at ' + where + '\\n');
		throw new Error('network access attempted: ' + name);
	};
}
const net = require('node:net');
net.connect = net.createConnection = trap('net.connect');
net.Socket.prototype.connect = trap('net.Socket.connect');
const tls = require('node:tls');
tls.connect = trap('tls.connect');
for (const mod of ['node:http', 'node:https']) {
	const m = require(mod);
	m.request = trap(mod + '.request');
	m.get = trap(mod + '.get');
}
require('node:http2').connect = trap('http2.connect');
require('node:dgram').createSocket = trap('dgram.createSocket');
const dns = require('node:dns');
for (const fn of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) dns[fn] = trap('dns.' + fn);
dns.promises.lookup = trap('dns.promises.lookup');
globalThis.fetch = trap('fetch');
if (globalThis.WebSocket) globalThis.WebSocket = trap('WebSocket');
`;

describe('isolation', () => {
	test('init, snapshot, status, list, show, cat, diff, history, used-by, alias, verify, gc and reindex attempt no network access', () => {
		const scratch = makeTempDir('nettrap');
		dirs.push(scratch);
		const netLog = join(scratch, 'network.log');
		const preload = writePreload(scratch, 'network-trap', NETWORK_TRAP);
		const env = { NODE_OPTIONS: `--require ${preload}`, MODEL_LEDGER_NET_LOG: netLog };

		// The trap itself works: a process that does try to connect is recorded and fails.
		const probe = join(scratch, 'probe.cjs');
		writeFileSync(probe, "require('node:https').get('https://example.com');");
		const r = spawnSync(process.execPath, [probe], { env: { ...process.env, ...env }, encoding: 'utf8' });
		assert.notEqual(r.status, 0);
		assert.match(readFileSync(netLog, 'utf8'), /node:https\.get/);
		writeFileSync(netLog, '');

		const dir = copyExampleWorkspace();
		dirs.push(dir);
		const commands: string[][] = [
			['init'],
			['snapshot', '-m', 'offline'],
			['status'],
			['list'],
			['show', 'support-bot'],
			['cat', 'support-bot@1', 'prompts/system.md'],
			['diff', 'support-bot@1'],
			['history', 'support-bot', '--metric', 'faithfulness'],
			['used-by', 'prompts/system.md'],
			['key-history', 'config/rag.yaml', 'retriever.top_k'],
			['alias', 'set', 'support-bot@1', 'staging'],
			['verify'],
			['gc', '--dry-run'],
			['reindex'],
		];
		for (const args of commands) {
			const run = cli(dir, args, env);
			assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
		}
		assert.equal(readFileSync(netLog, 'utf8'), '', 'network calls were attempted');
	});

	test('with git turned off (untrusted workspace), lineage is empty and no git process runs', async () => {
		const dir = copyExampleWorkspace();
		dirs.push(dir);
		// A repository whose config would run a command on `git status`/`git diff`: the classic attack.
		const marker = join(dir, 'fsmonitor-ran');
		const hook = join(dir, 'hook.sh');
		writeFileSync(hook, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
		execFileSync('git', ['config', 'core.fsmonitor', hook], { cwd: dir });
		writeFileSync(join(dir, 'prompts', 'system.md'), 'dirty\n');
		setGitDisabled('the workspace is not trusted');
		try {
			const lineage = await readLineage(dir);
			assert.deepEqual({ commit: lineage.commit, dirty: lineage.dirty, changedFiles: lineage.changedFiles }, { commit: null, dirty: false, changedFiles: [] });
			assert.ok(!existsSync(marker), 'git ran the repository-configured command');
		} finally {
			setGitDisabled(undefined);
		}
		// The same call with git allowed does run it: the test above can fail.
		const trusted = await readLineage(dir);
		assert.ok(trusted.commit);
		assert.ok(existsSync(marker), 'control: git with core.fsmonitor runs the hook');
	});
});
