// Micro-benchmarks of the CPU elementwise kernels (kernels/cpu/elementwise.cpp), in bytes of memory
// read and written per second: binary ops (same shape and a broadcast bias), unary functions and
// their backward passes. Run: build/bench/hito_microbench --benchmark_filter='Binary|Unary'
#include <benchmark/benchmark.h>

#include <vector>

#include "engine/random.h"
#include "kernels/cpu/kernels.h"

namespace hito {
namespace {

std::vector<float> random_values(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<float> values(static_cast<size_t>(n));
  for (float& v : values) v = gen.uniform(0.1f, 3.0f);
  return values;
}

// out = a + b, n elements, with b: the same shape (arg 1 = 0), a bias of 256 values repeated over
// rows (1), or one value per channel of NCHW with 32 channels (2).
void BM_BinaryAdd(benchmark::State& state) {
  int64_t n = state.range(0), operand = state.range(1);
  Broadcast full{1, n}, b_map = operand == 0 ? full : operand == 1 ? Broadcast{1, 256} : Broadcast{n / (32 * 4), 32};
  std::vector<float> a = random_values(n, 1), b = random_values(b_map.mid, 2), out(static_cast<size_t>(n));
  for (auto _ : state) {
    cpu::binary_forward(BinaryOp::Add, out.data(), a.data(), full, b.data(), b_map, n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * (operand == 0 ? 3 : 2) * n * int64_t(sizeof(float)));
  const char* labels[] = {"same shape", "bias (256)", "per channel (32)"};
  state.SetLabel(labels[operand]);
}
BENCHMARK(BM_BinaryAdd)->ArgNames({"n", "b"})->ArgsProduct({{1 << 16, 1 << 20, 1 << 23}, {0, 1, 2}})->UseRealTime();

// y = f(x) (arg 1 = 0) or dx = dout * f'(x) (arg 1 = 1) for the UnaryOp in arg 2.
void BM_Unary(benchmark::State& state) {
  int64_t n = state.range(0);
  bool backward = state.range(1) != 0;
  auto op = static_cast<UnaryOp>(state.range(2));
  std::vector<float> x = random_values(n, 3), y(static_cast<size_t>(n)), g = random_values(n, 4), dx(static_cast<size_t>(n));
  cpu::unary_forward(op, 0.01f, y.data(), x.data(), n);
  for (auto _ : state) {
    if (backward) cpu::unary_backward(op, 0.01f, dx.data(), g.data(), x.data(), y.data(), n);
    else cpu::unary_forward(op, 0.01f, y.data(), x.data(), n);
    benchmark::ClobberMemory();
  }
  // Forward reads x and writes y; backward reads dout, x and y and writes dx.
  state.SetBytesProcessed(state.iterations() * (backward ? 4 : 2) * n * int64_t(sizeof(float)));
  const char* names[] = {"relu", "leaky_relu", "relu6", "gelu", "sigmoid", "tanh", "exp", "log", "sqrt", "neg"};
  state.SetLabel(names[state.range(2)]);
}
BENCHMARK(BM_Unary)
    ->ArgNames({"n", "backward", "op"})
    ->ArgsProduct({{1 << 20}, {0, 1},
                   {int64_t(UnaryOp::Relu), int64_t(UnaryOp::Gelu), int64_t(UnaryOp::Sigmoid), int64_t(UnaryOp::Tanh),
                    int64_t(UnaryOp::Exp)}})
    ->UseRealTime();

}  // namespace
}  // namespace hito
