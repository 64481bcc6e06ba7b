// Grid-stride loops: a kernel launched with grid_for(n) (check.h) visits i = global_index(),
// global_index() + grid_stride(), ... < n, so any grid size covers any n. Indices are 64-bit.
#pragma once

#include <cstdint>

namespace hito::cuda {

constexpr int kBlock = 256;  // threads per block of the elementwise kernels
constexpr int kWarp = 32;

__device__ __forceinline__ int64_t global_index() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ int64_t grid_stride() { return static_cast<int64_t>(blockDim.x) * gridDim.x; }

}  // namespace hito::cuda
