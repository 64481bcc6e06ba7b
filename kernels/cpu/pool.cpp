// Max, average and adaptive average pooling on the CPU: one (n, c) plane per task, planes split
// over the threads; the backward passes scatter into their plane of dx, so no two threads write to
// the same place.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/conv_internal.h"
#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

namespace {

// The window of output (p, q) clipped to the input: rows [h0, h1), columns [w0, w1), and the
// divisor of an average over it.
struct Window {
  int64_t h0, h1, w0, w1;
  float divisor;
};
Window pool_window(const PoolGeometry& g, int64_t p, int64_t q) {
  const int64_t h_start = p * g.stride_h - g.pad_h, w_start = q * g.stride_w - g.pad_w;
  // With count_include_pad the padding counts, but never past the padded edge (PyTorch's rule).
  const int64_t h_end = std::min(h_start + g.kernel_h, g.H + g.pad_h);
  const int64_t w_end = std::min(w_start + g.kernel_w, g.W + g.pad_w);
  Window win{std::max<int64_t>(h_start, 0), std::min(h_end, g.H), std::max<int64_t>(w_start, 0),
             std::min(w_end, g.W), 0.0f};
  win.divisor = static_cast<float>(g.count_include_pad ? (h_end - h_start) * (w_end - w_start)
                                                       : (win.h1 - win.h0) * (win.w1 - win.w0));
  return win;
}

// Output cell p of an adaptive pool over `in` positions into `out` cells reads [start, end).
int64_t adaptive_start(int64_t p, int64_t in, int64_t out) { return p * in / out; }
int64_t adaptive_end(int64_t p, int64_t in, int64_t out) { return ((p + 1) * in + out - 1) / out; }

// One plane's max pool, an output row at a time: each window element (h, j) is compared with the
// whole row of outputs at once (a branch-free loop over q that vectorizes; kStride is stride_w when
// known at compile time, 0 to read it from g), in the window's scan order, so the first maximum wins
// as in PyTorch; a NaN wins over numbers and then stays.
template <bool kArgmax, int kStride>
void max_pool_plane(float* out, int64_t* argmax, const float* x, const PoolGeometry& g) {
  const int64_t sw = kStride ? kStride : g.stride_w;
  for (int64_t p = 0; p < g.P; ++p) {
    float* best = out + p * g.Q;
    int64_t* index = kArgmax ? argmax + p * g.Q : nullptr;
    const int64_t h_start = p * g.stride_h - g.pad_h;
    const int64_t h0 = std::max<int64_t>(h_start, 0), h1 = std::min(h_start + g.kernel_h, g.H);
    for (int64_t q = 0; q < g.Q; ++q) {
      best[q] = -std::numeric_limits<float>::infinity();
      if (kArgmax) index[q] = h0 * g.W + std::max<int64_t>(q * sw - g.pad_w, 0);
    }
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        const int64_t offset = j - g.pad_w;
        const conv_detail::Range qs = conv_detail::valid_outputs(g.W, offset, sw, g.Q);
        const float* __restrict row = x + h * g.W + offset;
        float* __restrict b = best;
        int64_t* __restrict at = index;
        const int64_t base = h * g.W + offset;
#pragma omp simd
        for (int64_t q = qs.begin; q < qs.end; ++q) {
          // v wins when greater or NaN (!(v <= b)), unless b is already NaN (b == b fails).
          const float v = row[q * sw];
          const bool take = !(v <= b[q]) && b[q] == b[q];
          if (kArgmax) at[q] = take ? base + q * sw : at[q];
          b[q] = take ? v : b[q];
        }
      }
  }
}

template <bool kArgmax>
void max_pool_plane(float* out, int64_t* argmax, const float* x, const PoolGeometry& g) {
  if (g.stride_w == 1) max_pool_plane<kArgmax, 1>(out, argmax, x, g);
  else if (g.stride_w == 2) max_pool_plane<kArgmax, 2>(out, argmax, x, g);
  else max_pool_plane<kArgmax, 0>(out, argmax, x, g);
}

template <class Fn>  // fn(plane index)
void for_each_plane(int64_t planes, int64_t plane_work, Fn&& fn) {
  parallel_for(planes, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(plane_work, 1)),
               [&](int64_t begin, int64_t end) {
                 for (int64_t i = begin; i < end; ++i) fn(i);
               });
}

}  // namespace

