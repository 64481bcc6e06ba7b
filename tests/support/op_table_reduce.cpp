// The op table's reductions: sum, mean and max along every dimension (negative ones too), with and
// without keepdim, and over all elements; argmax, forward only. Small cases hold distinct values
// (no ties, even after a finite-difference step); the CUDA cases add rows split among blocks, ties
// (the first maximum wins) and NaNs (which win, as in PyTorch).
#include <cmath>

#include "engine/ops.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

const Tolerances kExact = {.out = {0.0f, 0.0f}, .grad = {0.0f, 0.0f}};

// An attribute set and its name: "dim1", "dim_minus1_keepdim".
struct Along {
  int64_t dim;
  bool keepdim;
  std::string name() const {
    return (dim < 0 ? "dim_minus" + std::to_string(-dim) : "dim" + std::to_string(dim)) + (keepdim ? "_keepdim" : "");
  }
  nlohmann::json attrs() const { return {{"dim", dim}, {"keepdim", keepdim}}; }
};

// Values 0, 1 and 2 in rows of 100: most rows hold their maximum several times, and the ties of a
// row spread over all lanes of a warp; along dim 0, ties in every column.
Values ties() {
  std::vector<float> v;
  for (int64_t i = 0; i < 64 * 100; ++i) v.push_back(static_cast<float>((i * 7 + i / 13) % 3));
  return given(v, {64, 100});
}

// NaNs in different lanes of a row and in different rows of a column.
Values with_nans() {
  std::vector<float> v;
  for (int64_t i = 0; i < 6 * 70; ++i) v.push_back(static_cast<float>((i * 37) % 11));
  for (int64_t at : {3, 40, 41, 69, 75, 100, 180, 181, 200, 401}) v[at] = NAN;
  return given(v, {6, 70});
}

// The dimension `dim` applies to (attribute "dim" absent: all elements).
Tensor reduce(const OpArgs& a, Tensor (*all)(const Tensor&), Tensor (*along)(const Tensor&, int64_t, bool)) {
  if (!a.has("dim")) return all(a["x"]);
  return along(a["x"], a.get<int64_t>("dim"), a.get<bool>("keepdim"));
}

}  // namespace

