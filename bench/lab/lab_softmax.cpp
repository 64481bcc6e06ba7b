// Lab: softmax, log-softmax and the fused cross-entropy (kernels/api/softmax.inc) over the class
// dimension of a batch of logits: 7 classes (HAM10000) and 1000 (ImageNet), and a softmax over a
// middle dimension. The forward reads x and writes out; the backward reads dout and out, writes dx.
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

void softmax(Lab& lab, int64_t outer, int64_t d, int64_t inner, bool log) {
  const int64_t n = outer * d * inner;
  const std::vector<float> x = random_floats(n, -8, 8, 21), dout = random_floats(n, -1, 1, 22);
  std::vector<float> want(n), want_dx(n);
  cpu::softmax_forward(want.data(), x.data(), outer, d, inner, log);
  cpu::softmax_backward(want_dx.data(), dout.data(), want.data(), outer, d, inner, log);
  DeviceBuffer<float> device_x(x), device_dout(dout), out(n), dx(n);
  const auto forward = [&] { cuda::softmax_forward(out.get(), device_x.get(), outer, d, inner, log); };
  forward();
  const char* name = log ? "log_softmax" : "softmax";
  lab.report({text("%s_forward", name), text("(%ld, %ld, %ld)", outer, d, inner), lab.seconds_per_call(forward),
              8.0 * n, 0, relative_error(out.download(), want), 1e-5});
  const auto backward = [&] { cuda::softmax_backward(dx.get(), device_dout.get(), out.get(), outer, d, inner, log); };
  backward();
  lab.report({text("%s_backward", name), text("(%ld, %ld, %ld)", outer, d, inner), lab.seconds_per_call(backward),
              12.0 * n, 0, relative_error(dx.download(), want_dx), 1e-5});
}

void cross_entropy(Lab& lab, int64_t N, int64_t K) {
  const std::vector<float> logits = random_floats(N * K, -4, 4, 23), weight = random_floats(K, 0.5f, 2, 24);
  const std::vector<int64_t> target = random_indices(N, K, 25);
  const std::vector<float> dloss{1.0f};
  std::vector<float> want_loss(1), want_probs(N * K), want_dlogits(N * K);
  cpu::cross_entropy_forward(want_loss.data(), want_probs.data(), logits.data(), target.data(), weight.data(), 0.1f, N,
                             K);
  cpu::cross_entropy_backward(want_dlogits.data(), dloss.data(), want_probs.data(), target.data(), weight.data(), 0.1f,
                              N, K);
  DeviceBuffer<float> device_logits(logits), device_weight(weight), device_dloss(dloss), loss(1), probs(N * K),
      dlogits(N * K);
  DeviceBuffer<int64_t> device_target(target);
  const auto forward = [&] {
    cuda::cross_entropy_forward(loss.get(), probs.get(), device_logits.get(), device_target.get(), device_weight.get(),
                                0.1f, N, K);
  };
  forward();
  const std::string shape = text("N=%ld K=%ld", N, K);
  const double forward_error =
      relative_error(loss.download(), want_loss) + relative_error(probs.download(), want_probs);
  lab.report(
      {"cross_entropy_forward", shape, lab.seconds_per_call(forward), 8.0 * N * K + 8.0 * N, 0, forward_error, 1e-4});
  const auto backward = [&] {
    cuda::cross_entropy_backward(dlogits.get(), device_dloss.get(), probs.get(), device_target.get(),
                                 device_weight.get(), 0.1f, N, K);
  };
  backward();
  lab.report({"cross_entropy_backward", shape, lab.seconds_per_call(backward), 8.0 * N * K + 8.0 * N, 0,
              relative_error(dlogits.download(), want_dlogits), 1e-5});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("softmax", argc, argv, [](lab::Lab& lab) {
    for (bool log : {false, true}) {
      lab::softmax(lab, lab.size(65536, 256), 1000, 1, log);
      lab::softmax(lab, lab.size(1 << 22, 1024), 7, 1, log);
      lab::softmax(lab, lab.size(64, 2), 1000, 196, log);
    }
    lab::cross_entropy(lab, lab.size(1 << 22, 1024), 7);
    lab::cross_entropy(lab, lab.size(65536, 256), 1000);
  });
}
