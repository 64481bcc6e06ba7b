#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the whole study (`hito run`) — on the
# embedded synthetic data by default, or on a real data set: scripts/main.sh --data DIR --preset ham10000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec "${HITO_BUILD_DIR:-build}/hito" run "$@"
