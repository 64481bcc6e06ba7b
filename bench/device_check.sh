#!/usr/bin/env bash
# The one script to run on a GPU machine: prints the card and driver, runs every CUDA test and the
# kernel lab (each CUDA kernel family checked against the CPU, in GB/s and TFLOP/s against the card's
# ceilings), the GPU benchmarks (hito beside PyTorch), checks that a CPU run never starts CUDA, and writes logs and
# JSON lines into OUTDIR. Exit status: 0 all passed; 1 a test, benchmark or check failed; 2 this
# machine cannot run the check (no GPU, no bundle, CUDA libraries missing).
#
# Usage: bench/device_check.sh OUTDIR [BUNDLE_DIR]
#   BUNDLE_DIR  made by scripts/device_bundle.sh (default: build-cuda/device-bundle)
# Environment:
#   HITO_CUDA_LIBRARY_PATH  extra folders (colon-separated) to search for the CUDA libraries
#   HITO_TORCH_PYTHON       the python with a CUDA PyTorch (default: the first of the usual ones)
#   HITO_BENCH_SECONDS      timed seconds per benchmark workload (default 2)
#   HITO_SANITIZE=1         also run the tests under compute-sanitizer's memcheck
#   HITO_ASSUME_GPU=1       skip the nvidia-smi probe: only to see, on a machine without a GPU, how
#                           the later steps fail
#
# Why a build is carried rather than made there. The GPU machine (H100/H200, x86-64, Ubuntu 24.04
# image, reached through the `device` tool, which copies the working tree plus carried ignored paths,
# at most 64 MiB, and brings back files written under $OUT) has nvcc 13.0, CMake, ninja and a
# python3 with PyTorch 2.11+cu130 and its nvidia-* CUDA 13 wheels, but no package registry and none
# of our Debian dependencies (Eigen, OpenBLAS, CLI11, nlohmann-json, GoogleTest, stb). Building there
# would mean carrying and wiring all of those and spending scarce device minutes compiling. So
# scripts/device_bundle.sh builds here (Debian 12, glibc 2.36: older than the GPU machine's, so the
# binaries load there) a portable build (every build is: x86-64-v2, CPU kernels chosen at run time; sm_90 code), links the CUDA runtime
# statically, and packs the binaries with the few shared libraries the GPU machine lacks (OpenBLAS and
# its Fortran runtime, OpenMP) into one xz archive of a few MB. cuBLAS/cuBLASLt 13 and cuDNN 9 are too
# large to carry (hundreds of MB); the machine has the same sonames (libcublas.so.13, libcudnn.so.9)
# in its CUDA toolkit or PyTorch's wheels, and this script finds them.
#
# Budget: the tests take about a minute, the kernel lab about a minute, and the benchmarks about HITO_BENCH_SECONDS * 4 plus start-up;
# every step has its own timeout, so the whole script ends well inside 10 minutes.
set -uo pipefail

die() {  # die STATUS MESSAGE...: explain, and stop
  local status=$1
  shift
  echo "device_check: $*" >&2
  [[ -n "${out:-}" && -d "$out" ]] && echo "FAILED: $*" >> "$out/summary.txt"
  exit "$status"
}

