// CUDA against the CPU (skipped without a GPU): the fused inference convolution for every case of
// conv_cases.h and each activation. conv2d and the pooling ops forward and backward: the op table's
// CUDA parity (tests/cuda/op_parity_test.cpp).
#include <gtest/gtest.h>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "kernels/runtime.h"
#include "tests/support/conv_cases.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::randn;

::testing::AssertionResult same(const Tensor& cuda, const Tensor& cpu) {
  float tol = testing::cudnn_tolerance();
  return testing::all_close(cuda.to(Device::CPU), cpu, tol, tol);
}

TEST(CudaConv, FusedInferenceMatchesTheCpu) {
  HITO_REQUIRE_CUDA();
  NoGradGuard no_grad;
  for (const testing::ConvCase& c : testing::kConvCases) {
    Tensor x = randn(c.x, 1), w = randn(c.weight, 2), b = randn({c.weight[0]}, 3);
    Tensor plain = conv2d(x, w, b, c.options), residual = randn(plain.shape(), 4);
    for (FusedActivation act : {FusedActivation::None, FusedActivation::Relu, FusedActivation::Relu6}) {
      Tensor cpu = conv2d_fused(x, w, b, c.options, act, residual);
      Tensor cuda = conv2d_fused(x.to(Device::CUDA), w.to(Device::CUDA), b.to(Device::CUDA), c.options, act,
                                 residual.to(Device::CUDA));
      EXPECT_TRUE(same(cuda, cpu)) << c.name;
    }
  }
}

}  // namespace
}  // namespace hito
