// conv2d: the kernels against naive loops (forward and both gradients, every option and code path
// of conv_cases.h), the fused inference path and BatchNorm folding, and the arguments it refuses.
// Finite differences, PyTorch's values and CUDA parity: the op table (tests/support/op_table_conv.cpp).
#include <gtest/gtest.h>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "tests/conv/conv_reference.h"
#include "tests/support/conv_cases.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::all_close;
using testing::randn;

using testing::ConvCase;

class ConvAgainstNaive : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvAgainstNaive, ForwardAndGradients) {
  const ConvCase& c = GetParam();
  const ConvGeometry g = testing::geometry_of(c);
  Tensor x = randn(c.x, 1).set_requires_grad(), w = randn(c.weight, 2).set_requires_grad();
  Tensor b = c.bias ? randn({c.weight[0]}, 3).set_requires_grad() : Tensor();
  Tensor out = conv2d(x, w, b, c.options);
  ASSERT_EQ(out.shape(), Shape({g.N, g.K, g.P, g.Q}));
  std::vector<float> bias_values = c.bias ? b.to_vector<float>() : std::vector<float>();
  EXPECT_TRUE(all_close(out.to_vector<float>(),
                        testing::naive_conv_forward(x.to_vector<float>(), w.to_vector<float>(), bias_values, g), 1e-4f,
                        1e-4f));
  Tensor dout = randn(out.shape(), 4);
  out.backward(dout);
  testing::NaiveConvGrads expected =
      testing::naive_conv_backward(x.to_vector<float>(), w.to_vector<float>(), dout.to_vector<float>(), g);
  EXPECT_TRUE(all_close(x.grad().to_vector<float>(), expected.dx, 1e-4f, 1e-4f)) << "dx";
  EXPECT_TRUE(all_close(w.grad().to_vector<float>(), expected.dweight, 1e-4f, 1e-3f)) << "dweight";
  if (c.bias) EXPECT_TRUE(all_close(b.grad().to_vector<float>(), expected.dbias, 1e-4f, 1e-3f)) << "dbias";
}

INSTANTIATE_TEST_SUITE_P(Cases, ConvAgainstNaive, ::testing::ValuesIn(testing::kConvCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Conv2d, InputGradientIsSkippedWhenNotWanted) {
  // The first layer of a network: only the weight needs a gradient.
  Tensor x = randn({2, 3, 6, 6}, 1), w = randn({4, 3, 3, 3}, 2).set_requires_grad();
  sum(conv2d(x, w, Tensor(), {.padding = 1})).backward();
  EXPECT_FALSE(x.grad().defined());
  EXPECT_TRUE(w.grad().defined());
}

TEST(Conv2dFused, EqualsSeparateOps) {
  for (const ConvCase& c : testing::kConvCases) {
    Tensor x = randn(c.x, 21), w = randn(c.weight, 22), b = randn({c.weight[0]}, 23);
    Tensor plain = conv2d(x, w, b, c.options);
    Tensor residual = randn(plain.shape(), 24);
    EXPECT_TRUE(all_close(conv2d_fused(x, w, b, c.options, FusedActivation::None), plain, 1e-6f, 1e-6f)) << c.name;
    EXPECT_TRUE(all_close(conv2d_fused(x, w, b, c.options, FusedActivation::Relu, residual), relu(plain + residual),
                          1e-6f, 1e-6f))
        << c.name;
    EXPECT_TRUE(all_close(conv2d_fused(x, w, Tensor(), c.options, FusedActivation::Relu6),
                          relu6(conv2d(x, w, Tensor(), c.options)), 1e-6f, 1e-6f))
        << c.name;
  }
}

TEST(Conv2dFused, RefusesInputsThatNeedGradients) {
  Tensor x = randn({1, 2, 4, 4}, 1), w = randn({3, 2, 3, 3}, 2).set_requires_grad();
  EXPECT_THROW(conv2d_fused(x, w, Tensor(), {}, FusedActivation::Relu), Error);
  NoGradGuard no_grad;
  EXPECT_NO_THROW(conv2d_fused(x, w, Tensor(), {}, FusedActivation::Relu));
}

TEST(FoldBatchNorm, EqualsConvolutionThenBatchNormInEvalMode) {
  Tensor x = randn({2, 3, 7, 7}, 1), w = randn({5, 3, 3, 3}, 2), conv_bias = randn({5}, 3);
  Tensor gamma = testing::rand_uniform({5}, 0.5f, 1.5f, 4), beta = randn({5}, 5);
  Tensor mean = randn({5}, 6), var = testing::rand_uniform({5}, 0.5f, 2.0f, 7);
  Conv2dOptions options{.stride = 2, .padding = 1};
  for (bool with_bias : {false, true}) {
    Tensor b = with_bias ? conv_bias : Tensor();
    Tensor expected = batch_norm(conv2d(x, w, b, options), gamma, beta, mean, var, false, 0.1f, 1e-3f);
    FoldedConv folded = fold_batch_norm(w, b, gamma, beta, mean, var, 1e-3f);
    EXPECT_TRUE(all_close(conv2d(x, folded.weight, folded.bias, options), expected, 1e-5f, 1e-5f));
  }
  // Without an affine transform the scale is 1/sqrt(var + eps) and the bias -mean * scale.
  Tensor expected = batch_norm(conv2d(x, w, Tensor(), options), Tensor(), Tensor(), mean, var, false, 0.1f, 1e-5f);
  FoldedConv folded = fold_batch_norm(w, Tensor(), Tensor(), Tensor(), mean, var, 1e-5f);
  EXPECT_TRUE(all_close(conv2d(x, folded.weight, folded.bias, options), expected, 1e-5f, 1e-5f));
}

TEST(Conv2d, RejectsBadArguments) {
  Tensor x = randn({1, 4, 5, 5}, 1);
  EXPECT_THROW(conv2d(x, randn({3, 3, 3, 3}, 2)), Error);                          // 4 channels, filters of 3
  EXPECT_THROW(conv2d(x, randn({3, 2, 3, 3}, 2), Tensor(), {.groups = 2}), Error);  // 3 filters, 2 groups
  EXPECT_THROW(conv2d(x, randn({2, 4, 7, 7}, 2)), Error);                          // kernel larger than the input
  EXPECT_THROW(conv2d(x, randn({2, 4, 3, 3}, 2), randn({3}, 3)), Error);           // bias of the wrong size
  EXPECT_THROW(conv2d(randn({4, 5, 5}, 1), randn({2, 4, 3, 3}, 2)), Error);        // not 4-d
  EXPECT_THROW(conv2d(x, randn({2, 4, 3, 3}, 2), Tensor(), {.stride = 0}), Error);
  try {
    conv2d(x, randn({3, 3, 3, 3}, 2));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected 4 channels per filter"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hito
