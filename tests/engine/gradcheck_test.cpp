// The gradient check itself must be able to fail: ops with deliberately wrong backward passes are
// caught at the default tolerances, and the correct one passes.
#include <functional>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// x * x with a backward of our choosing: backward(dout, x) -> dx.
Tensor square_with_backward(const Tensor& x, std::function<Tensor(const Tensor&, const Tensor&)> backward) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = mul(x, x);
  }
  if (needs_grad({x}))
    record(out, "test_square", {x}, [x, backward](const Tensor& g) { return std::vector<Tensor>{backward(g, x)}; });
  return out;
}

::testing::AssertionResult check_square(std::function<Tensor(const Tensor&, const Tensor&)> backward) {
  Tensor x = testing::randn({3, 4}, 1).set_requires_grad();
  return testing::gradcheck([backward](const std::vector<Tensor>& in) { return square_with_backward(in[0], backward); }, {x});
}

TEST(Gradcheck, PassesTheCorrectBackward) {
  // d(x^2) = 2 x dout
  EXPECT_TRUE(check_square([](const Tensor& g, const Tensor& x) { return mul(g, x) * 2.0f; }));
}

TEST(Gradcheck, CatchesAMissingFactor) {
  EXPECT_FALSE(check_square([](const Tensor& g, const Tensor& x) { return mul(g, x); }));
}

TEST(Gradcheck, CatchesATwoPercentError) {
  EXPECT_FALSE(check_square([](const Tensor& g, const Tensor& x) { return mul(g, x) * 2.04f; }));
}

TEST(Gradcheck, CatchesOneWrongElement) {
  EXPECT_FALSE(check_square([](const Tensor& g, const Tensor& x) {
    std::vector<float> dx = (mul(g, x) * 2.0f).to_vector<float>();
    dx[5] = 0.0f;
    return Tensor::from_vector(dx, x.shape());
  }));
}

TEST(Gradcheck, CatchesAGradientThatIgnoresTheUpstreamGradient) {
  EXPECT_FALSE(check_square([](const Tensor&, const Tensor& x) { return x * 2.0f; }));
}

TEST(Gradcheck, CatchesAMissingGradient) {
  EXPECT_FALSE(check_square([](const Tensor&, const Tensor&) { return Tensor(); }));
}

}  // namespace
}  // namespace hito
