// Building blocks of the CUDA reductions: warp and block sums, and per-channel sums over the
// (N, C, S) view that batch norm, the gradients of broadcast operands, row sums and the sum of
// squares share. Per-channel sums are deterministic: each block adds its own contiguous chunk, and
// the chunks' partial sums are added up in order afterwards (no atomics).
#pragma once

#include <cstdint>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/scratch.h"

namespace hito::cuda {

// Two sums carried together (of x and x^2, of dout and dout * xhat), in double: a channel can hold
// millions of values. Plain aggregate so that it can live in shared memory.
struct SumPair {
  double first, second;
};
__device__ __forceinline__ SumPair operator+(SumPair a, SumPair b) { return {a.first + b.first, a.second + b.second}; }

// Butterfly reductions: every lane of the warp receives the result.
__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ double warp_sum(double v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ SumPair warp_sum(SumPair v) { return {warp_sum(v.first), warp_sum(v.second)}; }
__device__ __forceinline__ float warp_max(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// The sum of v over the block; valid in thread 0 only. Every thread of the block must call it, once
// per kernel; blockDim.x must be a multiple of 32.
template <class T>
__device__ __forceinline__ T block_sum(T v, T zero) {
  __shared__ T warp_sums[kWarp];
  int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  v = warp_sum(v);
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (warp == 0) v = warp_sum(lane < static_cast<int>(blockDim.x / kWarp) ? warp_sums[lane] : zero);
  return v;
}

// ---- per-channel sums over (N, C, S) -------------------------------------------------------------
// Channel c holds M = N * S values; its value j (n = j / S, s = j % S) sits at (n * C + c) * S + s.
// Block (c, split) adds values(c, n, offset) over the chunk [split * chunk, (split + 1) * chunk) of
// channel c and writes partial[c * splits + split]. Values: a functor returning a SumPair.
template <class Values>
__global__ void __launch_bounds__(kBlock)
    channel_partial_sums_kernel(SumPair* partial, Values values, int64_t C, uint32_t S, uint32_t M, uint32_t chunk) {
  int64_t c = blockIdx.x;
  uint32_t begin = blockIdx.y * chunk, end = min(M, begin + chunk);
  SumPair acc{0.0, 0.0};
  for (uint32_t j = begin + threadIdx.x; j < end; j += blockDim.x) {
    uint32_t n = j / S, s = j - n * S;
    acc = acc + values(c, static_cast<int64_t>(n), (static_cast<int64_t>(n) * C + c) * S + s);
  }
  acc = block_sum(acc, SumPair{0.0, 0.0});
  if (threadIdx.x == 0) partial[c * gridDim.y + blockIdx.y] = acc;
}

// How many blocks share one channel of M values among C channels: enough to fill the GPU a few
// times over, never so many that a block gets less than a few values per thread.
int channel_splits(int64_t M, int64_t C);

// Fills partial (C * splits) with the chunk sums of every channel; splits from channel_splits(N*S, C).
template <class Values>
void launch_channel_partial_sums(SumPair* partial, int splits, Values values, int64_t N, int64_t C, int64_t S) {
  int64_t M = N * S;
  HITO_CHECK(M <= INT32_MAX && C <= INT32_MAX, "CUDA channel reduction: ", C, " channels of ", M,
             " values exceed the kernel's 32-bit indices");
  uint32_t chunk = static_cast<uint32_t>((M + splits - 1) / splits);
  dim3 grid(static_cast<unsigned>(C), static_cast<unsigned>(splits));
  channel_partial_sums_kernel<<<grid, kBlock>>>(partial, values, C, static_cast<uint32_t>(S > 0 ? S : 1),
                                                static_cast<uint32_t>(M), chunk);
  HITO_CUDA_CHECK_LAUNCH();
}

// The sum of channel c's chunk sums, added in order (deterministic).
__device__ __forceinline__ SumPair sum_splits(const SumPair* partial, int64_t c, int splits) {
  SumPair total{0.0, 0.0};
  for (int k = 0; k < splits; ++k) total = total + partial[c * splits + k];
  return total;
}

// out: (C). out[c] = the first sums of channel c, as float.
void write_channel_sums(float* out, const SumPair* partial, int splits, int64_t C);

// out: (C). out[c] = the sum of values(c, n, offset).first over channel c of the (N, C, S) view.
template <class Values>
void channel_sums_to(float* out, Values values, int64_t N, int64_t C, int64_t S) {
  int splits = channel_splits(N * S, C);
  Scratch<SumPair> partial(C * splits);
  launch_channel_partial_sums(partial.get(), splits, values, N, C, S);
  write_channel_sums(out, partial.get(), splits, C);
}

}  // namespace hito::cuda
