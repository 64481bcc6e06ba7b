// Direct depthwise convolution on the CPU (one input channel per group, as in MobileNetV2): im2col
// would copy every input value R*S times to feed products of a single row, so these kernels slide
// the R x S window over a zero-padded copy of each plane instead, 16 outputs at a time in registers.
// Output channel k reads input channel k / (K / C) (K / C is the channel multiplier, usually 1).
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/conv_internal.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA::conv_detail {

namespace {

constexpr int64_t kBlock = 16;  // outputs of a row computed together (one AVX-512 register)

// A zero-padded copy of one input plane: (H + 2 pad_h, W + 2 pad_w), plus slack so that the last
// block of a row may read (and then ignore) up to kBlock * stride_w values past the plane.
struct PaddedPlane {
  int64_t rows, cols, size;
  explicit PaddedPlane(const ConvGeometry& g)
      : rows(g.H + 2 * g.pad_h), cols(g.W + 2 * g.pad_w), size(rows * cols + kBlock * g.stride_w) {}

  void fill(float* padded, const float* plane, const ConvGeometry& g) const {
    std::memset(padded, 0, size * sizeof(float));
    for (int64_t h = 0; h < g.H; ++h)
      std::memcpy(padded + (h + g.pad_h) * cols + g.pad_w, plane + h * g.W, g.W * sizeof(float));
  }
};

// Planes per thread chunk: enough work to repay waking a thread.
int64_t plane_grain(const ConvGeometry& g) {
  return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(g.P * g.Q * g.R * g.S, 1));
}

// out: (P, Q) = the window of w: (R, S) slid over a padded plane. kStride is stride_w when known at
// compile time (1 and 2, which vectorize), 0 to read it from g.
template <int kStride>
void correlate_plane(float* out, const float* padded, int64_t cols, const float* w, const ConvGeometry& g) {
  const int64_t sw = kStride ? kStride : g.stride_w;
  for (int64_t p = 0; p < g.P; ++p)
    for (int64_t q0 = 0; q0 < g.Q; q0 += kBlock) {
      float acc[kBlock] = {};
      for (int64_t r = 0; r < g.R; ++r) {
        const float* row = padded + (p * g.stride_h + r * g.dilation_h) * cols + q0 * sw;
        for (int64_t s = 0; s < g.S; ++s) {
          const float wv = w[r * g.S + s];
          const float* src = row + s * g.dilation_w;
          for (int64_t j = 0; j < kBlock; ++j) acc[j] += wv * src[j * sw];
        }
      }
      std::memcpy(out + p * g.Q + q0, acc, std::min(kBlock, g.Q - q0) * sizeof(float));
    }
}

void correlate(float* out, const float* padded, int64_t cols, const float* w, const ConvGeometry& g) {
  if (g.stride_w == 1) correlate_plane<1>(out, padded, cols, w, g);
  else if (g.stride_w == 2) correlate_plane<2>(out, padded, cols, w, g);
  else correlate_plane<0>(out, padded, cols, w, g);
}

}  // namespace

void depthwise_forward(float* out, const float* x, const float* weight, const float* bias, const float* residual,
                       FusedActivation act, const ConvGeometry& g) {
  const int64_t multiplier = g.K / g.C, PQ = g.P * g.Q, RS = g.R * g.S;
  const PaddedPlane plane(g);
  parallel_for(g.N * g.K, plane_grain(g), [&](int64_t begin, int64_t end) {
    float* padded = thread_buffer(1, plane.size);
    int64_t filled = -1;  // the input plane (n, c) now in `padded`
    for (int64_t nk = begin; nk < end; ++nk) {
      const int64_t n = nk / g.K, k = nk % g.K, nc = n * g.C + k / multiplier;
      if (nc != filled) plane.fill(padded, x + nc * g.H * g.W, g);
      filled = nc;
      correlate(out + nk * PQ, padded, plane.cols, weight + k * RS, g);
      apply_epilogue(out + nk * PQ, bias ? bias + k : nullptr, residual ? residual + nk * PQ : nullptr, act, 1, PQ);
    }
  });
}

