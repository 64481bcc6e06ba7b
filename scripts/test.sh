#!/usr/bin/env bash
# The test command: installs what is missing, builds (CUDA code included when nvcc is present) and
# runs every test suite. CUDA tests skip themselves, with a message, where no GPU is present.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir "${HITO_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
