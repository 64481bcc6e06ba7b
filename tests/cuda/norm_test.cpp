// CUDA against CPU for batch norm (1-d, 3-d and 2-d inputs, training with running statistics, eval,
// with and without affine parameters, channels split among blocks) and layer norm.
#include "engine/ops.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

const Shape kBatchShapes[] = {{2, 1}, {17, 3}, {256, 64}, {4, 6, 33}, {8, 16, 13, 11}, {32, 8, 56, 56}};

// Runs one batch-norm call on both devices with running statistics and compares the outputs, the
// updated running statistics and the gradients of x, weight and bias.
void expect_batch_norm_matches(const Shape& shape, bool training, bool affine, uint64_t seed) {
  int64_t C = shape[1];
  Tensor x = leaf(testing::randn(shape, seed) * 2.0f + 0.5f);
  Tensor weight = affine ? leaf(testing::rand_uniform({C}, 0.5f, 1.5f, seed + 1)) : Tensor();
  Tensor bias = affine ? leaf(testing::randn({C}, seed + 2)) : Tensor();
  Tensor mean_cpu = testing::randn({C}, seed + 3), var_cpu = testing::rand_uniform({C}, 0.5f, 2.0f, seed + 4);
  Tensor mean_cuda = mean_cpu.to(Device::CUDA), var_cuda = var_cpu.to(Device::CUDA);
  auto f = [&](const std::vector<Tensor>& in) {
    bool cuda = in[0].is_cuda();
    return batch_norm(in[0], in[1], in[2], cuda ? mean_cuda : mean_cpu, cuda ? var_cuda : var_cpu, training, 0.1f,
                      1e-5f);
  };
  EXPECT_TRUE(matches_cpu(f, {x, weight, bias}, {1e-4f, 1e-5f}, {1e-3f, 1e-5f}))
      << shape_str(shape) << (training ? " training" : " eval") << (affine ? " affine" : "");
  EXPECT_TRUE(testing::all_close(mean_cuda, mean_cpu, 1e-5f, 1e-6f)) << "running_mean of " << shape_str(shape);
  EXPECT_TRUE(testing::all_close(var_cuda, var_cpu, 1e-5f, 1e-6f)) << "running_var of " << shape_str(shape);
}

TEST(CudaNorm, BatchNormTrainingUpdatesRunningStatistics) {
  HITO_REQUIRE_CUDA();
  uint64_t seed = 100;
  for (const Shape& shape : kBatchShapes)
    for (bool affine : {true, false}) expect_batch_norm_matches(shape, true, affine, seed += 10);
}

TEST(CudaNorm, BatchNormEvalUsesRunningStatistics) {
  HITO_REQUIRE_CUDA();
  uint64_t seed = 200;
  for (const Shape& shape : kBatchShapes)
    for (bool affine : {true, false}) expect_batch_norm_matches(shape, false, affine, seed += 10);
}

TEST(CudaNorm, BatchNormWithoutRunningStatistics) {
  HITO_REQUIRE_CUDA();
  for (bool training : {true, false}) {
    Tensor x = leaf(testing::randn({16, 5, 7, 3}, 1)), w = leaf(testing::randn({5}, 2)), b = leaf(testing::randn({5}, 3));
    EXPECT_TRUE(matches_cpu(
        [training](const std::vector<Tensor>& in) { return batch_norm(in[0], in[1], in[2], {}, {}, training); },
        {x, w, b}, {1e-4f, 1e-5f}, {1e-3f, 1e-5f}));
  }
}

TEST(CudaNorm, BatchNormOfAChannelFarFromZero) {
  HITO_REQUIRE_CUDA();
  // Mean 1000, standard deviation 0.1: the variance must not drown in cancellation.
  Tensor x = leaf(testing::randn({64, 4, 9, 9}, 5) * 0.1f + 1000.0f);
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return batch_norm(in[0], {}, {}, {}, {}, true); }, {x},
                          {1e-3f, 1e-3f}, {1e-2f, 1e-2f}));
}

TEST(CudaNorm, LayerNorm) {
  HITO_REQUIRE_CUDA();
  const Shape shapes[] = {{1, 1}, {17, 7}, {256, 64}, {3, 4, 1031}, {5, 5000}, {2000, 3}};
  uint64_t seed = 300;
  for (const Shape& shape : shapes)
    for (bool affine : {true, false}) {
      int64_t D = shape.back();
      Tensor x = leaf(testing::randn(shape, ++seed) * 3.0f - 1.0f);
      Tensor w = affine ? leaf(testing::randn({D}, ++seed)) : Tensor();
      Tensor b = affine ? leaf(testing::randn({D}, ++seed)) : Tensor();
      EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], in[2]); },
                              {x, w, b}, {1e-4f, 1e-5f}, {1e-3f, 1e-4f}))
          << shape_str(shape) << (affine ? " affine" : "");
    }
}

}  // namespace
}  // namespace hito
