// The op table's products: matmul in its four transpose combinations and linear with and without
// bias, small and at the CUDA size classes (single elements, odd sizes, whole tiles, long K).
#include "engine/ops.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

struct Size {
  int64_t M, N, K;
};
const Size kCudaSizes[] = {{1, 1, 1}, {17, 33, 65}, {128, 96, 256}, {1, 1031, 7}, {300, 2, 1000}};

const Tolerances kProductParity = {.out = {1e-4f, 1e-3f}, .grad = {1e-4f, 1e-3f}};

std::string size_name(const Size& s) {
  return "M" + std::to_string(s.M) + "_N" + std::to_string(s.N) + "_K" + std::to_string(s.K);
}

// matmul's operands for op(a) (M, K) and op(b) (K, N).
OpCase product(std::string name, const Size& s, bool ta, bool tb, Reach reach) {
  return {.name = std::move(name) + (ta ? "_At" : "_A") + (tb ? "_Bt" : "_B"),
          .inputs = {grad_input("a", normal(ta ? Shape{s.K, s.M} : Shape{s.M, s.K})),
                     grad_input("b", normal(tb ? Shape{s.N, s.K} : Shape{s.K, s.N}))},
          .attrs = {{"trans_a", ta}, {"trans_b", tb}},
          .reach = reach,
          .parity = kProductParity};
}

// linear's x (N, C), weight (K, C), bias (K): the product's M, K, N.
OpCase linear_case(std::string name, const Size& s, bool with_bias, Reach reach) {
  OpCase c{.name = std::move(name) + (with_bias ? "_bias" : "_no_bias"),
           .inputs = {grad_input("x", normal({s.M, s.K})), grad_input("weight", normal({s.N, s.K}))},
           .reach = reach,
           .parity = kProductParity};
  if (with_bias) c.inputs.push_back(grad_input("bias", normal({s.N})));
  return c;
}

}  // namespace

void add_matmul_ops(OpTable& table) {
  OpEntry& matmul_entry = table.op("matmul", [](const OpArgs& a) {
    return matmul(a["a"], a["b"], a.get<bool>("trans_a"), a.get<bool>("trans_b"));
  });
  OpEntry& linear_entry = table.op("linear", [](const OpArgs& a) {
    return linear(a["x"], a["weight"], a.optional("bias"));
  });
  for (bool ta : {false, true})
    for (bool tb : {false, true}) matmul_entry.add(product("small", {3, 4, 5}, ta, tb, Reach::All));
  for (bool with_bias : {true, false}) linear_entry.add(linear_case("small", {5, 3, 4}, with_bias, Reach::All));
  for (const Size& s : kCudaSizes) {
    for (bool ta : {false, true})
      for (bool tb : {false, true}) matmul_entry.add(product(size_name(s), s, ta, tb, Reach::ParityOnly));
    for (bool with_bias : {true, false}) linear_entry.add(linear_case(size_name(s), s, with_bias, Reach::ParityOnly));
  }
}

}  // namespace hito::testing
