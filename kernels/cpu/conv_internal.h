// Building blocks of the CPU convolution (kernels/cpu/conv*.cpp): im2col and its adjoint, the fused
// epilogue, the direct depthwise kernels, and per-thread scratch buffers; declared inside the ISA
// variant being compiled (variant.h). The packed product conv_gemm is declared in declarations.inc.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv_types.h"
#include "kernels/cpu/variant.h"  // conv_detail::conv_gemm

namespace hito::cpu::HITO_CPU_ISA::conv_detail {

// x: (Cg, H, W), the channels of one image and group -> col: (Cg*R*S, P*Q) with rows `ld` apart
// (ld >= P*Q: several images can sit side by side), row (c, r, s) holding
// x[c, p stride_h - pad_h + r dilation_h, q stride_w - pad_w + s dilation_w] (zero outside x).
void im2col(float* col, int64_t ld, const float* x, int64_t Cg, const ConvGeometry& g);
// The adjoint of im2col: dx: (Cg, H, W) += each col entry at the position it was read from.
void col2im_add(float* dx, const float* col, int64_t ld, int64_t Cg, const ConvGeometry& g);

// out: (K, P*Q) of one image, in place: out = act(out + bias[k] + residual); bias (K) and
// residual (K, P*Q) may be nullptr.
void apply_epilogue(float* out, const float* bias, const float* residual, FusedActivation act, int64_t K,
                    int64_t PQ);

// Direct depthwise convolution (one input channel per group, g.is_depthwise()); same contracts as
// conv2d_forward / backward_data / backward_weight in kernels/api/conv.inc.
void depthwise_forward(float* out, const float* x, const float* weight, const float* bias, const float* residual,
                       FusedActivation act, const ConvGeometry& g);
void depthwise_backward_data(float* dx, const float* dout, const float* weight, const ConvGeometry& g);
void depthwise_backward_weight(float* dweight, float* dbias, const float* dout, const float* x,
                               const ConvGeometry& g);

// A float buffer of at least n elements owned by the calling thread (slot picks one of several
// independent buffers: 0-2 for the convolution, 3-4 for conv_gemm's packing); reused across calls
// so that a training step does not reallocate it. Aligned to 64 bytes.
float* thread_buffer(int slot, int64_t n);

// [begin, end) of the output positions q in [0, Q) whose input position q * stride + offset lies in
// [0, extent).
struct Range {
  int64_t begin, end;
};
inline Range valid_outputs(int64_t extent, int64_t offset, int64_t stride, int64_t Q) {
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t end = extent - 1 - offset < 0 ? 0 : (extent - 1 - offset) / stride + 1;
  begin = begin < Q ? begin : Q;
  end = end < Q ? end : Q;
  return {begin, end > begin ? end : begin};
}

}  // namespace hito::cpu::HITO_CPU_ISA::conv_detail
