// Broadcasting arithmetic (add, sub, mul, div), scalar affine maps and the elementwise functions.
#include <algorithm>

#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

namespace {

// How one operand of a broadcasting op maps onto the output (see Broadcast in kernel_types.h).
struct BroadcastPlan {
  Shape out_shape;
  Broadcast a_map, b_map;
};

// Reads `x` (padded with leading 1s to `out`'s rank) as (i / inner) % mid. Its non-broadcast
// dimensions must form one contiguous block of the output's dimensions.
Broadcast operand_map(const Shape& x, const Shape& out, const char* op) {
  size_t rank = out.size(), pad = rank - x.size();
  auto size_at = [&](size_t d) { return d < pad ? int64_t(1) : x[d - pad]; };
  int64_t first = -1, last = -1;
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] != 1 && size_at(d) == out[d]) {
      if (first < 0) first = static_cast<int64_t>(d);
      last = static_cast<int64_t>(d);
    }
  }
  Broadcast map;
  if (first < 0) return map;  // a single value repeated everywhere
  for (int64_t d = first; d <= last; ++d)
    HITO_CHECK(size_at(d) == out[d] || out[d] == 1, op, ": cannot broadcast ", shape_str(x), " to ",
               shape_str(out), " (its kept dimensions must be adjacent)");
  for (int64_t d = first; d <= last; ++d) map.mid *= out[d];
  for (size_t d = last + 1; d < rank; ++d) map.inner *= out[d];
  return map;
}

BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const char* op) {
  BroadcastPlan plan;
  size_t rank = std::max(a.size(), b.size());
  plan.out_shape.assign(rank, 1);
  for (size_t d = 0; d < rank; ++d) {
    int64_t da = d + a.size() >= rank ? a[d + a.size() - rank] : 1;
    int64_t db = d + b.size() >= rank ? b[d + b.size() - rank] : 1;
    HITO_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
               " do not broadcast");
    plan.out_shape[d] = std::max(da, db);
  }
  plan.a_map = operand_map(a, plan.out_shape, op);
  plan.b_map = operand_map(b, plan.out_shape, op);
  return plan;
}

// Elementwise a (op) b through the maps, without recording.
Tensor apply_binary(BinaryOp op, const Tensor& a, Broadcast a_map, const Tensor& b, Broadcast b_map,
                    const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, DType::F32, a.device());
  HITO_DISPATCH(a.device(), binary_forward, op, out.data<float>(), a.data<float>(), a_map, b.data<float>(), b_map,
                out.numel());
  return out;
}

// The gradient of an operand read through `map`: the sum of the output gradient over the
// positions that read each of its elements, in the operand's shape.
Tensor reduce_to_operand(const Tensor& g_full, Broadcast map, const Tensor& operand) {
  if (map.inner == 1 && map.mid == g_full.numel()) return g_full.reshape(operand.shape());
  Tensor grad = empty_like(operand);
  HITO_DISPATCH(g_full.device(), reduce_broadcast, grad.data<float>(), g_full.data<float>(), map, g_full.numel());
  return grad;
}

Tensor binary(BinaryOp op, const char* name, const Tensor& a, const Tensor& b) {
  check_f32(a, name);
  check_f32(b, name);
  check_same_device(a, b, name);
  BroadcastPlan plan = plan_broadcast(a.shape(), b.shape(), name);
  Tensor out = apply_binary(op, a, plan.a_map, b, plan.b_map, plan.out_shape);
  if (!needs_grad({a, b})) return out;
  Tensor out_saved = op == BinaryOp::Div ? out.detach() : Tensor();
  record(out, name, {a, b}, [op, a, b, plan, out_saved](const Tensor& g) {
    const Broadcast full{1, g.numel()};
    Tensor da, db;
    switch (op) {
      case BinaryOp::Add:  // d(a+b) = da + db
      case BinaryOp::Sub:  // d(a-b) = da - db
        if (a.requires_grad()) da = reduce_to_operand(g, plan.a_map, a);
        if (b.requires_grad()) {
          db = reduce_to_operand(g, plan.b_map, b);
          if (op == BinaryOp::Sub) db = affine(db, -1.0f, 0.0f);
        }
        break;
      case BinaryOp::Mul:  // d(ab) = b da + a db
        if (a.requires_grad()) da = reduce_to_operand(apply_binary(BinaryOp::Mul, g, full, b, plan.b_map, g.shape()), plan.a_map, a);
        if (b.requires_grad()) db = reduce_to_operand(apply_binary(BinaryOp::Mul, g, full, a, plan.a_map, g.shape()), plan.b_map, b);
        break;
      case BinaryOp::Div:  // d(a/b) = da / b - (a/b) db / b
        if (a.requires_grad()) da = reduce_to_operand(apply_binary(BinaryOp::Div, g, full, b, plan.b_map, g.shape()), plan.a_map, a);
        if (b.requires_grad()) {
          Tensor g_out = apply_binary(BinaryOp::Mul, g, full, out_saved, full, g.shape());
          Tensor g_out_b = apply_binary(BinaryOp::Div, g_out, full, b, plan.b_map, g.shape());
          db = affine(reduce_to_operand(g_out_b, plan.b_map, b), -1.0f, 0.0f);
        }
        break;
    }
    return std::vector<Tensor>{da, db};
  });
  return out;
}

