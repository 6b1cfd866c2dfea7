// Entry point the extension host loads (`extensionTestsPath`): runs the mocha suite of one scenario
// and reports its counts on a marker line that test/host/runHostTests.mjs reads.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
	// Each scenario of the runner names the folder of its test files; the default is this folder.
	const dir = resolve(__dirname, process.env.MODEL_LEDGER_HOST_SUITE || '.');
	const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
	const grep = process.env.MODEL_LEDGER_HOST_GREP;
	if (grep) mocha.grep(grep);
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(dir, file));

	return new Promise((resolvePromise, reject) => {
		const runner = mocha.run((failures) => {
			const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
			console.log(`[[host-suite-result:${JSON.stringify({ passed: passes, failed, pending })}]]`);
			if (failures > 0) reject(new Error(`${failures} host test(s) failed`));
			else resolvePromise();
		});
	});
}
