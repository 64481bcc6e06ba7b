// The op table's elementwise family: every unary function on a domain that covers its interesting
// region (and keeps central differences off the kinks), add, sub, mul and div in every broadcasting
// pattern, affine, and the casts of to_float.
#include "engine/ops.h"
#include "tests/support/broadcast_patterns.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

// The CUDA kernels' size classes: one element, less than a warp, blocks and a ragged tail, many blocks.
const int64_t kCudaSizes[] = {1, 17, 1031, 100003};

// Gradients get an absolute slack of 5e-6 on the GPU: the CPU's vectorised tanh is up to ~4 ulp off
// near saturation (CUDA's tanhf 2), and tanh' = 1 - y^2 turns that into ~1e-6 (seen on an H100).
const Tolerances kUnaryParity = {.out = {1e-5f, 1e-6f}, .grad = {1e-5f, 5e-6f}};

struct Unary {
  const char* op;
  OpFunction call;
  float lo, hi;            // the small cases' domain
  float cuda_lo, cuda_hi;  // the CUDA size classes' domain
  nlohmann::json attrs = nlohmann::json::object(), cuda_attrs = nlohmann::json::object();
};

void add_unary(OpTable& table) {
  const Unary unary[] = {
      {"relu", [](const OpArgs& a) { return relu(a["x"]); }, -3, 3, -3, 3},
      {"leaky_relu", [](const OpArgs& a) { return leaky_relu(a["x"], a.get<float>("negative_slope")); }, -3, 3, -3, 3,
       {{"negative_slope", 0.1f}}, {{"negative_slope", 0.2f}}},
      {"relu6", [](const OpArgs& a) { return relu6(a["x"]); }, -2, 8, -2, 8},
      {"gelu", [](const OpArgs& a) { return gelu(a["x"]); }, -5, 5, -5, 5},
      {"sigmoid", [](const OpArgs& a) { return sigmoid(a["x"]); }, -6, 6, -8, 8},
      {"tanh", [](const OpArgs& a) { return tanh(a["x"]); }, -3, 3, -4, 4},
      {"exp", [](const OpArgs& a) { return exp(a["x"]); }, -3, 3, -4, 4},
      {"log", [](const OpArgs& a) { return log(a["x"]); }, 0.05f, 5, 0.05f, 5},
      {"sqrt", [](const OpArgs& a) { return sqrt(a["x"]); }, 0.05f, 5, 0.05f, 5},
  };
  for (const Unary& u : unary) {
    OpEntry& entry = table.op(u.op, u.call);
    // The kinks of relu, leaky_relu and relu6.
    entry.add({.name = "small",
               .inputs = {grad_input("x", away_from(uniform({4, 6}, u.lo, u.hi), {0.0f, 6.0f}))},
               .attrs = u.attrs,
               .parity = kUnaryParity});
    for (int64_t n : kCudaSizes)
      entry.add({.name = "n" + std::to_string(n),
                 .inputs = {grad_input("x", uniform({n}, u.cuda_lo, u.cuda_hi))},
                 .attrs = u.cuda_attrs,
                 .reach = Reach::ParityOnly,
                 .parity = kUnaryParity});
  }
}

// Full operands, a bias row, a column, scalars (rank 0 and rank 1), per-channel values of NCHW in
// their three spellings, both operands broadcast at once, and the broadcast operand on the left.
struct CudaPattern {
  Shape a, b;
};
const CudaPattern kCudaPatterns[] = {
    {{37, 129}, {37, 129}},        {{37, 129}, {129}},           {{37, 129}, {37, 1}},
    {{37, 129}, {}},               {{1}, {1031}},                {{5, 7, 9, 11}, {7, 1, 1}},
    {{5, 7, 9, 11}, {5, 7, 1, 1}}, {{5, 7, 9, 11}, {1, 7, 1, 1}}, {{129}, {37, 1}},
    {{7, 1, 1}, {5, 7, 9, 11}},    {{1, 1}, {17, 33}},
};
const Tolerances kBinaryParity = {.out = {1e-6f, 1e-6f}, .grad = {1e-5f, 1e-5f}};

