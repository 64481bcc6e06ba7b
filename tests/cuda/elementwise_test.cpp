// CUDA against CPU for what the op table (tests/cuda/op_parity_test.cpp, which runs every unary
// function, broadcasting pattern, affine and cast) does not hold: the scalar operators, which chain
// affine calls, and the in-place add_ and fill_.
#include "engine/ops.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

TEST(CudaElementwise, ScalarOperators) {
  HITO_REQUIRE_CUDA();
  for (int64_t n : {1, 17, 1031, 100003}) {
    Tensor x = leaf(testing::randn({n}, n));
    EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return (in[0] * 3.0f + 1.0f) - 2.0f; }, {x}));
  }
}

TEST(CudaElementwise, InPlaceAddAndFill) {
  HITO_REQUIRE_CUDA();
  Tensor dst = testing::randn({1031}, 1), src = testing::randn({1031}, 2);
  Tensor dst_cuda = dst.to(Device::CUDA);
  add_(dst, src);
  add_(dst_cuda, src.to(Device::CUDA));
  EXPECT_TRUE(testing::all_close(dst_cuda, dst, 0, 0));
  dst_cuda.fill_(2.5f);
  EXPECT_TRUE(testing::identical(dst_cuda, Tensor::full({1031}, 2.5f)));
  EXPECT_TRUE(testing::identical(Tensor::zeros({17}, DType::F32, Device::CUDA), Tensor::zeros({17})));
}

}  // namespace
}  // namespace hito
