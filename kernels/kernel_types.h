// Types shared by the CPU and CUDA kernels: which elementwise function to apply, how an operand is
// broadcast, and the counter-based random numbers that make dropout identical on both devices.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define HITO_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define HITO_HOST_DEVICE inline
#endif

namespace hito {

enum class UnaryOp : uint8_t {
  Relu,       // max(x, 0)
  LeakyRelu,  // x > 0 ? x : alpha * x
  Relu6,      // min(max(x, 0), 6)
  Gelu,       // x * Phi(x), Phi the standard normal CDF (PyTorch's exact, erf-based GELU)
  Sigmoid,    // 1 / (1 + exp(-x))
  Tanh,
  Exp,
  Log,
  Sqrt,
  Neg,
};

enum class BinaryOp : uint8_t { Add, Sub, Mul, Div };

// How an operand of a broadcasting binary op is read: output element i reads the operand's
// element (i / inner) % mid. This covers every operand whose non-broadcast dimensions are one
// contiguous block of the output's: the full tensor (inner 1, mid n), a scalar (mid 1), a bias
// over the last dimension (inner 1, mid K), a per-channel value of NCHW (inner H*W, mid C).
struct Broadcast {
  int64_t inner = 1;
  int64_t mid = 1;
  HITO_HOST_DEVICE int64_t operator()(int64_t i) const { return (i / inner) % mid; }
};

// A uniform number in [0, 1) that depends only on (seed, index): the same on the CPU and the GPU,
// whatever the thread layout. splitmix64's finaliser mixes the counter; 24 bits fill the mantissa.
HITO_HOST_DEVICE float uniform_from_counter(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z = z ^ (z >> 31);
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

}  // namespace hito
