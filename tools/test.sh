#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every
# test (unit, end-to-end through real mTLS clients, Python client) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 900 "$@"
# The fuzz targets (fuzz/), a few seconds each; TPP_FUZZ_SMOKE=0 skips them.
if [ "${TPP_FUZZ_SMOKE:-1}" != 0 ]; then
  bash tools/fuzz.sh --smoke
fi
