// CUDA against CPU for the elementwise ops: every UnaryOp, the four broadcasting binary ops in every
// broadcasting pattern, affine, add_, casts; sizes 1, 17, 1000+ and non-multiples of the block.
#include "engine/ops.h"
#include "engine/runtime.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

const int64_t kSizes[] = {1, 17, 1031, 100003};

struct UnaryCase {
  const char* name;
  Tensor (*op)(const Tensor&);
  float lo, hi;
};
const UnaryCase kUnary[] = {
    {"relu", [](const Tensor& x) { return relu(x); }, -3, 3},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2f); }, -3, 3},
    {"relu6", [](const Tensor& x) { return relu6(x); }, -2, 8},
    {"gelu", [](const Tensor& x) { return gelu(x); }, -5, 5},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, -8, 8},
    {"tanh", [](const Tensor& x) { return tanh(x); }, -4, 4},
    {"exp", [](const Tensor& x) { return exp(x); }, -4, 4},
    {"log", [](const Tensor& x) { return log(x); }, 0.05f, 5},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, 0.05f, 5},
    {"neg", [](const Tensor& x) { return -x; }, -3, 3},
};

TEST(CudaElementwise, EveryUnaryOpForwardAndBackward) {
  HITO_REQUIRE_CUDA();
  for (const UnaryCase& c : kUnary)
    for (int64_t n : kSizes) {
      Tensor x = leaf(testing::rand_uniform({n}, c.lo, c.hi, 3 + n));
      // Gradients get an absolute slack of 5e-6: the CPU's vectorised tanh is up to ~4 ulp off near
      // saturation (CUDA's tanhf 2), and tanh' = 1 - y^2 turns that into ~1e-6 (seen on an H100).
      EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return c.op(in[0]); }, {x}, {1e-5f, 1e-6f},
                              {1e-5f, 5e-6f}))
          << c.name << " on " << n << " elements";
    }
}

struct BroadcastCase {
  Shape a, b;
};
// Full operands, a bias row, a column, scalars (rank 0 and rank 1), per-channel values of NCHW in
// their three spellings, both operands broadcast at once, and the broadcast operand on the left.
const BroadcastCase kPatterns[] = {
    {{37, 129}, {37, 129}},       {{37, 129}, {129}},          {{37, 129}, {37, 1}},
    {{37, 129}, {}},              {{1}, {1031}},               {{5, 7, 9, 11}, {7, 1, 1}},
    {{5, 7, 9, 11}, {5, 7, 1, 1}}, {{5, 7, 9, 11}, {1, 7, 1, 1}}, {{129}, {37, 1}},
    {{7, 1, 1}, {5, 7, 9, 11}},   {{1, 1}, {17, 33}},
};

TEST(CudaElementwise, BinaryOpsInEveryBroadcastPattern) {
  HITO_REQUIRE_CUDA();
  using Binary = Tensor (*)(const Tensor&, const Tensor&);
  const std::pair<const char*, Binary> ops[] = {{"add", add}, {"sub", sub}, {"mul", mul}, {"div", div}};
  uint64_t seed = 1;
  for (const auto& [name, op] : ops)
    for (const BroadcastCase& p : kPatterns) {
      Tensor a = leaf(testing::randn(p.a, ++seed));
      // Divisors kept away from zero so that the quotient's gradient is well conditioned.
      Tensor b = leaf(std::string(name) == "div" ? testing::rand_uniform(p.b, 0.5f, 2.0f, ++seed)
                                                 : testing::randn(p.b, ++seed));
      EXPECT_TRUE(matches_cpu([op](const std::vector<Tensor>& in) { return op(in[0], in[1]); }, {a, b},
                              {1e-6f, 1e-6f}, {1e-5f, 1e-5f}))
          << name << " of " << shape_str(p.a) << " and " << shape_str(p.b);
    }
}

TEST(CudaElementwise, GradientReachesOnlyTheOperandThatRequiresIt) {
  HITO_REQUIRE_CUDA();
  Tensor a = leaf(testing::randn({33, 65}, 1)), b = testing::randn({65}, 2);
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return mul(in[0], in[1]); }, {a, b}));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return div(in[1], in[0]); },
                          {leaf(testing::rand_uniform({65}, 1, 2, 3)), testing::randn({33, 65}, 4)}, {1e-6f, 1e-6f},
                          {1e-5f, 1e-5f}));
}

TEST(CudaElementwise, AffineAndScalarOperators) {
  HITO_REQUIRE_CUDA();
  for (int64_t n : kSizes) {
    Tensor x = leaf(testing::randn({n}, n));
    EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return affine(in[0], -1.5f, 0.25f); }, {x}));
    EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return (in[0] * 3.0f + 1.0f) - 2.0f; }, {x}));
  }
}

TEST(CudaElementwise, InPlaceAddAndFill) {
  HITO_REQUIRE_CUDA();
  Tensor dst = testing::randn({1031}, 1), src = testing::randn({1031}, 2);
  Tensor dst_cuda = dst.to(Device::CUDA);
  add_(dst, src);
  add_(dst_cuda, src.to(Device::CUDA));
  EXPECT_TRUE(testing::all_close(dst_cuda, dst, 0, 0));
  dst_cuda.fill_(2.5f);
  EXPECT_TRUE(testing::identical(dst_cuda, Tensor::full({1031}, 2.5f)));
  EXPECT_TRUE(testing::identical(Tensor::zeros({17}, DType::F32, Device::CUDA), Tensor::zeros({17})));
}

TEST(CudaElementwise, CastsToFloat) {
  HITO_REQUIRE_CUDA();
  std::vector<int64_t> labels;
  std::vector<uint8_t> pixels;
  for (int64_t i = 0; i < 1031; ++i) {
    labels.push_back(i * 7919 - 400000);
    pixels.push_back(static_cast<uint8_t>(i * 31));
  }
  Tensor l = Tensor::from_vector(labels, {1031}), p = Tensor::from_vector(pixels, {1031});
  EXPECT_TRUE(testing::identical(to_float(l.to(Device::CUDA)), to_float(l)));
  EXPECT_TRUE(testing::identical(to_float(p.to(Device::CUDA)), to_float(p)));
}

}  // namespace
}  // namespace hito
