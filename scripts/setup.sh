#!/usr/bin/env bash
# Installs the Debian packages hito needs (when missing) and builds it in ./build.
# Usage: scripts/setup.sh   (as root, or with sudo available, on Debian 12)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake libeigen3-dev libopenblas-dev libstb-dev nlohmann-json3-dev libcli11-dev
          libfmt-dev libgtest-dev libbenchmark-dev python3 python3-numpy python3-torch python3-torchvision
          python3-sklearn chromium openmpi-bin libopenmpi-dev clang libomp-dev nodejs)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm > /dev/null || missing+=(npm)  # npm comes with nodejs from NodeSource, separately in Debian
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# onnxruntime, the independent runtime the `hito export` tests run the ONNX files with
# (tests/scripts/run_onnx.js), from the npm registry into tools/ (ignored by git); skipped when present.
# Without the registry the install fails softly and those tests skip, saying why.
ORT_VERSION=1.31.1
if [ ! -f tools/node_modules/onnxruntime-node/package.json ]; then
  echo "setup: installing onnxruntime-node $ORT_VERSION into tools/ (npm)"
  npm install --prefix tools --ignore-scripts --no-audit --no-fund "onnxruntime-node@$ORT_VERSION" > tools.npm.log 2>&1 \
    || echo "setup: npm could not install onnxruntime-node (see tools.npm.log): the ONNX export checks will skip"
fi

BUILD_DIR=${HITO_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release ${HITO_CMAKE_ARGS:-} > "$BUILD_DIR.configure.log" 2>&1 \
  || { cat "$BUILD_DIR.configure.log"; exit 1; }
cmake --build "$BUILD_DIR" -j "$(nproc)"
