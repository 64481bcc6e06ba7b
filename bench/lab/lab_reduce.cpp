// Lab: reductions along one dimension (kernels/api/reduce.inc), seen as (outer, d, inner): the full
// sum (1, n, 1), rows (a loss or a norm per sample), columns (a per-feature statistic), and the
// squared norm behind gradient clipping. Each reads its input once: bytes = outer x d x inner x 4.
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

void sum_dim(Lab& lab, int64_t outer, int64_t d, int64_t inner) {
  const int64_t n = outer * d * inner;
  const std::vector<float> x = random_floats(n, -1, 1, 11);
  std::vector<float> want(outer * inner);
  cpu::sum_dim(want.data(), x.data(), outer, d, inner);
  DeviceBuffer<float> device_x(x), out(outer * inner);
  const auto launch = [&] { cuda::sum_dim(out.get(), device_x.get(), outer, d, inner); };
  launch();
  // Sums of d values in another order differ by about sqrt(d) roundings of the partial sums.
  lab.report({"sum_dim", text("(%ld, %ld, %ld)", outer, d, inner), lab.seconds_per_call(launch),
              4.0 * (n + outer * inner), 0, relative_error(out.download(), want), 1e-4});
}

void max_dim(Lab& lab, int64_t outer, int64_t d, int64_t inner) {
  const int64_t n = outer * d * inner;
  const std::vector<float> x = random_floats(n, -1, 1, 12);
  std::vector<float> want(outer * inner);
  std::vector<int64_t> want_index(outer * inner);
  cpu::max_dim(want.data(), want_index.data(), x.data(), outer, d, inner);
  DeviceBuffer<float> device_x(x), values(outer * inner);
  DeviceBuffer<int64_t> indices(outer * inner);
  const auto launch = [&] { cuda::max_dim(values.get(), indices.get(), device_x.get(), outer, d, inner); };
  launch();
  const double error = relative_error(values.download(), want) + mismatch(indices.download(), want_index);
  lab.report({"max_dim", text("(%ld, %ld, %ld)", outer, d, inner), lab.seconds_per_call(launch),
              4.0 * n + 12.0 * outer * inner, 0, error, 0});
}

void sum_squares(Lab& lab, int64_t n) {
  const std::vector<float> x = random_floats(n, -1, 1, 13);
  std::vector<float> want(1);
  cpu::sum_squares(want.data(), x.data(), n);
  DeviceBuffer<float> device_x(x), out(1);
  const auto launch = [&] { cuda::sum_squares(out.get(), device_x.get(), n); };
  launch();
  lab.report({"sum_squares", text("n=%ld", n), lab.seconds_per_call(launch), 4.0 * n, 0,
              relative_error(out.download(), want), 1e-4});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("reduce", argc, argv, [](lab::Lab& lab) {
    const int64_t big = lab.size(int64_t{1} << 25, 1 << 16);
    lab::sum_dim(lab, 1, big, 1);
    lab::sum_dim(lab, lab.size(8192, 64), 4096, 1);
    lab::sum_dim(lab, 1, lab.size(8192, 64), 4096);
    lab::sum_dim(lab, lab.size(64, 2), 256, 56 * 56);
    lab::max_dim(lab, lab.size(65536, 64), 1000, 1);
    lab::max_dim(lab, 1, lab.size(8192, 64), 4096);
    lab::sum_squares(lab, big);
  });
}
