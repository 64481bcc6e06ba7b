// Matrix products on the CPU, through one of two back ends chosen once at start-up:
//  - Eigen's own GEMM kernels, compiled into each ISA variant (its vectors are those of the
//    variant's -march: AVX-512 in hito::cpu::avx512, AVX2 in ::avx2, SSE in ::scalar);
//  - OpenBLAS's sgemm through cblas (OpenBLAS picks its own kernels from the CPU at run time).
// Debian's OpenBLAS 0.3.21 does not know recent CPUs and falls back to its AVX2 (Haswell) kernels:
// on the AMD Zen 5 development machine Eigen's AVX-512 kernels are 1.3-1.45x faster (153 vs 119
// GFLOP/s at 1024^3, 178 vs 122 at 256^3, one core). So the AVX-512 variant defaults to Eigen and
// the others to OpenBLAS; HITO_GEMM=eigen|openblas overrides the choice.
//
// Threading is ours: both back ends run single-threaded and we split C into blocks of rows (or
// columns) over the OpenMP threads when the product is big enough to repay it. Two thread pools
// (OpenMP's and OpenBLAS's) spinning on the same two cores made the small products of an MLP step
// 4x slower; one pool and a size threshold cost nothing.
#include <cblas.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "kernels/cpu/variant.h"

namespace hito::cpu::HITO_CPU_ISA {

namespace {
// Below this many multiply-adds per thread, a second thread costs more than it saves.
constexpr int64_t kFlopsPerThread = int64_t(1) << 22;

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;
using Map = Eigen::Map<RowMajor, 0, Eigen::OuterStride<>>;

// One single-threaded product on stored matrices with explicit leading dimensions.
void gemm_eigen(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  ConstMap a(A, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  ConstMap b(B, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  Map c(C, M, N, Eigen::OuterStride<>(ldc));
  if (beta == 0.0f) c.setZero();
  else if (beta != 1.0f) c *= beta;
  if (trans_a && trans_b) c.noalias() += alpha * a.transpose() * b.transpose();
  else if (trans_a) c.noalias() += alpha * a.transpose() * b;
  else if (trans_b) c.noalias() += alpha * a * b.transpose();
  else c.noalias() += alpha * a * b;
}

void gemm_openblas(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(lda), B,
              static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

using GemmFn = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                        float, float*, int64_t);

GemmFn choose_backend() {
  openblas_set_num_threads(1);  // see the note at the top
  const char* forced = std::getenv("HITO_GEMM");
  if (forced && std::strcmp(forced, "openblas") == 0) return gemm_openblas;
  if (forced && std::strcmp(forced, "eigen") == 0) return gemm_eigen;
  HITO_CHECK(!forced || !*forced, "HITO_GEMM must be eigen or openblas, got '", forced, "'");
#ifdef __AVX512F__
  return gemm_eigen;
#else
  return gemm_openblas;
#endif
}

GemmFn backend() {
  static const GemmFn chosen = choose_backend();
  return chosen;
}
}  // namespace

void set_blas_threads(int) { openblas_set_num_threads(1); }  // see the note at the top

const char* gemm_backend_name() { return backend() == gemm_eigen ? "eigen" : "openblas"; }

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  GemmFn product = backend();
  // Leading dimensions of the stored row-major matrices: A is (M, K) or (K, M), B (K, N) or (N, K).
  int64_t lda = trans_a ? M : K, ldb = trans_b ? K : N;
  int64_t threads = std::min<int64_t>(omp_in_parallel() ? 1 : omp_get_max_threads(),
                                      std::max<int64_t>(M * N * K / kFlopsPerThread, 1));
  if (threads <= 1) {
    product(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
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
      product(trans_a, trans_b, end - begin, N, K, alpha, a, lda, B, ldb, beta, C + begin * N, N);
    } else {  // columns [begin, end) of op(B) and C
      const float* b = trans_b ? B + begin * ldb : B + begin;
      product(trans_a, trans_b, M, end - begin, K, alpha, A, lda, b, ldb, beta, C + begin, N);
    }
  }
}

void gemm_batched(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                  int64_t stride_a, const float* B, int64_t stride_b, float beta, float* C, int64_t stride_c,
                  int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    gemm(trans_a, trans_b, M, N, K, alpha, A + b * stride_a, B + b * stride_b, beta, C + b * stride_c);
}

}  // namespace hito::cpu::HITO_CPU_ISA
