// Elementwise kernels on CUDA (contract in kernels/api/elementwise.inc): one grid-stride kernel per
// kernel of the contract, with the formulas of kernels/cpu/elementwise.cpp.
#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"
#include "kernels/cuda/reduction.cuh"

namespace hito::cuda {

namespace {
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

__device__ __forceinline__ float unary_value(UnaryOp op, float alpha, float v) {
  switch (op) {
    case UnaryOp::Relu: return fmaxf(v, 0.0f);
    case UnaryOp::LeakyRelu: return v > 0.0f ? v : alpha * v;
    case UnaryOp::Relu6: return fminf(fmaxf(v, 0.0f), 6.0f);
    case UnaryOp::Gelu: return 0.5f * v * (1.0f + erff(v * kInvSqrt2));
    case UnaryOp::Sigmoid: return 1.0f / (1.0f + expf(-v));
    case UnaryOp::Tanh: return tanhf(v);
    case UnaryOp::Exp: return expf(v);
    case UnaryOp::Log: return logf(v);
    case UnaryOp::Sqrt: return sqrtf(v);
    case UnaryOp::Neg: return -v;
  }
  return v;
}

// f'(x) times g, from x or y = f(x) (see kernels/cpu/elementwise.cpp): relu' = [x > 0];
// leaky' = x > 0 ? 1 : alpha; relu6' = [0 < x < 6]; gelu' = Phi(x) + x phi(x); sigmoid' = y (1 - y);
// tanh' = 1 - y^2; exp' = y; log' = 1 / x; sqrt' = 1 / (2 y); neg' = -1.
__device__ __forceinline__ float unary_gradient(UnaryOp op, float alpha, float g, float x, float y) {
  switch (op) {
    case UnaryOp::Relu: return x > 0.0f ? g : 0.0f;
    case UnaryOp::LeakyRelu: return x > 0.0f ? g : alpha * g;
    case UnaryOp::Relu6: return x > 0.0f && x < 6.0f ? g : 0.0f;
    case UnaryOp::Gelu: return g * (0.5f * (1.0f + erff(x * kInvSqrt2)) + x * kInvSqrt2Pi * expf(-0.5f * x * x));
    case UnaryOp::Sigmoid: return g * y * (1.0f - y);
    case UnaryOp::Tanh: return g * (1.0f - y * y);
    case UnaryOp::Exp: return g * y;
    case UnaryOp::Log: return g / x;
    case UnaryOp::Sqrt: return g * 0.5f / y;
    case UnaryOp::Neg: return -g;
  }
  return g;
}

// out, x: (n)
__global__ void unary_forward_kernel(UnaryOp op, float alpha, float* out, const float* x, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) out[i] = unary_value(op, alpha, x[i]);
}

// dx, dout, x, out: (n); dx may alias dout (each element is read before it is written).
__global__ void unary_backward_kernel(UnaryOp op, float alpha, float* dx, const float* dout, const float* x,
                                      const float* out, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) dx[i] = unary_gradient(op, alpha, dout[i], x[i], out[i]);
}

template <BinaryOp op>
__device__ __forceinline__ float apply(float a, float b) {
  if constexpr (op == BinaryOp::Add) return a + b;
  if constexpr (op == BinaryOp::Sub) return a - b;
  if constexpr (op == BinaryOp::Mul) return a * b;
  return a / b;
}

// out: (n); a read through a_map, b through b_map. A full operand (inner 1, mid n) is read directly,
// saving the index arithmetic in the common case.
template <BinaryOp op>
__global__ void binary_forward_kernel(float* out, const float* a, Broadcast a_map, const float* b, Broadcast b_map,
                                      int64_t n) {
  const bool a_full = a_map.inner == 1 && a_map.mid == n, b_full = b_map.inner == 1 && b_map.mid == n;
  for (int64_t i = global_index(); i < n; i += grid_stride())
    out[i] = apply<op>(a[a_full ? i : a_map(i)], b[b_full ? i : b_map(i)]);
}

