// Lab: batch norm (training and eval, over ResNet-sized activations) and layer norm
// (kernels/api/norm.inc). Training reads x twice at least (statistics, then normalisation) and
// writes out; the backward reads dout and x, writes dx.
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

void batch_norm(Lab& lab, int64_t N, int64_t C, int64_t S) {
  const int64_t n = N * C * S;
  const std::string shape = text("(%ld, %ld, %ld)", N, C, S);
  const std::vector<float> x = random_floats(n, -2, 3, 31), dout = random_floats(n, -1, 1, 32);
  const std::vector<float> weight = random_floats(C, 0.5f, 1.5f, 33), bias = random_floats(C, -1, 1, 34);
  std::vector<float> want(n), mean(C), invstd(C), running_mean(C, 0), running_var(C, 1);
  cpu::batch_norm_forward_train(want.data(), mean.data(), invstd.data(), running_mean.data(), running_var.data(),
                                x.data(), weight.data(), bias.data(), 0.1f, 1e-5f, N, C, S);
  DeviceBuffer<float> device_x(x), device_dout(dout), device_weight(weight), device_bias(bias), out(n), save_mean(C),
      save_invstd(C), dx(n), dweight(C), dbias(C);
  const auto train = [&] {
    cuda::batch_norm_forward_train(out.get(), save_mean.get(), save_invstd.get(), nullptr, nullptr, device_x.get(),
                                   device_weight.get(), device_bias.get(), 0.1f, 1e-5f, N, C, S);
  };
  train();
  const double train_error = relative_error(out.download(), want) + relative_error(save_mean.download(), mean) +
                             relative_error(save_invstd.download(), invstd);
  lab.report({"batch_norm_forward_train", shape, lab.seconds_per_call(train), 12.0 * n, 0, train_error, 1e-4});

  std::vector<float> want_dx(n), want_dweight(C), want_dbias(C);
  cpu::batch_norm_backward(want_dx.data(), want_dweight.data(), want_dbias.data(), dout.data(), x.data(), mean.data(),
                           invstd.data(), weight.data(), true, N, C, S);
  const auto backward = [&] {
    cuda::batch_norm_backward(dx.get(), dweight.get(), dbias.get(), device_dout.get(), device_x.get(), save_mean.get(),
                              save_invstd.get(), device_weight.get(), true, N, C, S);
  };
  backward();
  const double backward_error = relative_error(dx.download(), want_dx) +
                                relative_error(dweight.download(), want_dweight) +
                                relative_error(dbias.download(), want_dbias);
  lab.report({"batch_norm_backward", shape, lab.seconds_per_call(backward), 20.0 * n, 0, backward_error, 1e-3});

  std::vector<float> want_eval(n), eval_mean(C), eval_invstd(C);
  const std::vector<float> stored_var = random_floats(C, 0.5f, 2, 35);
  cpu::batch_norm_forward_eval(want_eval.data(), eval_mean.data(), eval_invstd.data(), x.data(), mean.data(),
                               stored_var.data(), weight.data(), bias.data(), 1e-5f, N, C, S);
  DeviceBuffer<float> device_mean(mean), device_var(stored_var);
  const auto eval = [&] {
    cuda::batch_norm_forward_eval(out.get(), save_mean.get(), save_invstd.get(), device_x.get(), device_mean.get(),
                                  device_var.get(), device_weight.get(), device_bias.get(), 1e-5f, N, C, S);
  };
  eval();
  lab.report({"batch_norm_forward_eval", shape, lab.seconds_per_call(eval), 8.0 * n, 0,
              relative_error(out.download(), want_eval), 1e-5});
}

void layer_norm(Lab& lab, int64_t N, int64_t D) {
  const int64_t n = N * D;
  const std::string shape = text("(%ld, %ld)", N, D);
  const std::vector<float> x = random_floats(n, -2, 3, 36), dout = random_floats(n, -1, 1, 37);
  const std::vector<float> weight = random_floats(D, 0.5f, 1.5f, 38), bias = random_floats(D, -1, 1, 39);
  std::vector<float> want(n), mean(N), invstd(N), want_dx(n), want_dweight(D), want_dbias(D);
  cpu::layer_norm_forward(want.data(), mean.data(), invstd.data(), x.data(), weight.data(), bias.data(), 1e-5f, N, D);
  cpu::layer_norm_backward(want_dx.data(), want_dweight.data(), want_dbias.data(), dout.data(), x.data(), mean.data(),
                           invstd.data(), weight.data(), N, D);
  DeviceBuffer<float> device_x(x), device_dout(dout), device_weight(weight), device_bias(bias), out(n), save_mean(N),
      save_invstd(N), dx(n), dweight(D), dbias(D);
  const auto forward = [&] {
    cuda::layer_norm_forward(out.get(), save_mean.get(), save_invstd.get(), device_x.get(), device_weight.get(),
                             device_bias.get(), 1e-5f, N, D);
  };
  forward();
  lab.report({"layer_norm_forward", shape, lab.seconds_per_call(forward), 8.0 * n, 0,
              relative_error(out.download(), want), 1e-4});
  const auto backward = [&] {
    cuda::layer_norm_backward(dx.get(), dweight.get(), dbias.get(), device_dout.get(), device_x.get(), save_mean.get(),
                              save_invstd.get(), device_weight.get(), N, D);
  };
  backward();
  const double error = relative_error(dx.download(), want_dx) + relative_error(dweight.download(), want_dweight) +
                       relative_error(dbias.download(), want_dbias);
  lab.report({"layer_norm_backward", shape, lab.seconds_per_call(backward), 12.0 * n, 0, error, 1e-3});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("norm", argc, argv, [](lab::Lab& lab) {
    lab::batch_norm(lab, lab.size(64, 2), 64, 112 * 112);
    lab::batch_norm(lab, lab.size(64, 2), 256, 14 * 14);
    lab::batch_norm(lab, lab.size(65536, 64), 512, 1);
    lab::layer_norm(lab, lab.size(16384, 64), 1024);
  });
}
