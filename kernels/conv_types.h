// The geometry of a 2-d convolution or pooling window over NCHW tensors, shared by the CPU and CUDA
// kernels (kernels/api/conv.inc, pool.inc) and the ops that fill it in.
#pragma once

#include <cstdint>

namespace hito {

// x: (N, C, H, W), weight: (K, C / groups, R, S) -> out: (N, K, P, Q), with
//   P = (H + 2 pad_h - dilation_h (R - 1) - 1) / stride_h + 1   (and Q likewise from W, S).
// Output channel k of group g = k / (K / groups) reads input channels [g C / groups, (g + 1) C / groups).
struct ConvGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0;
  int64_t K = 0, R = 0, S = 0;
  int64_t P = 0, Q = 0;
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;

  int64_t channels_per_group() const { return C / groups; }
  int64_t filters_per_group() const { return K / groups; }
  // A 1x1, stride-1, unpadded convolution reads x as it is: out_n = weight (K, C) x_n (C, H*W).
  bool is_pointwise() const {
    return R == 1 && S == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0;
  }
  // One input channel per group (depthwise, possibly with a channel multiplier K / C).
  bool is_depthwise() const { return groups == C && groups > 1; }
};

// The output size of a window sweep along one dimension (PyTorch's floor mode); 0 when the window
// does not fit into the padded input.
inline int64_t window_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation = 1) {
  const int64_t span = input + 2 * pad - dilation * (kernel - 1) - 1;
  return span < 0 ? 0 : span / stride + 1;
}

// What a fused inference convolution applies after adding bias and residual.
enum class FusedActivation : uint8_t { None, Relu, Relu6 };

// x: (N, C, H, W) -> out: (N, C, P, Q); window (kernel_h, kernel_w) moved by stride, over x padded
// by pad on each side (padding never wins a max and, for averages, counts only when
// count_include_pad).
struct PoolGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0;
  int64_t P = 0, Q = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  bool count_include_pad = true;
};

}  // namespace hito
