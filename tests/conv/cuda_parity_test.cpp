// CUDA against the CPU (skipped without a GPU): conv2d forward and gradients for every case of
// conv_cases.h, the fused inference convolution, and the pooling ops forward and backward.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/runtime.h"
#include "tests/conv/conv_cases.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::randn;

// cuDNN runs FP32 math unless HITO_CUDA_TF32=1 asks for TF32 (a 10-bit mantissa on the inputs).
float tolerance() {
  const char* tf32 = std::getenv("HITO_CUDA_TF32");
  return tf32 && std::strcmp(tf32, "1") == 0 ? 1e-2f : 1e-4f;
}

::testing::AssertionResult same(const Tensor& cuda, const Tensor& cpu) {
  return testing::all_close(cuda.to(Device::CPU), cpu, tolerance(), tolerance());
}

// Runs f on CPU copies and CUDA copies of the inputs; compares the outputs and every gradient of
// sum(out * R).
void expect_parity(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                   const std::string& what) {
  std::vector<Tensor> on_cpu, on_cuda;
  for (const Tensor& x : inputs) {
    on_cpu.push_back(x.clone().set_requires_grad(x.requires_grad()));
    on_cuda.push_back(x.to(Device::CUDA).set_requires_grad(x.requires_grad()));
  }
  Tensor out_cpu = f(on_cpu), out_cuda = f(on_cuda);
  EXPECT_TRUE(same(out_cuda, out_cpu)) << what << ": output";
  Tensor r = randn(out_cpu.shape(), 99);
  sum(mul(out_cpu, r)).backward();
  sum(mul(out_cuda, r.to(Device::CUDA))).backward();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].requires_grad()) EXPECT_TRUE(same(on_cuda[i].grad(), on_cpu[i].grad())) << what << ": gradient " << i;
}

TEST(CudaConv, MatchesTheCpuForEveryCase) {
  HITO_REQUIRE_CUDA();
  for (const testing::ConvCase& c : testing::kConvCases) {
    std::vector<Tensor> inputs = {randn(c.x, 1).set_requires_grad(), randn(c.weight, 2).set_requires_grad()};
    if (c.bias) inputs.push_back(randn({c.weight[0]}, 3).set_requires_grad());
    Conv2dOptions options = c.options;
    expect_parity([options](const auto& in) { return conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), options); },
                  inputs, c.name);
  }
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

TEST(CudaPool, MatchesTheCpuForwardAndBackward) {
  HITO_REQUIRE_CUDA();
  Tensor x = randn({2, 3, 11, 9}, 5).set_requires_grad();
  expect_parity([](const auto& in) { return max_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1}); }, {x}, "max 3x3");
  expect_parity([](const auto& in) { return max_pool2d(in[0], {.kernel = {2, 3}, .stride = {1, 2}}); }, {x}, "max 2x3");
  expect_parity([](const auto& in) { return avg_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1}); }, {x}, "avg incl");
  expect_parity(
      [](const auto& in) { return avg_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1, .count_include_pad = false}); },
      {x}, "avg excl");
  expect_parity([](const auto& in) { return adaptive_avg_pool2d(in[0], 1); }, {x}, "global");
  expect_parity([](const auto& in) { return adaptive_avg_pool2d(in[0], {4, 3}); }, {x}, "adaptive 4x3");
}

}  // namespace
}  // namespace hito
