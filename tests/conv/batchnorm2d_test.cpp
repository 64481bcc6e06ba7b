// BatchNorm2d on (N, C, H, W) (the core's batch_norm and layers/norm.h, reused by the CNNs): running
// statistics over several training steps as PyTorch moves them, and eval mode; and the elementwise
// ops of a residual block on 4-d tensors. batch_norm's gradients: the op table (op_table_norm.cpp).
#include <gtest/gtest.h>

#include "engine/ops.h"
#include "layers/norm.h"
#include "tests/conv/conv_fixture.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::all_close;
using testing::randn;

TEST(BatchNorm2d, RunningStatisticsFollowPyTorchOverSteps) {
  testing::ConvFixture golden("batchnorm2d.safetensors");
  BatchNorm2d bn(4);
  bn.weight.copy_(golden["bn2d.weight"]);
  bn.bias.copy_(golden["bn2d.bias"]);
  for (int step = 0; step < 3; ++step) {
    std::string s = "bn2d.step" + std::to_string(step);
    EXPECT_TRUE(all_close(bn(golden[s + ".x"]), golden[s + ".out"], 1e-5f, 1e-5f)) << s;
    EXPECT_TRUE(all_close(bn.running_mean, golden[s + ".running_mean"], 1e-5f, 1e-6f)) << s;
    EXPECT_TRUE(all_close(bn.running_var, golden[s + ".running_var"], 1e-5f, 1e-6f)) << s;
  }
  EXPECT_EQ(bn.num_batches_tracked.to_vector<int64_t>()[0], 3);
  bn.eval();
  EXPECT_TRUE(all_close(bn(golden["bn2d.eval.x"]), golden["bn2d.eval.out"], 1e-5f, 1e-5f));
}

TEST(ResidualOps, WorkOnFourDimensionalTensorsInPlaceOfTheirData) {
  // relu(bn(conv(x)) + identity): add, relu and relu6 read 4-d tensors as flat arrays.
  Tensor a = randn({2, 3, 4, 5}, 1).set_requires_grad(), b = randn({2, 3, 4, 5}, 2).set_requires_grad();
  Tensor y = relu(a + b);
  ASSERT_EQ(y.shape(), a.shape());
  std::vector<float> va = a.to_vector<float>(), vb = b.to_vector<float>(), vy = y.to_vector<float>();
  for (size_t i = 0; i < vy.size(); ++i) EXPECT_EQ(vy[i], std::max(va[i] + vb[i], 0.0f));
  // d relu6(4a + b) / da = 4 [0 < 4a + b < 6], and 1 for b.
  relu6(a * 4.0f + b).backward(Tensor::ones(a.shape()));
  std::vector<float> da = a.grad().to_vector<float>(), db = b.grad().to_vector<float>();
  for (size_t i = 0; i < da.size(); ++i) {
    float z = 4.0f * va[i] + vb[i], inside = z > 0.0f && z < 6.0f ? 1.0f : 0.0f;
    EXPECT_EQ(da[i], 4.0f * inside);
    EXPECT_EQ(db[i], inside);
  }
  // Flattening the pooled (N, C, 1, 1) embedding is a view, not a copy.
  Tensor pooled = adaptive_avg_pool2d(a, 1);
  EXPECT_EQ(pooled.flatten(1).raw_data(), pooled.raw_data());
}

}  // namespace
}  // namespace hito
