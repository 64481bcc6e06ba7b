// Layout ops: concat and slice along every dimension (f32, i64, u8) against naive loops, reshape
// and flatten views, embedding lookups with repeated indices, and dropout's rate, seeding and mask.
// Gradients, PyTorch's values and CUDA parity: the op table (tests/support/op_table_layout.cpp).
#include <cmath>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/random.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// Element (i, j, k) of a contiguous (I, J, K) buffer.
template <class T>
T at(const std::vector<T>& v, const Shape& s, int64_t i, int64_t j, int64_t k) {
  return v[(i * s[1] + j) * s[2] + k];
}

// The shape with dimension `dim` set to `size`.
Shape with_dim(Shape s, int64_t dim, int64_t size) {
  s[dim] = size;
  return s;
}

// Values 0, 1, 2, ... of the given dtype, offset by `start`.
Tensor iota(const Shape& shape, DType dtype, int64_t start) {
  int64_t n = shape_numel(shape);
  if (dtype == DType::I64) {
    std::vector<int64_t> v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = start + i;
    return Tensor::from_vector(v, shape);
  }
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(start + i);
  return Tensor::from_vector(v, shape);
}

template <class T>
void expect_concat_of_three(int64_t dim, DType dtype) {
  Shape base = {2, 3, 4};
  Tensor a = iota(with_dim(base, dim, 1), dtype, 0), b = iota(with_dim(base, dim, 2), dtype, 100),
         c = iota(with_dim(base, dim, 3), dtype, 200);
  Tensor out = concat({a, b, c}, dim);
  Shape out_shape = with_dim(base, dim, 6);
  ASSERT_EQ(out.shape(), out_shape);
  ASSERT_EQ(out.dtype(), dtype);
  std::vector<T> got = out.to_vector<T>(), va = a.to_vector<T>(), vb = b.to_vector<T>(), vc = c.to_vector<T>();
  for (int64_t i = 0; i < out_shape[0]; ++i)
    for (int64_t j = 0; j < out_shape[1]; ++j)
      for (int64_t k = 0; k < out_shape[2]; ++k) {
        int64_t idx[3] = {i, j, k}, along = idx[dim];
        const std::vector<T>* piece = &va;
        Shape piece_shape = a.shape();
        if (along >= 3) piece = &vc, piece_shape = c.shape(), along -= 3;
        else if (along >= 1) piece = &vb, piece_shape = b.shape(), along -= 1;
        idx[dim] = along;
        ASSERT_EQ(at(got, out_shape, i, j, k), at(*piece, piece_shape, idx[0], idx[1], idx[2]))
            << "at (" << i << ", " << j << ", " << k << ")";
      }
}

template <class T>
void expect_slice(int64_t dim, DType dtype) {
  Shape shape = {3, 4, 5};
  Tensor x = iota(shape, dtype, 7);
  int64_t start = 1, end = shape[dim] - 1;
  Tensor out = slice(x, dim, start, end);
  Shape out_shape = with_dim(shape, dim, end - start);
  ASSERT_EQ(out.shape(), out_shape);
  std::vector<T> got = out.to_vector<T>(), all = x.to_vector<T>();
  for (int64_t i = 0; i < out_shape[0]; ++i)
    for (int64_t j = 0; j < out_shape[1]; ++j)
      for (int64_t k = 0; k < out_shape[2]; ++k) {
        int64_t idx[3] = {i, j, k};
        idx[dim] += start;
        ASSERT_EQ(at(got, out_shape, i, j, k), at(all, shape, idx[0], idx[1], idx[2]));
      }
}

class LayoutDimTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(LayoutDimTest, ConcatF32AndI64) {
  expect_concat_of_three<float>(GetParam(), DType::F32);
  expect_concat_of_three<int64_t>(GetParam(), DType::I64);
}

TEST_P(LayoutDimTest, SliceF32AndI64) {
  expect_slice<float>(GetParam(), DType::F32);
  expect_slice<int64_t>(GetParam(), DType::I64);
}

INSTANTIATE_TEST_SUITE_P(EveryDim, LayoutDimTest, ::testing::Values<int64_t>(0, 1, 2));

TEST(Concat, NegativeDimAndU8) {
  Tensor a = Tensor::from_vector<uint8_t>({1, 2, 3, 4}, {2, 2}), b = Tensor::from_vector<uint8_t>({5, 6}, {2, 1});
  EXPECT_EQ(concat({a, b}, -1).to_vector<uint8_t>(), (std::vector<uint8_t>{1, 2, 5, 3, 4, 6}));
}

TEST(Concat, RefusesMismatches) {
  EXPECT_THROW(concat({}, 0), Error);
  EXPECT_THROW(concat({Tensor::zeros({2, 3}), Tensor::zeros({3, 3})}, 1), Error);
  EXPECT_THROW(concat({Tensor::zeros({2, 3}), Tensor::zeros({2, 3}, DType::I64)}, 0), Error);
  EXPECT_THROW(concat({Tensor::zeros({2, 3}), Tensor::zeros({2, 3})}, 2), Error);
}

