#!/usr/bin/env bash
# Configures and builds tpp in ./build (Release), after installing what it
# needs. Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE="${TPP_BUILD_TYPE:-Release}" \
  ${TPP_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
