// The fused epilogue of the inference convolution (bias, residual, ReLU/ReLU6 in one pass over the
// output) and the bias gradient, as our own kernels beside cuDNN's convolution.
#include <cmath>

#include "kernels/cuda/check.h"
#include "kernels/cuda/conv_internal.h"
#include "kernels/cuda/grid.cuh"

namespace hito::cuda {

namespace {

__global__ void conv_epilogue_kernel(float* out, const float* bias, const float* residual, FusedActivation act,
                                     int64_t K, int64_t PQ, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    float v = out[i];
    if (bias) v += bias[(i / PQ) % K];
    if (residual) v += residual[i];
    if (act != FusedActivation::None) v = v > 0.0f ? v : (v != v ? v : 0.0f);  // NaN passes, as on the CPU
    if (act == FusedActivation::Relu6) v = v < 6.0f ? v : 6.0f;
    out[i] = v;
  }
}

// One block per channel k: its threads stride over the N * PQ values, then a tree reduction in
// shared memory; the order of additions is fixed, so the result is reproducible.
__global__ void conv_bias_gradient_kernel(float* dbias, const float* dout, int64_t N, int64_t K, int64_t PQ) {
  __shared__ double partial[kBlock];
  const int64_t k = blockIdx.x;
  double total = 0.0;
  for (int64_t i = threadIdx.x; i < N * PQ; i += blockDim.x) total += dout[((i / PQ) * K + k) * PQ + i % PQ];
  partial[threadIdx.x] = total;
  __syncthreads();
  for (int step = blockDim.x / 2; step > 0; step /= 2) {
    if (threadIdx.x < step) partial[threadIdx.x] += partial[threadIdx.x + step];
    __syncthreads();
  }
  if (threadIdx.x == 0) dbias[k] = static_cast<float>(partial[0]);
}

}  // namespace

void conv_epilogue(float* out, const float* bias, const float* residual, FusedActivation act, int64_t N, int64_t K,
                   int64_t PQ) {
  if (!bias && !residual && act == FusedActivation::None) return;
  const int64_t n = N * K * PQ;
  if (n == 0) return;
  conv_epilogue_kernel<<<grid_for(n), kBlock>>>(out, bias, residual, act, K, PQ, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void conv_bias_gradient(float* dbias, const float* dout, int64_t N, int64_t K, int64_t PQ) {
  if (K == 0) return;
  conv_bias_gradient_kernel<<<static_cast<unsigned>(K), kBlock>>>(dbias, dout, N, K, PQ);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