void add_reduce_ops(OpTable& table) {
  OpEntry& sum_entry = table.op("sum", [](const OpArgs& a) { return reduce(a, sum, sum); });
  OpEntry& mean_entry = table.op("mean", [](const OpArgs& a) { return reduce(a, mean, mean); });
  OpEntry& max_entry = table.op("max", [](const OpArgs& a) { return reduce(a, max, max); });
  OpEntry& argmax_entry = table.op("argmax", [](const OpArgs& a) {
    return argmax(a["x"], a.get<int64_t>("dim"), a.get<bool>("keepdim"));
  });
  const Tolerances sum_parity = {.out = {1e-5f, 1e-5f}}, mean_parity = {.out = {1e-5f, 1e-6f}};

  // Small: every dimension of (2, 3, 4), negative ones too, and all elements.
  for (int64_t dim : {0, 1, 2, -1, -3})
    for (bool keepdim : {false, true}) {
      Along along{dim, keepdim};
      sum_entry.add({.name = along.name(), .inputs = {grad_input("x", distinct({2, 3, 4}))}, .attrs = along.attrs(),
                     .parity = sum_parity});
      mean_entry.add({.name = along.name(), .inputs = {grad_input("x", distinct({2, 3, 4}))}, .attrs = along.attrs(),
                      .parity = mean_parity});
      max_entry.add({.name = along.name(), .inputs = {grad_input("x", distinct({2, 3, 4}))}, .attrs = along.attrs(),
                     .parity = kExact});
      argmax_entry.add({.name = along.name(), .inputs = {const_input("x", distinct({2, 3, 4}))}, .attrs = along.attrs()});
    }
  sum_entry.add({.name = "all", .inputs = {grad_input("x", distinct({2, 3, 4}))}, .parity = sum_parity});
  mean_entry.add({.name = "all", .inputs = {grad_input("x", distinct({2, 3, 4}))}, .parity = mean_parity});
  max_entry.add({.name = "all", .inputs = {grad_input("x", distinct({2, 3, 4}))}, .parity = kExact});

  // The CUDA size classes, along every dimension; sum also along the same dimension counted from the end.
  const Shape shapes[] = {{1}, {17}, {1031}, {7, 33}, {3, 1, 129}, {4, 5, 6, 7}, {2, 1025, 3}};
  for (const Shape& shape : shapes)
    for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim) {
      for (bool keepdim : {false, true}) {
        Along along{dim, keepdim};
        std::string name = shape_name(shape) + "_" + along.name();
        sum_entry.add({.name = name, .inputs = {grad_input("x", normal(shape))}, .attrs = along.attrs(),
                       .reach = Reach::ParityOnly, .parity = sum_parity});
        mean_entry.add({.name = name, .inputs = {grad_input("x", normal(shape))}, .attrs = along.attrs(),
                        .reach = Reach::ParityOnly, .parity = mean_parity});
        max_entry.add({.name = name, .inputs = {grad_input("x", normal(shape))}, .attrs = along.attrs(),
                       .reach = Reach::ParityOnly, .parity = kExact});
        argmax_entry.add({.name = name, .inputs = {const_input("x", normal(shape))}, .attrs = along.attrs(),
                          .reach = Reach::ParityOnly});
      }
      Along from_end{dim - static_cast<int64_t>(shape.size()), false};
      sum_entry.add({.name = shape_name(shape) + "_" + from_end.name(), .inputs = {grad_input("x", normal(shape))},
                     .attrs = from_end.attrs(), .reach = Reach::ParityOnly, .parity = sum_parity});
    }

  // A row of four million values, a few long rows, a long column dimension with few columns, and a
  // long middle dimension: each goes through the split (several blocks per output) path.
  sum_entry.add({.name = "long_row_all", .inputs = {grad_input("x", normal({(1 << 22) + 3}))},
                 .reach = Reach::ParityOnly, .parity = {.out = {1e-5f, 1e-3f}}});
  mean_entry.add({.name = "long_row_all", .inputs = {grad_input("x", normal({(1 << 22) + 3}))},
                  .reach = Reach::ParityOnly, .parity = {.out = {1e-5f, 1e-7f}}});
  sum_entry.add({.name = "long_rows", .inputs = {grad_input("x", normal({3, 300001}))}, .attrs = Along{1, false}.attrs(),
                 .reach = Reach::ParityOnly, .parity = {.out = {1e-5f, 1e-3f}}});
  sum_entry.add({.name = "long_columns", .inputs = {grad_input("x", normal({200003, 5}))},
                 .attrs = Along{0, false}.attrs(), .reach = Reach::ParityOnly, .parity = {.out = {1e-5f, 1e-4f}}});
  mean_entry.add({.name = "long_middle", .inputs = {grad_input("x", normal({2, 100001, 3}))},
                  .attrs = Along{1, true}.attrs(), .reach = Reach::ParityOnly, .parity = {.out = {1e-4f, 1e-6f}}});
  max_entry.add({.name = "long_row_all", .inputs = {grad_input("x", normal({(1 << 20) + 7}))},
                 .reach = Reach::ParityOnly, .parity = kExact});

  for (int64_t dim : {0, 1}) {
    Along along{dim, false};
    max_entry.add({.name = "ties_" + along.name(), .inputs = {grad_input("x", ties())}, .attrs = along.attrs(),
                   .reach = Reach::ParityOnly, .parity = kExact});
    argmax_entry.add({.name = "ties_" + along.name(), .inputs = {const_input("x", ties())}, .attrs = along.attrs(),
                      .reach = Reach::ParityOnly});
    max_entry.add({.name = "nans_" + along.name(), .inputs = {grad_input("x", with_nans())}, .attrs = along.attrs(),
                   .reach = Reach::ParityOnly, .parity = kExact});
    argmax_entry.add({.name = "nans_" + along.name(), .inputs = {const_input("x", with_nans())}, .attrs = along.attrs(),
                      .reach = Reach::ParityOnly});
  }
  argmax_entry.add({.name = "all_equal", .inputs = {const_input("x", given(std::vector<float>(3 * 77, -1.0f), {3, 77}))},
                    .attrs = Along{1, false}.attrs(), .reach = Reach::ParityOnly});
}

}  // namespace hito::testing
