#!/usr/bin/env bash
# Prepares what bench/device_check.sh runs on a GPU machine (the reasons for carrying a build are at
# the top of that script): a portable Release build of `hito`, `test_cuda` and the kernel lab programs
# (bench/lab/lab_*; x86-64-v2 code, the CPU kernels also for AVX2 and AVX-512 and chosen at run
# time; CUDA code for sm_90; the CUDA runtime linked statically), packed with the shared libraries
# that machine lacks into one xz archive, plus a manifest.
#
# Usage: scripts/device_bundle.sh [BUILD_DIR] [BUNDLE_DIR]
#   BUILD_DIR   the CUDA build folder (default: build-cuda in the repository)
#   BUNDLE_DIR  where hito-device.tar.xz and MANIFEST.txt go (default: BUILD_DIR/device-bundle). It
#               must lie inside the repository, ignored by git, to travel with the device tool's
#               `carry`; then run `bench/device_check.sh OUTDIR BUNDLE_DIR` there.
# HITO_JOBS sets the build's parallel jobs (default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${1:-$root/build-cuda}")
bundle=$(realpath -m "${2:-$build/device-bundle}")

cmake -S "$root" -B "$build" -DHITO_CUDA=ON -DHITO_CPU_BASELINE=x86-64-v2 -DCMAKE_BUILD_TYPE=Release >/dev/null
labs=()
for source in "$root"/bench/lab/lab_*.cpp; do labs+=("$(basename "$source" .cpp)"); done
cmake --build "$build" -j"${HITO_JOBS:-2}" --target hito test_cuda "${labs[@]}"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
cp "$build/hito" "$build/tests/test_cuda" "$stage/bin/"
for lab in "${labs[@]}"; do cp "$build/bench/lab/$lab" "$stage/bin/"; done
strip --strip-unneeded "$stage"/bin/*

# Shared libraries, as the loader resolves them here. Not carried:
#  - glibc and the GCC runtime (libstdc++, libgcc_s): every Linux that runs nvcc has them, newer
#    there (Ubuntu 24.04) than here (Debian 12) and backwards compatible;
#  - the CUDA libraries (cuBLAS, cuBLASLt, cuDNN, NCCL, the driver): hundreds of MB, and the GPU
#    machine has the same major versions (PyTorch's CUDA 13 wheels); device_check.sh finds them there.
# Everything else (OpenBLAS, gfortran, gomp, ...) is carried.
# Opened with dlopen, so never in ldd's list: the driver (by the static CUDA runtime) and cuBLAS (by
# kernels/cuda/cublas.cu, the major version of the headers it was built with).
nvcc=$(grep -h -m1 'set(CMAKE_CUDA_COMPILER "' "$build"/CMakeFiles/*/CMakeCUDACompiler.cmake | cut -d'"' -f2)
cublas_major=$(awk '/#define CUBLAS_VER_MAJOR/ { print $3 }' "$(dirname "$nvcc")/../include/cublas_api.h")
cuda_needed=("libcuda.so.1" "libcublas.so.$cublas_major" "libcublasLt.so.$cublas_major")
while read -r name path; do
  case "$name" in
    linux-vdso.so.* | ld-linux-* | libc.so.* | libm.so.* | libdl.so.* | librt.so.* | libpthread.so.* | \
      libstdc++.so.* | libgcc_s.so.*) ;;
    libcuda.so.* | libcublas*.so.* | libcudnn*.so.* | libcudart.so.* | libnvrtc*.so.* | libnvJitLink.so.* | libnccl.so.*)
      cuda_needed+=("$name") ;;
    *)
      [[ -f "$path" ]] || { echo "device_bundle: $name is not resolved here ($path)" >&2; exit 1; }
      cp -L "$path" "$stage/lib/$name" ;;
  esac
done < <(ldd "$stage"/bin/* | awk '$2 == "=>" { print $1, $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { name = $1; sub(/.*\//, "", name); print name, $1 }' | sort -u)

# The newest glibc / libstdc++ symbol versions anything carried asks for: the GPU machine's must be
# at least these (device_check.sh lets ldd say so if not).
newest() { objdump -T "$stage"/bin/* "$stage"/lib/* 2>/dev/null | grep -o "$1"'_[0-9.]*' | sort -uV | tail -1; }

{
  echo "hito device bundle"
  echo "source: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release && echo "$PRETTY_NAME"), $(g++ --version | head -1)"
  echo "nvcc: $("$nvcc" --version | tail -1)"
  echo "cuda architectures: $(grep -m1 '^HITO_CUDA_ARCHITECTURES:' "$build/CMakeCache.txt" | cut -d= -f2)"
  echo "needs glibc >= $(newest GLIBC), libstdc++ >= $(newest GLIBCXX)"
  echo "cuda libraries: ${cuda_needed[*]}"
  echo "files:"
  (cd "$stage" && sha256sum bin/* lib/*)
} > "$stage/MANIFEST.txt"

mkdir -p "$bundle"
tar -C "$stage" -cf - MANIFEST.txt bin lib | xz -T0 -6 > "$bundle/hito-device.tar.xz.partial"
mv "$bundle/hito-device.tar.xz.partial" "$bundle/hito-device.tar.xz"
cp "$stage/MANIFEST.txt" "$bundle/MANIFEST.txt"
cat "$bundle/MANIFEST.txt"
echo "bundle: $bundle/hito-device.tar.xz ($(du -h "$bundle/hito-device.tar.xz" | cut -f1))"
