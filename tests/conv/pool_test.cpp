// Pooling: the global average pool as a plane mean, max pooling against naive loops (NaNs too), and
// the arguments pooling refuses. Max, average and adaptive pooling against PyTorch, by finite
// differences and CUDA against CPU: the op table (tests/support/op_table_conv.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::all_close;
using testing::randn;

TEST(Pooling, GlobalAveragePoolIsThePlaneMean) {
  Tensor x = randn({3, 5, 7, 7}, 1);
  Tensor out = adaptive_avg_pool2d(x, 1);
  ASSERT_EQ(out.shape(), Shape({3, 5, 1, 1}));
  EXPECT_TRUE(all_close(out.flatten(1), mean(x.reshape({3, 5, 49}), 2), 1e-6f, 1e-6f));
}

TEST(Pooling, MaxPoolMatchesNaiveLoopsAndPropagatesNaN) {
  Tensor x = randn({2, 4, 13, 11}, 3);
  std::vector<float> v = x.to_vector<float>();
  v[5] = std::numeric_limits<float>::quiet_NaN();
  x = Tensor::from_vector(v, x.shape());
  Tensor out = max_pool2d(x, {.kernel = {3, 2}, .stride = {2, 3}, .padding = 1});
  const int64_t H = 13, W = 11, P = 7, Q = 4;
  ASSERT_EQ(out.shape(), Shape({2, 4, P, Q}));
  std::vector<float> expected;
  for (int64_t plane = 0; plane < 8; ++plane)
    for (int64_t p = 0; p < P; ++p)
      for (int64_t q = 0; q < Q; ++q) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t h = p * 2 - 1; h < p * 2 + 2; ++h)
          for (int64_t w = q * 3 - 1; w < q * 3 + 1; ++w)
            if (h >= 0 && h < H && w >= 0 && w < W) {
              float value = v[(plane * H + h) * W + w];
              if (std::isnan(value) || std::isnan(best)) best = std::numeric_limits<float>::quiet_NaN();
              else best = std::max(best, value);
            }
        expected.push_back(best);
      }
  EXPECT_TRUE(all_close(out.to_vector<float>(), expected, 0.0f, 0.0f));
  EXPECT_TRUE(std::isnan(out.to_vector<float>()[2]));  // the window of (p, q) = (0, 2) holds x[0, 0, 0, 5]
}

TEST(Pooling, RejectsBadArguments) {
  Tensor x = randn({1, 2, 5, 5}, 1);
  EXPECT_THROW(max_pool2d(x, {.kernel = 2, .padding = 2}), Error);  // padding over half the kernel
  EXPECT_THROW(max_pool2d(x, {.kernel = 7}), Error);                // window larger than the input
  EXPECT_THROW(avg_pool2d(randn({2, 5, 5}, 1), {.kernel = 2}), Error);
  EXPECT_THROW(adaptive_avg_pool2d(x, 0), Error);
}

}  // namespace
}  // namespace hito
