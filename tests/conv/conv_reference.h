// Naive reference loops for convolution (in double precision, straight from the definitions in
// kernels/api/conv.inc), against which the kernels are tested.
#pragma once

#include <vector>

#include "kernels/conv_types.h"

namespace hito::testing {

// x: (N, C, H, W), weight: (K, C/groups, R, S), bias: (K) or empty -> (N, K, P, Q)
inline std::vector<float> naive_conv_forward(const std::vector<float>& x, const std::vector<float>& weight,
                                             const std::vector<float>& bias, const ConvGeometry& g) {
  std::vector<float> out(g.N * g.K * g.P * g.Q);
  const int64_t Cg = g.C / g.groups, Kg = g.K / g.groups;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t k = 0; k < g.K; ++k)
      for (int64_t p = 0; p < g.P; ++p)
        for (int64_t q = 0; q < g.Q; ++q) {
          double total = bias.empty() ? 0.0 : bias[k];
          for (int64_t cc = 0; cc < Cg; ++cc)
            for (int64_t r = 0; r < g.R; ++r)
              for (int64_t s = 0; s < g.S; ++s) {
                int64_t c = (k / Kg) * Cg + cc;
                int64_t h = p * g.stride_h - g.pad_h + r * g.dilation_h;
                int64_t w = q * g.stride_w - g.pad_w + s * g.dilation_w;
                if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                total += double(weight[((k * Cg + cc) * g.R + r) * g.S + s]) * x[((n * g.C + c) * g.H + h) * g.W + w];
              }
          out[((n * g.K + k) * g.P + p) * g.Q + q] = static_cast<float>(total);
        }
  return out;
}

// The gradients of sum(out * dout): dx (N, C, H, W), dweight (K, C/groups, R, S), dbias (K).
struct NaiveConvGrads {
  std::vector<float> dx, dweight, dbias;
};
inline NaiveConvGrads naive_conv_backward(const std::vector<float>& x, const std::vector<float>& weight,
                                          const std::vector<float>& dout, const ConvGeometry& g) {
  std::vector<double> dx(g.N * g.C * g.H * g.W), dw(g.K * (g.C / g.groups) * g.R * g.S), db(g.K);
  const int64_t Cg = g.C / g.groups, Kg = g.K / g.groups;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t k = 0; k < g.K; ++k)
      for (int64_t p = 0; p < g.P; ++p)
        for (int64_t q = 0; q < g.Q; ++q) {
          double go = dout[((n * g.K + k) * g.P + p) * g.Q + q];
          db[k] += go;
          for (int64_t cc = 0; cc < Cg; ++cc)
            for (int64_t r = 0; r < g.R; ++r)
              for (int64_t s = 0; s < g.S; ++s) {
                int64_t c = (k / Kg) * Cg + cc;
                int64_t h = p * g.stride_h - g.pad_h + r * g.dilation_h;
                int64_t w = q * g.stride_w - g.pad_w + s * g.dilation_w;
                if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                int64_t wi = ((k * Cg + cc) * g.R + r) * g.S + s, xi = ((n * g.C + c) * g.H + h) * g.W + w;
                dx[xi] += go * weight[wi];
                dw[wi] += go * x[xi];
              }
        }
  return {std::vector<float>(dx.begin(), dx.end()), std::vector<float>(dw.begin(), dw.end()),
          std::vector<float>(db.begin(), db.end())};
}

}  // namespace hito::testing
