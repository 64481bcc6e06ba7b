// CUDA against CPU for the reductions: sum, mean and max along every dimension, with and without
// keepdim, over all elements, over long rows (split among blocks), argmax with ties.
#include <cmath>

#include "engine/ops.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

const Shape kShapes[] = {{1}, {17}, {1031}, {7, 33}, {3, 1, 129}, {4, 5, 6, 7}, {2, 1025, 3}};

TEST(CudaReduce, SumAndMeanAlongEveryDimension) {
  HITO_REQUIRE_CUDA();
  uint64_t seed = 10;
  for (const Shape& shape : kShapes)
    for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim)
      for (bool keepdim : {false, true}) {
        Tensor x = leaf(testing::randn(shape, ++seed));
        EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return sum(in[0], dim, keepdim); }, {x},
                                {1e-5f, 1e-5f}))
            << "sum of " << shape_str(shape) << " along " << dim << (keepdim ? " (keepdim)" : "");
        EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return mean(in[0], dim, keepdim); }, {x},
                                {1e-5f, 1e-6f}))
            << "mean of " << shape_str(shape) << " along " << dim << (keepdim ? " (keepdim)" : "");
        EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return sum(in[0], dim - int64_t(shape.size())); },
                                {x}, {1e-5f, 1e-5f}))
            << "negative dimension";
      }
}

TEST(CudaReduce, LongReductionsSplitAmongBlocks) {
  HITO_REQUIRE_CUDA();
  // A row of four million values, a few long rows, a long column dimension with few columns, and a
  // long middle dimension: each goes through the split (several blocks per output) path.
  Tensor row = leaf(testing::randn({(1 << 22) + 3}, 1));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return sum(in[0]); }, {row}, {1e-5f, 1e-3f}));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return mean(in[0]); }, {row}, {1e-5f, 1e-7f}));
  Tensor rows = leaf(testing::randn({3, 300001}, 2));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return sum(in[0], 1); }, {rows}, {1e-5f, 1e-3f}));
  Tensor columns = leaf(testing::randn({200003, 5}, 3));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return sum(in[0], 0); }, {columns}, {1e-5f, 1e-4f}));
  Tensor middle = leaf(testing::randn({2, 100001, 3}, 4));
  EXPECT_TRUE(
      matches_cpu([](const std::vector<Tensor>& in) { return mean(in[0], 1, true); }, {middle}, {1e-4f, 1e-6f}));
}

TEST(CudaReduce, MaxAndArgmaxAlongEveryDimension) {
  HITO_REQUIRE_CUDA();
  uint64_t seed = 50;
  for (const Shape& shape : kShapes)
    for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim)
      for (bool keepdim : {false, true}) {
        Tensor x = leaf(testing::randn(shape, ++seed));
        EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return max(in[0], dim, keepdim); }, {x}, {0, 0},
                                {0, 0}))
            << "max of " << shape_str(shape) << " along " << dim;
        EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return argmax(in[0], dim, keepdim); }, {x}))
            << "argmax of " << shape_str(shape) << " along " << dim;
      }
  Tensor long_row = leaf(testing::randn({(1 << 20) + 7}, 7));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return max(in[0]); }, {long_row}, {0, 0}, {0, 0}));
}

TEST(CudaReduce, ArgmaxTakesTheFirstOfEqualMaxima) {
  HITO_REQUIRE_CUDA();
  // Rows of integers in [0, 3): most rows hold their maximum several times; the row of 100 values
  // spreads its ties over all lanes of a warp. Also a column reduction (dim 0) with ties.
  std::vector<float> values;
  for (int64_t i = 0; i < 64 * 100; ++i) values.push_back(static_cast<float>((i * 7 + i / 13) % 3));
  Tensor x = Tensor::from_vector(values, {64, 100});
  for (int64_t dim : {0, 1}) {
    EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return argmax(in[0], dim); }, {x}));
    EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return max(in[0], dim); }, {leaf(x)}, {0, 0},
                            {0, 0}));
  }
  Tensor all_equal = Tensor::full({3, 77}, -1.0f);
  EXPECT_TRUE(testing::identical(argmax(all_equal.to(Device::CUDA), 1), Tensor::zeros({3}, DType::I64)));
}

TEST(CudaReduce, MaxAndArgmaxPropagateNaN) {
  HITO_REQUIRE_CUDA();
  // As in PyTorch: a NaN is the maximum and the first NaN wins, in rows (one warp per row, NaNs in
  // different lanes) and in columns (one thread per column).
  std::vector<float> values;
  for (int64_t i = 0; i < 6 * 70; ++i) values.push_back(static_cast<float>((i * 37) % 11));
  for (int64_t nan_at : {3, 40, 41, 69, 75, 100, 180, 181, 200, 401}) values[nan_at] = NAN;
  Tensor x = Tensor::from_vector(values, {6, 70});
  for (int64_t dim : {0, 1}) {
    EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return argmax(in[0], dim); }, {x})) << dim;
    EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return max(in[0], dim); }, {leaf(x)}, {0, 0},
                            {0, 0}))
        << dim;
  }
}

}  // namespace
}  // namespace hito
