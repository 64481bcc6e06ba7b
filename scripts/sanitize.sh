#!/usr/bin/env bash
# Builds the tests with AddressSanitizer and UndefinedBehaviorSanitizer (scripts/sanitize_build.sh)
# and runs them; ctest arguments pass through (scripts/sanitize.sh -L 'base|data'). A sanitizer
# report aborts the test it happens in, so the test fails. Leaks of the OpenMP and OpenBLAS thread
# pools (one-time allocations of those libraries) are suppressed by name in scripts/lsan.supp.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(scripts/sanitize_build.sh)
cmake --build "$build" -j "${HITO_JOBS:-$(nproc)}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
