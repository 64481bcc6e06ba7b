// CUDA against CPU for the batched product kernel, which no op uses yet, and products with an empty
// inner dimension. matmul and linear at every size: the op table (tests/cuda/op_parity_test.cpp).
#include "engine/dispatch.h"
#include "engine/ops.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {

struct Size {
  int64_t M, N, K;
};

// Runs the batched kernel on both devices: C = alpha op(A) op(B) + beta C for each of `batch`
// matrices laid out with gaps between them (strides larger than the matrices).
void expect_batched_matches(bool ta, bool tb, Size s, int64_t batch, float alpha, float beta) {
  int64_t stride_a = s.M * s.K + 3, stride_b = s.K * s.N + 5, stride_c = s.M * s.N + 7;
  Tensor a = testing::randn({batch * stride_a}, 1), b = testing::randn({batch * stride_b}, 2);
  Tensor c = testing::randn({batch * stride_c}, 3);
  Tensor a_cuda = a.to(Device::CUDA), b_cuda = b.to(Device::CUDA), c_cuda = c.to(Device::CUDA);
  HITO_DISPATCH(Device::CPU, gemm_batched, ta, tb, s.M, s.N, s.K, alpha, a.data<float>(), stride_a, b.data<float>(),
                stride_b, beta, c.data<float>(), stride_c, batch);
  HITO_DISPATCH(Device::CUDA, gemm_batched, ta, tb, s.M, s.N, s.K, alpha, a_cuda.data<float>(), stride_a,
                b_cuda.data<float>(), stride_b, beta, c_cuda.data<float>(), stride_c, batch);
  // The gaps between the matrices must come back untouched, so compare every element.
  EXPECT_TRUE(testing::all_close(c_cuda, c, 1e-4f, 1e-3f))
      << "trans_a=" << ta << " trans_b=" << tb << " M=" << s.M << " N=" << s.N << " K=" << s.K << " beta=" << beta;
}

TEST(CudaMatmul, BatchedProductKernel) {
  HITO_REQUIRE_CUDA();
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Size& s : {Size{17, 33, 65}, Size{1, 5, 1031}}) {
        expect_batched_matches(ta, tb, s, 6, 1.0f, 0.0f);
        expect_batched_matches(ta, tb, s, 3, -0.5f, 2.0f);
      }
}

TEST(CudaMatmul, BatchedProductWithEmptyInnerDimensionScalesC) {
  HITO_REQUIRE_CUDA();
  // K = 0: C = beta C. (Compared with beta C itself: OpenBLAS refuses K = 0 on the CPU.)
  Tensor c = testing::randn({2 * 21}, 3), c_cuda = c.to(Device::CUDA);
  HITO_DISPATCH(Device::CUDA, gemm_batched, false, false, 4, 5, 0, 1.0f, nullptr, 0, nullptr, 0, 0.5f,
                c_cuda.data<float>(), 21, 2);
  std::vector<float> expected = c.to_vector<float>();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 20; ++i) expected[b * 21 + i] *= 0.5f;
  EXPECT_TRUE(testing::all_close(c_cuda.to_vector<float>(), expected, 0, 0));
}

TEST(CudaMatmul, ProductWithEmptyInnerDimension) {
  HITO_REQUIRE_CUDA();
  Tensor a = Tensor::empty({3, 0}), b = Tensor::empty({0, 4});
  EXPECT_TRUE(testing::identical(matmul(a.to(Device::CUDA), b.to(Device::CUDA)), Tensor::zeros({3, 4})));
}

}  // namespace
}  // namespace hito
