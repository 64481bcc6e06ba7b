// Lab: the kernels that move memory (kernels/api/layout.inc): a concatenation's slab copy, the
// embedding lookup and its scatter-add gradient, dropout. Pure traffic: judged by GB/s alone.
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

// Copies the second half of a (outer, 2 d, inner) tensor's middle dimension out of it (a slice, or
// one piece of a concat).
void copy_slab(Lab& lab, int64_t outer, int64_t d, int64_t inner) {
  const std::vector<float> src = random_floats(outer * 2 * d * inner, -1, 1, 41);
  std::vector<float> want(outer * d * inner);
  cpu::copy_slab(want.data(), d, 0, src.data(), 2 * d, d, outer, d, inner, sizeof(float));
  DeviceBuffer<float> device_src(src), out(want.size());
  const auto launch = [&] {
    cuda::copy_slab(out.get(), d, 0, device_src.get(), 2 * d, d, outer, d, inner, sizeof(float));
  };
  launch();
  lab.report({"copy_slab", text("(%ld, %ld of %ld, %ld)", outer, d, 2 * d, inner), lab.seconds_per_call(launch),
              8.0 * want.size(), 0, relative_error(out.download(), want), 0});
}

void embedding(Lab& lab, int64_t n, int64_t V, int64_t D) {
  const std::vector<float> weight = random_floats(V * D, -1, 1, 42), dout = random_floats(n * D, -1, 1, 43);
  const std::vector<int64_t> index = random_indices(n, V, 44);
  std::vector<float> want(n * D), want_dweight(V * D);
  cpu::embedding_forward(want.data(), weight.data(), index.data(), n, V, D);
  cpu::embedding_backward(want_dweight.data(), dout.data(), index.data(), n, V, D);
  DeviceBuffer<float> device_weight(weight), device_dout(dout), out(n * D), dweight(V * D);
  DeviceBuffer<int64_t> device_index(index);
  const std::string shape = text("n=%ld V=%ld D=%ld", n, V, D);
  const auto forward = [&] { cuda::embedding_forward(out.get(), device_weight.get(), device_index.get(), n, V, D); };
  forward();
  lab.report({"embedding_forward", shape, lab.seconds_per_call(forward), 8.0 * n * D + 8.0 * n, 0,
              relative_error(out.download(), want), 0});
  const auto backward = [&] {
    cuda::embedding_backward(dweight.get(), device_dout.get(), device_index.get(), n, V, D);
  };
  backward();
  // Atomic additions in another order: a few roundings per row that many indices hit.
  lab.report({"embedding_backward", shape, lab.seconds_per_call(backward), 4.0 * (n * D + V * D) + 8.0 * n, 0,
              relative_error(dweight.download(), want_dweight), 1e-4});
}

void dropout(Lab& lab, int64_t n) {
  const std::vector<float> x = random_floats(n, -1, 1, 45);
  std::vector<float> want(n);
  std::vector<uint8_t> want_mask(n);
  cpu::dropout_forward(want.data(), want_mask.data(), x.data(), 0.3f, 1234, n);
  DeviceBuffer<float> device_x(x), out(n);
  DeviceBuffer<uint8_t> mask(n);
  const auto launch = [&] { cuda::dropout_forward(out.get(), mask.get(), device_x.get(), 0.3f, 1234, n); };
  launch();
  // The counter-based random numbers make the mask identical on both devices.
  const double error = relative_error(out.download(), want) + (mask.download() == want_mask ? 0 : 1);
  lab.report({"dropout_forward", text("n=%ld p=0.3", n), lab.seconds_per_call(launch), 9.0 * n, 0, error, 1e-6});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("layout", argc, argv, [](lab::Lab& lab) {
    lab::copy_slab(lab, lab.size(64, 2), 256, 56 * 56);
    lab::copy_slab(lab, lab.size(65536, 64), 1280, 1);
    lab::embedding(lab, lab.size(1 << 20, 1024), 16, 64);
    lab::embedding(lab, lab.size(1 << 18, 1024), 50000, 256);
    lab::dropout(lab, lab.size(int64_t{1} << 25, 1 << 16));
  });
}
