// The convolution cases of the conv tests: the naive loops and the fused path (tests/conv) and the
// op table's CUDA parity cases (op_table_conv.cpp): each option and each code path of the CPU kernels.
#pragma once

#include <cstdlib>
#include <cstring>

#include "engine/ops.h"

namespace hito::testing {

struct ConvCase {
  const char* name;
  Shape x, weight;
  Conv2dOptions options;
  bool bias;
};

// CUDA against CPU for convolutions and pools: cuDNN runs FP32 math unless HITO_CUDA_TF32=1 asks for
// TF32 (a 10-bit mantissa on the inputs).
inline float cudnn_tolerance() {
  const char* tf32 = std::getenv("HITO_CUDA_TF32");
  return tf32 && std::strcmp(tf32, "1") == 0 ? 1e-2f : 1e-4f;
}

inline ConvGeometry geometry_of(const ConvCase& c) {
  ConvGeometry g;
  g.N = c.x[0], g.C = c.x[1], g.H = c.x[2], g.W = c.x[3];
  g.K = c.weight[0], g.R = c.weight[2], g.S = c.weight[3];
  g.stride_h = c.options.stride.h, g.stride_w = c.options.stride.w;
  g.pad_h = c.options.padding.h, g.pad_w = c.options.padding.w;
  g.dilation_h = c.options.dilation.h, g.dilation_w = c.options.dilation.w;
  g.groups = c.options.groups;
  g.P = window_output_size(g.H, g.R, g.stride_h, g.pad_h, g.dilation_h);
  g.Q = window_output_size(g.W, g.S, g.stride_w, g.pad_w, g.dilation_w);
  return g;
}

// Every code path of the CPU kernels: im2col (strided, padded, dilated, grouped, asymmetric), the
// pointwise GEMM, the depthwise kernel (stride 1, 2 and 3, multiplier, rows longer than one
// 16-wide block), one image (threaded products), several (images over threads), and small outputs
// of several images side by side in one product.
inline const ConvCase kConvCases[] = {
    {"3x3_pad1", {3, 4, 9, 10}, {5, 4, 3, 3}, {.padding = 1}, true},
    {"asymmetric", {2, 3, 11, 9}, {4, 3, 3, 2}, {.stride = {2, 3}, .padding = {1, 0}}, false},
    {"dilated", {2, 2, 12, 11}, {3, 2, 3, 3}, {.padding = 2, .dilation = 2}, true},
    {"dilated_asymmetric", {1, 2, 12, 13}, {3, 2, 2, 3}, {.stride = {1, 2}, .padding = {1, 3}, .dilation = {3, 2}}, true},
    {"grouped", {2, 6, 8, 8}, {9, 2, 3, 3}, {.stride = 2, .padding = 1, .groups = 3}, true},
    {"pointwise", {4, 8, 5, 7}, {6, 8, 1, 1}, {}, true},
    {"pointwise_strided", {2, 8, 9, 7}, {6, 8, 1, 1}, {.stride = 2}, false},
    {"pointwise_grouped", {2, 8, 5, 5}, {4, 8 / 2, 1, 1}, {.groups = 2}, false},
    {"stem_7x7", {1, 3, 23, 21}, {4, 3, 7, 7}, {.stride = 2, .padding = 3}, false},
    {"one_image", {1, 16, 20, 20}, {32, 16, 3, 3}, {.padding = 1}, true},
    {"side_by_side", {6, 8, 4, 4}, {5, 8, 3, 3}, {.padding = 1}, true},
    {"side_by_side_pointwise", {7, 8, 3, 3}, {4, 8, 1, 1}, {}, true},
    {"side_by_side_grouped", {6, 4, 4, 4}, {6, 2, 3, 3}, {.padding = 1, .groups = 2}, true},
    {"depthwise", {2, 5, 9, 37}, {5, 1, 3, 3}, {.padding = 1, .groups = 5}, true},
    {"depthwise_s2", {3, 4, 10, 35}, {4, 1, 3, 3}, {.stride = 2, .padding = 1, .groups = 4}, false},
    {"depthwise_s3_dilated", {2, 3, 13, 19}, {3, 1, 3, 3}, {.stride = 3, .padding = 2, .dilation = 2, .groups = 3}, true},
    {"depthwise_multiplier", {2, 3, 8, 17}, {6, 1, 5, 3}, {.stride = {1, 2}, .padding = {2, 1}, .groups = 3}, true},
    {"depthwise_no_pad", {2, 4, 6, 20}, {4, 1, 3, 3}, {.groups = 4}, false},
};

}  // namespace hito::testing
