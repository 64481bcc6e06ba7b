// Memory-moving kernels on CUDA (contract in kernels/api/layout.inc): slab copies, embedding lookup
// and its gradient, dropout with the CPU's counter-based masks.
//
// Embedding indices are trusted: they are checked where data enters hito (the CPU kernel also checks
// them). A kernel cannot throw, so an index outside [0, V) reaching this code yields a row of NaNs
// in the forward pass (and adds nothing in the backward pass) instead of touching memory out of bounds.
#include <cmath>
#include <cstdint>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"

namespace hito::cuda {

namespace {

// Copies `rows` runs of row_words words: dst[o * dst_pitch + w] = src[o * src_pitch + w] (pitches
// and lengths in words of type Word).
template <class Word>
__global__ void copy_rows_kernel(Word* dst, int64_t dst_pitch, const Word* src, int64_t src_pitch, int64_t rows,
                                 int64_t row_words) {
  for (int64_t k = global_index(); k < rows * row_words; k += grid_stride()) {
    int64_t o = k / row_words, w = k - o * row_words;
    dst[o * dst_pitch + w] = src[o * src_pitch + w];
  }
}

template <class Word>
void launch_copy_rows(char* dst, int64_t dst_pitch_bytes, const char* src, int64_t src_pitch_bytes, int64_t rows,
                      int64_t row_bytes) {
  constexpr int64_t w = sizeof(Word);
  int64_t n = rows * (row_bytes / w);
  copy_rows_kernel<<<grid_for(n), kBlock>>>(reinterpret_cast<Word*>(dst), dst_pitch_bytes / w,
                                            reinterpret_cast<const Word*>(src), src_pitch_bytes / w, rows,
                                            row_bytes / w);
  HITO_CUDA_CHECK_LAUNCH();
}

// out: (n, D), weight: (V, D), index: (n)
__global__ void embedding_forward_kernel(float* out, const float* weight, const int64_t* index, int64_t n, int64_t V,
                                         int64_t D) {
  for (int64_t k = global_index(); k < n * D; k += grid_stride()) {
    int64_t i = k / D, j = k - i * D, row = index[i];
    out[k] = row >= 0 && row < V ? weight[row * D + j] : NAN;
  }
}

// dweight: (V, D) zeroed, dout: (n, D), index: (n). Repeated indices add up through atomics, so the
// order of the additions (and the last bits of such a row) may differ from run to run.
__global__ void embedding_backward_kernel(float* dweight, const float* dout, const int64_t* index, int64_t n,
                                          int64_t V, int64_t D) {
  for (int64_t k = global_index(); k < n * D; k += grid_stride()) {
    int64_t i = k / D, j = k - i * D, row = index[i];
    if (row >= 0 && row < V) atomicAdd(dweight + row * D + j, dout[k]);
  }
}

// out, mask, x: (n)
__global__ void dropout_forward_kernel(float* out, uint8_t* mask, const float* x, float p, float scale, uint64_t seed,
                                       int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    bool keep = uniform_from_counter(seed, static_cast<uint64_t>(i)) >= p;
    mask[i] = keep;
    out[i] = keep ? x[i] * scale : 0.0f;
  }
}

// dx, dout, mask: (n)
__global__ void dropout_backward_kernel(float* dx, const float* dout, const uint8_t* mask, float scale, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) dx[i] = mask[i] ? dout[i] * scale : 0.0f;
}

}  // namespace

void copy_slab(void* dst, int64_t dst_d, int64_t dst_offset, const void* src, int64_t src_d, int64_t src_offset,
               int64_t outer, int64_t d, int64_t inner, int64_t elem_bytes) {
  int64_t row_bytes = d * inner * elem_bytes;
  if (outer == 0 || row_bytes == 0) return;
  char* to = static_cast<char*>(dst) + dst_offset * inner * elem_bytes;
  const char* from = static_cast<const char*>(src) + src_offset * inner * elem_bytes;
  int64_t dst_pitch = dst_d * inner * elem_bytes, src_pitch = src_d * inner * elem_bytes;
  // The widest word that divides every length and address: 16-byte copies for whole rows of floats.
  auto fits = [&](int64_t w) {
    return row_bytes % w == 0 && reinterpret_cast<uintptr_t>(to) % w == 0 &&
           reinterpret_cast<uintptr_t>(from) % w == 0 && (outer == 1 || (dst_pitch % w == 0 && src_pitch % w == 0));
  };
  if (fits(16)) return launch_copy_rows<uint4>(to, dst_pitch, from, src_pitch, outer, row_bytes);
  if (fits(8)) return launch_copy_rows<uint2>(to, dst_pitch, from, src_pitch, outer, row_bytes);
  if (fits(4)) return launch_copy_rows<uint32_t>(to, dst_pitch, from, src_pitch, outer, row_bytes);
  if (fits(2)) return launch_copy_rows<uint16_t>(to, dst_pitch, from, src_pitch, outer, row_bytes);
  launch_copy_rows<uint8_t>(to, dst_pitch, from, src_pitch, outer, row_bytes);
}

void embedding_forward(float* out, const float* weight, const int64_t* index, int64_t n, int64_t V, int64_t D) {
  if (n * D == 0) return;
  embedding_forward_kernel<<<grid_for(n * D), kBlock>>>(out, weight, index, n, V, D);
  HITO_CUDA_CHECK_LAUNCH();
}

void embedding_backward(float* dweight, const float* dout, const int64_t* index, int64_t n, int64_t V, int64_t D) {
  fill(dweight, 0.0f, V * D);
  if (n * D == 0) return;
  embedding_backward_kernel<<<grid_for(n * D), kBlock>>>(dweight, dout, index, n, V, D);
  HITO_CUDA_CHECK_LAUNCH();
}

void dropout_forward(float* out, uint8_t* mask, const float* x, float p, uint64_t seed, int64_t n) {
  if (n == 0) return;
  dropout_forward_kernel<<<grid_for(n), kBlock>>>(out, mask, x, p, 1.0f / (1.0f - p), seed, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void dropout_backward(float* dx, const float* dout, const uint8_t* mask, float p, int64_t n) {
  if (n == 0) return;
  dropout_backward_kernel<<<grid_for(n), kBlock>>>(dx, dout, mask, 1.0f / (1.0f - p), n);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
