// add, sub, mul and div under every broadcasting pattern the engine supports (broadcast_patterns.h):
// forward against a naive N-d broadcasting loop, long gradient sums, and the shapes it refuses.
// Gradients, PyTorch's values and CUDA parity: the op table (tests/support/op_table_elementwise.cpp).
#include <functional>

#include "engine/ops.h"
#include "tests/support/broadcast_patterns.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::BroadcastPattern;

struct BinaryOp {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<float(float, float)> reference;
};

const BinaryOp kOps[] = {
    {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }, [](float a, float b) { return a + b; }},
    {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, [](float a, float b) { return a - b; }},
    {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, [](float a, float b) { return a * b; }},
    {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }, [](float a, float b) { return a / b; }},
};

// The element of `x` (shape padded with leading 1s to out's rank) read by output multi-index `idx`.
int64_t broadcast_index(const Shape& x, const Shape& out, const std::vector<int64_t>& idx) {
  size_t pad = out.size() - x.size();
  int64_t flat = 0;
  for (size_t d = pad; d < out.size(); ++d) flat = flat * x[d - pad] + (x[d - pad] == 1 ? 0 : idx[d]);
  return flat;
}

std::vector<float> naive_binary(const std::vector<float>& a, const Shape& as, const std::vector<float>& b,
                                const Shape& bs, const Shape& out, const std::function<float(float, float)>& f) {
  std::vector<float> result(static_cast<size_t>(shape_numel(out)));
  std::vector<int64_t> idx(out.size(), 0);
  for (size_t i = 0; i < result.size(); ++i) {
    int64_t rest = static_cast<int64_t>(i);
    for (size_t d = out.size(); d-- > 0;) idx[d] = rest % out[d], rest /= out[d];
    result[i] = f(a[broadcast_index(as, out, idx)], b[broadcast_index(bs, out, idx)]);
  }
  return result;
}

class BroadcastTest : public ::testing::TestWithParam<std::tuple<BroadcastPattern, BinaryOp>> {};

TEST_P(BroadcastTest, ForwardMatchesNaiveLoop) {
  const auto& [pattern, op] = GetParam();
  Tensor a = testing::randn(pattern.a, 1);
  Tensor b = testing::rand_uniform(pattern.b, 0.5f, 2.0f, 2);  // away from 0: div
  Tensor out = op.op(a, b);
  ASSERT_EQ(out.shape(), pattern.out);
  auto expected = naive_binary(a.to_vector<float>(), pattern.a, b.to_vector<float>(), pattern.b, pattern.out, op.reference);
  EXPECT_TRUE(testing::all_close(out.to_vector<float>(), expected, 1e-6f, 1e-7f));
}

INSTANTIATE_TEST_SUITE_P(AllPatterns, BroadcastTest,
                         ::testing::Combine(::testing::ValuesIn(testing::kBroadcastPatterns), ::testing::ValuesIn(kOps)),
                         [](const auto& info) {
                           return std::string(std::get<1>(info.param).name) + "_" + std::get<0>(info.param).name;
                         });

TEST(Broadcast, RefusesIncompatibleShapes) {
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({3, 2});
  try {
    add(a, b);
    FAIL() << "(2, 3) + (3, 2) was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not broadcast"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mul(Tensor::zeros({4}), Tensor::zeros({5})), Error);
  EXPECT_THROW(sub(Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 4})), Error);
}

TEST(Broadcast, RefusesNonAdjacentKeptDimensions) {
  // Valid in NumPy, but outside the (outer, mid, inner) maps of the kernels: refused, never wrong.
  try {
    div(Tensor::ones({2, 3, 4}), Tensor::ones({2, 1, 4}));
    FAIL() << "(2, 3, 4) / (2, 1, 4) was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adjacent"), std::string::npos) << e.what();
  }
}

TEST(Broadcast, RefusesOtherDtypesAndDevicesClearly) {
  Tensor labels = Tensor::from_vector<int64_t>({1, 2}, {2});
  EXPECT_THROW(add(labels, Tensor::ones({2})), Error);
  EXPECT_THROW(add(Tensor(), Tensor::ones({2})), Error);
}

TEST(Broadcast, GradientOfABroadcastOperandIsAccurateOverManyElements) {
  // The gradient of a per-channel value sums 2^19 upstream gradients per channel, of a bias 2^20
  // rows, of a scalar 2^21 elements.
  for (auto [input, operand] : {std::pair<Shape, Shape>{{4, 2, 256, 512}, {2, 1, 1}}, {{1 << 20, 2}, {2}}, {{1 << 21}, {}}}) {
    SCOPED_TRACE(shape_str(operand));
    Tensor b = Tensor::zeros(operand).set_requires_grad();
    Tensor out = add(Tensor::zeros(input), b);
    out.backward(Tensor::full(out.shape(), 0.1f));
    double expected = 0.1 * out.numel() / b.numel();
    for (float g : b.grad().to_vector<float>()) EXPECT_NEAR(g, expected, expected * 1e-6);
  }
}

TEST(Affine, MatchesFormulaAndGradient) {
  Tensor x = testing::randn({3, 4}, 5);
  Tensor y = affine(x, -1.5f, 0.25f);
  std::vector<float> expected = x.to_vector<float>();
  for (float& v : expected) v = -1.5f * v + 0.25f;
  EXPECT_TRUE(testing::all_close(y.to_vector<float>(), expected, 1e-6f, 1e-7f));
  x.set_requires_grad();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return -(in[0] * 0.5f) + 2.0f; }, {x}));
}

TEST(AddInPlace, AccumulatesAndChecksShapes) {
  Tensor dst = Tensor::full({2, 2}, 1.0f), src = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  add_(dst, src);
  EXPECT_EQ(dst.to_vector<float>(), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_THROW(add_(dst, Tensor::ones({4})), Error);
}

}  // namespace
}  // namespace hito
