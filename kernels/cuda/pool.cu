// Max, average and adaptive average pooling on CUDA (contracts in kernels/api/pool.inc): a thread
// per output in the forward passes; the backward passes gather, a thread per input element summing
// the windows that contain it, so no atomics are needed and results are reproducible.
#include <cmath>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"

namespace hito::cuda {

namespace {

// The range [lo, hi) of output positions whose window (kernel k, stride s, padding pad) covers
// input position i, among `count` outputs.
struct Span {
  int64_t lo, hi;
};
__device__ Span covering_outputs(int64_t i, int64_t k, int64_t s, int64_t pad, int64_t count) {
  // Output o covers [o s - pad, o s - pad + k): o s <= i + pad and o s > i + pad - k.
  const int64_t top = i + pad;
  int64_t lo = top - k + 1 <= 0 ? 0 : (top - k + 1 + s - 1) / s;
  int64_t hi = top / s + 1;
  return {lo, hi < count ? hi : count};
}

// The clipped window of output (p, q) and its divisor (as kernels/cpu/pool.cpp).
struct Window {
  int64_t h0, h1, w0, w1;
  float divisor;
};
__device__ Window pool_window(const PoolGeometry& g, int64_t p, int64_t q) {
  const int64_t hs = p * g.stride_h - g.pad_h, ws = q * g.stride_w - g.pad_w;
  const int64_t he = min(hs + g.kernel_h, g.H + g.pad_h), we = min(ws + g.kernel_w, g.W + g.pad_w);
  Window win{max(hs, int64_t(0)), min(he, g.H), max(ws, int64_t(0)), min(we, g.W), 0.0f};
  win.divisor = static_cast<float>(g.count_include_pad ? (he - hs) * (we - ws) : (win.h1 - win.h0) * (win.w1 - win.w0));
  return win;
}

__global__ void max_pool2d_forward_kernel(float* out, int64_t* argmax, const float* x, PoolGeometry g) {
  const int64_t n = g.N * g.C * g.P * g.Q;
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    const int64_t q = i % g.Q, p = (i / g.Q) % g.P, plane = i / (g.P * g.Q);
    const float* xs = x + plane * g.H * g.W;
    const Window win = pool_window(g, p, q);
    float best = -INFINITY;
    int64_t best_index = win.h0 * g.W + win.w0;
    for (int64_t h = win.h0; h < win.h1; ++h)
      for (int64_t w = win.w0; w < win.w1; ++w) {
        const float v = xs[h * g.W + w];
        if (v > best || (isnan(v) && !isnan(best))) {  // the first NaN wins, as in PyTorch
          best = v;
          best_index = h * g.W + w;
        }
      }
    out[i] = best;
    if (argmax) argmax[i] = best_index;
  }
}

__global__ void max_pool2d_backward_kernel(float* dx, const float* dout, const int64_t* argmax, PoolGeometry g) {
  const int64_t n = g.N * g.C * g.H * g.W;
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    const int64_t w = i % g.W, h = (i / g.W) % g.H, plane = i / (g.H * g.W);
    const Span ps = covering_outputs(h, g.kernel_h, g.stride_h, g.pad_h, g.P);
    const Span qs = covering_outputs(w, g.kernel_w, g.stride_w, g.pad_w, g.Q);
    float total = 0.0f;
    for (int64_t p = ps.lo; p < ps.hi; ++p)
      for (int64_t q = qs.lo; q < qs.hi; ++q) {
        const int64_t o = (plane * g.P + p) * g.Q + q;
        if (argmax[o] == h * g.W + w) total += dout[o];
      }
    dx[i] = total;
  }
}

__global__ void avg_pool2d_forward_kernel(float* out, const float* x, PoolGeometry g) {
  const int64_t n = g.N * g.C * g.P * g.Q;
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    const int64_t q = i % g.Q, p = (i / g.Q) % g.P, plane = i / (g.P * g.Q);
    const float* xs = x + plane * g.H * g.W;
    const Window win = pool_window(g, p, q);
    float total = 0.0f;
    for (int64_t h = win.h0; h < win.h1; ++h)
      for (int64_t w = win.w0; w < win.w1; ++w) total += xs[h * g.W + w];
    out[i] = total / win.divisor;
  }
}

__global__ void avg_pool2d_backward_kernel(float* dx, const float* dout, PoolGeometry g) {
  const int64_t n = g.N * g.C * g.H * g.W;
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    const int64_t w = i % g.W, h = (i / g.W) % g.H, plane = i / (g.H * g.W);
    const Span ps = covering_outputs(h, g.kernel_h, g.stride_h, g.pad_h, g.P);
    const Span qs = covering_outputs(w, g.kernel_w, g.stride_w, g.pad_w, g.Q);
    float total = 0.0f;
    for (int64_t p = ps.lo; p < ps.hi; ++p)
      for (int64_t q = qs.lo; q < qs.hi; ++q)
        total += dout[(plane * g.P + p) * g.Q + q] / pool_window(g, p, q).divisor;
    dx[i] = total;
  }
}

