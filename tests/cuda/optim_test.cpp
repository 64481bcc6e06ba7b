// CUDA against CPU for the fused optimizer steps: SGD (plain, momentum, dampening, Nesterov, weight
// decay), Adam with L2 weight decay and AdamW, over several steps with fresh gradients, and gradient
// clipping by global norm (the sum-of-squares kernel).
#include <functional>
#include <memory>

#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>)>;

// Two parameters (an odd-sized vector and a matrix) updated for five steps on both devices with the
// same gradients; the parameters must agree after every step.
void expect_same_trajectory(const MakeOptimizer& make, const char* name) {
  std::vector<Tensor> cpu = {testing::randn({1031}, 1), testing::randn({17, 33}, 2)};
  std::vector<Tensor> cuda = {cpu[0].to(Device::CUDA), cpu[1].to(Device::CUDA)};
  for (Tensor& p : cpu) p.set_requires_grad(true);
  for (Tensor& p : cuda) p.set_requires_grad(true);
  std::unique_ptr<Optimizer> on_cpu = make(single_group(cpu, 0.05f, 0.01f)), on_cuda = make(single_group(cuda, 0.05f, 0.01f));
  for (int step = 1; step <= 5; ++step) {
    for (size_t i = 0; i < cpu.size(); ++i) {
      Tensor g = testing::randn(cpu[i].shape(), 100 * step + i);
      cpu[i].set_grad(g);
      cuda[i].set_grad(g.to(Device::CUDA));
    }
    on_cpu->step();
    on_cuda->step();
    for (size_t i = 0; i < cpu.size(); ++i)
      EXPECT_TRUE(testing::all_close(cuda[i], cpu[i], 1e-6f, 1e-6f)) << name << ", parameter " << i << ", step " << step;
  }
}

TEST(CudaOptim, SgdStepsMatch) {
  HITO_REQUIRE_CUDA();
  const std::pair<const char*, SgdOptions> cases[] = {
      {"plain", {}},
      {"momentum", {0.9f, 0.0f, false}},
      {"momentum with dampening", {0.9f, 0.5f, false}},
      {"nesterov", {0.9f, 0.0f, true}},
  };
  for (const auto& [name, options] : cases)
    expect_same_trajectory([options = options](std::vector<ParamGroup> groups) {
      return std::make_unique<Sgd>(std::move(groups), options);
    }, name);
}

TEST(CudaOptim, AdamAndAdamWStepsMatch) {
  HITO_REQUIRE_CUDA();
  for (bool decoupled : {false, true}) {
    AdamOptions options;
    options.decoupled_weight_decay = decoupled;
    expect_same_trajectory([options](std::vector<ParamGroup> groups) {
      return std::make_unique<Adam>(std::move(groups), options);
    }, decoupled ? "AdamW" : "Adam");
  }
}

TEST(CudaOptim, ClipGradNormMatches) {
  HITO_REQUIRE_CUDA();
  for (float max_norm : {0.5f, 1e6f}) {  // clipped, and left alone
    Tensor a = testing::randn({1 << 20}, 1), b = testing::randn({7, 3}, 2);
    Tensor a_cuda = a.to(Device::CUDA), b_cuda = b.to(Device::CUDA);
    for (Tensor* p : {&a, &b, &a_cuda, &b_cuda}) p->set_requires_grad(true);
    a.set_grad(a.detach() * 3.0f);
    b.set_grad(b.detach());
    a_cuda.set_grad(a_cuda.detach() * 3.0f);
    b_cuda.set_grad(b_cuda.detach());
    float norm = clip_grad_norm({a, b}, max_norm), norm_cuda = clip_grad_norm({a_cuda, b_cuda}, max_norm);
    EXPECT_NEAR(norm_cuda, norm, 1e-5f * norm);
    EXPECT_TRUE(testing::all_close(a_cuda.grad(), a.grad(), 1e-5f, 1e-9f));
    EXPECT_TRUE(testing::all_close(b_cuda.grad(), b.grad(), 1e-5f, 1e-9f));
  }
}

}  // namespace
}  // namespace hito
