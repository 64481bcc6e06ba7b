// softmax and log_softmax along every dimension, and cross_entropy with class weights and label
// smoothing, against naive loops; large logits, empty tensors, refused targets. Gradients, PyTorch's
// values and CUDA parity: the op table (tests/support/op_table_softmax.cpp).
#include <cmath>

#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// Softmax of a (2, 3, 4) tensor along `dim`, by the textbook formula in double precision.
std::vector<float> naive_softmax(const std::vector<float>& x, const Shape& shape, int64_t dim, bool log) {
  int64_t outer = 1, d = shape[dim], inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= shape[i];
  for (size_t i = dim + 1; i < shape.size(); ++i) inner *= shape[i];
  std::vector<float> out(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double total = 0.0;
      for (int64_t j = 0; j < d; ++j) total += std::exp(double(x[(o * d + j) * inner + i]));
      for (int64_t j = 0; j < d; ++j) {
        double v = x[(o * d + j) * inner + i];
        out[(o * d + j) * inner + i] = static_cast<float>(log ? v - std::log(total) : std::exp(v) / total);
      }
    }
  return out;
}

class SoftmaxDimTest : public ::testing::TestWithParam<std::tuple<int64_t, bool>> {};

TEST_P(SoftmaxDimTest, MatchesNaiveLoop) {
  auto [dim, log] = GetParam();
  Shape shape = {2, 3, 4};
  Tensor x = testing::randn(shape, 21) * 3.0f;
  Tensor out = log ? log_softmax(x, dim) : softmax(x, dim);
  EXPECT_TRUE(testing::all_close(out.to_vector<float>(), naive_softmax(x.to_vector<float>(), shape, dim < 0 ? dim + 3 : dim, log),
                                 1e-5f, 1e-6f));
}

INSTANTIATE_TEST_SUITE_P(EveryDim, SoftmaxDimTest, ::testing::Combine(::testing::Values<int64_t>(0, 1, 2, -1), ::testing::Bool()),
                         [](const auto& info) {
                           int64_t dim = std::get<0>(info.param);
                           return std::string(std::get<1>(info.param) ? "log_softmax_" : "softmax_") +
                                  (dim < 0 ? "minus1" : std::to_string(dim));
                         });

TEST(Softmax, StableForLargeLogits) {
  Tensor x = Tensor::from_vector<float>({1000, 1001, 1002, -1000}, {1, 4});
  std::vector<float> p = softmax(x).to_vector<float>(), lp = log_softmax(x).to_vector<float>();
  for (float v : p) EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(p[2], 1 / (1 + std::exp(-1.0) + std::exp(-2.0)), 1e-6);
  EXPECT_NEAR(lp[3], -1000 - 1002 - std::log(1 + std::exp(-1.0) + std::exp(-2.0)), 1e-3);
}

TEST(Softmax, EmptyTensorsGiveEmptyResults) {
  for (Shape shape : {Shape{3, 0}, Shape{0, 4}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = Tensor::zeros(shape).set_requires_grad();
    Tensor p = softmax(x, 1), lp = log_softmax(x, 1);
    EXPECT_EQ(p.shape(), shape);
    EXPECT_EQ(lp.shape(), shape);
    lp.backward(Tensor::zeros(shape));
    EXPECT_EQ(x.grad().shape(), shape);
  }
}

// PyTorch's cross-entropy written out: the weighted mean of -log p[y] blended with the smoothing
// term, both normalised by the summed weights of the targets.
double naive_cross_entropy(const std::vector<float>& logits, const std::vector<int64_t>& target,
                           const std::vector<float>& weight, double eps, int64_t K) {
  double total = 0.0, weights = 0.0;
  for (size_t i = 0; i < target.size(); ++i) {
    double peak = -1e300, denom = 0.0;
    for (int64_t k = 0; k < K; ++k) peak = std::max(peak, double(logits[i * K + k]));
    for (int64_t k = 0; k < K; ++k) denom += std::exp(logits[i * K + k] - peak);
    auto nll = [&](int64_t k) { return -(logits[i * K + k] - peak - std::log(denom)); };
    auto w = [&](int64_t k) { return weight.empty() ? 1.0 : double(weight[k]); };
    double smooth = 0.0;
    for (int64_t k = 0; k < K; ++k) smooth += w(k) * nll(k);
    total += (1 - eps) * w(target[i]) * nll(target[i]) + eps / K * smooth;
    weights += w(target[i]);
  }
  return total / weights;
}

struct CrossEntropyCase {
  const char* name;
  bool weighted;
  float smoothing;
};

class CrossEntropyTest : public ::testing::TestWithParam<CrossEntropyCase> {};

TEST_P(CrossEntropyTest, MatchesNaiveFormula) {
  const CrossEntropyCase& c = GetParam();
  int64_t N = 6, K = 4;
  Tensor logits = testing::randn({N, K}, 31) * 2.0f;
  std::vector<int64_t> labels = {0, 3, 1, 3, 2, 0};
  Tensor target = Tensor::from_vector(labels, {N});
  CrossEntropyOptions options;
  std::vector<float> weight;
  if (c.weighted) {
    weight = {0.5f, 2.0f, 1.0f, 3.0f};
    options.class_weight = Tensor::from_vector(weight, {K});
  }
  options.label_smoothing = c.smoothing;
  Tensor loss = cross_entropy(logits, target, options);
  EXPECT_EQ(loss.shape(), Shape{});
  EXPECT_NEAR(loss.item(), naive_cross_entropy(logits.to_vector<float>(), labels, weight, c.smoothing, K), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Variants, CrossEntropyTest,
                         ::testing::Values(CrossEntropyCase{"plain", false, 0.0f}, CrossEntropyCase{"weighted", true, 0.0f},
                                           CrossEntropyCase{"smoothed", false, 0.2f},
                                           CrossEntropyCase{"weighted_smoothed", true, 0.15f}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CrossEntropy, ScalesWithTheUpstreamGradient) {
  Tensor logits = testing::randn({3, 5}, 41).set_requires_grad();
  Tensor target = Tensor::from_vector<int64_t>({4, 0, 2}, {3});
  // d(3 * loss) = 3 d(loss): the incoming gradient must be applied, not assumed to be 1.
  EXPECT_TRUE(testing::gradcheck([target](const std::vector<Tensor>& in) { return cross_entropy(in[0], target) * 3.0f; },
                                 {logits}));
}

TEST(CrossEntropy, RefusesBadTargetsAndShapes) {
  Tensor logits = Tensor::zeros({2, 3});
  try {
    cross_entropy(logits, Tensor::from_vector<int64_t>({0, 3}, {2}));
    FAIL() << "target 3 of 3 classes was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cross_entropy(logits, Tensor::from_vector<int64_t>({-1, 0}, {2})), Error);
  EXPECT_THROW(cross_entropy(logits, Tensor::from_vector<float>({0, 1}, {2})), Error);
  EXPECT_THROW(cross_entropy(logits, Tensor::from_vector<int64_t>({0}, {1})), Error);
  EXPECT_THROW(cross_entropy(logits, Tensor::from_vector<int64_t>({0, 1}, {2}), {.class_weight = Tensor::ones({2})}), Error);
  EXPECT_THROW(cross_entropy(logits, Tensor::from_vector<int64_t>({0, 1}, {2}), {.label_smoothing = 1.5f}), Error);
}

}  // namespace
}  // namespace hito
