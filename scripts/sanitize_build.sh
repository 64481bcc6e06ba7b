#!/usr/bin/env bash
# Configures the instrumented build folder that scripts/sanitize.sh and scripts/fuzz.sh share
# (default build-sanitize/): Clang, AddressSanitizer + UndefinedBehaviorSanitizer on every target,
# the libFuzzer harnesses of fuzz/, the tests, no benchmarks, no CUDA. One folder, so the library is
# compiled instrumented once for both. Prints the folder. Usage: build=$(scripts/sanitize_build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${HITO_SANITIZE_BUILD_DIR:-build-sanitize}
launcher=""
command -v ccache > /dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
CC=clang CXX=clang++ cmake -S . -B "$build" $launcher -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITO_FUZZ=ON \
  -DHITO_BUILD_TESTS=ON -DHITO_BUILD_BENCH=OFF -DHITO_CUDA=OFF ${HITO_CMAKE_ARGS:-} > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log" >&2; exit 1; }
echo "$build"
