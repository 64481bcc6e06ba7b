// CUDA against CPU for softmax, log-softmax (every dimension, short and long rows) and the fused
// cross-entropy with class weights and label smoothing.
#include <cmath>

#include "engine/ops.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

TEST(CudaSoftmax, SoftmaxAndLogSoftmaxAlongEveryDimension) {
  HITO_REQUIRE_CUDA();
  const Shape shapes[] = {{1, 1}, {17, 7}, {5, 1031}, {3, 4, 33}, {2, 3, 5, 7}, {2, 20000}};
  uint64_t seed = 20;
  for (const Shape& shape : shapes)
    for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim) {
      Tensor x = leaf(testing::randn(shape, ++seed) * 3.0f);
      // rtol 1e-4: the CPU adds a row's exponentials one by one in float, which over 20000 values
      // costs it about 1e-5 of relative accuracy (seen on an H100); the GPU's tree sum is closer.
      EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return softmax(in[0], dim); }, {x},
                              {1e-4f, 1e-7f}, {1e-4f, 1e-6f}))
          << "softmax of " << shape_str(shape) << " along " << dim;
      EXPECT_TRUE(matches_cpu([&](const std::vector<Tensor>& in) { return log_softmax(in[0], dim); }, {x},
                              {1e-5f, 1e-5f}, {1e-4f, 1e-5f}))
          << "log_softmax of " << shape_str(shape) << " along " << dim;
    }
}

TEST(CudaSoftmax, SoftmaxOfLargeLogitsStaysFinite) {
  HITO_REQUIRE_CUDA();
  Tensor x = leaf(Tensor::from_vector<float>({1000, 999, -1000, 0, 88, 89}, {2, 3}));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return softmax(in[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return log_softmax(in[0]); }, {x}));
}

Tensor labels(int64_t N, int64_t K, uint64_t seed) {
  std::vector<int64_t> y;
  for (int64_t i = 0; i < N; ++i) y.push_back(static_cast<int64_t>((i * 2654435761u + seed) % K));
  return Tensor::from_vector(y, {N});
}

TEST(CudaSoftmax, CrossEntropyWithWeightsAndLabelSmoothing) {
  HITO_REQUIRE_CUDA();
  const std::pair<int64_t, int64_t> sizes[] = {{1, 1}, {1, 7}, {17, 7}, {256, 7}, {33, 1031}, {5000, 3}};
  for (auto [N, K] : sizes)
    for (bool weighted : {false, true})
      for (float smoothing : {0.0f, 0.1f, 1.0f}) {
        Tensor logits = leaf(testing::randn({N, K}, N * K) * 2.0f);
        Tensor target = labels(N, K, 5);
        Tensor weight = weighted ? testing::rand_uniform({K}, 0.2f, 3.0f, K) : Tensor();
        auto f = [smoothing](const std::vector<Tensor>& in) {
          CrossEntropyOptions options;
          options.class_weight = in[2];
          options.label_smoothing = smoothing;
          return cross_entropy(in[0], in[1], options);
        };
        EXPECT_TRUE(matches_cpu(f, {logits, target, weight}, {1e-5f, 1e-6f}, {1e-4f, 1e-7f}))
            << "N=" << N << " K=" << K << (weighted ? " weighted" : "") << " smoothing=" << smoothing;
      }
}

TEST(CudaSoftmax, CrossEntropyGradientScalesWithTheUpstreamGradient) {
  HITO_REQUIRE_CUDA();
  // dloss is read on the device: a loss scaled before backward scales every logit gradient.
  Tensor logits = leaf(testing::randn({9, 5}, 3));
  Tensor target = labels(9, 5, 1);
  EXPECT_TRUE(matches_cpu([](const std::vector<Tensor>& in) { return cross_entropy(in[0], in[1]) * 7.5f; },
                          {logits, target}, {1e-5f, 1e-6f}, {1e-4f, 1e-6f}));
}

TEST(CudaSoftmax, CrossEntropyWithAnOutOfRangeTargetIsNaN) {
  HITO_REQUIRE_CUDA();
  // Targets are validated where labels enter hito; a kernel cannot throw, so it poisons the loss.
  Tensor logits = testing::randn({4, 3}, 1).to(Device::CUDA);
  Tensor target = Tensor::from_vector<int64_t>({0, 1, 3, 2}, {4}, Device::CUDA);
  EXPECT_TRUE(std::isnan(cross_entropy(logits, target).item()));
}

}  // namespace
}  // namespace hito