TEST(Slice, RefusesOutOfRange) {
  Tensor x = Tensor::zeros({3, 4});
  EXPECT_THROW(slice(x, 1, 2, 5), Error);
  EXPECT_THROW(slice(x, 0, 2, 1), Error);
  EXPECT_THROW(slice(x, 2, 0, 1), Error);
  EXPECT_EQ(slice(x, -1, 1, 1).shape(), (Shape{3, 0}));
}

TEST(Reshape, IsAViewWithGradient) {
  Tensor x = testing::randn({2, 3, 4}, 5);
  Tensor r = x.reshape({4, -1});
  EXPECT_EQ(r.shape(), (Shape{4, 6}));
  EXPECT_EQ(r.raw_data(), x.raw_data());  // shares the data
  EXPECT_EQ(x.flatten().shape(), (Shape{2, 12}));
  EXPECT_EQ(x.flatten(0).shape(), (Shape{24}));
  EXPECT_EQ(x.flatten(2).shape(), (Shape{2, 3, 4}));
  EXPECT_THROW(x.reshape({5, -1}), Error);
  EXPECT_THROW(x.reshape({-1, -1}), Error);
  EXPECT_THROW(x.reshape({2, 3}), Error);
  EXPECT_THROW(x.flatten(3), Error);
  x.set_requires_grad();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return in[0].reshape({3, 8}) * in[0].flatten().reshape({3, 8}); },
                                 {x}));
}

TEST(Embedding, LooksUpRowsAndAddsRepeatedGradients) {
  Tensor weight = testing::randn({5, 3}, 6);
  Tensor index = Tensor::from_vector<int64_t>({1, 4, 1, 0, 1, 4}, {2, 3});
  Tensor out = embedding(weight, index);
  ASSERT_EQ(out.shape(), (Shape{2, 3, 3}));
  std::vector<float> w = weight.to_vector<float>(), got = out.to_vector<float>();
  std::vector<int64_t> idx = index.to_vector<int64_t>();
  for (size_t i = 0; i < idx.size(); ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(got[i * 3 + j], w[idx[i] * 3 + j]);
  // Each row's gradient counts its lookups; rows never looked up get exactly zero.
  weight.set_requires_grad();
  sum(embedding(weight, index)).backward();
  std::vector<float> g = weight.grad().to_vector<float>();
  EXPECT_EQ(g[1 * 3], 3.0f);
  EXPECT_EQ(g[4 * 3], 2.0f);
  EXPECT_EQ(g[2 * 3], 0.0f);
  EXPECT_EQ(g[3 * 3], 0.0f);
}

TEST(Embedding, RefusesBadIndices) {
  Tensor weight = testing::randn({5, 3}, 1);
  EXPECT_THROW(embedding(weight, Tensor::from_vector<int64_t>({5}, {1})), Error);
  EXPECT_THROW(embedding(weight, Tensor::from_vector<int64_t>({-1}, {1})), Error);
  EXPECT_THROW(embedding(weight, Tensor::from_vector<float>({0}, {1})), Error);
}

TEST(Dropout, ZeroesAtTheRateAndScalesTheRest) {
  Tensor x = Tensor::ones({200000});
  for (float p : {0.1f, 0.5f, 0.8f}) {
    std::vector<float> y = dropout(x, p, true, 42).to_vector<float>();
    int64_t zeros = 0;
    for (float v : y) {
      if (v == 0.0f) ++zeros;
      else ASSERT_FLOAT_EQ(v, 1.0f / (1.0f - p));
    }
    // Binomial(n, p): the standard deviation of the rate is sqrt(p(1-p)/n) < 0.0012; allow 5 of them.
    EXPECT_NEAR(double(zeros) / y.size(), p, 0.006) << "p = " << p;
  }
}

TEST(Dropout, SeededReproducibleAndIdentityInEval) {
  Tensor x = testing::randn({1000}, 7);
  EXPECT_EQ(dropout(x, 0.3f, true, 5).to_vector<float>(), dropout(x, 0.3f, true, 5).to_vector<float>());
  EXPECT_NE(dropout(x, 0.3f, true, 5).to_vector<float>(), dropout(x, 0.3f, true, 6).to_vector<float>());
  manual_seed(9);
  std::vector<float> first = dropout(x, 0.3f, true).to_vector<float>();
  std::vector<float> second = dropout(x, 0.3f, true).to_vector<float>();
  EXPECT_NE(first, second);  // the default generator moves on
  manual_seed(9);
  EXPECT_EQ(dropout(x, 0.3f, true).to_vector<float>(), first);
  EXPECT_TRUE(dropout(x, 0.3f, false).same_as(x));
  EXPECT_TRUE(dropout(x, 0.0f, true).same_as(x));
  EXPECT_THROW(dropout(x, 1.0f, true, 1), Error);
  EXPECT_THROW(dropout(x, -0.1f, true, 1), Error);
}

TEST(Dropout, GradientUsesTheSameMask) {
  Tensor x = testing::randn({4, 5}, 8).set_requires_grad();
  Tensor y = dropout(x, 0.4f, true, 3);
  y.backward(Tensor::ones({4, 5}));
  std::vector<float> out = y.to_vector<float>(), grad = x.grad().to_vector<float>();
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(grad[i], out[i] == 0.0f ? 0.0f : 1.0f / 0.6f);
}

}  // namespace
}  // namespace hito
