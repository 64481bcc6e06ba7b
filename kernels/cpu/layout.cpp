// Memory-moving kernels on the CPU: slab copies, embedding lookup, dropout.
#include <cstring>

#include "base/error.h"
#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

void copy_slab(void* dst, int64_t dst_d, int64_t dst_offset, const void* src, int64_t src_d, int64_t src_offset,
               int64_t outer, int64_t d, int64_t inner, int64_t elem_bytes) {
  // Each outer index holds one contiguous run of d * inner elements on both sides.
  int64_t run = d * inner * elem_bytes;
  if (run == 0) return;  // an empty slab: the pointers of empty tensors may be null, even for memcpy
  auto* out = static_cast<char*>(dst);
  auto* in = static_cast<const char*>(src);
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(out + ((o * dst_d + dst_offset) * inner) * elem_bytes, in + ((o * src_d + src_offset) * inner) * elem_bytes,
                static_cast<size_t>(run));
}

void embedding_forward(float* out, const float* weight, const int64_t* index, int64_t n, int64_t V, int64_t D) {
  for (int64_t i = 0; i < n; ++i) {
    HITO_CHECK(index[i] >= 0 && index[i] < V, "embedding: index ", index[i], " at position ", i,
               " is outside the table of ", V, " rows");
    std::memcpy(out + i * D, weight + index[i] * D, static_cast<size_t>(D) * sizeof(float));
  }
}

void embedding_backward(float* dweight, const float* dout, const int64_t* index, int64_t n, int64_t V, int64_t D) {
  std::memset(dweight, 0, static_cast<size_t>(V * D) * sizeof(float));
  for (int64_t i = 0; i < n; ++i) {
    float* row = dweight + index[i] * D;
    const float* g = dout + i * D;
    for (int64_t j = 0; j < D; ++j) row[j] += g[j];
  }
}

void dropout_forward(float* out, uint8_t* mask, const float* x, float p, uint64_t seed, int64_t n) {
  float scale = 1.0f / (1.0f - p);
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      mask[i] = uniform_from_counter(seed, static_cast<uint64_t>(i)) >= p;
      out[i] = mask[i] ? x[i] * scale : 0.0f;
    }
  });
}

void dropout_backward(float* dx, const float* dout, const uint8_t* mask, float p, int64_t n) {
  float scale = 1.0f / (1.0f - p);
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) dx[i] = mask[i] ? dout[i] * scale : 0.0f;
  });
}

}  // namespace hito::cpu::HITO_CPU_ISA
