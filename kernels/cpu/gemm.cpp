// Matrix products on the CPU: OpenBLAS's sgemm through cblas (row-major), the back end Eigen hands
// its products to as well (EIGEN_USE_BLAS).
//
// Threading is ours, not OpenBLAS's: OpenBLAS runs single-threaded and we split C into blocks of
// rows (or columns) over the OpenMP threads, only when the product is big enough to repay it. Two
// thread pools (OpenMP's and OpenBLAS's) spinning on the same two cores cost a 4x slowdown on the
// small products of an MLP step; one pool and a size threshold cost nothing.
#include <cblas.h>
#include <omp.h>

#include <algorithm>

#include "kernels/cpu/blas.h"
#include "kernels/cpu/kernels.h"

namespace hito::cpu {

namespace {
// Below this many multiply-adds per thread, a second thread costs more than it saves.
constexpr int64_t kFlopsPerThread = int64_t(1) << 22;

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(lda), B,
              static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}
}  // namespace

void set_blas_threads(int) { openblas_set_num_threads(1); }  // see the note at the top

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  static const bool single_threaded_blas = (openblas_set_num_threads(1), true);  // once, before any product
  (void)single_threaded_blas;
  // Leading dimensions of the stored row-major matrices: A is (M, K) or (K, M), B (K, N) or (N, K).
  int64_t lda = trans_a ? M : K, ldb = trans_b ? K : N;
  int64_t threads = std::min<int64_t>(omp_in_parallel() ? 1 : omp_get_max_threads(),
                                      std::max<int64_t>(M * N * K / kFlopsPerThread, 1));
  if (threads <= 1) {
    sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
    return;
  }
  // Split the longer side of C; each block is an independent product with the same leading dims.
  bool split_rows = M >= N;
  int64_t extent = split_rows ? M : N;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t t = 0; t < threads; ++t) {
    int64_t begin = extent * t / threads, end = extent * (t + 1) / threads;
    if (split_rows) {  // rows [begin, end) of op(A) and C
      const float* a = trans_a ? A + begin : A + begin * lda;
      sgemm(trans_a, trans_b, end - begin, N, K, alpha, a, lda, B, ldb, beta, C + begin * N, N);
    } else {  // columns [begin, end) of op(B) and C
      const float* b = trans_b ? B + begin * ldb : B + begin;
      sgemm(trans_a, trans_b, M, end - begin, K, alpha, A, lda, b, ldb, beta, C + begin, N);
    }
  }
}

void gemm_batched(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                  int64_t stride_a, const float* B, int64_t stride_b, float beta, float* C, int64_t stride_c,
                  int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    gemm(trans_a, trans_b, M, N, K, alpha, A + b * stride_a, B + b * stride_b, beta, C + b * stride_c);
}

}  // namespace hito::cpu