void add_binary(OpTable& table) {
  const std::pair<const char*, OpFunction> ops[] = {
      {"add", [](const OpArgs& a) { return add(a["a"], a["b"]); }},
      {"sub", [](const OpArgs& a) { return sub(a["a"], a["b"]); }},
      {"mul", [](const OpArgs& a) { return mul(a["a"], a["b"]); }},
      {"div", [](const OpArgs& a) { return div(a["a"], a["b"]); }},
  };
  for (const auto& [op, call] : ops) {
    OpEntry& entry = table.op(op, call);
    bool is_div = std::string(op) == "div";
    // Divisors (and, for the small cases, every right operand) kept away from zero so that the
    // quotient's gradient is well conditioned.
    for (const BroadcastPattern& p : kBroadcastPatterns)
      entry.add({.name = p.name,
                 .inputs = {grad_input("a", normal(p.a)), grad_input("b", uniform(p.b, 0.5f, 2.0f))},
                 .parity = kBinaryParity});
    // The gradient reaches only the operand that requires it.
    entry.add({.name = "row_vector_a_only",
               .inputs = {grad_input("a", normal({4, 5})), const_input("b", uniform({5}, 0.5f, 2.0f))},
               .parity = kBinaryParity});
    entry.add({.name = "row_vector_b_only",
               .inputs = {const_input("a", normal({4, 5})), grad_input("b", uniform({5}, 0.5f, 2.0f))},
               .parity = kBinaryParity});
    for (const CudaPattern& p : kCudaPatterns)
      entry.add({.name = shape_name(p.a) + "_and_" + shape_name(p.b),
                 .inputs = {grad_input("a", normal(p.a)),
                            grad_input("b", is_div ? uniform(p.b, 0.5f, 2.0f) : normal(p.b))},
                 .reach = Reach::ParityOnly,
                 .parity = kBinaryParity});
    if (std::string(op) == "mul")
      entry.add({.name = "33x65_and_65_a_only",
                 .inputs = {grad_input("a", normal({33, 65})), const_input("b", normal({65}))},
                 .reach = Reach::ParityOnly});
    if (is_div)
      entry.add({.name = "33x65_and_65_b_only",
                 .inputs = {const_input("a", normal({33, 65})), grad_input("b", uniform({65}, 1.0f, 2.0f))},
                 .reach = Reach::ParityOnly,
                 .parity = kBinaryParity});
  }
}

void add_affine(OpTable& table) {
  OpEntry& entry =
      table.op("affine", [](const OpArgs& a) { return affine(a["x"], a.get<float>("alpha"), a.get<float>("beta")); });
  const nlohmann::json formula = {{"alpha", -1.5f}, {"beta", 0.25f}}, negation = {{"alpha", -1.0f}, {"beta", 0.0f}};
  entry.add({.name = "formula", .inputs = {grad_input("x", normal({3, 4}))}, .attrs = formula});
  entry.add({.name = "scale_and_shift", .inputs = {grad_input("x", normal({3, 4}))}, .attrs = {{"alpha", 3.0f}, {"beta", -1.0f}}});
  // Negation, which has no op of its own (operator-).
  entry.add({.name = "neg", .inputs = {grad_input("x", uniform({3, 4}, -3, 3))}, .attrs = negation});
  for (int64_t n : kCudaSizes) {
    entry.add({.name = "n" + std::to_string(n), .inputs = {grad_input("x", normal({n}))}, .attrs = formula,
               .reach = Reach::ParityOnly});
    entry.add({.name = "neg_n" + std::to_string(n), .inputs = {grad_input("x", uniform({n}, -3, 3))},
               .attrs = negation, .reach = Reach::ParityOnly, .parity = kUnaryParity});
  }
}

void add_to_float(OpTable& table) {
  OpEntry& entry = table.op("to_float", [](const OpArgs& a) { return to_float(a["x"]); });
  const Tolerances exact = {.out = {0.0f, 0.0f}};
  for (DType dtype : {DType::I64, DType::U8}) {
    std::string name = dtype == DType::I64 ? "i64" : "u8";
    entry.add({.name = name, .inputs = {const_input("x", integers({3, 5}, dtype))}, .golden = exact, .parity = exact});
    entry.add({.name = name + "_n1031", .inputs = {const_input("x", integers({1031}, dtype))}, .reach = Reach::ParityOnly,
               .parity = exact});
  }
}

}  // namespace

void add_elementwise_ops(OpTable& table) {
  add_unary(table);
  add_binary(table);
  add_affine(table);
  add_to_float(table);
}

}  // namespace hito::testing
