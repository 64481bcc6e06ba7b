// The part of the CUDA convolution that is ours rather than cuDNN's (conv_epilogue.cu), called by
// the cuDNN translation unit (conv_cudnn.cu).
#pragma once

#include <cstdint>

#include "kernels/conv_types.h"

namespace hito::cuda {

// out: (N, K, PQ) in place: out = act(out + bias[k] + residual); bias (K) and residual (N, K, PQ)
// may be nullptr. Does nothing when there is nothing to apply.
void conv_epilogue(float* out, const float* bias, const float* residual, FusedActivation act, int64_t N, int64_t K,
                   int64_t PQ);

// dbias: (K) = the sum of dout: (N, K, PQ) over n and the plane (overwritten), in a fixed order.
void conv_bias_gradient(float* dbias, const float* dout, int64_t N, int64_t K, int64_t PQ);

}  // namespace hito::cuda
