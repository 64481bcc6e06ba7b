// Batch norm and layer norm on CUDA (contract and backward formulas in kernels/api/norm.inc).
// Batch norm: per-channel sums over the (N, C, S) view (reduction.cuh), a thread per channel turns
// them into statistics, then an elementwise pass. Layer norm: one warp per row, plus per-column sums
// for the parameter gradients. Statistics are accumulated in double, as on the CPU.
#include <cmath>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"
#include "kernels/cuda/reduction.cuh"
#include "kernels/cuda/scratch.h"

namespace hito::cuda {

namespace {

// Sums of (x - K) and (x - K)^2 over a channel, K = the channel's first value: shifting by a value
// of the channel keeps the variance E[(x-K)^2] - E[x-K]^2 free of cancellation.
struct ShiftedMoments {
  const float* x;
  int64_t S;
  __device__ SumPair operator()(int64_t c, int64_t, int64_t offset) const {
    double v = static_cast<double>(x[offset]) - x[c * S];
    return {v, v * v};
  }
};

// Sums of dout and dout * xhat over a channel, xhat = (x - mean) * invstd.
struct GradientMoments {
  const float *dout, *x, *mean, *invstd;
  __device__ SumPair operator()(int64_t c, int64_t, int64_t offset) const {
    float g = dout[offset];
    return {g, g * (x[offset] - mean[c]) * invstd[c]};
  }
};

// Per channel: mean and biased variance from the shifted sums; running statistics move by momentum
// towards the mean and the unbiased variance (PyTorch's convention), as in kernels/cpu/norm.cpp.
__global__ void batch_norm_statistics_kernel(float* save_mean, float* save_invstd, float* running_mean,
                                             float* running_var, const float* x, const SumPair* partial, int splits,
                                             float momentum, float eps, int64_t M, int64_t C, int64_t S) {
  for (int64_t c = global_index(); c < C; c += grid_stride()) {
    SumPair sums = sum_splits(partial, c, splits);
    double shifted_mean = sums.first / M;
    double var = fmax(sums.second / M - shifted_mean * shifted_mean, 0.0);  // biased: used to normalise
    double mean = x[c * S] + shifted_mean;
    save_mean[c] = static_cast<float>(mean);
    save_invstd[c] = static_cast<float>(1.0 / sqrt(var + eps));
    if (running_mean) running_mean[c] = static_cast<float>((1 - momentum) * running_mean[c] + momentum * mean);
    if (running_var)
      running_var[c] = static_cast<float>((1 - momentum) * running_var[c] + momentum * (var * M) / (M > 1 ? M - 1 : 1));
  }
}

// save_mean, save_invstd: (C) from the running statistics.
__global__ void batch_norm_eval_statistics_kernel(float* save_mean, float* save_invstd, const float* running_mean,
                                                  const float* running_var, float eps, int64_t C) {
  for (int64_t c = global_index(); c < C; c += grid_stride()) {
    save_mean[c] = running_mean[c];
    save_invstd[c] = 1.0f / sqrtf(running_var[c] + eps);
  }
}

// out, x: (N, C, S) = n elements; y = x * scale + shift with scale = invstd * weight and
// shift = bias - mean * scale per channel.
__global__ void batch_norm_normalize_kernel(float* out, const float* x, const float* mean, const float* invstd,
                                            const float* weight, const float* bias, int64_t C, int64_t S, int64_t n) {
  for (int64_t k = global_index(); k < n; k += grid_stride()) {
    int64_t c = (k / S) % C;
    float scale = invstd[c] * (weight ? weight[c] : 1.0f);
    float shift = (bias ? bias[c] : 0.0f) - mean[c] * scale;
    out[k] = x[k] * scale + shift;
  }
}

// Per channel: dbias = sum dout, dweight = sum dout * xhat (either may be null), and their means
// over the M values into means (C) for the input gradient.
__global__ void batch_norm_gradient_sums_kernel(float* dweight, float* dbias, float2* means, const SumPair* partial,
                                                int splits, int64_t M, int64_t C) {
  for (int64_t c = global_index(); c < C; c += grid_stride()) {
    SumPair sums = sum_splits(partial, c, splits);
    if (dbias) dbias[c] = static_cast<float>(sums.first);
    if (dweight) dweight[c] = static_cast<float>(sums.second);
    means[c] = make_float2(static_cast<float>(sums.first / M), static_cast<float>(sums.second / M));
  }
}

// dx, dout, x: (N, C, S) = n elements. With k = weight * invstd:
//   batch statistics: dx = k (dout - mean(dout) - xhat mean(dout xhat));  frozen: dx = k dout.
__global__ void batch_norm_input_grad_kernel(float* dx, const float* dout, const float* x, const float* mean,
                                             const float* invstd, const float* weight, const float2* means,
                                             int64_t C, int64_t S, int64_t n) {
  for (int64_t k = global_index(); k < n; k += grid_stride()) {
    int64_t c = (k / S) % C;
    float scale = (weight ? weight[c] : 1.0f) * invstd[c];
    dx[k] = means ? scale * (dout[k] - means[c].x - (x[k] - mean[c]) * invstd[c] * means[c].y) : scale * dout[k];
  }
}

// x, out: (N, D); save_mean, save_invstd: (N). One warp per row.
__global__ void layer_norm_forward_kernel(float* out, float* save_mean, float* save_invstd, const float* x,
                                          const float* weight, const float* bias, float eps, int64_t N, int64_t D) {
  int lane = threadIdx.x % kWarp;
  for (int64_t r = global_index() / kWarp; r < N; r += grid_stride() / kWarp) {
    const float* xs = x + r * D;
    double total = 0.0;
    for (int64_t j = lane; j < D; j += kWarp) total += xs[j];
    double mean = warp_sum(total) / D, squares = 0.0;
    for (int64_t j = lane; j < D; j += kWarp) squares += (xs[j] - mean) * (xs[j] - mean);
    float invstd = static_cast<float>(1.0 / sqrt(warp_sum(squares) / D + eps));
    float mean_f = static_cast<float>(mean);
    if (lane == 0) {
      save_mean[r] = mean_f;
      save_invstd[r] = invstd;
    }
    float* ys = out + r * D;
    for (int64_t j = lane; j < D; j += kWarp)
      ys[j] = (xs[j] - mean_f) * invstd * (weight ? weight[j] : 1.0f) + (bias ? bias[j] : 0.0f);
  }
}

// dx, dout, x: (N, D). One warp per row; with g = dout * weight and xhat = (x - mean) * invstd:
//   dx = invstd * (g - mean_D(g) - xhat * mean_D(g * xhat))
__global__ void layer_norm_input_grad_kernel(float* dx, const float* dout, const float* x, const float* save_mean,
                                             const float* save_invstd, const float* weight, int64_t N, int64_t D) {
  int lane = threadIdx.x % kWarp;
  for (int64_t r = global_index() / kWarp; r < N; r += grid_stride() / kWarp) {
    const float *xs = x + r * D, *g = dout + r * D;
    float mean = save_mean[r], invstd = save_invstd[r];
    double sum_gw = 0.0, sum_gw_xhat = 0.0;
    for (int64_t j = lane; j < D; j += kWarp) {
      float gw = g[j] * (weight ? weight[j] : 1.0f);
      sum_gw += gw;
      sum_gw_xhat += gw * (xs[j] - mean) * invstd;
    }
    float mean_gw = static_cast<float>(warp_sum(sum_gw) / D);
    float mean_gw_xhat = static_cast<float>(warp_sum(sum_gw_xhat) / D);
    float* d = dx + r * D;
    for (int64_t j = lane; j < D; j += kWarp) {
      float gw = g[j] * (weight ? weight[j] : 1.0f), xhat = (xs[j] - mean) * invstd;
      d[j] = invstd * (gw - mean_gw - xhat * mean_gw_xhat);
    }
  }
}

// Column j of (N, D) is channel j of the (N, D, 1) view: sums of dout * xhat and of dout.
struct LayerNormParameterMoments {
  const float *dout, *x, *mean, *invstd;
  __device__ SumPair operator()(int64_t, int64_t row, int64_t offset) const {
    float g = dout[offset];
    return {g * (x[offset] - mean[row]) * invstd[row], g};
  }
};

// dweight, dbias: (D), either may be null.
__global__ void layer_norm_parameter_grads_kernel(float* dweight, float* dbias, const SumPair* partial, int splits,
                                                  int64_t D) {
  for (int64_t j = global_index(); j < D; j += grid_stride()) {
    SumPair sums = sum_splits(partial, j, splits);
    if (dweight) dweight[j] = static_cast<float>(sums.first);
    if (dbias) dbias[j] = static_cast<float>(sums.second);
  }
}

}  // namespace

void batch_norm_forward_train(float* out, float* save_mean, float* save_invstd, float* running_mean,
                              float* running_var, const float* x, const float* weight, const float* bias,
                              float momentum, float eps, int64_t N, int64_t C, int64_t S) {
  int64_t M = N * S;
  if (C == 0 || M == 0) return;
  int splits = channel_splits(M, C);
  Scratch<SumPair> partial(C * splits);
  launch_channel_partial_sums(partial.get(), splits, ShiftedMoments{x, S}, N, C, S);
  batch_norm_statistics_kernel<<<grid_for(C), kBlock>>>(save_mean, save_invstd, running_mean, running_var, x,
                                                        partial.get(), splits, momentum, eps, M, C, S);
  HITO_CUDA_CHECK_LAUNCH();
  batch_norm_normalize_kernel<<<grid_for(M * C), kBlock>>>(out, x, save_mean, save_invstd, weight, bias, C, S, M * C);
  HITO_CUDA_CHECK_LAUNCH();
}

void batch_norm_forward_eval(float* out, float* save_mean, float* save_invstd, const float* x,
                             const float* running_mean, const float* running_var, const float* weight,
                             const float* bias, float eps, int64_t N, int64_t C, int64_t S) {
  if (C == 0) return;
  batch_norm_eval_statistics_kernel<<<grid_for(C), kBlock>>>(save_mean, save_invstd, running_mean, running_var, eps,
                                                             C);
  HITO_CUDA_CHECK_LAUNCH();
  int64_t n = N * C * S;
  if (n == 0) return;
  batch_norm_normalize_kernel<<<grid_for(n), kBlock>>>(out, x, save_mean, save_invstd, weight, bias, C, S, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void batch_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* save_mean, const float* save_invstd, const float* weight,
                         bool batch_statistics, int64_t N, int64_t C, int64_t S) {
  int64_t M = N * S;
  if (C == 0 || M == 0) return;
  int splits = channel_splits(M, C);
  Scratch<SumPair> partial(C * splits);
  Scratch<float2> means(C);
  if (batch_statistics || dweight || dbias) {
    launch_channel_partial_sums(partial.get(), splits, GradientMoments{dout, x, save_mean, save_invstd}, N, C, S);
    batch_norm_gradient_sums_kernel<<<grid_for(C), kBlock>>>(dweight, dbias, means.get(), partial.get(), splits, M,
                                                             C);
    HITO_CUDA_CHECK_LAUNCH();
  }
  batch_norm_input_grad_kernel<<<grid_for(M * C), kBlock>>>(dx, dout, x, save_mean, save_invstd, weight,
                                                            batch_statistics ? means.get() : nullptr, C, S, M * C);
  HITO_CUDA_CHECK_LAUNCH();
}

void layer_norm_forward(float* out, float* save_mean, float* save_invstd, const float* x, const float* weight,
                        const float* bias, float eps, int64_t N, int64_t D) {
  if (N == 0 || D == 0) return;
  layer_norm_forward_kernel<<<grid_for(N * kWarp), kBlock>>>(out, save_mean, save_invstd, x, weight, bias, eps, N, D);
  HITO_CUDA_CHECK_LAUNCH();
}

void layer_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* save_mean, const float* save_invstd, const float* weight, int64_t N,
                         int64_t D) {
  if (N == 0 || D == 0) return;
  layer_norm_input_grad_kernel<<<grid_for(N * kWarp), kBlock>>>(dx, dout, x, save_mean, save_invstd, weight, N, D);
  HITO_CUDA_CHECK_LAUNCH();
  if (!dweight && !dbias) return;
  int splits = channel_splits(N, D);
  Scratch<SumPair> partial(D * splits);
  launch_channel_partial_sums(partial.get(), splits, LayerNormParameterMoments{dout, x, save_mean, save_invstd}, N,
                              D, 1);
  layer_norm_parameter_grads_kernel<<<grid_for(D), kBlock>>>(dweight, dbias, partial.get(), splits, D);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
