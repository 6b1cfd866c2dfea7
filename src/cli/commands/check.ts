// `model-ledger check MODEL@REF --gate ALIAS [--json]`: every rule of the alias's gate for one
// version, with its values; exit 0 when all pass, 1 otherwise (for CI).
import { LedgerError } from '../../core/errors';
import { evaluateGate, gateOf } from '../../core/lifecycle/gates';
import type { GateResult } from '../../core/lifecycle/gates';
import type { Ledger } from '../../core/ledger';
import { displayLabel } from '../../core/lifecycle/releaseLabels';
import { parseRef, UsageError } from '../context';
import type { CliCommand, CommandResult } from '../context';
import { renderTable } from '../format';

const CHECK_USAGE = 'check MODEL@REF --gate ALIAS [--json]';

/** Evaluates the gate of `alias` for MODEL@REF (a version number, label, alias or digest). */
export function checkGate(ledger: Ledger, model: string, ref: string, alias: string): GateResult {
	const gate = gateOf(ledger, model, alias);
	if (!gate) {
		const gates = ledger.model(model).gates.map((g) => g.alias);
		throw new LedgerError({
			code: 'NO_GATE',
			message: `\`${model}\` has no gate for \`${alias}\`.`,
			fix: gates.length ? `Its gated aliases: ${gates.join(', ')}.` : `Add one under \`models: ${model}: gates: ${alias}:\` in model-ledger.yaml.`,
		});
	}
	const version = ledger.resolve(model, ref);
	return evaluateGate(ledger, gate, version, ledger.readManifest(version));
}

export const checkCli: CliCommand = {
	name: 'check',
	usage: [{ synopsis: 'check MODEL@REF --gate ALIAS', summary: "every rule of ALIAS's gate for that version; exit 0 when all pass, 1 otherwise" }],
	run: ({ args, options, ledger }) => checkCommand(ledger(), args, { gate: options.gate }),
};

function checkCommand(ledger: Ledger, rest: string[], options: { gate?: string }): CommandResult {
	if (rest.length !== 1) throw new UsageError(`check takes one version: model-ledger ${CHECK_USAGE}`);
	const { model, ref } = parseRef(rest[0], CHECK_USAGE, false);
	if (!options.gate) throw new UsageError(`check needs --gate ALIAS: model-ledger ${CHECK_USAGE}`);
	const result = checkGate(ledger, model, ref, options.gate);
	return { human: gateText(result), data: result, exitCode: result.pass ? 0 : 1 };
}

/** The gate result as terminal text: a header, one row per rule, a verdict. */
export function gateText(r: GateResult): string {
	const against = r.against ? `${r.gate} → v${r.against.number} (${displayLabel(r.against)})` : `${r.gate} points to no version yet`;
	const failed = r.rules.filter((x) => !x.pass).length;
	return [
		`${r.model} v${r.version.number} (${displayLabel(r.version)}) against the ${r.gate} gate; ${against}`,
		'',
		renderTable(
			['RULE', 'ACTUAL', 'EXPECTED', 'RESULT', 'DETAIL'],
			r.rules.map((x) => [x.rule, x.actual === null ? '-' : String(x.actual), x.expected, x.pass ? 'PASS' : 'FAIL', x.detail]),
		),
		'',
		r.pass ? `PASS: all ${r.rules.length} rules pass.` : `FAIL: ${failed} of ${r.rules.length} rules fail.`,
	].join('\n');
}
