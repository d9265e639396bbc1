#!/usr/bin/env bash
# Crash-consistency cycles: runs the crash tests (claims, settlement,
# isolation: tests/support/crash_harness.h) N times in turn, each with its
# own seed, each a fresh tppd killed with SIGKILL at a seeded random moment,
# restarted, and checked (acknowledged writes present, ledger balanced,
# ceilings consistent, isolations in force).
#
#   tools/crash-cycles.sh 100            # the long run (~10 min here)
#   TPP_CRASH_SEED=42 tools/crash-cycles.sh 3   # seeds 42, 43, 44
#   TPP_CRASH_TESTS=claims tools/crash-cycles.sh 20   # one test only
#
# Needs a build (tools/build.sh). Stops at the first failing cycle and
# prints the command that replays it; logs go to build/crash-cycles/.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-100}"
base="${TPP_CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
read -r -a tests <<<"${TPP_CRASH_TESTS:-claims settlement isolation}"
logs=build/crash-cycles
mkdir -p "$logs"
echo "crash cycles: $cycles, seeds from $base, tests: ${tests[*]}"
start=$(date +%s)
for ((i = 0; i < cycles; i++)); do
  test="${tests[$((i % ${#tests[@]}))]}"
  seed=$((base + i))
  binary="build/tests/tpp_e2e_${test}_crash_test"
  if [[ ! -x "$binary" ]]; then
    echo "missing $binary: build first (tools/build.sh)" >&2
    exit 2
  fi
  log="$logs/$i-$test-$seed.log"
  if TPP_CRASH_SEED="$seed" "$binary" >"$log" 2>&1; then
    acks=$(grep -o '^[0-9]* writes acknowledged before the kill' "$log" |
      grep -o '^[0-9]*' || true)
    echo "cycle $((i + 1))/$cycles $test seed $seed: ok (${acks:-?} acknowledged before the kill)"
    rm -f "$log"
  else
    echo "cycle $((i + 1))/$cycles $test seed $seed: FAILED, log $log" >&2
    grep -E 'Failure|error|Expected|Which is|lost|violation' "$log" | head -20 >&2 || true
    echo "replay: TPP_CRASH_SEED=$seed $binary" >&2
    exit 1
  fi
done
echo "$cycles crash cycles passed in $(($(date +%s) - start)) s"
