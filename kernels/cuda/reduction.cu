// The non-template parts of reduction.cuh: how a channel is split among blocks, and writing out
// per-channel sums.
#include <algorithm>

#include "kernels/cuda/reduction.cuh"
#include "kernels/cuda/runtime.h"

namespace hito::cuda {

int channel_splits(int64_t M, int64_t C) {
  constexpr int64_t kBlocksPerMultiprocessor = 4, kMinValuesPerBlock = 4 * kBlock;
  int64_t wanted = (kBlocksPerMultiprocessor * multiprocessor_count() + C - 1) / std::max<int64_t>(C, 1);
  int64_t useful = (M + kMinValuesPerBlock - 1) / kMinValuesPerBlock;
  return static_cast<int>(std::clamp<int64_t>(std::min(wanted, useful), 1, 65535));
}

namespace {
// partial: (C, splits) -> out: (C)
__global__ void write_channel_sums_kernel(float* out, const SumPair* partial, int splits, int64_t C) {
  for (int64_t c = global_index(); c < C; c += grid_stride()) out[c] = static_cast<float>(sum_splits(partial, c, splits).first);
}
}  // namespace

void write_channel_sums(float* out, const SumPair* partial, int splits, int64_t C) {
  write_channel_sums_kernel<<<grid_for(C), kBlock>>>(out, partial, splits, C);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
