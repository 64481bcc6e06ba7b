// Matrix products: matmul with optional transposes, and linear (x W^T + b).
#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  check_f32(a, "matmul (a)");
  check_f32(b, "matmul (b)");
  check_same_device(a, b, "matmul");
  HITO_CHECK(a.dim() == 2 && b.dim() == 2, "matmul: expected 2-d tensors, got ", a.describe(), " and ", b.describe());
  int64_t M = trans_a ? a.size(1) : a.size(0), K = trans_a ? a.size(0) : a.size(1);
  int64_t Kb = trans_b ? b.size(1) : b.size(0), N = trans_b ? b.size(0) : b.size(1);
  HITO_CHECK(K == Kb, "matmul: inner sizes differ: ", a.describe(), (trans_a ? "^T" : ""), " times ", b.describe(),
             (trans_b ? "^T" : ""));
  Tensor out = Tensor::empty({M, N}, DType::F32, a.device());
  HITO_DISPATCH(a.device(), gemm, trans_a, trans_b, M, N, K, 1.0f, a.data<float>(), b.data<float>(), 0.0f,
                out.data<float>());
  if (needs_grad({a, b})) {
    // C = op(A) op(B)  =>  d op(A) = dC op(B)^T  and  d op(B) = op(A)^T dC; a transposed operand
    // receives the transpose of that, computed directly by swapping the product's factors.
    record(out, "matmul", {a, b}, [a, b, trans_a, trans_b, M, N, K](const Tensor& g) {
      Tensor da, db;
      Device dev = g.device();
      if (a.requires_grad()) {
        da = empty_like(a);
        if (!trans_a)
          HITO_DISPATCH(dev, gemm, false, !trans_b, M, K, N, 1.0f, g.data<float>(), b.data<float>(), 0.0f,
                        da.data<float>());
        else
          HITO_DISPATCH(dev, gemm, trans_b, true, K, M, N, 1.0f, b.data<float>(), g.data<float>(), 0.0f,
                        da.data<float>());
      }
      if (b.requires_grad()) {
        db = empty_like(b);
        if (!trans_b)
          HITO_DISPATCH(dev, gemm, !trans_a, false, K, N, M, 1.0f, a.data<float>(), g.data<float>(), 0.0f,
                        db.data<float>());
        else
          HITO_DISPATCH(dev, gemm, true, trans_a, N, K, M, 1.0f, g.data<float>(), a.data<float>(), 0.0f,
                        db.data<float>());
      }
      return std::vector<Tensor>{da, db};
    });
  }
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_f32(x, "linear (input)");
  check_f32(weight, "linear (weight)");
  check_same_device(x, weight, "linear");
  HITO_CHECK(x.dim() == 2 && weight.dim() == 2 && x.size(1) == weight.size(1), "linear: input ", x.describe(),
             " does not fit weight ", weight.describe(), " (expected (N, C) and (K, C))");
  int64_t N = x.size(0), C = x.size(1), K = weight.size(0);
  if (bias.defined()) {
    check_f32(bias, "linear (bias)");
    check_same_device(x, bias, "linear");
    HITO_CHECK(bias.dim() == 1 && bias.size(0) == K, "linear: bias ", bias.describe(), " does not match ", K,
               " outputs");
  }
  Device dev = x.device();
  Tensor out = Tensor::empty({N, K}, DType::F32, dev);
  HITO_DISPATCH(dev, gemm, false, true, N, K, C, 1.0f, x.data<float>(), weight.data<float>(), 0.0f,
                out.data<float>());
  const Broadcast full{1, N * K}, per_column{1, K};
  if (bias.defined())
    HITO_DISPATCH(dev, binary_forward, BinaryOp::Add, out.data<float>(), out.data<float>(), full,
                  bias.data<float>(), per_column, N * K);
  if (needs_grad({x, weight, bias})) {
    // out = x W^T + b  =>  dx = dout W,  dW = dout^T x,  db = sum over rows of dout.
    record(out, "linear", {x, weight, bias}, [x, weight, bias, N, C, K, per_column](const Tensor& g) {
      Device dev = g.device();
      Tensor dx, dw, db;
      if (x.requires_grad()) {
        dx = empty_like(x);
        HITO_DISPATCH(dev, gemm, false, false, N, C, K, 1.0f, g.data<float>(), weight.data<float>(), 0.0f,
                      dx.data<float>());
      }
      if (weight.requires_grad()) {
        dw = empty_like(weight);
        HITO_DISPATCH(dev, gemm, true, false, K, C, N, 1.0f, g.data<float>(), x.data<float>(), 0.0f,
                      dw.data<float>());
      }
      if (bias.defined() && bias.requires_grad()) {
        db = empty_like(bias);
        HITO_DISPATCH(dev, reduce_broadcast, db.data<float>(), g.data<float>(), per_column, N * K);
      }
      return std::vector<Tensor>{dx, dw, db};
    });
  }
  return out;
}

}  // namespace hito
