#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 (AddressSanitizer +
# UndefinedBehaviorSanitizer, leak detection on) into ./build-fuzz and runs
# each from its seed corpus (fuzz/corpus/<target>, never written to: new
# inputs go to build-fuzz/corpus/<target>).
#
#   tools/fuzz.sh --smoke         a few seconds per target (CI: tools/test.sh)
#   tools/fuzz.sh                 1,000,000 executions per target (long run)
#   tools/fuzz.sh --runs N        N executions per target
#   tools/fuzz.sh [...] nir csv   only these targets
#
# A crash, leak, UB report or failed property stops with exit 1 and leaves
# the input in build-fuzz/artifacts/ (replay: build-fuzz/fuzz/<t>_fuzz FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(nir request csv keys records digest)
runs=1000000
smoke_seconds="${TPP_FUZZ_SMOKE_SECONDS:-5}"
mode=long
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) mode=smoke ;;
    --runs) runs="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

bash tools/setup.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DTPP_FUZZ=ON \
  -DCMAKE_BUILD_TYPE= ${TPP_CMAKE_ARGS:-} >/dev/null
cmake --build build-fuzz -j"$(nproc)" \
  --target $(printf '%s_fuzz ' "${targets[@]}")

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p build-fuzz/artifacts
printf '%-8s %12s %9s %10s\n' target executions seconds exec/s
for t in "${targets[@]}"; do
  work="build-fuzz/corpus/$t"
  mkdir -p "$work"
  log="build-fuzz/$t.log"
  limit=(-runs="$runs")
  [ "$mode" = smoke ] && limit=(-max_total_time="$smoke_seconds")
  start=$(date +%s.%N)
  if ! "build-fuzz/fuzz/${t}_fuzz" "${limit[@]}" -max_len=8192 -timeout=20 \
      -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/$t-" \
      "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz: $t FAILED (log: $log, input: build-fuzz/artifacts/$t-*)" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  awk -v t="$t" -v n="${execs:-0}" -v a="$start" -v b="$end" \
    'BEGIN { printf "%-8s %12d %9.1f %10.0f\n", t, n, b - a, n / (b - a) }'
done
