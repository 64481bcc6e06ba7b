// CUDA against CPU for the layout ops: concat and slice of f32, i64 and u8 tensors (with their
// gradients), embedding with repeated indices, and dropout, whose masks must be identical.
#include <cmath>

#include "engine/ops.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

Tensor integers(const Shape& shape, DType dtype, uint64_t seed) {
  std::vector<int64_t> wide;
  std::vector<uint8_t> narrow;
  for (int64_t i = 0; i < shape_numel(shape); ++i) {
    uint64_t v = (static_cast<uint64_t>(i) + seed) * 0x9E3779B97F4A7C15ull >> 40;
    wide.push_back(static_cast<int64_t>(v) - (1 << 23));
    narrow.push_back(static_cast<uint8_t>(v));
  }
  return dtype == DType::I64 ? Tensor::from_vector(wide, shape) : Tensor::from_vector(narrow, shape);
}

TEST(CudaLayout, ConcatAlongEveryDimension) {
  HITO_REQUIRE_CUDA();
  const Shape base = {3, 5, 7};
  uint64_t seed = 1;
  for (int64_t dim = 0; dim < 3; ++dim) {
    std::vector<Tensor> pieces_f32, pieces_i64, pieces_u8;
    for (int64_t size : {1, 4, 17}) {
      Shape shape = base;
      shape[dim] = size;
      pieces_f32.push_back(leaf(testing::randn(shape, ++seed)));
      pieces_i64.push_back(integers(shape, DType::I64, ++seed));
      pieces_u8.push_back(integers(shape, DType::U8, ++seed));
    }
    auto join = [dim](const std::vector<Tensor>& in) { return concat(in, dim); };
    EXPECT_TRUE(matches_cpu(join, pieces_f32, {0, 0}, {0, 0})) << "f32 along " << dim;
    EXPECT_TRUE(matches_cpu(join, pieces_i64)) << "i64 along " << dim;
    EXPECT_TRUE(matches_cpu(join, pieces_u8)) << "u8 along " << dim;
  }
}

TEST(CudaLayout, SliceAtOddOffsets) {
  HITO_REQUIRE_CUDA();
  // Odd offsets and lengths make unaligned rows: the copy must fall back from 16-byte words.
  const Shape shape = {5, 13, 7};
  for (DType dtype : {DType::F32, DType::I64, DType::U8})
    for (int64_t dim = 0; dim < 3; ++dim)
      for (auto [start, end] : {std::pair<int64_t, int64_t>{0, 1}, {1, 4}, {2, 5}, {0, shape[dim]}}) {
        Tensor x = dtype == DType::F32 ? leaf(testing::randn(shape, start * 10 + end)) : integers(shape, dtype, end);
        auto cut = [dim, start = start, end = end](const std::vector<Tensor>& in) {
          return slice(in[0], dim, start, end);
        };
        EXPECT_TRUE(matches_cpu(cut, {x}, {0, 0}, {0, 0}))
            << dtype_name(dtype) << " [" << start << ", " << end << ") along " << dim;
      }
}

TEST(CudaLayout, SliceOfAView) {
  HITO_REQUIRE_CUDA();
  // rows() shares storage at an element offset: the copy starts at an address that is not 16-aligned.
  Tensor x = integers({9, 11}, DType::U8, 3);
  Tensor view = x.rows(1, 8), view_cuda = x.to(Device::CUDA).rows(1, 8);
  EXPECT_TRUE(testing::identical(slice(view_cuda, 1, 3, 10), slice(view, 1, 3, 10)));
  EXPECT_TRUE(testing::identical(concat({view_cuda, view_cuda}, 0), concat({view, view}, 0)));
}

TEST(CudaLayout, EmbeddingWithRepeatedIndices) {
  HITO_REQUIRE_CUDA();
  for (auto [V, D] : {std::pair<int64_t, int64_t>{1, 1}, {15, 8}, {1000, 33}}) {
    std::vector<int64_t> index;
    for (int64_t i = 0; i < 3 * 257; ++i) index.push_back((i * i + 3) % V);  // many repeats
    Tensor weight = leaf(testing::randn({V, D}, V));
    Tensor idx = Tensor::from_vector(index, {3, 257});
    EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return embedding(in[0], in[1]); }, {weight, idx},
                            {0, 0}, {1e-5f, 1e-5f}))
        << "V=" << V << " D=" << D;
  }
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

TEST(CudaLayout, DropoutMasksAreIdentical) {
  HITO_REQUIRE_CUDA();
  for (int64_t n : {1, 17, 1031, 1000003})
    for (float p : {0.1f, 0.5f, 0.9f}) {
      Tensor x = leaf(testing::randn({n}, n));
      auto drop = [p](const std::vector<Tensor>& in) { return dropout(in[0], p, true, 12345); };
      EXPECT_TRUE(matches_cpu(drop, {x}, {0, 0}, {0, 0})) << n << " elements, p=" << p;
    }
  // Eval mode and p = 0 are the identity on both devices.
  Tensor x = testing::randn({33}, 1).to(Device::CUDA);
  EXPECT_TRUE(dropout(x, 0.5f, false).same_as(x));
  EXPECT_TRUE(dropout(x, 0.0f, true, 1).same_as(x));
}

}  // namespace
}  // namespace hito