template <BinaryOp op>
void launch_binary(float* out, const float* a, Broadcast a_map, const float* b, Broadcast b_map, int64_t n) {
  binary_forward_kernel<op><<<grid_for(n), kBlock>>>(out, a, a_map, b, b_map, n);
  HITO_CUDA_CHECK_LAUNCH();
}

// out, x: (n)
__global__ void affine_kernel(float* out, const float* x, float alpha, float beta, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) out[i] = alpha * x[i] + beta;
}

// y, x: (n)
__global__ void axpy_kernel(float* y, const float* x, float alpha, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) y[i] += alpha * x[i];
}

// out: (n)
__global__ void fill_kernel(float* out, float value, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) out[i] = value;
}

// out, x: (n)
template <class T>
__global__ void cast_to_f32_kernel(float* out, const T* x, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) out[i] = static_cast<float>(x[i]);
}

// The gradient of a broadcast operand as a per-channel sum: g seen as (outer, mid, inner) is the
// (N, C, S) view with channel = mid.
struct GradientValues {
  const float* g;
  __device__ SumPair operator()(int64_t, int64_t, int64_t offset) const { return {g[offset], 0.0}; }
};
}  // namespace

void unary_forward(UnaryOp op, float alpha, float* out, const float* x, int64_t n) {
  if (n == 0) return;
  unary_forward_kernel<<<grid_for(n), kBlock>>>(op, alpha, out, x, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void unary_backward(UnaryOp op, float alpha, float* dx, const float* dout, const float* x, const float* out,
                    int64_t n) {
  if (n == 0) return;
  unary_backward_kernel<<<grid_for(n), kBlock>>>(op, alpha, dx, dout, x, out, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void binary_forward(BinaryOp op, float* out, const float* a, Broadcast a_map, const float* b, Broadcast b_map,
                    int64_t n) {
  if (n == 0) return;
  switch (op) {
    case BinaryOp::Add: return launch_binary<BinaryOp::Add>(out, a, a_map, b, b_map, n);
    case BinaryOp::Sub: return launch_binary<BinaryOp::Sub>(out, a, a_map, b, b_map, n);
    case BinaryOp::Mul: return launch_binary<BinaryOp::Mul>(out, a, a_map, b, b_map, n);
    case BinaryOp::Div: return launch_binary<BinaryOp::Div>(out, a, a_map, b, b_map, n);
  }
}

void reduce_broadcast(float* out, const float* g, Broadcast map, int64_t n) {
  if (map.mid == 0) return;
  if (n == 0) return fill(out, 0.0f, map.mid);
  int64_t outer = n / (map.mid * map.inner);
  if (map.inner == 1) return sum_dim(out, g, 1, outer, map.mid);  // a bias: column sums, coalesced
  channel_sums_to(out, GradientValues{g}, outer, map.mid, map.inner);
}

void affine(float* out, const float* x, float alpha, float beta, int64_t n) {
  if (n == 0) return;
  affine_kernel<<<grid_for(n), kBlock>>>(out, x, alpha, beta, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void axpy(float* y, const float* x, float alpha, int64_t n) {
  if (n == 0) return;
  axpy_kernel<<<grid_for(n), kBlock>>>(y, x, alpha, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void fill(float* out, float value, int64_t n) {
  if (n == 0) return;
  fill_kernel<<<grid_for(n), kBlock>>>(out, value, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void cast_i64_to_f32(float* out, const int64_t* x, int64_t n) {
  if (n == 0) return;
  cast_to_f32_kernel<<<grid_for(n), kBlock>>>(out, x, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void cast_u8_to_f32(float* out, const uint8_t* x, int64_t n) {
  if (n == 0) return;
  cast_to_f32_kernel<<<grid_for(n), kBlock>>>(out, x, n);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda
