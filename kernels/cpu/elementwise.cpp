// Elementwise kernels on the CPU: Eigen array expressions over raw pointers (vectorized exp, tanh,
// erf), split over threads for large tensors.
#include <Eigen/Core>
#include <algorithm>
#include <climits>
#include <cmath>
#include <unsupported/Eigen/SpecialFunctions>
#include <vector>

#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

namespace {
using Array = Eigen::Map<Eigen::ArrayXf>;
using ConstArray = Eigen::Map<const Eigen::ArrayXf>;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
}  // namespace

void unary_forward(UnaryOp op, float alpha, float* out, const float* x, int64_t n) {
  parallel_for(n, kElementwiseGrain / 4, [&](int64_t begin, int64_t end) {
    Array y(out + begin, end - begin);
    ConstArray v(x + begin, end - begin);
    switch (op) {
      case UnaryOp::Relu: y = v.max(0.0f); break;
      case UnaryOp::LeakyRelu: y = (v > 0.0f).select(v, alpha * v); break;
      case UnaryOp::Relu6: y = v.max(0.0f).min(6.0f); break;
      case UnaryOp::Gelu: y = 0.5f * v * (1.0f + (v * kInvSqrt2).erf()); break;
      case UnaryOp::Sigmoid: y = v.logistic(); break;
      case UnaryOp::Tanh: y = v.tanh(); break;
      case UnaryOp::Exp: y = v.exp(); break;
      case UnaryOp::Log: y = v.log(); break;
      case UnaryOp::Sqrt: y = v.sqrt(); break;
      case UnaryOp::Neg: y = -v; break;
    }
  });
}

// The derivative of each function, written with whichever of x and y = f(x) is cheaper:
// relu' = [x > 0]; leaky' = x > 0 ? 1 : alpha; relu6' = [0 < x < 6]; gelu' = Phi(x) + x phi(x);
// sigmoid' = y (1 - y); tanh' = 1 - y^2; exp' = y; log' = 1 / x; sqrt' = 1 / (2 y); neg' = -1.
void unary_backward(UnaryOp op, float alpha, float* dx, const float* dout, const float* x, const float* out,
                    int64_t n) {
  parallel_for(n, kElementwiseGrain / 4, [&](int64_t begin, int64_t end) {
    int64_t m = end - begin;
    Array d(dx + begin, m);
    ConstArray g(dout + begin, m), v(x + begin, m), y(out + begin, m);
    switch (op) {
      case UnaryOp::Relu: d = (v > 0.0f).select(g, 0.0f); break;
      case UnaryOp::LeakyRelu: d = (v > 0.0f).select(g, alpha * g); break;
      case UnaryOp::Relu6: d = (v > 0.0f && v < 6.0f).select(g, 0.0f); break;
      case UnaryOp::Gelu:
        d = g * (0.5f * (1.0f + (v * kInvSqrt2).erf()) + v * kInvSqrt2Pi * (-0.5f * v * v).exp());
        break;
      case UnaryOp::Sigmoid: d = g * y * (1.0f - y); break;
      case UnaryOp::Tanh: d = g * (1.0f - y * y); break;
      case UnaryOp::Exp: d = g * y; break;
      case UnaryOp::Log: d = g / v; break;
      case UnaryOp::Sqrt: d = g * 0.5f / y; break;
      case UnaryOp::Neg: d = -g; break;
    }
  });
}