void depthwise_backward_data(float* dx, const float* dout, const float* weight, const ConvGeometry& g) {
  const int64_t multiplier = g.K / g.C, PQ = g.P * g.Q, RS = g.R * g.S;
  const PaddedPlane plane(g);
  parallel_for(g.N * g.C, plane_grain(g), [&](int64_t begin, int64_t end) {
    float* dpadded = thread_buffer(1, plane.size);
    for (int64_t nc = begin; nc < end; ++nc) {
      const int64_t n = nc / g.C, c = nc % g.C;
      std::memset(dpadded, 0, plane.size * sizeof(float));
      // Every output (p, q) of every filter k on channel c sends weight * dout back to each input
      // position its window read.
      for (int64_t k = c * multiplier; k < (c + 1) * multiplier; ++k) {
        const float* dout_k = dout + (n * g.K + k) * PQ;
        const float* w = weight + k * RS;
        for (int64_t p = 0; p < g.P; ++p)
          for (int64_t r = 0; r < g.R; ++r)
            for (int64_t s = 0; s < g.S; ++s) {
              const float wv = w[r * g.S + s];
              float* dst = dpadded + (p * g.stride_h + r * g.dilation_h) * plane.cols + s * g.dilation_w;
              const float* src = dout_k + p * g.Q;
              for (int64_t q = 0; q < g.Q; ++q) dst[q * g.stride_w] += wv * src[q];
            }
      }
      float* dx_plane = dx + nc * g.H * g.W;
      for (int64_t h = 0; h < g.H; ++h)
        std::memcpy(dx_plane + h * g.W, dpadded + (h + g.pad_h) * plane.cols + g.pad_w, g.W * sizeof(float));
    }
  });
}

void depthwise_backward_weight(float* dweight, float* dbias, const float* dout, const float* x,
                               const ConvGeometry& g) {
  const int64_t multiplier = g.K / g.C, PQ = g.P * g.Q, RS = g.R * g.S;
  const PaddedPlane plane(g);
  // Each filter k is one thread's alone: it sums over all images, so no partial sums are needed.
  parallel_for(g.K, std::max<int64_t>(1, plane_grain(g) / std::max<int64_t>(g.N, 1)), [&](int64_t begin, int64_t end) {
    float* padded = thread_buffer(1, plane.size);
    std::vector<double> dw(RS);
    for (int64_t k = begin; k < end; ++k) {
      std::fill(dw.begin(), dw.end(), 0.0);
      double db = 0.0;
      for (int64_t n = 0; n < g.N; ++n) {
        plane.fill(padded, x + (n * g.C + k / multiplier) * g.H * g.W, g);
        const float* dout_k = dout + (n * g.K + k) * PQ;
        for (int64_t p = 0; p < g.P; ++p) {
          const float* grad_row = dout_k + p * g.Q;
          for (int64_t r = 0; r < g.R; ++r)
            for (int64_t s = 0; s < g.S; ++s) {
              const float* src = padded + (p * g.stride_h + r * g.dilation_h) * plane.cols + s * g.dilation_w;
              float total = 0.0f;
              for (int64_t q = 0; q < g.Q; ++q) total += grad_row[q] * src[q * g.stride_w];
              dw[r * g.S + s] += total;
            }
          if (dbias) {
            float total = 0.0f;
            for (int64_t q = 0; q < g.Q; ++q) total += grad_row[q];
            db += total;
          }
        }
      }
      for (int64_t i = 0; i < RS; ++i) dweight[k * RS + i] = static_cast<float>(dw[i]);
      if (dbias) dbias[k] = static_cast<float>(db);
    }
  });
}

}  // namespace hito::cpu::HITO_CPU_ISA::conv_detail
