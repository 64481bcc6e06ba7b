// Every elementwise function's forward against the C++ standard library, on the vectorised, threaded
// path and its scalar tail. Gradients, PyTorch's values and CUDA parity: the op table
// (tests/support/op_table_elementwise.cpp).
#include <cmath>
#include <functional>

#include "engine/ops.h"
#include "kernels/cpu/kernels.h"
#include "tests/support/op_values.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> reference;
  float lo, hi;  // input domain (covers the interesting region, avoids poles)
};

constexpr float kSlope = 0.1f;

const UnaryCase kUnary[] = {
    {"relu", [](const Tensor& x) { return relu(x); }, [](double x) { return x > 0 ? x : 0.0; }, -3, 3},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, kSlope); },
     [](double x) { return x > 0 ? x : kSlope * x; }, -3, 3},
    {"relu6", [](const Tensor& x) { return relu6(x); }, [](double x) { return std::min(std::max(x, 0.0), 6.0); }, -2, 8},
    {"gelu", [](const Tensor& x) { return gelu(x); }, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); },
     -5, 5},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, [](double x) { return 1 / (1 + std::exp(-x)); }, -6, 6},
    {"tanh", [](const Tensor& x) { return tanh(x); }, [](double x) { return std::tanh(x); }, -3, 3},
    {"exp", [](const Tensor& x) { return exp(x); }, [](double x) { return std::exp(x); }, -3, 3},
    {"log", [](const Tensor& x) { return log(x); }, [](double x) { return std::log(x); }, 0.05f, 5},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, [](double x) { return std::sqrt(x); }, 0.05f, 5},
};

class UnaryTest : public ::testing::TestWithParam<UnaryCase> {};

TEST_P(UnaryTest, ForwardMatchesStandardLibrary) {
  const UnaryCase& c = GetParam();
  // Large enough to go through the threaded, vectorised path as well as the scalar tail.
  // Kept 0.05 away from the kinks of relu, leaky_relu and relu6.
  Tensor x = testing::away_from(testing::uniform({70001}, c.lo, c.hi), {0.0f, 6.0f})(11);
  std::vector<float> xs = x.to_vector<float>(), expected(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) expected[i] = static_cast<float>(c.reference(xs[i]));
  // Absolute slack of 1e-6: the erf form of GELU (PyTorch's) rounds Phi(x) near 1, an error of about
  // |x| * 2^-23 that is large relative to the tiny outputs of the far negative tail.
  EXPECT_TRUE(testing::all_close(c.op(x).to_vector<float>(), expected, 2e-6f, 1e-6f));
}

INSTANTIATE_TEST_SUITE_P(AllFunctions, UnaryTest, ::testing::ValuesIn(kUnary),
                         [](const auto& info) { return std::string(info.param.name); });

// UnaryOp::Neg has no op of its own in ops.h (negation is affine(x, -1, 0)); its kernels are
// checked directly.
TEST(UnaryKernels, NegForwardAndBackward) {
  std::vector<float> x = {1.5f, -2.0f, 0.0f}, out(3), dout = {1.0f, 2.0f, -3.0f}, dx(3);
  cpu::unary_forward(UnaryOp::Neg, 0.0f, out.data(), x.data(), 3);
  EXPECT_EQ(out, (std::vector<float>{-1.5f, 2.0f, -0.0f}));
  cpu::unary_backward(UnaryOp::Neg, 0.0f, dx.data(), dout.data(), x.data(), out.data(), 3);
  EXPECT_EQ(dx, (std::vector<float>{-1.0f, -2.0f, 3.0f}));
}

TEST(Unary, RefusesNonFloatInput) {
  EXPECT_THROW(relu(Tensor::from_vector<int64_t>({1, -1}, {2})), Error);
}

TEST(ToFloat, ConvertsIntegersAndBytes) {
  EXPECT_EQ(to_float(Tensor::from_vector<int64_t>({-3, 0, 7}, {3})).to_vector<float>(), (std::vector<float>{-3, 0, 7}));
  EXPECT_EQ(to_float(Tensor::from_vector<uint8_t>({0, 128, 255}, {3})).to_vector<float>(),
            (std::vector<float>{0, 128, 255}));
}

}  // namespace
}  // namespace hito