[[ $# -ge 1 && $# -le 2 ]] || die 2 "usage: bench/device_check.sh OUTDIR [BUNDLE_DIR]"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1" || die 2 "cannot create $1"
out=$(cd "$1" && pwd)
bundle=${2:-$root/build-cuda/device-bundle}
seconds=${HITO_BENCH_SECONDS:-2}
: > "$out/summary.txt"
: > "$out/environment.txt"
failures=()
note() { echo "$*" | tee -a "$out/summary.txt"; }

# ---- 1. the bundle ------------------------------------------------------------------------------
archive=$bundle/hito-device.tar.xz
[[ -f "$archive" ]] || die 2 "no bundle at $archive: run scripts/device_bundle.sh here and carry its folder"
work=$(mktemp -d /tmp/hito-device.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xJf "$archive" || die 2 "cannot unpack $archive"
hito=$work/bin/hito
test_cuda=$work/bin/test_cuda
note "bundle: $(sed -n 2p "$work/MANIFEST.txt"), $(sed -n 3p "$work/MANIFEST.txt")"

# ---- 2. the card and the driver -----------------------------------------------------------------
if [[ "${HITO_ASSUME_GPU:-0}" != 1 ]]; then
  command -v nvidia-smi > /dev/null || die 2 "no NVIDIA driver here (nvidia-smi not found): run this on a GPU machine"
  gpus=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1) ||
    die 2 "nvidia-smi finds no usable GPU: $gpus"
  note "gpu: $gpus"
  { echo "== nvidia-smi"; nvidia-smi; } >> "$out/environment.txt" 2>&1
fi

# ---- 3. the CUDA libraries ----------------------------------------------------------------------
# Each CUDA soname the bundle needs, found by the loader's cache or under the usual roots: the CUDA
# toolkit, the driver's folder, and the nvidia-* wheels of every python around.
python_candidates=()
for py in "${HITO_TORCH_PYTHON:-}" /opt/torch/.venv/bin/python3 "$(command -v python3 || true)" /usr/bin/python3; do
  [[ -n "$py" ]] && python_candidates+=("$py")
done
extra_roots=${HITO_CUDA_LIBRARY_PATH:-}
roots=(${extra_roots//:/ } /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib
       /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64)
roots+=(/usr/local/cuda-*/lib64)
for py in "${python_candidates[@]}"; do
  [[ -x "$py" ]] || continue
  while read -r site; do roots+=("$site/nvidia"); done < <("$py" -c 'import site; print("\n".join(site.getsitepackages()))' 2>/dev/null)
done
library_path=$work/lib
missing=()
for soname in $(sed -n 's/^cuda libraries: //p' "$work/MANIFEST.txt"); do
  ldconfig -p 2>/dev/null | awk -v s="$soname" '$1 == s { hit = 1 } END { exit !hit }' && continue
  found=""
  for dir in "${roots[@]}"; do
    [[ -d "$dir" ]] || continue
    found=$(find "$dir" -maxdepth 4 -name "$soname" -print -quit 2>/dev/null)
    [[ -n "$found" ]] && break
  done
  if [[ -n "$found" ]]; then
    library_path+=:$(dirname "$found")
  else
    [[ $soname == libcuda.so.1 ]] && soname+=" (the NVIDIA driver's library)"
    missing+=("$soname")
  fi
done
original_library_path=${LD_LIBRARY_PATH:-}
export LD_LIBRARY_PATH=$library_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
{
  echo "== bundle manifest"; cat "$work/MANIFEST.txt"
  echo "== LD_LIBRARY_PATH"; echo "$LD_LIBRARY_PATH" | tr : '\n'
  echo "== ldd hito"; ldd "$hito"
  echo "== ldd test_cuda"; ldd "$test_cuda"
} >> "$out/environment.txt" 2>&1
[[ ${#missing[@]} -eq 0 ]] || die 2 "CUDA libraries not found: ${missing[*]} (searched the loader cache and ${roots[*]}; set HITO_CUDA_LIBRARY_PATH)"
unresolved=$(ldd "$hito" "$test_cuda" 2>&1 | grep -E "not found|version .* not found" | sort -u)
[[ -z "$unresolved" ]] || die 2 "the bundled binaries cannot load here: $unresolved"

# ---- 4. every CUDA test -------------------------------------------------------------------------
# On a GPU machine a skipped CUDA test is a failure: it means hito could not use the GPU.
timeout 300 "$test_cuda" --gtest_filter='Cuda*' --gtest_output="json:$out/test_cuda.json" > "$out/test_cuda.log" 2>&1
status=$?
passed=$(grep -c '^\[       OK \]' "$out/test_cuda.log")
failed=$(grep -c '^\[  FAILED  \] [^ ]* (' "$out/test_cuda.log")
skipped=$(grep -c '^\[  SKIPPED \] [^ ]* (' "$out/test_cuda.log")
note "tests: $passed passed, $failed failed, $skipped skipped (exit status $status)"
if [[ $status -eq 124 ]]; then failures+=("test_cuda timed out after 300 s")
elif [[ $status -ne 0 || $failed -ne 0 ]]; then failures+=("test_cuda failed: $(grep '^\[  FAILED  \] [^ ]* (' "$out/test_cuda.log" | cut -c14- | tr '\n' ' ')")
fi
if [[ $skipped -ne 0 ]]; then failures+=("$skipped CUDA tests were skipped: $(grep -m1 'CUDA test skipped' "$out/test_cuda.log")"); fi
[[ $passed -gt 0 ]] || failures+=("no CUDA test passed")

# ---- 4b. the kernel lab: every CUDA kernel family against the CPU, with its throughput -----------
# One line per kernel and shape in lab.log, and JSON lines in lab.jsonl (GB/s against the measured
# device-to-device copy bandwidth, TFLOP/s against the FP32 peak); a failed check fails the step.
: > "$out/lab.jsonl"
: > "$out/lab.log"
for lab in "$work"/bin/lab_*; do
  family=${lab##*/lab_}
  timeout 120 "$lab" --json "$out/lab.jsonl" >> "$out/lab.log" 2>&1
  status=$?
  if [[ $status -eq 124 ]]; then failures+=("lab $family timed out after 120 s")
  elif [[ $status -ne 0 ]]; then failures+=("lab $family failed (exit status $status, see lab.log)"); fi
done
note "lab: $(grep -c '"passed": true' "$out/lab.jsonl") kernel checks passed, $(grep -c '"passed": false' "$out/lab.jsonl") failed"

# ---- 5. optional: the same tests under compute-sanitizer's memcheck (HITO_SANITIZE=1) ------------
# Out-of-bounds and misaligned device accesses, which a test's comparison may not notice. Slow, so
# off by default and bounded by HITO_SANITIZE_SECONDS (150); a time-out is reported, not failed.
if [[ "${HITO_SANITIZE:-0}" == 1 ]]; then
  if command -v compute-sanitizer > /dev/null; then
    timeout "${HITO_SANITIZE_SECONDS:-150}" compute-sanitizer --tool memcheck "$test_cuda" --gtest_filter='Cuda*' \
      > "$out/sanitizer.log" 2>&1
    status=$?
    summary=$(grep -m1 'ERROR SUMMARY' "$out/sanitizer.log")
    # Judged by its error count alone: failing tests (its exit status) are step 4's to report.
    if [[ $status -eq 124 ]]; then note "warning: compute-sanitizer timed out (incomplete): ${summary:-no summary}"
    elif [[ "$summary" == *" 0 errors"* ]]; then note "sanitizer: ${summary#=* }"
    else failures+=("compute-sanitizer memcheck: ${summary:-no error summary, exit status $status} (see sanitizer.log)"); fi
  else
    note "warning: HITO_SANITIZE=1 but compute-sanitizer is not on the PATH"
  fi
fi

# ---- 6. benchmarks: hito and PyTorch side by side -----------------------------------------------
# HITO_CUDA_TF32 is left unset: both engines multiply in full FP32 (PyTorch's default too).
workloads=(sgemm-1024 mlp-train)
torch_python=""
for py in "${python_candidates[@]}"; do
  [[ -x "$py" ]] || continue
  if env LD_LIBRARY_PATH="$original_library_path" "$py" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    torch_python=$py
    break
  fi
done
: > "$out/bench.jsonl"
: > "$out/bench.log"
for w in "${workloads[@]}"; do
  timeout 120 "$hito" bench --device cuda --workload "$w" --seconds "$seconds" >> "$out/bench.jsonl" 2>> "$out/bench.log" ||
    failures+=("hito bench --device cuda --workload $w failed (see bench.log)")
  if [[ -n "$torch_python" ]]; then
    # PyTorch's own CUDA libraries, not the ones found for hito.
    timeout 120 env LD_LIBRARY_PATH="$original_library_path" "$torch_python" "$root/bench/reference_torch.py" --device cuda --workload "$w" \
      --seconds "$seconds" >> "$out/bench.jsonl" 2>> "$out/bench.log" || note "warning: the PyTorch reference failed on $w (see bench.log)"
  fi
done
[[ -n "$torch_python" ]] || note "warning: no python with a CUDA PyTorch found (tried ${python_candidates[*]}): no reference"

# steps_per_s of each engine per workload, and hito's ratio to PyTorch (above 1: hito is faster).
field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" <<< "$2"; }
for w in "${workloads[@]}"; do
  hito_rate=$(grep "\"workload\": *\"$w\"" "$out/bench.jsonl" | grep '"engine": *"hito"' | head -1)
  torch_rate=$(grep "\"workload\": *\"$w\"" "$out/bench.jsonl" | grep '"engine": *"torch' | head -1)
  h=$(field steps_per_s "$hito_rate")
  t=$(field steps_per_s "$torch_rate")
  if [[ -n "$h" && -n "$t" ]]; then
    note "$(awk -v w="$w" -v h="$h" -v t="$t" 'BEGIN { printf "bench %-11s hito %10.1f steps/s  torch %10.1f steps/s  hito/torch %.2f", w, h, t, h / t }')"
  else
    note "bench $w: hito ${h:-missing}, torch ${t:-missing} steps/s"
  fi
done

# ---- 7. a CPU run must not start CUDA -----------------------------------------------------------
# A CUDA context costs hundreds of MB; mlp-train on the CPU must stay under 100 MB of peak RSS.
cpu_line=$(timeout 120 "$hito" bench --device cpu --workload mlp-train --seconds 1 2>> "$out/bench.log")
echo "$cpu_line" >> "$out/bench.jsonl"
rss=$(field peak_rss_mb "$cpu_line")
if [[ -z "$rss" ]]; then failures+=("hito bench --device cpu --workload mlp-train printed no peak_rss_mb")
elif awk -v r="$rss" 'BEGIN { exit !(r < 100) }'; then note "cpu mlp-train peak RSS: $rss MB (< 100)"
else failures+=("cpu mlp-train peak RSS is $rss MB, not under 100: something initialised CUDA"); fi

# ---- 8. the NCCL path of data-parallel training (dist/), with the ranks the machine has ------------
# `mpirun -np G hito tabular --device cuda` (G = the GPUs here; one GPU: world size 1 through NCCL)
# must train the weights that one process trains. Needs an mpirun on this machine.
if command -v mpirun > /dev/null; then
  gpu_count=$(nvidia-smi --list-gpus 2>/dev/null | wc -l)
  dist_dir=$(mktemp -d /tmp/hito-dist.XXXXXX)
  args=(tabular --device cuda --dropout 0 --epochs 5 --patience 10 --batch-size 48)
  if "$hito" synth --out "$dist_dir/data" --n 480 --seed 5 > /dev/null && "$hito" prepare --data "$dist_dir/data" --run "$dist_dir/one" > /dev/null &&
     cp -r "$dist_dir/one" "$dist_dir/ranks" && "$hito" "${args[@]}" --run "$dist_dir/one" > "$out/dist.log" 2>&1 &&
     HITO_DIST_TIMEOUT=120 timeout 300 mpirun --allow-run-as-root --oversubscribe -np "${gpu_count:-1}" -x LD_LIBRARY_PATH -x HITO_DIST_TIMEOUT \
       "$hito" "${args[@]}" --run "$dist_dir/ranks" >> "$out/dist.log" 2>&1; then
    cmp -s <(cut -d, -f1-2 "$dist_dir/one/tabular/history.csv") <(cut -d, -f1-2 "$dist_dir/ranks/tabular/history.csv") ||
      note "warning: NCCL path: the training losses differ from one process (see dist.log and the histories)"
    note "nccl: mpirun -np ${gpu_count:-1} hito tabular --device cuda ran"
  else
    failures+=("the NCCL path of data-parallel training failed (see dist.log)")
  fi
  rm -rf "$dist_dir"
else
  note "warning: no mpirun here: the NCCL path of data-parallel training was not run"
fi

# ---- verdict -------------------------------------------------------------------------------------
if [[ ${#failures[@]} -gt 0 ]]; then
  for f in "${failures[@]}"; do note "FAILED: $f"; done
  exit 1
fi
note "device check passed"
