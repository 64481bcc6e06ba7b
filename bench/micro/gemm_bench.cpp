// Micro-benchmark of the CPU matrix product (kernels/cpu/gemm.cpp), in FLOP/s (2 M N K per product).
//
// The back end (Eigen or OpenBLAS) is read once per process from HITO_GEMM, so compare them with two
// runs on the same machine; the label of each line names the back end that ran:
//   HITO_GEMM=eigen    build/bench/hito_microbench --benchmark_filter=Gemm
//   HITO_GEMM=openblas build/bench/hito_microbench --benchmark_filter=Gemm
// OMP_NUM_THREADS=1 measures one core (gemm splits big products over the OpenMP threads).
#include <benchmark/benchmark.h>

#include <vector>

#include "engine/random.h"
#include "kernels/cpu/kernels.h"

namespace hito {
namespace {

std::vector<float> random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  Generator gen(seed);
  std::vector<float> values(static_cast<size_t>(rows * cols));
  for (float& v : values) v = gen.uniform(-1.0f, 1.0f);
  return values;
}

// C (M, N) = op(A) op(B); arguments M, N, K, trans_a, trans_b.
void BM_Gemm(benchmark::State& state) {
  int64_t M = state.range(0), N = state.range(1), K = state.range(2);
  bool trans_a = state.range(3) != 0, trans_b = state.range(4) != 0;
  std::vector<float> a = random_matrix(M, K, 1), b = random_matrix(K, N, 2), c(static_cast<size_t>(M * N));
  for (auto _ : state) {
    cpu::gemm(trans_a, trans_b, M, N, K, 1.0f, a.data(), b.data(), 0.0f, c.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * M * N * K, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(cpu::gemm_backend_name());
}

BENCHMARK(BM_Gemm)
    ->ArgNames({"M", "N", "K", "ta", "tb"})
    ->Args({64, 64, 64, 0, 0})
    ->Args({256, 256, 256, 0, 0})
    ->Args({512, 512, 512, 0, 0})
    ->Args({1024, 1024, 1024, 0, 0})
    // The three products of an MLP training step (batch 256, 256 -> 256): forward x W^T, and the
    // backward dx = dout W and dW = dout^T x.
    ->Args({256, 256, 256, 0, 1})
    ->Args({256, 256, 256, 1, 0})
    // A tall, thin product: the classifier head (batch 256, 1280 features -> 7 classes).
    ->Args({256, 7, 1280, 0, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace hito
