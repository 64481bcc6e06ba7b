// Micro-benchmarks of the CPU reductions and softmax (kernels/cpu/reduce.cpp, softmax.cpp,
// elementwise.cpp's reduce_broadcast), in bytes read per second.
// Run: build/bench/hito_microbench --benchmark_filter='Sum|Softmax|CrossEntropy|BiasGradient'
#include <benchmark/benchmark.h>

#include <vector>

#include "engine/random.h"
#include "kernels/cpu/kernels.h"

namespace hito {
namespace {

std::vector<float> random_values(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<float> values(static_cast<size_t>(n));
  for (float& v : values) v = gen.uniform(-2.0f, 2.0f);
  return values;
}

// x: (rows, cols) summed along the rows (dim 0, arg 2 = 0: a long reduced dimension with inner
// elements) or along the columns (dim 1, arg 2 = 1: contiguous runs).
void BM_Sum(benchmark::State& state) {
  int64_t rows = state.range(0), cols = state.range(1);
  bool along_columns = state.range(2) != 0;
  std::vector<float> x = random_values(rows * cols, 1), out(static_cast<size_t>(along_columns ? rows : cols));
  for (auto _ : state) {
    if (along_columns) cpu::sum_dim(out.data(), x.data(), rows, cols, 1);
    else cpu::sum_dim(out.data(), x.data(), 1, rows, cols);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * rows * cols * int64_t(sizeof(float)));
}
BENCHMARK(BM_Sum)->ArgNames({"rows", "cols", "dim"})->ArgsProduct({{4096, 65536}, {7, 256}, {0, 1}})->UseRealTime();

// The gradient of a bias (K) added to (N, K): the sum over N of each column.
void BM_BiasGradient(benchmark::State& state) {
  int64_t N = state.range(0), K = state.range(1);
  std::vector<float> g = random_values(N * K, 2), out(static_cast<size_t>(K));
  for (auto _ : state) {
    cpu::reduce_broadcast(out.data(), g.data(), Broadcast{1, K}, N * K);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * N * K * int64_t(sizeof(float)));
}
BENCHMARK(BM_BiasGradient)->ArgNames({"N", "K"})->Args({256, 256})->Args({4096, 1024})->UseRealTime();

// Softmax (arg 2 = 0) or log-softmax (1) over the last dimension of (rows, classes).
void BM_Softmax(benchmark::State& state) {
  int64_t rows = state.range(0), classes = state.range(1);
  bool log = state.range(2) != 0;
  std::vector<float> x = random_values(rows * classes, 3), out(x.size());
  for (auto _ : state) {
    cpu::softmax_forward(out.data(), x.data(), rows, classes, 1, log);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 2 * rows * classes * int64_t(sizeof(float)));
}
BENCHMARK(BM_Softmax)->ArgNames({"rows", "classes", "log"})->ArgsProduct({{256, 8192}, {7, 1000}, {0, 1}})->UseRealTime();

// Fused softmax cross-entropy, forward and backward, with class weights and label smoothing.
void BM_CrossEntropy(benchmark::State& state) {
  int64_t N = state.range(0), K = state.range(1);
  std::vector<float> logits = random_values(N * K, 4), probs(logits.size()), dlogits(logits.size()), weight(K, 1.5f);
  std::vector<int64_t> target(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) target[i] = i % K;
  float loss = 0.0f, dloss = 1.0f;
  for (auto _ : state) {
    cpu::cross_entropy_forward(&loss, probs.data(), logits.data(), target.data(), weight.data(), 0.1f, N, K);
    cpu::cross_entropy_backward(dlogits.data(), &dloss, probs.data(), target.data(), weight.data(), 0.1f, N, K);
    benchmark::DoNotOptimize(loss);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 4 * N * K * int64_t(sizeof(float)));
}
BENCHMARK(BM_CrossEntropy)->ArgNames({"N", "K"})->Args({256, 7})->Args({4096, 7})->Args({256, 1000})->UseRealTime();

}  // namespace
}  // namespace hito