// Adaptive windows: output cell p of `out` cells over `in` positions reads [start, end).
__device__ int64_t adaptive_start(int64_t p, int64_t in, int64_t out) { return p * in / out; }
__device__ int64_t adaptive_end(int64_t p, int64_t in, int64_t out) { return ((p + 1) * in + out - 1) / out; }

__global__ void adaptive_avg_pool2d_forward_kernel(float* out, const float* x, int64_t planes, int64_t H, int64_t W,
                                                   int64_t P, int64_t Q) {
  const int64_t n = planes * P * Q;
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    const int64_t q = i % Q, p = (i / Q) % P, plane = i / (P * Q);
    const int64_t h0 = adaptive_start(p, H, P), h1 = adaptive_end(p, H, P);
    const int64_t w0 = adaptive_start(q, W, Q), w1 = adaptive_end(q, W, Q);
    const float* xs = x + plane * H * W;
    float total = 0.0f;
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w) total += xs[h * W + w];
    out[i] = total / static_cast<float>((h1 - h0) * (w1 - w0));
  }
}

__global__ void adaptive_avg_pool2d_backward_kernel(float* dx, const float* dout, int64_t planes, int64_t H,
                                                    int64_t W, int64_t P, int64_t Q) {
  const int64_t n = planes * H * W;
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    const int64_t w = i % W, h = (i / W) % H, plane = i / (H * W);
    float total = 0.0f;
    for (int64_t p = 0; p < P; ++p) {
      const int64_t h0 = adaptive_start(p, H, P), h1 = adaptive_end(p, H, P);
      if (h < h0 || h >= h1) continue;
      for (int64_t q = 0; q < Q; ++q) {
        const int64_t w0 = adaptive_start(q, W, Q), w1 = adaptive_end(q, W, Q);
        if (w >= w0 && w < w1)
          total += dout[(plane * P + p) * Q + q] / static_cast<float>((h1 - h0) * (w1 - w0));
      }
    }
    dx[i] = total;
  }
}

}  // namespace

void max_pool2d_forward(float* out, int64_t* argmax, const float* x, const PoolGeometry& g) {
  const int64_t n = g.N * g.C * g.P * g.Q;
  if (n == 0) return;
  max_pool2d_forward_kernel<<<grid_for(n), kBlock>>>(out, argmax, x, g);
  HITO_CUDA_CHECK_LAUNCH();
}

void max_pool2d_backward(float* dx, const float* dout, const int64_t* argmax, const PoolGeometry& g) {
  const int64_t n = g.N * g.C * g.H * g.W;
  if (n == 0) return;
  max_pool2d_backward_kernel<<<grid_for(n), kBlock>>>(dx, dout, argmax, g);
  HITO_CUDA_CHECK_LAUNCH();
}

void avg_pool2d_forward(float* out, const float* x, const PoolGeometry& g) {
  const int64_t n = g.N * g.C * g.P * g.Q;
  if (n == 0) return;
  avg_pool2d_forward_kernel<<<grid_for(n), kBlock>>>(out, x, g);
  HITO_CUDA_CHECK_LAUNCH();
}

void avg_pool2d_backward(float* dx, const float* dout, const PoolGeometry& g) {
  const int64_t n = g.N * g.C * g.H * g.W;
  if (n == 0) return;
  avg_pool2d_backward_kernel<<<grid_for(n), kBlock>>>(dx, dout, g);
  HITO_CUDA_CHECK_LAUNCH();
}

void adaptive_avg_pool2d_forward(float* out, const float* x, int64_t planes, int64_t H, int64_t W, int64_t P,
                                 int64_t Q) {
  const int64_t n = planes * P * Q;
  if (n == 0) return;
  adaptive_avg_pool2d_forward_kernel<<<grid_for(n), kBlock>>>(out, x, planes, H, W, P, Q);
  HITO_CUDA_CHECK_LAUNCH();
}

void adaptive_avg_pool2d_backward(float* dx, const float* dout, int64_t planes, int64_t H, int64_t W, int64_t P,
                                  int64_t Q) {
  const int64_t n = planes * H * W;
  if (n == 0) return;
  adaptive_avg_pool2d_backward_kernel<<<grid_for(n), kBlock>>>(dx, dout, planes, H, W, P, Q);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
