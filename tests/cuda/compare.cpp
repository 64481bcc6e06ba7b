// The CUDA-against-CPU harness (see compare.h).
#include "tests/cuda/compare.h"

#include "engine/ops.h"

namespace hito::testing {

Tensor leaf(Tensor t) {
  t.set_requires_grad(true);
  return t;
}

::testing::AssertionResult matches_cpu(const Computation& f, const std::vector<Tensor>& inputs, Tolerance forward,
                                       Tolerance backward) {
  std::vector<Tensor> on_cpu, on_cuda;
  for (const Tensor& x : inputs) {
    if (!x.defined()) {  // optional arguments stay undefined on both devices
      on_cpu.emplace_back();
      on_cuda.emplace_back();
      continue;
    }
    Tensor host = x.detach(), device = x.to(Device::CUDA);
    if (x.requires_grad()) {
      host.set_requires_grad(true);
      device.set_requires_grad(true);
    }
    on_cpu.push_back(host);
    on_cuda.push_back(device);
  }
  Tensor expected = f(on_cpu), actual = f(on_cuda);
  if (actual.device() != Device::CUDA)
    return ::testing::AssertionFailure() << "the CUDA computation returned " << actual.describe();
  if (auto result = same_values(actual, expected, forward); !result)
    return ::testing::AssertionFailure() << "forward: " << result.message();
  if (!expected.requires_grad()) return ::testing::AssertionSuccess();

  Tensor projection = randn(expected.shape(), 99);
  sum(mul(expected, projection)).backward();
  sum(mul(actual, projection.to(Device::CUDA))).backward();
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k].defined() || !inputs[k].requires_grad()) continue;
    Tensor cpu_grad = on_cpu[k].grad(), cuda_grad = on_cuda[k].grad();
    if (!cpu_grad.defined() || !cuda_grad.defined())
      return ::testing::AssertionFailure() << "input " << k << ": a gradient is missing (cpu "
                                           << cpu_grad.defined() << ", cuda " << cuda_grad.defined() << ")";
    if (cuda_grad.device() != Device::CUDA)
      return ::testing::AssertionFailure() << "input " << k << ": gradient on " << cuda_grad.describe();
    if (auto result = same_values(cuda_grad, cpu_grad, backward); !result)
      return ::testing::AssertionFailure() << "gradient of input " << k << ": " << result.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hito::testing
