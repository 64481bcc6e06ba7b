// The matrix product behind the CPU convolution: a packed GEMM with a register-tile kernel per ISA
// variant (conv_gemm_tile.h), in the manner of BLIS/GotoBLAS. On the Zen 5 development machine the
// AVX-512 variant runs the products of ResNet's convolutions about 1.5x faster than Eigen's general
// kernel (48x4 tiles, 12 accumulators).
//
// Blocking: C (M, N) = op(A) (M, K) op(B) (K, N) is computed in blocks of kNc columns, kKc of the
// inner dimension and kMc rows. A block of B is packed into kKc x kNr panels (each read from L1 by
// the kernel while it sweeps the rows), a block of A into kKc x kMr panels (kept in L2); both are
// zero-padded to whole tiles, and edge tiles go through a small buffer.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/conv_gemm_tile.h"
#include "kernels/cpu/conv_internal.h"

namespace hito::cpu::HITO_CPU_ISA::conv_detail {

namespace {

// kMr x kNr: the register tile of this ISA variant (conv_gemm_tile.h).
constexpr int64_t kKc = 256;       // inner-dimension block: a B panel is kKc * kNr * 4 <= 32 KB (L1)
constexpr int64_t kMc = kMr * 12;  // rows per A block: kMc * kKc * 4 <= 168 KB (L2)
constexpr int64_t kNc = kNr * 96;  // columns per B block: kKc * kNc * 4 <= 3 MB (L3)

// Ap (kc, kMr) panels of rows [i0, i0 + mc) and inner indices [p0, p0 + kc) of op(A); rows past M
// are zeros. op(A) is A (M, K) stored with leading dimension lda, or its transpose.
void pack_a(float* ap, const float* a, int64_t lda, bool trans, int64_t i0, int64_t mc, int64_t p0, int64_t kc) {
  for (int64_t ir = 0; ir < mc; ir += kMr) {
    const int64_t rows = std::min(kMr, mc - ir);
    float* panel = ap + ir * kc;
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = panel + k * kMr;
      for (int64_t r = 0; r < rows; ++r)
        dst[r] = trans ? a[(p0 + k) * lda + i0 + ir + r] : a[(i0 + ir + r) * lda + p0 + k];
      for (int64_t r = rows; r < kMr; ++r) dst[r] = 0.0f;
    }
  }
}

// Bp (kc, kNr) panels of columns [j0, j0 + nc) of op(B) (K, N); columns past N are zeros.
void pack_b(float* bp, const float* b, int64_t ldb, bool trans, int64_t p0, int64_t kc, int64_t j0, int64_t nc) {
  for (int64_t jr = 0; jr < nc; jr += kNr) {
    const int64_t cols = std::min(kNr, nc - jr);
    float* panel = bp + jr * kc;
    if (!trans) {
      for (int64_t k = 0; k < kc; ++k) {
        float* dst = panel + k * kNr;
        std::memcpy(dst, b + (p0 + k) * ldb + j0 + jr, cols * sizeof(float));
        std::fill(dst + cols, dst + kNr, 0.0f);
      }
    } else {  // B stored (N, K): column c of op(B) is row j0 + jr + c of the storage
      for (int64_t c = 0; c < kNr; ++c) {
        if (c >= cols) {
          for (int64_t k = 0; k < kc; ++k) panel[k * kNr + c] = 0.0f;
          continue;
        }
        const float* src = b + (j0 + jr + c) * ldb + p0;
        for (int64_t k = 0; k < kc; ++k) panel[k * kNr + c] = src[k];
      }
    }
  }
}

// C columns [n0, n1), single-threaded.
void gemm_columns(bool trans_a, bool trans_b, int64_t M, int64_t n0, int64_t n1, int64_t K, const float* a,
                  const float* b, bool accumulate, float* c, int64_t N) {
  const int64_t lda = trans_a ? M : K, ldb = trans_b ? K : N;
  float* ap = thread_buffer(3, kMc * kKc + 16);
  float* bp = thread_buffer(4, kKc * kNc + 16);
  alignas(64) float edge[kMr * kNr];
  for (int64_t jc = n0; jc < n1; jc += kNc) {
    const int64_t nc = std::min(kNc, n1 - jc);
    for (int64_t pc = 0; pc < K; pc += kKc) {
      const int64_t kc = std::min(kKc, K - pc);
      const bool add = accumulate || pc > 0;
      pack_b(bp, b, ldb, trans_b, pc, kc, jc, nc);
      for (int64_t ic = 0; ic < M; ic += kMc) {
        const int64_t mc = std::min(kMc, M - ic);
        pack_a(ap, a, lda, trans_a, ic, mc, pc, kc);
        for (int64_t jr = 0; jr < nc; jr += kNr)
          for (int64_t ir = 0; ir < mc; ir += kMr) {
            const int64_t rows = std::min(kMr, mc - ir), cols = std::min(kNr, nc - jr);
            float* target = c + (ic + ir) * N + jc + jr;
            if (rows == kMr && cols == kNr) {
              micro_kernel(kc, ap + ir * kc, bp + jr * kc, target, N, add);
              continue;
            }
            // An edge tile: computed whole into `edge`, then only its valid part written.
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t j = 0; j < cols; ++j) edge[r * kNr + j] = add ? target[r * N + j] : 0.0f;
            micro_kernel(kc, ap + ir * kc, bp + jr * kc, edge, kNr, true);
            for (int64_t r = 0; r < rows; ++r) std::memcpy(target + r * N, edge + r * kNr, cols * sizeof(float));
          }
      }
    }
  }
}

}  // namespace

void conv_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* a, const float* b,
               bool accumulate, float* c) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; ++i) std::fill(c + i * N, c + (i + 1) * N, 0.0f);
    return;
  }
  // Inside a parallel region (images split over threads) the product is one thread's; otherwise
  // big products split their columns over the threads, in whole tiles.
  constexpr int64_t kFlopsPerThread = int64_t(1) << 22;
  const int64_t tiles = (N + kNr - 1) / kNr;
  const int threads = omp_in_parallel() ? 1
                      : static_cast<int>(std::min<int64_t>({omp_get_max_threads(), tiles,
                                                            std::max<int64_t>(M * N * K / kFlopsPerThread, 1)}));
  if (threads <= 1) return gemm_columns(trans_a, trans_b, M, 0, N, K, a, b, accumulate, c, N);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int64_t begin = tiles * t / threads * kNr, end = std::min(N, tiles * (t + 1) / threads * kNr);
    if (begin < end) gemm_columns(trans_a, trans_b, M, begin, end, K, a, b, accumulate, c, N);
  }
}

}  // namespace hito::cpu::HITO_CPU_ISA::conv_detail
