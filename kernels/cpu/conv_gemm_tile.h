// The register tile of conv_gemm (conv_gemm.cpp) for the ISA variant being compiled: kMr x kNr
// outputs held in registers while the kernel runs down one packed A panel (kc x kMr) and one packed
// B panel (kc x kNr, 64-byte aligned). Each step loads a row of B as vectors and broadcasts kMr
// values of A into kMr * (kNr / lanes) FMAs on as many accumulators, enough independent FMAs to hide
// their latency without running out of registers:
//  avx512: 14 x 32 (28 of the 32 zmm registers accumulate, two hold B);
//  avx2:    6 x 16 (12 of the 16 ymm registers accumulate, two hold B), BLIS's Haswell shape;
//  scalar:  4 x 16, portable loops the compiler vectorizes as it can.
#pragma once

#include <cstdint>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace hito::cpu::HITO_CPU_ISA::conv_detail {

#if defined(__AVX512F__)
constexpr int64_t kMr = 14;
constexpr int64_t kNr = 32;
#elif defined(__AVX2__)
constexpr int64_t kMr = 6;
constexpr int64_t kNr = 16;
#else
constexpr int64_t kMr = 4;
constexpr int64_t kNr = 16;
#endif

// tile (kMr, kNr) with row stride ldt = the product of one A panel and one B panel (kc deep), added
// to the tile when accumulate, else written over it.
inline void micro_kernel(int64_t kc, const float* ap, const float* bp, float* tile, int64_t ldt, bool accumulate) {
#if defined(__AVX512F__) || defined(__AVX2__)
#if defined(__AVX512F__)
  using Vec = __m512;
  constexpr int kLanes = 16;
  const auto zero = [] { return _mm512_setzero_ps(); };
  const auto load = [](const float* p) { return _mm512_load_ps(p); };
  const auto loadu = [](const float* p) { return _mm512_loadu_ps(p); };
  const auto storeu = [](float* p, Vec v) { _mm512_storeu_ps(p, v); };
  const auto broadcast = [](float v) { return _mm512_set1_ps(v); };
  const auto fmadd = [](Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); };
  const auto add = [](Vec a, Vec b) { return _mm512_add_ps(a, b); };
#else
  using Vec = __m256;
  constexpr int kLanes = 8;
  const auto zero = [] { return _mm256_setzero_ps(); };
  const auto load = [](const float* p) { return _mm256_load_ps(p); };
  const auto loadu = [](const float* p) { return _mm256_loadu_ps(p); };
  const auto storeu = [](float* p, Vec v) { _mm256_storeu_ps(p, v); };
  const auto broadcast = [](float v) { return _mm256_set1_ps(v); };
  const auto fmadd = [](Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); };
  const auto add = [](Vec a, Vec b) { return _mm256_add_ps(a, b); };
#endif
  static_assert(kNr == 2 * kLanes, "a tile row is two vectors");
  Vec acc[kMr][2];
#pragma GCC unroll 14
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = zero();
  for (int64_t k = 0; k < kc; ++k) {
    const Vec b0 = load(bp), b1 = load(bp + kLanes);
#pragma GCC unroll 14
    for (int r = 0; r < kMr; ++r) {
      const Vec a = broadcast(ap[r]);
      acc[r][0] = fmadd(a, b0, acc[r][0]);
      acc[r][1] = fmadd(a, b1, acc[r][1]);
    }
    ap += kMr;
    bp += kNr;
  }
#pragma GCC unroll 14
  for (int r = 0; r < kMr; ++r) {
    float* row = tile + r * ldt;
    if (accumulate) {
      acc[r][0] = add(acc[r][0], loadu(row));
      acc[r][1] = add(acc[r][1], loadu(row + kLanes));
    }
    storeu(row, acc[r][0]);
    storeu(row + kLanes, acc[r][1]);
  }
#else
  float acc[kMr][kNr] = {};
  for (int64_t k = 0; k < kc; ++k, ap += kMr, bp += kNr)
    for (int r = 0; r < kMr; ++r)
      for (int c = 0; c < kNr; ++c) acc[r][c] += ap[r] * bp[c];
  for (int r = 0; r < kMr; ++r)
    for (int c = 0; c < kNr; ++c) tile[r * ldt + c] = acc[r][c] + (accumulate ? tile[r * ldt + c] : 0.0f);
#endif
}

}  // namespace hito::cpu::HITO_CPU_ISA::conv_detail
