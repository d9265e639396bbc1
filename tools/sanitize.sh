#!/usr/bin/env bash
# Sanitizer runs (issue 9). Not part of CI: too slow for its budget.
#
#   tools/sanitize.sh address [ctest args...]  # ASan+UBSan, every test, in build-asan
#   tools/sanitize.sh thread  [ctest args...]  # TSan, the `concurrency` label, in build-tsan
#
# Builds the sanitizer build dir (Debug, -O1; CMake -DTPP_SANITIZE=MODE),
# runs ctest with the sanitizer options, then fails if any process (a test,
# or a tppd / tppctl it started) wrote a sanitizer report: every report goes
# to BUILD_DIR/sanitizer-logs/ (log_path), printed at the end. Extra
# arguments go to ctest (e.g. -R claims). TPP_CMAKE_ARGS is passed to cmake
# (e.g. the ccache launcher), TPP_SANITIZE_JOBS sets the build and ctest
# parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

mode=${1:-}
case "$mode" in
  address) dir=build-asan ;;
  thread) dir=build-tsan ;;
  *)
    echo "usage: tools/sanitize.sh address|thread [ctest args...]" >&2
    exit 2
    ;;
esac
shift
jobs=${TPP_SANITIZE_JOBS:-$(nproc)}

bash tools/setup.sh
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DTPP_SANITIZE="$mode" ${TPP_CMAKE_ARGS:-} >/dev/null

logs=$root/$dir/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"

if [ "$mode" = address ]; then
  cmake --build "$dir" -j"$jobs"
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_init_order=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
  export LSAN_OPTIONS="suppressions=$root/tools/sanitize/lsan.supp:print_suppressions=0"
  select=()
else
  # Only the concurrency tests (and what they run: tppd, tppctl).
  targets=$(sed -n '/^set(TPP_CONCURRENCY_TESTS/,/)/p' cmake/TppWarnings.cmake |
    grep -o 'tpp_[a-z0-9_]*_test')
  # shellcheck disable=SC2086
  cmake --build "$dir" -j"$jobs" --target $targets tppd tppctl
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$root/tools/sanitize/tsan.supp:log_path=$logs/tsan"
  select=(-L concurrency)
fi

start=$(date +%s)
rc=0
ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 1800 \
  "${select[@]}" "$@" || rc=$?
echo "sanitize.sh $mode: ctest exit $rc in $(($(date +%s) - start)) s" >&2

reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  for f in $reports; do
    echo "===== $f" >&2
    cat "$f" >&2
  done
  echo "sanitize.sh $mode: $(echo "$reports" | wc -l) sanitizer report(s) above" >&2
  exit 1
fi
exit "$rc"
