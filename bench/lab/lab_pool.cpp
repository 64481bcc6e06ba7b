// Lab: pooling (kernels/api/pool.inc) at the shapes of a ResNet's stem (3x3 max pool, stride 2, on
// 112x112) and head (global average pool), and a 2x2 average pool. Bytes: x read once, out written
// once (forward); dout read, dx written (backward).
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

PoolGeometry window(int64_t N, int64_t C, int64_t H, int64_t kernel, int64_t stride, int64_t pad) {
  PoolGeometry g;
  g.N = N, g.C = C, g.H = H, g.W = H;
  g.kernel_h = g.kernel_w = kernel;
  g.stride_h = g.stride_w = stride;
  g.pad_h = g.pad_w = pad;
  g.P = g.Q = window_output_size(H, kernel, stride, pad);
  return g;
}

std::string shape_of(const PoolGeometry& g) {
  return text("(%ld, %ld, %ld^2) k%ld s%ld", g.N, g.C, g.H, g.kernel_h, g.stride_h);
}

void max_pool(Lab& lab, const PoolGeometry& g) {
  const int64_t in = g.N * g.C * g.H * g.W, out_n = g.N * g.C * g.P * g.Q;
  const std::vector<float> x = random_floats(in, -1, 1, 51), dout = random_floats(out_n, -1, 1, 52);
  std::vector<float> want(out_n), want_dx(in);
  std::vector<int64_t> want_argmax(out_n);
  cpu::max_pool2d_forward(want.data(), want_argmax.data(), x.data(), g);
  cpu::max_pool2d_backward(want_dx.data(), dout.data(), want_argmax.data(), g);
  DeviceBuffer<float> device_x(x), device_dout(dout), out(out_n), dx(in);
  DeviceBuffer<int64_t> argmax(out_n);
  const auto forward = [&] { cuda::max_pool2d_forward(out.get(), argmax.get(), device_x.get(), g); };
  forward();
  const double error = relative_error(out.download(), want) + mismatch(argmax.download(), want_argmax);
  lab.report({"max_pool2d_forward", shape_of(g), lab.seconds_per_call(forward), 4.0 * in + 12.0 * out_n, 0, error, 0});
  const auto backward = [&] { cuda::max_pool2d_backward(dx.get(), device_dout.get(), argmax.get(), g); };
  backward();
  lab.report({"max_pool2d_backward", shape_of(g), lab.seconds_per_call(backward), 4.0 * in + 12.0 * out_n, 0,
              relative_error(dx.download(), want_dx), 1e-6});
}

void avg_pool(Lab& lab, const PoolGeometry& g) {
  const int64_t in = g.N * g.C * g.H * g.W, out_n = g.N * g.C * g.P * g.Q;
  const std::vector<float> x = random_floats(in, -1, 1, 53), dout = random_floats(out_n, -1, 1, 54);
  std::vector<float> want(out_n), want_dx(in);
  cpu::avg_pool2d_forward(want.data(), x.data(), g);
  cpu::avg_pool2d_backward(want_dx.data(), dout.data(), g);
  DeviceBuffer<float> device_x(x), device_dout(dout), out(out_n), dx(in);
  const auto forward = [&] { cuda::avg_pool2d_forward(out.get(), device_x.get(), g); };
  forward();
  lab.report({"avg_pool2d_forward", shape_of(g), lab.seconds_per_call(forward), 4.0 * (in + out_n), 0,
              relative_error(out.download(), want), 1e-6});
  const auto backward = [&] { cuda::avg_pool2d_backward(dx.get(), device_dout.get(), g); };
  backward();
  lab.report({"avg_pool2d_backward", shape_of(g), lab.seconds_per_call(backward), 4.0 * (in + out_n), 0,
              relative_error(dx.download(), want_dx), 1e-6});
}

void global_average(Lab& lab, int64_t planes, int64_t H) {
  const std::vector<float> x = random_floats(planes * H * H, -1, 1, 55), dout = random_floats(planes, -1, 1, 56);
  std::vector<float> want(planes), want_dx(planes * H * H);
  cpu::adaptive_avg_pool2d_forward(want.data(), x.data(), planes, H, H, 1, 1);
  cpu::adaptive_avg_pool2d_backward(want_dx.data(), dout.data(), planes, H, H, 1, 1);
  DeviceBuffer<float> device_x(x), device_dout(dout), out(planes), dx(planes * H * H);
  const std::string shape = text("planes=%ld %ld^2 -> 1", planes, H);
  const auto forward = [&] { cuda::adaptive_avg_pool2d_forward(out.get(), device_x.get(), planes, H, H, 1, 1); };
  forward();
  lab.report({"adaptive_avg_pool2d_forward", shape, lab.seconds_per_call(forward), 4.0 * planes * (H * H + 1), 0,
              relative_error(out.download(), want), 1e-5});
  const auto backward = [&] { cuda::adaptive_avg_pool2d_backward(dx.get(), device_dout.get(), planes, H, H, 1, 1); };
  backward();
  lab.report({"adaptive_avg_pool2d_backward", shape, lab.seconds_per_call(backward), 4.0 * planes * (H * H + 1), 0,
              relative_error(dx.download(), want_dx), 1e-6});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("pool", argc, argv, [](lab::Lab& lab) {
    lab::max_pool(lab, lab::window(lab.size(64, 2), 64, 112, 3, 2, 1));
    lab::avg_pool(lab, lab::window(lab.size(64, 2), 64, 56, 2, 2, 0));
    lab::global_average(lab, lab.size(64, 2) * 512, 7);
    lab::global_average(lab, lab.size(64, 2) * 1280, 7);
  });
}
