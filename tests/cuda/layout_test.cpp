// CUDA against CPU for what the op table (tests/cuda/op_parity_test.cpp: concat, slice, embedding
// and dropout at every size) does not hold: copies out of views at unaligned offsets, the poisoned rows
// of an out-of-range embedding index, and dropout's identity cases.
#include <cmath>

#include "engine/ops.h"
#include "tests/cuda/compare.h"
#include "tests/support/op_values.h"

namespace hito {
namespace {

TEST(CudaLayout, SliceOfAView) {
  HITO_REQUIRE_CUDA();
  // rows() shares storage at an element offset: the copy starts at an address that is not 16-aligned.
  Tensor x = testing::integers({9, 11}, DType::U8)(3);
  Tensor view = x.rows(1, 8), view_cuda = x.to(Device::CUDA).rows(1, 8);
  EXPECT_TRUE(testing::identical(slice(view_cuda, 1, 3, 10), slice(view, 1, 3, 10)));
  EXPECT_TRUE(testing::identical(concat({view_cuda, view_cuda}, 0), concat({view, view}, 0)));
}

TEST(CudaLayout, EmbeddingWithAnOutOfRangeIndexIsNaN) {
  HITO_REQUIRE_CUDA();
  // Indices are validated where data enters hito; a kernel cannot throw, so it poisons the rows.
  Tensor weight = testing::randn({4, 3}, 1).to(Device::CUDA);
  Tensor index = Tensor::from_vector<int64_t>({1, 4, -1}, {3}, Device::CUDA);
  std::vector<float> out = embedding(weight, index).to_vector<float>();
  for (int j = 0; j < 3; ++j) {
    EXPECT_FALSE(std::isnan(out[j]));
    EXPECT_TRUE(std::isnan(out[3 + j]));
    EXPECT_TRUE(std::isnan(out[6 + j]));
  }
}

TEST(CudaLayout, DropoutInEvalModeAndWithoutDropsIsTheIdentity) {
  HITO_REQUIRE_CUDA();
  Tensor x = testing::randn({33}, 1).to(Device::CUDA);
  EXPECT_TRUE(dropout(x, 0.5f, false).same_as(x));
  EXPECT_TRUE(dropout(x, 0.0f, true, 1).same_as(x));
}

}  // namespace
}  // namespace hito
