#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ (Clang, -fsanitize=fuzzer,address,undefined; the folder of
# scripts/sanitize_build.sh, build-sanitize/)
# and runs each for SECONDS (default 60) from its seed corpus (fuzz/corpus/<harness>, read only; new
# inputs go to build-sanitize/corpus/<harness>). A crash, a sanitizer report, a leak, an input slower than
# 10 s or one needing more than 2 GiB is a finding: the input is kept as build-sanitize/findings/<harness>/
# crash-* (or leak-*, timeout-*, oom-*) and the script exits 1 after running every harness.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]    e.g. scripts/fuzz.sh 600 fuzz_npy
# HITO_FUZZ_SEED fixes libFuzzer's random seed (default 0: a new one each run) and HITO_FUZZ_RUNS
# bounds the inputs per harness (default: no bound, SECONDS alone). CI fixes both, so that its run is
# the same sequence of inputs on every machine: a regression in hito's parsers is caught, while a
# library bug deeper in that sequence (fuzz/open/) cannot turn a landing red at random. A developer's
# run without them explores further.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=$(scripts/sanitize_build.sh) || exit 1
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for source in fuzz/fuzz_*.cpp; do harnesses+=("$(basename "$source" .cpp)"); done
fi
cmake --build "$build" -j "${HITO_JOBS:-$(nproc)}" --target "${harnesses[@]}" || exit 1

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan.supp}
failed=()
for harness in "${harnesses[@]}"; do
  name=${harness#fuzz_}
  mkdir -p "$build/corpus/$name" "$build/findings/$name"
  echo "fuzz: $harness for ${seconds} s"
  # One process; -timeout and -rss_limit_mb turn a hang or a memory bomb into a finding.
  if ! "$build/fuzz/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -seed="${HITO_FUZZ_SEED:-0}" -runs="${HITO_FUZZ_RUNS:--1}" \
      -artifact_prefix="$build/findings/$name/" "$build/corpus/$name" "fuzz/corpus/$name" > "$build/$harness.log" 2>&1; then
    failed+=("$harness")
    tail -40 "$build/$harness.log"
  fi
  grep -E "^stat::number_of_executed_units|^#[0-9]+ *DONE" "$build/$harness.log" | tail -2
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs under $build/findings/)"
  exit 1
fi
echo "fuzz: ${#harnesses[@]} harnesses ran ${seconds} s each without a finding"
