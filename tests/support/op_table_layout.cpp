// The op table's layout family: concat and slice along every dimension (f32 with gradients, i64
// and u8 copies, odd offsets that defeat 16-byte words), reshape, embedding with repeated indices,
// and dropout, whose seeded mask PyTorch recomputes from its documented formula.
#include <cmath>

#include "engine/ops.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

// Copies are exact, and so are their gradients (sums of copies of the upstream gradient).
const Tolerances kExact = {.out = {0.0f, 0.0f}, .grad = {0.0f, 0.0f}};

Shape with_dim(Shape s, int64_t dim, int64_t size) {
  s[dim] = size;
  return s;
}

std::string dtype_label(DType dtype) { return dtype == DType::F32 ? "f32" : dtype == DType::I64 ? "i64" : "u8"; }

// f32 values that require grad, or integers that cannot.
OpInput piece(const std::string& name, const Shape& shape, DType dtype) {
  return dtype == DType::F32 ? grad_input(name, normal(shape)) : const_input(name, integers(shape, dtype));
}

void add_concat_and_slice(OpTable& table) {
  OpEntry& concat_entry = table.op("concat", [](const OpArgs& a) { return concat(a.all(), a.get<int64_t>("dim")); });
  OpEntry& slice_entry = table.op("slice", [](const OpArgs& a) {
    return slice(a["x"], a.get<int64_t>("dim"), a.get<int64_t>("start"), a.get<int64_t>("end"));
  });
  for (int64_t dim = 0; dim < 3; ++dim) {
    // The middle piece needs no gradient.
    const Shape base = {2, 3, 4};
    concat_entry.add({.name = "dim" + std::to_string(dim),
                      .inputs = {grad_input("a", normal(with_dim(base, dim, 1))), const_input("frozen", normal(base)),
                                 grad_input("b", normal(with_dim(base, dim, 2)))},
                      .attrs = {{"dim", dim}},
                      .golden = kExact,
                      .parity = kExact});
    slice_entry.add({.name = "dim" + std::to_string(dim),
                     .inputs = {grad_input("x", normal({3, 4, 5}))},
                     .attrs = {{"dim", dim}, {"start", 1}, {"end", 3}},
                     .golden = kExact,
                     .parity = kExact});
  }
  for (DType dtype : {DType::F32, DType::I64, DType::U8})
    for (int64_t dim = 0; dim < 3; ++dim) {
      const Shape base = {3, 5, 7};
      OpCase c{.name = dtype_label(dtype) + "_dim" + std::to_string(dim), .attrs = {{"dim", dim}},
               .reach = Reach::ParityOnly, .parity = kExact};
      for (int64_t size : {1, 4, 17}) c.inputs.push_back(piece("size" + std::to_string(size), with_dim(base, dim, size), dtype));
      concat_entry.add(std::move(c));
      // Odd offsets and lengths make unaligned rows: the copy must fall back from 16-byte words.
      const Shape shape = {5, 13, 7};
      for (auto [start, end] : {std::pair<int64_t, int64_t>{0, 1}, {1, 4}, {2, 5}, {0, shape[dim]}})
        slice_entry.add({.name = dtype_label(dtype) + "_dim" + std::to_string(dim) + "_" + std::to_string(start) + "to" +
                                 std::to_string(end),
                         .inputs = {piece("x", shape, dtype)},
                         .attrs = {{"dim", dim}, {"start", start}, {"end", end}},
                         .reach = Reach::ParityOnly,
                         .parity = kExact});
    }
}

void add_reshape(OpTable& table) {
  OpEntry& entry = table.op("reshape", [](const OpArgs& a) { return a["x"].reshape(a.get<Shape>("shape")); });
  const std::pair<const char*, Shape> shapes[] = {{"inferred", {4, -1}}, {"rows", {3, 8}}, {"flat", {24}}, {"more_dims", {2, 1, 3, 4}}};
  for (const auto& [name, shape] : shapes)
    entry.add({.name = name, .inputs = {grad_input("x", normal({2, 3, 4}))}, .attrs = {{"shape", shape}},
               .golden = kExact, .parity = kExact});
}

void add_embedding(OpTable& table) {
  OpEntry& entry = table.op("embedding", [](const OpArgs& a) { return embedding(a["weight"], a["index"]); });
  entry.add({.name = "repeated",
             .inputs = {grad_input("weight", normal({5, 3})), const_input("index", given(std::vector<int64_t>{1, 4, 1, 0, 1, 4}, {2, 3}))},
             .golden = {.out = {0.0f, 0.0f}, .grad = {1e-6f, 1e-7f}},
             .parity = {.out = {0.0f, 0.0f}, .grad = {1e-5f, 1e-5f}}});
  for (auto [V, D] : {std::pair<int64_t, int64_t>{1, 1}, {15, 8}, {1000, 33}}) {
    std::vector<int64_t> index;
    for (int64_t i = 0; i < 3 * 257; ++i) index.push_back((i * i + 3) % V);  // many repeats
    entry.add({.name = "V" + std::to_string(V) + "_D" + std::to_string(D),
               .inputs = {grad_input("weight", normal({V, D})), const_input("index", given(index, {3, 257}))},
               .reach = Reach::ParityOnly,
               .parity = {.out = {0.0f, 0.0f}, .grad = {1e-5f, 1e-5f}}});
  }
}

void add_dropout(OpTable& table) {
  OpEntry& entry = table.op("dropout", [](const OpArgs& a) {
    return dropout(a["x"], a.get<float>("p"), a.get<bool>("training"), a.get<uint64_t>("seed"));
  });
  // Seeded: the same mask on every evaluation, so the op is linear and gradcheck applies.
  entry.add({.name = "training", .inputs = {grad_input("x", normal({4, 5}))},
             .attrs = {{"p", 0.4f}, {"training", true}, {"seed", 3}}, .parity = kExact});
  entry.add({.name = "eval", .inputs = {grad_input("x", normal({4, 5}))},
             .attrs = {{"p", 0.4f}, {"training", false}, {"seed", 3}}, .parity = kExact});
  // The CPU and CUDA masks must be identical.
  for (int64_t n : {1, 17, 1031, 1000003})
    for (float p : {0.1f, 0.5f, 0.9f})
      entry.add({.name = "n" + std::to_string(n) + "_p0" + std::to_string(std::lround(p * 10)),
                 .inputs = {grad_input("x", normal({n}))},
                 .attrs = {{"p", p}, {"training", true}, {"seed", 12345}},
                 .reach = Reach::ParityOnly,
                 .parity = kExact});
}

}  // namespace

void add_layout_ops(OpTable& table) {
  add_concat_and_slice(table);
  add_reshape(table);
  add_embedding(table);
  add_dropout(table);
}

}  // namespace hito::testing