void max_pool2d_forward(float* out, int64_t* argmax, const float* x, const PoolGeometry& g) {
  const int64_t HW = g.H * g.W, PQ = g.P * g.Q;
  for_each_plane(g.N * g.C, PQ * g.kernel_h * g.kernel_w, [&](int64_t plane) {
    if (argmax) max_pool_plane<true>(out + plane * PQ, argmax + plane * PQ, x + plane * HW, g);
    else max_pool_plane<false>(out + plane * PQ, nullptr, x + plane * HW, g);
  });
}

void max_pool2d_backward(float* dx, const float* dout, const int64_t* argmax, const PoolGeometry& g) {
  const int64_t HW = g.H * g.W, PQ = g.P * g.Q;
  for_each_plane(g.N * g.C, HW + PQ, [&](int64_t plane) {
    float* d = dx + plane * HW;
    std::memset(d, 0, HW * sizeof(float));
    for (int64_t i = 0; i < PQ; ++i) d[argmax[plane * PQ + i]] += dout[plane * PQ + i];
  });
}

void avg_pool2d_forward(float* out, const float* x, const PoolGeometry& g) {
  const int64_t HW = g.H * g.W, PQ = g.P * g.Q;
  for_each_plane(g.N * g.C, PQ * g.kernel_h * g.kernel_w, [&](int64_t plane) {
    const float* xs = x + plane * HW;
    for (int64_t p = 0; p < g.P; ++p)
      for (int64_t q = 0; q < g.Q; ++q) {
        const Window win = pool_window(g, p, q);
        float total = 0.0f;
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) total += xs[h * g.W + w];
        out[plane * PQ + p * g.Q + q] = total / win.divisor;
      }
  });
}

void avg_pool2d_backward(float* dx, const float* dout, const PoolGeometry& g) {
  const int64_t HW = g.H * g.W, PQ = g.P * g.Q;
  for_each_plane(g.N * g.C, HW + PQ * g.kernel_h * g.kernel_w, [&](int64_t plane) {
    float* d = dx + plane * HW;
    std::memset(d, 0, HW * sizeof(float));
    for (int64_t p = 0; p < g.P; ++p)
      for (int64_t q = 0; q < g.Q; ++q) {
        const Window win = pool_window(g, p, q);
        const float share = dout[plane * PQ + p * g.Q + q] / win.divisor;
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) d[h * g.W + w] += share;
      }
  });
}

void adaptive_avg_pool2d_forward(float* out, const float* x, int64_t planes, int64_t H, int64_t W, int64_t P,
                                 int64_t Q) {
  for_each_plane(planes, H * W, [&](int64_t plane) {
    const float* xs = x + plane * H * W;
    for (int64_t p = 0; p < P; ++p)
      for (int64_t q = 0; q < Q; ++q) {
        const int64_t h0 = adaptive_start(p, H, P), h1 = adaptive_end(p, H, P);
        const int64_t w0 = adaptive_start(q, W, Q), w1 = adaptive_end(q, W, Q);
        float total = 0.0f;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) total += xs[h * W + w];
        out[(plane * P + p) * Q + q] = total / static_cast<float>((h1 - h0) * (w1 - w0));
      }
  });
}

void adaptive_avg_pool2d_backward(float* dx, const float* dout, int64_t planes, int64_t H, int64_t W, int64_t P,
                                  int64_t Q) {
  for_each_plane(planes, H * W, [&](int64_t plane) {
    float* d = dx + plane * H * W;
    std::memset(d, 0, H * W * sizeof(float));
    for (int64_t p = 0; p < P; ++p)
      for (int64_t q = 0; q < Q; ++q) {
        const int64_t h0 = adaptive_start(p, H, P), h1 = adaptive_end(p, H, P);
        const int64_t w0 = adaptive_start(q, W, Q), w1 = adaptive_end(q, W, Q);
        const float share = dout[(plane * P + p) * Q + q] / static_cast<float>((h1 - h0) * (w1 - w0));
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) d[h * W + w] += share;
      }
  });
}

}  // namespace hito::cpu::HITO_CPU_ISA
