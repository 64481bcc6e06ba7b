// Softmax, log-softmax and the fused softmax cross-entropy on CUDA (contract in
// kernels/api/softmax.inc): one warp per row, max-subtracted, with the formulas of
// kernels/cpu/softmax.cpp.
//
// Targets are trusted: they are checked where labels enter hito (the CPU kernel also checks them).
// A kernel cannot throw, so a target outside [0, K) reaching this code makes the loss and its
// gradient NaN instead of reading out of bounds.
#include <cmath>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"
#include "kernels/cuda/reduction.cuh"
#include "kernels/cuda/scratch.h"

namespace hito::cuda {

namespace {

// Row r of the (outer, d, inner) view starts at (r / inner) * d * inner + r % inner, stride inner.
__device__ __forceinline__ int64_t row_start(int64_t r, int64_t d, int64_t inner) {
  return (r / inner) * d * inner + r % inner;
}

// Warps of a grid-stride launch: warp w handles rows w, w + warps, ...; every lane of a warp runs
// the same iterations, so the warp-wide shuffles see all 32 lanes.
__device__ __forceinline__ int64_t first_warp() { return global_index() / kWarp; }
__device__ __forceinline__ int64_t warp_stride() { return grid_stride() / kWarp; }

// x, out: (outer, d, inner); rows = outer * inner
__global__ void softmax_forward_kernel(float* out, const float* x, int64_t rows, int64_t d, int64_t inner, bool log) {
  int lane = threadIdx.x % kWarp;
  for (int64_t r = first_warp(); r < rows; r += warp_stride()) {
    int64_t base = row_start(r, d, inner);
    const float* xs = x + base;
    float* ys = out + base;
    float peak = -INFINITY;
    for (int64_t j = lane; j < d; j += kWarp) peak = fmaxf(peak, xs[j * inner]);
    peak = warp_max(peak);
    float total = 0.0f;
    for (int64_t j = lane; j < d; j += kWarp) total += expf(xs[j * inner] - peak);
    total = warp_sum(total);
    if (log) {
      float log_total = logf(total) + peak;
      for (int64_t j = lane; j < d; j += kWarp) ys[j * inner] = xs[j * inner] - log_total;
    } else {
      float inv = 1.0f / total;
      for (int64_t j = lane; j < d; j += kWarp) ys[j * inner] = expf(xs[j * inner] - peak) * inv;
    }
  }
}

// dx, dout, out: (outer, d, inner). softmax: dx = y (g - <g, y>); log-softmax: dx = g - exp(y) sum(g).
__global__ void softmax_backward_kernel(float* dx, const float* dout, const float* out, int64_t rows, int64_t d,
                                        int64_t inner, bool log) {
  int lane = threadIdx.x % kWarp;
  for (int64_t r = first_warp(); r < rows; r += warp_stride()) {
    int64_t base = row_start(r, d, inner);
    const float *g = dout + base, *y = out + base;
    float* dxs = dx + base;
    float dot = 0.0f;
    for (int64_t j = lane; j < d; j += kWarp) dot += log ? g[j * inner] : g[j * inner] * y[j * inner];
    dot = warp_sum(dot);
    for (int64_t j = lane; j < d; j += kWarp)
      dxs[j * inner] = log ? g[j * inner] - expf(y[j * inner]) * dot : y[j * inner] * (g[j * inner] - dot);
  }
}

__device__ __forceinline__ float weight_of(const float* class_weight, int64_t k) {
  return class_weight ? class_weight[k] : 1.0f;
}

// logits, probs: (N, K), target: (N), class_weight: (K) or null -> terms: (N) of
// (row loss, w[target]); the loss is sum(row loss) / sum(w[target]). -log p[k] = log_denom - z[k].
__global__ void cross_entropy_rows_kernel(SumPair* terms, float* probs, const float* logits, const int64_t* target,
                                          const float* class_weight, float smoothing, int64_t N, int64_t K) {
  int lane = threadIdx.x % kWarp;
  for (int64_t i = first_warp(); i < N; i += warp_stride()) {
    const float* z = logits + i * K;
    float* p = probs + i * K;
    float peak = -INFINITY;
    for (int64_t k = lane; k < K; k += kWarp) peak = fmaxf(peak, z[k]);
    peak = warp_max(peak);
    float denom = 0.0f;
    for (int64_t k = lane; k < K; k += kWarp) denom += expf(z[k] - peak);
    float log_denom = logf(warp_sum(denom)) + peak;
    float smooth = 0.0f;
    for (int64_t k = lane; k < K; k += kWarp) {
      p[k] = expf(z[k] - log_denom);
      smooth += weight_of(class_weight, k) * (log_denom - z[k]);
    }
    smooth = warp_sum(smooth);
    if (lane == 0) {
      int64_t y = target[i];
      if (y < 0 || y >= K) {
        terms[i] = SumPair{NAN, NAN};
      } else {
        float wy = weight_of(class_weight, y);
        terms[i] = SumPair{(1.0f - smoothing) * wy * (log_denom - z[y]) + smoothing / K * smooth, wy};
      }
    }
  }
}

// terms: (N) -> loss: (1) = sum of row losses / sum of weights. One block.
__global__ void cross_entropy_total_kernel(float* loss, const SumPair* terms, int64_t N) {
  SumPair total{0.0, 0.0};
  for (int64_t i = threadIdx.x; i < N; i += blockDim.x) total = total + terms[i];
  total = block_sum(total, SumPair{0.0, 0.0});
  if (threadIdx.x == 0) *loss = static_cast<float>(total.first / total.second);
}

// target: (N), class_weight: (K) or null, dloss: (1) -> scalars: (2) = (dloss / W, S), where
// W = sum_i w[target_i] and S = sum_k w[k]. One block.
__global__ void cross_entropy_scale_kernel(float* scalars, const float* dloss, const int64_t* target,
                                           const float* class_weight, int64_t N, int64_t K) {
  SumPair sums{0.0, 0.0};
  for (int64_t i = threadIdx.x; i < N; i += blockDim.x) {
    int64_t y = target[i];
    sums.first += y < 0 || y >= K ? NAN : weight_of(class_weight, y);
  }
  for (int64_t k = threadIdx.x; k < K; k += blockDim.x) sums.second += weight_of(class_weight, k);
  sums = block_sum(sums, SumPair{0.0, 0.0});
  if (threadIdx.x == 0) {
    scalars[0] = static_cast<float>(*dloss / sums.first);
    scalars[1] = static_cast<float>(sums.second);
  }
}

// dlogits, probs: (N, K); scalars from cross_entropy_scale_kernel.
//   dlogits[i,j] = scale * [ (1-eps) w[y_i] (p[i,j] - [j == y_i]) + eps/K (S p[i,j] - w[j]) ]
__global__ void cross_entropy_backward_kernel(float* dlogits, const float* probs, const int64_t* target,
                                              const float* class_weight, const float* scalars, float smoothing,
                                              int64_t N, int64_t K) {
  float scale = scalars[0], weight_sum = scalars[1];
  for (int64_t k = global_index(); k < N * K; k += grid_stride()) {
    int64_t i = k / K, j = k - i * K, y = target[i];
    if (y < 0 || y >= K) {
      dlogits[k] = NAN;
      continue;
    }
    float hard = (1.0f - smoothing) * weight_of(class_weight, y);
    dlogits[k] = scale * (hard * (probs[k] - (j == y ? 1.0f : 0.0f)) +
                          smoothing / K * (weight_sum * probs[k] - weight_of(class_weight, j)));
  }
}

}  // namespace

void softmax_forward(float* out, const float* x, int64_t outer, int64_t d, int64_t inner, bool log) {
  int64_t rows = outer * inner;
  if (rows == 0 || d == 0) return;
  softmax_forward_kernel<<<grid_for(rows * kWarp), kBlock>>>(out, x, rows, d, inner, log);
  HITO_CUDA_CHECK_LAUNCH();
}

void softmax_backward(float* dx, const float* dout, const float* out, int64_t outer, int64_t d, int64_t inner,
                      bool log) {
  int64_t rows = outer * inner;
  if (rows == 0 || d == 0) return;
  softmax_backward_kernel<<<grid_for(rows * kWarp), kBlock>>>(dx, dout, out, rows, d, inner, log);
  HITO_CUDA_CHECK_LAUNCH();
}

void cross_entropy_forward(float* loss, float* probs, const float* logits, const int64_t* target,
                           const float* class_weight, float smoothing, int64_t N, int64_t K) {
  Scratch<SumPair> terms(N);
  cross_entropy_rows_kernel<<<grid_for(N * kWarp), kBlock>>>(terms.get(), probs, logits, target, class_weight,
                                                             smoothing, N, K);
  HITO_CUDA_CHECK_LAUNCH();
  cross_entropy_total_kernel<<<1, kBlock>>>(loss, terms.get(), N);
  HITO_CUDA_CHECK_LAUNCH();
}

void cross_entropy_backward(float* dlogits, const float* dloss, const float* probs, const int64_t* target,
                            const float* class_weight, float smoothing, int64_t N, int64_t K) {
  Scratch<float> scalars(2);
  cross_entropy_scale_kernel<<<1, kBlock>>>(scalars.get(), dloss, target, class_weight, N, K);
  HITO_CUDA_CHECK_LAUNCH();
  cross_entropy_backward_kernel<<<grid_for(N * K), kBlock>>>(dlogits, probs, target, class_weight, scalars.get(),
                                                             smoothing, N, K);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