// f(x) for one UnaryOp; the backward reads x and the output as the kernel needs.
Tensor unary(UnaryOp op, float alpha, const char* name, const Tensor& x) {
  check_f32(x, name);
  Tensor out = empty_like(x);
  HITO_DISPATCH(x.device(), unary_forward, op, alpha, out.data<float>(), x.data<float>(), x.numel());
  if (needs_grad({x})) {
    Tensor out_saved = out.detach();
    record(out, name, {x}, [op, alpha, x, out_saved](const Tensor& g) {
      Tensor dx = empty_like(x);
      HITO_DISPATCH(x.device(), unary_backward, op, alpha, dx.data<float>(), g.data<float>(), x.data<float>(),
                    out_saved.data<float>(), x.numel());
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Add, "add", a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Sub, "sub", a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Mul, "mul", a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Div, "div", a, b); }

Tensor affine(const Tensor& x, float alpha, float beta) {
  check_f32(x, "affine");
  Tensor out = empty_like(x);
  HITO_DISPATCH(x.device(), affine, out.data<float>(), x.data<float>(), alpha, beta, x.numel());
  if (needs_grad({x})) {
    // d(alpha x + beta) = alpha dx
    record(out, "affine", {x}, [alpha](const Tensor& g) { return std::vector<Tensor>{affine(g, alpha, 0.0f)}; });
  }
  return out;
}

void add_(const Tensor& dst, const Tensor& src) {
  check_f32(dst, "add_ (destination)");
  check_f32(src, "add_ (source)");
  check_same_device(dst, src, "add_");
  HITO_CHECK(dst.shape() == src.shape(), "add_: ", src.describe(), " added into ", dst.describe());
  HITO_DISPATCH(dst.device(), axpy, dst.data<float>(), src.data<float>(), 1.0f, dst.numel());
}

Tensor relu(const Tensor& x) { return unary(UnaryOp::Relu, 0.0f, "relu", x); }
Tensor leaky_relu(const Tensor& x, float slope) { return unary(UnaryOp::LeakyRelu, slope, "leaky_relu", x); }
Tensor relu6(const Tensor& x) { return unary(UnaryOp::Relu6, 0.0f, "relu6", x); }
Tensor gelu(const Tensor& x) { return unary(UnaryOp::Gelu, 0.0f, "gelu", x); }
Tensor sigmoid(const Tensor& x) { return unary(UnaryOp::Sigmoid, 0.0f, "sigmoid", x); }
Tensor tanh(const Tensor& x) { return unary(UnaryOp::Tanh, 0.0f, "tanh", x); }
Tensor exp(const Tensor& x) { return unary(UnaryOp::Exp, 0.0f, "exp", x); }
Tensor log(const Tensor& x) { return unary(UnaryOp::Log, 0.0f, "log", x); }
Tensor sqrt(const Tensor& x) { return unary(UnaryOp::Sqrt, 0.0f, "sqrt", x); }

Tensor to_float(const Tensor& x) {
  HITO_CHECK(x.defined(), "to_float: undefined tensor");
  if (x.dtype() == DType::F32) return x;
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  if (x.dtype() == DType::I64)
    HITO_DISPATCH(x.device(), cast_i64_to_f32, out.data<float>(), x.data<int64_t>(), x.numel());
  else
    HITO_DISPATCH(x.device(), cast_u8_to_f32, out.data<float>(), x.data<uint8_t>(), x.numel());
  return out;
}

}  // namespace hito
