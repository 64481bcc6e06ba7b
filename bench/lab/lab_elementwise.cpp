// Lab: the elementwise kernels (kernels/api/elementwise.inc) on a 128 MB tensor and the broadcasts
// the layers use. Each reads and writes every element once, so bytes = elements x 4 x (reads + writes).
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

struct NamedUnary {
  UnaryOp op;
  const char* name;
};

void unary(Lab& lab, NamedUnary u) {
  const int64_t n = lab.size(int64_t{1} << 25, 1 << 16);
  const std::vector<float> x = random_floats(n, -3, 3, 1);
  std::vector<float> want(n);
  cpu::unary_forward(u.op, 0.1f, want.data(), x.data(), n);
  DeviceBuffer<float> device_x(x), out(n);
  const auto launch = [&] { cuda::unary_forward(u.op, 0.1f, out.get(), device_x.get(), n); };
  launch();
  lab.report({text("unary_forward %s", u.name), text("n=%ld", n), lab.seconds_per_call(launch), 8.0 * n, 0,
              relative_error(out.download(), want), 1e-5});

  // The backward reads dout and x (or out) and writes dx.
  const std::vector<float> dout = random_floats(n, -1, 1, 2), forward = want;
  cpu::unary_backward(u.op, 0.1f, want.data(), dout.data(), x.data(), forward.data(), n);
  DeviceBuffer<float> device_dout(dout), device_forward(forward), dx(n);
  const auto backward = [&] {
    cuda::unary_backward(u.op, 0.1f, dx.get(), device_dout.get(), device_x.get(), device_forward.get(), n);
  };
  backward();
  lab.report({text("unary_backward %s", u.name), text("n=%ld", n), lab.seconds_per_call(backward), 12.0 * n, 0,
              relative_error(dx.download(), want), 1e-5});
}

// out = a + b with b read through `map`: the full tensor, a bias over the last dimension, a value
// per NCHW channel. The broadcast operand is small, so bytes = 2 n x 4 plus b once.
void binary_add(Lab& lab, const char* what, Broadcast map, int64_t n) {
  const std::vector<float> a = random_floats(n, -1, 1, 3), b = random_floats(map.mid, -1, 1, 4);
  std::vector<float> want(n);
  const Broadcast full{1, n};
  cpu::binary_forward(BinaryOp::Add, want.data(), a.data(), full, b.data(), map, n);
  DeviceBuffer<float> device_a(a), device_b(b), out(n);
  const auto launch = [&] {
    cuda::binary_forward(BinaryOp::Add, out.get(), device_a.get(), full, device_b.get(), map, n);
  };
  launch();
  lab.report({text("binary_forward add %s", what), text("n=%ld mid=%ld", n, map.mid), lab.seconds_per_call(launch),
              4.0 * (2 * n + map.mid), 0, relative_error(out.download(), want), 1e-6});
}

// The gradient of a per-channel operand: n values summed into map.mid of them.
void reduce_broadcast(Lab& lab, Broadcast map, int64_t n) {
  const std::vector<float> g = random_floats(n, -1, 1, 5);
  std::vector<float> want(map.mid);
  cpu::reduce_broadcast(want.data(), g.data(), map, n);
  DeviceBuffer<float> device_g(g), out(map.mid);
  const auto launch = [&] { cuda::reduce_broadcast(out.get(), device_g.get(), map, n); };
  launch();
  lab.report({"reduce_broadcast", text("n=%ld mid=%ld", n, map.mid), lab.seconds_per_call(launch), 4.0 * n, 0,
              relative_error(out.download(), want), 1e-4});
}

void axpy(Lab& lab) {
  const int64_t n = lab.size(int64_t{1} << 25, 1 << 16);
  const std::vector<float> x = random_floats(n, -1, 1, 6), y = random_floats(n, -1, 1, 7);
  std::vector<float> want = y;
  cpu::axpy(want.data(), x.data(), 0.5f, n);
  DeviceBuffer<float> device_x(x), device_y(y);
  cuda::axpy(device_y.get(), device_x.get(), 0.5f, n);
  const double error = relative_error(device_y.download(), want);
  const auto launch = [&] { cuda::axpy(device_y.get(), device_x.get(), 0.5f, n); };
  lab.report({"axpy", text("n=%ld", n), lab.seconds_per_call(launch), 12.0 * n, 0, error, 1e-6});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("elementwise", argc, argv, [](lab::Lab& lab) {
    for (lab::NamedUnary u :
         {lab::NamedUnary{UnaryOp::Relu, "relu"}, {UnaryOp::Gelu, "gelu"}, {UnaryOp::Sigmoid, "sigmoid"}}) {
      lab::unary(lab, u);
    }
    const int64_t n = lab.size(int64_t{1} << 25, 1 << 16);
    lab::binary_add(lab, "same shape", Broadcast{1, n}, n);
    lab::binary_add(lab, "bias (N, 1024)", Broadcast{1, 1024}, n);
    lab::binary_add(lab, "channel (N, 256, 56x56)", Broadcast{56 * 56, 256},
                    lab.size(64 * 256 * 56 * 56, 2 * 256 * 56 * 56));
    lab::reduce_broadcast(lab, Broadcast{1, 1024}, n);
    lab::reduce_broadcast(lab, Broadcast{56 * 56, 256}, lab.size(64 * 256 * 56 * 56, 2 * 256 * 56 * 56));
    lab::axpy(lab);
  });
}
