// CUDA against CPU for the fused cross-entropy beyond the op table (tests/cuda/op_parity_test.cpp,
// which runs softmax, log_softmax and cross_entropy at every size): a scaled loss, and the poisoned
// loss of an out-of-range target.
#include <cmath>

#include "engine/ops.h"
#include "tests/cuda/compare.h"
#include "tests/support/op_values.h"

namespace hito {
namespace {
using testing::leaf;
using testing::matches_cpu;

TEST(CudaSoftmax, CrossEntropyGradientScalesWithTheUpstreamGradient) {
  HITO_REQUIRE_CUDA();
  // dloss is read on the device: a loss scaled before backward scales every logit gradient.
  Tensor logits = leaf(testing::randn({9, 5}, 3));
  Tensor target = testing::labels(9, 5)(1);
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