namespace {
template <BinaryOp op>
inline float apply(float a, float b) {
  if constexpr (op == BinaryOp::Add) return a + b;
  if constexpr (op == BinaryOp::Sub) return a - b;
  if constexpr (op == BinaryOp::Mul) return a * b;
  return a / b;
}

// What an operand reads from output element i on: `count` elements that read either consecutive
// values from `index` (contiguous) or the single value at `index` (constant). A full operand is one
// contiguous run, a scalar one constant run, a bias contiguous runs of its length, a per-channel
// value of NCHW constant runs of H*W.
struct Run {
  int64_t index, count;
  bool contiguous;
};

inline Run run_at(Broadcast map, int64_t i) {
  if (map.mid == 1) return {0, INT64_MAX, false};
  int64_t index = (i / map.inner) % map.mid;
  if (map.inner == 1) return {index, map.mid - index, true};
  return {index, map.inner - i % map.inner, false};
}

// Walks the output in runs over which both operands are contiguous or constant, so that the inner
// loops are plain vectorizable passes instead of a division and a modulo per element.
template <BinaryOp op>
void binary_loop(float* out, const float* a, Broadcast am, const float* b, Broadcast bm, int64_t n) {
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      Run ra = run_at(am, i), rb = run_at(bm, i);
      int64_t count = std::min({ra.count, rb.count, end - i});
      const float *pa = a + ra.index, *pb = b + rb.index;
      float* po = out + i;
      if (ra.contiguous && rb.contiguous) {
        for (int64_t k = 0; k < count; ++k) po[k] = apply<op>(pa[k], pb[k]);
      } else if (ra.contiguous) {
        const float vb = *pb;
        for (int64_t k = 0; k < count; ++k) po[k] = apply<op>(pa[k], vb);
      } else if (rb.contiguous) {
        const float va = *pa;
        for (int64_t k = 0; k < count; ++k) po[k] = apply<op>(va, pb[k]);
      } else {
        std::fill(po, po + count, apply<op>(*pa, *pb));
      }
      i += count;
    }
  });
}
}  // namespace

void binary_forward(BinaryOp op, float* out, const float* a, Broadcast a_map, const float* b, Broadcast b_map,
                    int64_t n) {
  switch (op) {
    case BinaryOp::Add: return binary_loop<BinaryOp::Add>(out, a, a_map, b, b_map, n);
    case BinaryOp::Sub: return binary_loop<BinaryOp::Sub>(out, a, a_map, b, b_map, n);
    case BinaryOp::Mul: return binary_loop<BinaryOp::Mul>(out, a, a_map, b, b_map, n);
    case BinaryOp::Div: return binary_loop<BinaryOp::Div>(out, a, a_map, b, b_map, n);
  }
}

void reduce_broadcast(float* out, const float* g, Broadcast map, int64_t n) {
  // g is (outer, mid, inner) with outer = n / (mid * inner); out[m] = sum of g[:, m, :]. The sums
  // run over up to n values (a scalar's gradient), so they are accumulated in double.
  int64_t inner = map.inner, mid = map.mid, outer = n / (mid * inner);
  int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(outer * inner, 1));
  parallel_for(mid, grain, [&](int64_t begin, int64_t end) {
    if (inner == 1) {  // a bias over the last dimension: add up whole rows (vectorizable)
      std::vector<double> totals(end - begin, 0.0);
      for (int64_t o = 0; o < outer; ++o) {
        const float* row = g + o * mid + begin;
        for (int64_t m = 0; m < end - begin; ++m) totals[m] += row[m];
      }
      for (int64_t m = begin; m < end; ++m) out[m] = static_cast<float>(totals[m - begin]);
      return;
    }
    for (int64_t m = begin; m < end; ++m) {  // a per-channel value: contiguous runs of `inner`
      double total = 0.0;
      for (int64_t o = 0; o < outer; ++o) {
        const float* run = g + (o * mid + m) * inner;
        for (int64_t i = 0; i < inner; ++i) total += run[i];
      }
      out[m] = static_cast<float>(total);
    }
  });
}

void affine(float* out, const float* x, float alpha, float beta, int64_t n) {
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = alpha * x[i] + beta;
  });
}

void axpy(float* y, const float* x, float alpha, int64_t n) {
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] += alpha * x[i];
  });
}

void fill(float* out, float value, int64_t n) {
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) { std::fill(out + begin, out + end, value); });
}

void cast_i64_to_f32(float* out, const int64_t* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i]);
}

void cast_u8_to_f32(float* out, const uint8_t* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i]);
}

}  // namespace hito::cpu::HITO_CPU_ISA
