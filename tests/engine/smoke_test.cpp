// First light: an MLP forward/backward through the public API.
#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito {
TEST(Smoke, LinearGradcheck) {
  Tensor x = testing::randn({3, 4}, 1).set_requires_grad();
  Tensor w = testing::randn({5, 4}, 2).set_requires_grad();
  Tensor b = testing::randn({5}, 3).set_requires_grad();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }, {x, w, b}));
}
}  // namespace hito
