// Matrix products on CUDA through cuBLAS (contract in kernels/api/gemm.inc).
//
// Row-major meets column-major: a row-major (R, C) matrix is, read column-major, its (C, R)
// transpose. So the row-major product C = op(A) op(B) is computed as the column-major product
// C^T = op(B)^T op(A)^T: cuBLAS is called with the operands swapped and each keeping its own
// transpose flag, with (N, M, K) as its sizes and each matrix's row length as its leading dimension.
//
// Precision: FP32 by default; HITO_CUDA_TF32=1 opts in to TF32 tensor cores (see cublas.h, which
// also explains why cuBLAS is opened on first use rather than linked).
#include <climits>

#include "kernels/cuda/cublas.h"
#include "kernels/cuda/kernels.h"

namespace hito::cuda {

namespace {

int as_int(int64_t value, const char* what) {
  HITO_CHECK(value >= 0 && value <= INT_MAX, "cuBLAS gemm: ", what, " = ", value, " does not fit cuBLAS's int");
  return static_cast<int>(value);
}

cublasOperation_t op(bool transpose) { return transpose ? CUBLAS_OP_T : CUBLAS_OP_N; }

// C (M, N) = beta * C: what a product with K = 0 leaves.
void scale_only(float beta, float* C, int64_t count) {
  if (beta == 0.0f) fill(C, 0.0f, count);  // beta = 0 ignores what C held, NaNs included
  else affine(C, C, beta, 0.0f, count);
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  if (K == 0) return scale_only(beta, C, M * N);
  int lda = as_int(trans_a ? M : K, "leading dimension of A"), ldb = as_int(trans_b ? K : N, "leading dimension of B");
  const cublas::Api& blas = cublas::api();
  HITO_CUBLAS_CHECK(blas.sgemm(blas.handle, op(trans_b), op(trans_a), as_int(N, "N"), as_int(M, "M"), as_int(K, "K"),
                               &alpha, B, ldb, A, lda, &beta, C, as_int(N, "N")));
}

void gemm_batched(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                  int64_t stride_a, const float* B, int64_t stride_b, float beta, float* C, int64_t stride_c,
                  int64_t batch) {
  if (M == 0 || N == 0 || batch == 0) return;
  if (K == 0) {
    for (int64_t b = 0; b < batch; ++b) scale_only(beta, C + b * stride_c, M * N);
    return;
  }
  int lda = as_int(trans_a ? M : K, "leading dimension of A"), ldb = as_int(trans_b ? K : N, "leading dimension of B");
  const cublas::Api& blas = cublas::api();
  HITO_CUBLAS_CHECK(blas.sgemm_strided_batched(blas.handle, op(trans_b), op(trans_a), as_int(N, "N"), as_int(M, "M"),
                                               as_int(K, "K"), &alpha, B, ldb, stride_b, A, lda, stride_a, &beta, C,
                                               as_int(N, "N"), stride_c, as_int(batch, "batch")));
}

}  // namespace hito::cuda
