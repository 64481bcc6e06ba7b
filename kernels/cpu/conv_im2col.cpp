// im2col, its adjoint col2im, the fused epilogue and the per-thread scratch of the CPU convolution.
#include <algorithm>
#include <array>
#include <cstring>
#include <cstdlib>
#include <limits>
#include <memory>

#include "base/error.h"
#include "kernels/cpu/conv_internal.h"

namespace hito::cpu::HITO_CPU_ISA::conv_detail {

void im2col(float* col, int64_t ld, const float* x, int64_t Cg, const ConvGeometry& g) {
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t s = 0; s < g.S; ++s) {
        float* row = col + ((c * g.R + r) * g.S + s) * ld;
        const int64_t w_offset = s * g.dilation_w - g.pad_w;
        const Range q = valid_outputs(g.W, w_offset, g.stride_w, g.Q);
        for (int64_t p = 0; p < g.P; ++p) {
          float* dst = row + p * g.Q;
          const int64_t h = p * g.stride_h - g.pad_h + r * g.dilation_h;
          if (h < 0 || h >= g.H) {
            std::fill(dst, dst + g.Q, 0.0f);
            continue;
          }
          const float* src = x + (c * g.H + h) * g.W + w_offset;
          std::fill(dst, dst + q.begin, 0.0f);
          if (g.stride_w == 1) {
            std::memcpy(dst + q.begin, src + q.begin, (q.end - q.begin) * sizeof(float));
          } else {
            for (int64_t j = q.begin; j < q.end; ++j) dst[j] = src[j * g.stride_w];
          }
          std::fill(dst + q.end, dst + g.Q, 0.0f);
        }
      }
}

void col2im_add(float* dx, const float* col, int64_t ld, int64_t Cg, const ConvGeometry& g) {
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t s = 0; s < g.S; ++s) {
        const float* row = col + ((c * g.R + r) * g.S + s) * ld;
        const int64_t w_offset = s * g.dilation_w - g.pad_w;
        const Range q = valid_outputs(g.W, w_offset, g.stride_w, g.Q);
        for (int64_t p = 0; p < g.P; ++p) {
          const int64_t h = p * g.stride_h - g.pad_h + r * g.dilation_h;
          if (h < 0 || h >= g.H) continue;
          float* dst = dx + (c * g.H + h) * g.W + w_offset;
          const float* src = row + p * g.Q;
          for (int64_t j = q.begin; j < q.end; ++j) dst[j * g.stride_w] += src[j];
        }
      }
}

void apply_epilogue(float* out, const float* bias, const float* residual, FusedActivation act, int64_t K,
                    int64_t PQ) {
  if (!bias && !residual && act == FusedActivation::None) return;
  const float upper = act == FusedActivation::Relu6 ? 6.0f : std::numeric_limits<float>::infinity();
  const float lower = act == FusedActivation::None ? -std::numeric_limits<float>::infinity() : 0.0f;
  for (int64_t k = 0; k < K; ++k) {
    float* y = out + k * PQ;
    const float b = bias ? bias[k] : 0.0f;
    const float* res = residual ? residual + k * PQ : nullptr;
    if (res) {
      for (int64_t i = 0; i < PQ; ++i) y[i] = std::min(std::max(y[i] + b + res[i], lower), upper);
    } else {
      for (int64_t i = 0; i < PQ; ++i) y[i] = std::min(std::max(y[i] + b, lower), upper);
    }
  }
}

float* thread_buffer(int slot, int64_t n) {
  struct Buffer {
    std::unique_ptr<float[], void (*)(void*)> data{nullptr, std::free};
    int64_t size = 0;
  };
  thread_local std::array<Buffer, 5> buffers;
  Buffer& buffer = buffers.at(slot);
  if (buffer.size < n) {
    const size_t bytes = (static_cast<size_t>(n) * sizeof(float) + 63) / 64 * 64;
    buffer.data.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    HITO_CHECK(buffer.data, "out of memory allocating a ", bytes, "-byte convolution buffer");
    buffer.size = n;
  }
  return buffer.data.get();
}

}  // namespace hito::cpu::HITO_CPU_ISA::conv_detail
