// batch_norm on (N, C), (N, C, L) and (N, C, H, W), training (batch statistics, running statistics
// updated) and eval, and layer_norm, against naive loops; the arguments batch_norm refuses.
// Gradients, PyTorch's values and CUDA parity: the op table (tests/support/op_table_norm.cpp).
#include <cmath>

#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

constexpr float kEps = 1e-5f, kMomentum = 0.1f;

struct NaiveBatchNorm {
  std::vector<float> out, running_mean, running_var;
};

// Per channel c: the N*S values x[n, c, s]; training normalises with their mean and biased variance
// and moves the running statistics towards the mean and the unbiased variance.
NaiveBatchNorm naive_batch_norm(const Tensor& x, const std::vector<float>& w, const std::vector<float>& b,
                                std::vector<float> rm, std::vector<float> rv, bool training) {
  int64_t N = x.size(0), C = x.size(1), S = x.numel() / (N * C);
  std::vector<float> xs = x.to_vector<float>(), out(xs.size());
  for (int64_t c = 0; c < C; ++c) {
    double mean = 0.0, var = 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) mean += xs[(n * C + c) * S + s];
    mean /= N * S;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) var += std::pow(xs[(n * C + c) * S + s] - mean, 2);
    double use_mean = training ? mean : rm[c], use_var = training ? var / (N * S) : rv[c];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        size_t i = (n * C + c) * S + s;
        out[i] = static_cast<float>((xs[i] - use_mean) / std::sqrt(use_var + kEps) * w[c] + b[c]);
      }
    if (training) {
      rm[c] = static_cast<float>((1 - kMomentum) * rm[c] + kMomentum * mean);
      rv[c] = static_cast<float>((1 - kMomentum) * rv[c] + kMomentum * var / (N * S - 1));
    }
  }
  return {out, rm, rv};
}

class BatchNormTest : public ::testing::TestWithParam<std::tuple<Shape, bool>> {};

TEST_P(BatchNormTest, MatchesNaiveLoopIncludingRunningStatistics) {
  auto [shape, training] = GetParam();
  int64_t C = shape[1];
  Tensor x = testing::randn(shape, 1) * 2.0f + 0.5f;
  Tensor w = testing::rand_uniform({C}, 0.5f, 1.5f, 2), b = testing::randn({C}, 3);
  Tensor rm = testing::randn({C}, 4), rv = testing::rand_uniform({C}, 0.5f, 2.0f, 5);
  NaiveBatchNorm expected = naive_batch_norm(x, w.to_vector<float>(), b.to_vector<float>(), rm.to_vector<float>(),
                                             rv.to_vector<float>(), training);
  Tensor out = batch_norm(x, w, b, rm, rv, training, kMomentum, kEps);
  EXPECT_TRUE(testing::all_close(out.to_vector<float>(), expected.out, 1e-5f, 1e-5f));
  EXPECT_TRUE(testing::all_close(rm.to_vector<float>(), expected.running_mean, 1e-6f, 1e-6f));
  EXPECT_TRUE(testing::all_close(rv.to_vector<float>(), expected.running_var, 1e-6f, 1e-6f));
}

INSTANTIATE_TEST_SUITE_P(ShapesAndModes, BatchNormTest,
                         ::testing::Combine(::testing::Values(Shape{6, 3}, Shape{2, 3, 5}, Shape{3, 2, 2, 3}), ::testing::Bool()),
                         [](const auto& info) {
                           return std::to_string(std::get<0>(info.param).size()) + "d_" +
                                  (std::get<1>(info.param) ? "train" : "eval");
                         });

TEST(BatchNorm, RefusesBadArguments) {
  Tensor x = Tensor::ones({4, 3});
  EXPECT_THROW(batch_norm(Tensor::ones({4}), {}, {}, {}, {}, true), Error);
  EXPECT_THROW(batch_norm(x, Tensor::ones({2}), {}, {}, {}, true), Error);
  EXPECT_THROW(batch_norm(x, {}, {}, Tensor::zeros({3}), {}, true), Error);
  // One value per channel has no variance: refused in training, as in PyTorch.
  EXPECT_THROW(batch_norm(Tensor::ones({1, 3}), {}, {}, Tensor::zeros({3}), Tensor::ones({3}), true), Error);
  EXPECT_NO_THROW(batch_norm(Tensor::ones({1, 3}), {}, {}, Tensor::zeros({3}), Tensor::ones({3}), false));
}

std::vector<float> naive_layer_norm(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                                    int64_t D) {
  std::vector<float> out(x.size());
  for (size_t r = 0; r < x.size() / D; ++r) {
    double mean = 0.0, var = 0.0;
    for (int64_t j = 0; j < D; ++j) mean += x[r * D + j];
    mean /= D;
    for (int64_t j = 0; j < D; ++j) var += std::pow(x[r * D + j] - mean, 2);
    var /= D;
    for (int64_t j = 0; j < D; ++j)
      out[r * D + j] = static_cast<float>((x[r * D + j] - mean) / std::sqrt(var + kEps) * (w.empty() ? 1.0f : w[j]) +
                                          (b.empty() ? 0.0f : b[j]));
  }
  return out;
}

TEST(LayerNorm, MatchesNaiveLoop) {
  Tensor x = testing::randn({2, 3, 5}, 11) * 3.0f + 1.0f;
  Tensor w = testing::rand_uniform({5}, 0.5f, 1.5f, 12), b = testing::randn({5}, 13);
  EXPECT_TRUE(testing::all_close(layer_norm(x, w, b).to_vector<float>(),
                                 naive_layer_norm(x.to_vector<float>(), w.to_vector<float>(), b.to_vector<float>(), 5), 1e-5f, 1e-5f));
  EXPECT_TRUE(testing::all_close(layer_norm(x, {}, {}).to_vector<float>(), naive_layer_norm(x.to_vector<float>(), {}, {}, 5),
                                 1e-5f, 1e-5f));
}

}  // namespace
}  // namespace hito
