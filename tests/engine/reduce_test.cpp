// sum, mean, max and argmax along every dimension (negative ones too), with and without keepdim,
// and over all elements, against naive loops; long sums, ties, NaNs, refused dimensions. Gradients,
// PyTorch's values and CUDA parity: the op table (tests/support/op_table_reduce.cpp).
#include <algorithm>
#include <cmath>

#include "engine/ops.h"
#include "tests/support/op_values.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

const Shape kShape = {2, 3, 4};

enum class Kind { Sum, Mean, Max };

// Reduces `x` of kShape along `dim` (0..2) with a naive loop over all multi-indices.
std::vector<float> naive_reduce(const std::vector<float>& x, int64_t dim, Kind kind, std::vector<int64_t>* argmax = nullptr) {
  Shape out_shape = kShape;
  out_shape[dim] = 1;
  std::vector<float> out(static_cast<size_t>(shape_numel(out_shape)), kind == Kind::Max ? -1e30f : 0.0f);
  std::vector<int64_t> best(out.size(), 0);
  for (int64_t i = 0; i < kShape[0]; ++i)
    for (int64_t j = 0; j < kShape[1]; ++j)
      for (int64_t k = 0; k < kShape[2]; ++k) {
        int64_t idx[3] = {i, j, k};
        int64_t along = idx[dim];
        idx[dim] = 0;
        int64_t o = (idx[0] * out_shape[1] + idx[1]) * out_shape[2] + idx[2];
        float v = x[(i * kShape[1] + j) * kShape[2] + k];
        if (kind == Kind::Max) {
          if (v > out[o]) out[o] = v, best[o] = along;
        } else {
          out[o] += kind == Kind::Mean ? v / kShape[dim] : v;
        }
      }
  if (argmax) *argmax = best;
  return out;
}

// Distinct values 0.1 apart in shuffled order: no ties.
Tensor distinct_values(uint64_t seed) { return testing::distinct(kShape)(seed); }

class ReduceDimTest : public ::testing::TestWithParam<std::tuple<int64_t, bool>> {};

TEST_P(ReduceDimTest, SumMeanMaxArgmaxMatchNaiveLoops) {
  auto [dim, keepdim] = GetParam();
  int64_t d = dim < 0 ? dim + 3 : dim;
  Shape expected_shape = kShape;
  if (keepdim) expected_shape[d] = 1;
  else expected_shape.erase(expected_shape.begin() + d);

  Tensor x = distinct_values(1);
  std::vector<float> xs = x.to_vector<float>();
  std::vector<int64_t> expected_argmax;
  Tensor s = sum(x, dim, keepdim), m = mean(x, dim, keepdim), mx = max(x, dim, keepdim), am = argmax(x, dim, keepdim);
  for (const Tensor& t : {s, m, mx, am}) EXPECT_EQ(t.shape(), expected_shape);
  EXPECT_TRUE(testing::all_close(s.to_vector<float>(), naive_reduce(xs, d, Kind::Sum), 1e-6f, 1e-6f));
  EXPECT_TRUE(testing::all_close(m.to_vector<float>(), naive_reduce(xs, d, Kind::Mean), 1e-6f, 1e-6f));
  EXPECT_EQ(mx.to_vector<float>(), naive_reduce(xs, d, Kind::Max, &expected_argmax));
  EXPECT_EQ(am.dtype(), DType::I64);
  EXPECT_EQ(am.to_vector<int64_t>(), expected_argmax);
}

INSTANTIATE_TEST_SUITE_P(EveryDim, ReduceDimTest,
                         ::testing::Combine(::testing::Values<int64_t>(0, 1, 2, -1, -3), ::testing::Bool()),
                         [](const auto& info) {
                           int64_t dim = std::get<0>(info.param);
                           return (dim < 0 ? "minus" + std::to_string(-dim) : std::to_string(dim)) +
                                  (std::get<1>(info.param) ? "_keepdim" : "");
                         });

TEST(Reduce, AllElements) {
  Tensor x = distinct_values(3);
  std::vector<float> xs = x.to_vector<float>();
  double total = 0.0;
  for (float v : xs) total += v;
  Tensor s = sum(x), m = mean(x), mx = max(x);
  for (const Tensor& t : {s, m, mx}) EXPECT_EQ(t.shape(), Shape{});
  EXPECT_NEAR(s.item(), total, 1e-5);
  EXPECT_NEAR(m.item(), total / 24, 1e-6);
  EXPECT_EQ(mx.item(), *std::max_element(xs.begin(), xs.end()));
}

TEST(Reduce, LongSumIsAccurate) {
  // A million values of 0.1: a float accumulator would drift by ~1e-3 relative.
  Tensor x = Tensor::full({1 << 20}, 0.1f);
  EXPECT_NEAR(sum(x).item(), 0.1 * (1 << 20), 0.1 * (1 << 20) * 1e-6);
  Tensor rows = Tensor::full({4, 1 << 18}, 0.1f);
  for (float v : sum(rows, 0).to_vector<float>()) ASSERT_NEAR(v, 0.4f, 1e-6f);
  // A long reduced dimension with inner elements (the mean of each feature over a big batch).
  Tensor columns = Tensor::full({1 << 20, 3}, 0.1f);
  for (float v : sum(columns, 0).to_vector<float>()) ASSERT_NEAR(v, 0.1 * (1 << 20), 0.1 * (1 << 20) * 1e-6);
  for (float v : mean(columns, 0).to_vector<float>()) ASSERT_NEAR(v, 0.1f, 1e-6f);
}

TEST(Reduce, MaxGradientGoesToTheFirstOfTiedMaxima) {
  Tensor x = Tensor::from_vector<float>({1, 3, 3, 2, 5, 5}, {2, 3}).set_requires_grad();
  Tensor m = max(x, 1);
  EXPECT_EQ(m.to_vector<float>(), (std::vector<float>{3, 5}));
  EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 1}));
  sum(m).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{0, 1, 0, 0, 1, 0}));
  // A row of equal values, longer than a SIMD vector (the op table checks CUDA against this).
  EXPECT_EQ(argmax(Tensor::full({3, 77}, -1.0f), 1).to_vector<int64_t>(), std::vector<int64_t>(3, 0));
}

TEST(Reduce, MaxAndArgmaxPropagateNaNLikePyTorch) {
  float nan = std::nanf("");
  Tensor x = Tensor::from_vector<float>({1, nan, 3, nan, 7, nan, 2, 9, 4}, {3, 3});
  std::vector<float> values = max(x, 1).to_vector<float>();
  EXPECT_TRUE(std::isnan(values[0]) && std::isnan(values[1]));
  EXPECT_EQ(values[2], 9.0f);
  EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));  // the first NaN
  EXPECT_TRUE(std::isnan(max(x).item()));
}

TEST(Reduce, RefusesBadDimensions) {
  Tensor x = Tensor::zeros({2, 3});
  EXPECT_THROW(sum(x, 2), Error);
  EXPECT_THROW(mean(x, -3), Error);
  EXPECT_THROW(max(Tensor::zeros({2, 0}), 1), Error);
  EXPECT_THROW(mean(Tensor::zeros({0})), Error);
}

}  // namespace
}  // namespace hito
