#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. Installs missing system packages (Debian, as root), a
# Node >= 22.14 when the one on PATH is older (scripts/use-node.sh) and the npm dependencies, builds,
# runs the unit and reliability tests under that Node, packs the linux-x64 VSIX and tests it (its
# binary under Node 22 and 24, then unpacked in a real VS Code: the host tests), and exits non-zero if
# anything failed. The last line is the combined `total: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
log() { printf '[test] %s\n' "$*"; }

# "PASSED FAILED" from node:test's closing summary in LOG. A run that exited non-zero without a
# failure count (a crash before the summary) still counts as one failure.
node_test_counts() {
	local log=$1 status=$2 passed failed
	passed=$(sed -n 's/^ℹ pass \([0-9]\+\)$/\1/p' "$log" | tail -1)
	failed=$(sed -n 's/^ℹ fail \([0-9]\+\)$/\1/p' "$log" | tail -1)
	passed=${passed:-0}
	failed=${failed:-0}
	if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
	echo "$passed $failed"
}

bash scripts/system-deps.sh || exit 1
# shellcheck source=scripts/use-node.sh
source scripts/use-node.sh
use_node || exit 1

if [ ! -d node_modules ]; then
	log "installing npm dependencies"
	if [ -f package-lock.json ]; then
		npm ci || { log "npm ci failed (lockfile out of date?); trying npm install"; npm install; } || exit 1
	else
		npm install || exit 1
	fi
fi

log "build"
npm run build || exit 1

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

log "unit tests"
npm run test:unit 2>&1 | tee "$results/unit.log"
unit_status=${PIPESTATUS[0]}
read -r unit_passed unit_failed < <(node_test_counts "$results/unit.log" "$unit_status")

# The quick reliability subset (~2-3 min): crash, races, corruption, bad input, fuzzing, secrets.
# The whole suite (`npm run test:reliability`, ~4.5 min) runs more trials on bigger files.
log "reliability tests (quick)"
MODEL_LEDGER_RELIABILITY_QUICK=1 node --test --test-concurrency=1 --test-reporter=spec 'out/test/reliability/**/*.test.js' 2>&1 | tee "$results/reliability.log"
rel_status=${PIPESTATUS[0]}
read -r rel_passed rel_failed < <(node_test_counts "$results/reliability.log" "$rel_status")

# The linux-x64 VSIX, packed once: the packaging tests check its binary under Node 22 and 24, and
# the host tests run it unpacked, as VS Code installs it.
log "package the linux-x64 VSIX"
vsix="$results/model-ledger-linux-x64.vsix"
node scripts/package.mjs --target linux-x64 --out "$vsix" 2>&1 | tee "$results/package.log"
package_status=${PIPESTATUS[0]}

log "packaging tests"
if [ "$package_status" -eq 0 ]; then
	MODEL_LEDGER_VSIX="$vsix" MODEL_LEDGER_PACKAGE_LOG="$results/package.log" node --test --test-concurrency=1 --test-reporter=spec 'test/packaging/**/*.test.mjs' 2>&1 | tee "$results/packaging.log"
	pack_status=${PIPESTATUS[0]}
else
	pack_status=$package_status
	echo "ℹ fail 1" >"$results/packaging.log"
fi
read -r pack_passed pack_failed < <(node_test_counts "$results/packaging.log" "$pack_status")

log "host tests (real VS Code, the unpacked linux-x64 VSIX)"
vsix_arg=()
[ "$package_status" -eq 0 ] && vsix_arg=(--vsix "$vsix")
node test/host/runHostTests.mjs "${vsix_arg[@]}" "$@" 2>&1 | tee "$results/host.log"
host_status=${PIPESTATUS[0]}
host_line=$(grep -E '^host: [0-9]+ passed, [0-9]+ failed' "$results/host.log" | tail -1)
host_passed=$(echo "$host_line" | sed -n 's/^host: \([0-9]\+\) passed.*/\1/p')
host_failed=$(echo "$host_line" | sed -n 's/.* \([0-9]\+\) failed.*/\1/p')
host_passed=${host_passed:-0}
host_failed=${host_failed:-0}
if [ "$host_status" -ne 0 ] && [ "$host_failed" -eq 0 ]; then host_failed=1; fi

# What failed, again at the end: a CI log is often read from its tail, and node:test's own
# "failing tests" section is minutes of output above it.
for suite in unit reliability packaging; do
	section=$(sed -n '/^✖ failing tests:/,$p' "$results/$suite.log" 2>/dev/null | grep -v '^ℹ ' | head -n 80)
	[ -n "$section" ] && printf '[test] %s tests that failed:\n%s\n' "$suite" "$section"
done
section=$(sed -n '/^ *[0-9]\+ failing/,/host-suite-result/p' "$results/host.log" 2>/dev/null | head -n 80)
[ -n "$section" ] && printf '[test] host tests that failed:\n%s\n' "$section"

log "unit: $unit_passed passed, $unit_failed failed; reliability: $rel_passed passed, $rel_failed failed; packaging: $pack_passed passed, $pack_failed failed; host: $host_passed passed, $host_failed failed; $(($(date +%s) - started)) s"
echo "total: $((unit_passed + rel_passed + pack_passed + host_passed)) passed, $((unit_failed + rel_failed + pack_failed + host_failed)) failed"
[ "$unit_status" -eq 0 ] && [ "$rel_status" -eq 0 ] && [ "$pack_status" -eq 0 ] && [ "$host_status" -eq 0 ]
