// Checked size arithmetic (base/checked.h) and its use for every tensor shape: a product that
// overflows int64 or a negative size is an Error, never a wrapped small number.
#include "base/checked.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/types.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(Checked, MultipliesAndAddsWithinRange) {
  EXPECT_EQ(checked_mul(3, 4, "x"), 12);
  EXPECT_EQ(checked_add(3, 4, "x"), 7);
  EXPECT_EQ(checked_product({}, "x"), 1);
  EXPECT_EQ(checked_product({2, 0, INT64_MAX}, "x"), 0);
  EXPECT_EQ(checked_mul(INT64_MAX, 1, "x"), INT64_MAX);
}

TEST(Checked, OverflowAndNegativeSizesAreErrorsNamingWhat) {
  std::string message = testing::error_message([] { checked_mul(int64_t(1) << 32, int64_t(1) << 32, "the shape of x"); });
  EXPECT_NE(message.find("the shape of x"), std::string::npos) << message;
  EXPECT_NE(message.find("overflows"), std::string::npos) << message;
  EXPECT_THROW(checked_add(INT64_MAX, 1, "x"), Error);
  EXPECT_THROW(checked_mul(-1, 2, "x"), Error);
  // 2^21 cubed wraps to 0 in plain int64 arithmetic.
  EXPECT_THROW(checked_product({int64_t(1) << 21, int64_t(1) << 21, int64_t(1) << 21}, "x"), Error);
}

TEST(Checked, TensorShapesUseIt) {
  EXPECT_EQ(shape_numel({2, 3, 4}), 24);
  EXPECT_THROW(shape_numel({int64_t(1) << 21, int64_t(1) << 21, int64_t(1) << 21}), Error);
  EXPECT_THROW(shape_numel({3, -1}), Error);
}

}  // namespace
}  // namespace hito
