// Lab: the fused optimizer updates (kernels/api/optim.inc) over 16M parameters (a ResNet-50 has
// 25M). An update is not idempotent, so each is checked after one call and timed afterwards.
// AdamW reads param, grad, m, v and writes param, m, v: 28 bytes per parameter; SGD with momentum
// reads param, grad, velocity and writes param, velocity: 20.
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

void adamw(Lab& lab, int64_t n) {
  const std::vector<float> param = random_floats(n, -1, 1, 61), grad = random_floats(n, -1, 1, 62);
  const std::vector<float> m = random_floats(n, -0.1f, 0.1f, 63), v = random_floats(n, 0, 0.01f, 64);
  std::vector<float> want_param = param, want_m = m, want_v = v;
  cpu::adam_step(want_param.data(), want_m.data(), want_v.data(), grad.data(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true,
                 3, n);
  DeviceBuffer<float> device_param(param), device_grad(grad), device_m(m), device_v(v);
  const auto launch = [&] {
    cuda::adam_step(device_param.get(), device_m.get(), device_v.get(), device_grad.get(), 1e-3f, 0.9f, 0.999f, 1e-8f,
                    0.01f, true, 3, n);
  };
  launch();
  const double error = relative_error(device_param.download(), want_param) +
                       relative_error(device_m.download(), want_m) + relative_error(device_v.download(), want_v);
  lab.report({"adam_step (AdamW)", text("n=%ld", n), lab.seconds_per_call(launch), 28.0 * n, 0, error, 1e-5});
}

void sgd(Lab& lab, int64_t n) {
  const std::vector<float> param = random_floats(n, -1, 1, 65), grad = random_floats(n, -1, 1, 66);
  const std::vector<float> velocity = random_floats(n, -0.1f, 0.1f, 67);
  std::vector<float> want_param = param, want_velocity = velocity;
  cpu::sgd_step(want_param.data(), want_velocity.data(), grad.data(), 0.01f, 0.9f, 0, 1e-4f, true, false, n);
  DeviceBuffer<float> device_param(param), device_grad(grad), device_velocity(velocity);
  const auto launch = [&] {
    cuda::sgd_step(device_param.get(), device_velocity.get(), device_grad.get(), 0.01f, 0.9f, 0, 1e-4f, true, false, n);
  };
  launch();
  const double error =
      relative_error(device_param.download(), want_param) + relative_error(device_velocity.download(), want_velocity);
  lab.report({"sgd_step (Nesterov)", text("n=%ld", n), lab.seconds_per_call(launch), 20.0 * n, 0, error, 1e-6});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("optim", argc, argv, [](lab::Lab& lab) {
    const int64_t n = lab.size(int64_t{1} << 24, 1 << 16);
    lab::adamw(lab, n);
    lab::sgd(lab, n);
  });
}
