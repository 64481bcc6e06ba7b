// The op table's normalisations: batch_norm on (N, C), (N, C, L) and (N, C, H, W) in training
// (batch statistics; the running statistics, State inputs, move) and eval mode, with and without
// the affine transform and running statistics, channels split among blocks, a channel far from
// zero; and layer_norm over the last dimension, with and without its affine transform.
#include "engine/ops.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

const Tolerances kBatchNormGolden = {.out = {1e-5f, 1e-5f}, .grad = {1e-5f, 1e-5f}, .state = {1e-5f, 1e-6f}};
const Tolerance kInputGradGolden = {1e-4f, 1e-5f};  // dx sums more terms than dweight and dbias
const Tolerances kBatchNormParity = {.out = {1e-4f, 1e-5f}, .grad = {1e-3f, 1e-5f}, .state = {1e-5f, 1e-6f}};

std::string mode(bool training) { return training ? "train" : "eval"; }

// x: `shape`; weight, bias: (C) when affine; running statistics: (C) when tracked.
OpCase batch_norm_case(std::string name, const Shape& shape, Values x, bool training, bool affine, bool running,
                       Reach reach) {
  int64_t C = shape[1];
  OpCase c{.name = std::move(name),
           .inputs = {grad_input("x", std::move(x), kInputGradGolden)},
           .attrs = {{"training", training}, {"momentum", 0.1f}, {"eps", 1e-5f}},
           .reach = reach,
           .golden = kBatchNormGolden,
           .parity = kBatchNormParity};
  if (affine) {
    c.inputs.push_back(grad_input("weight", uniform({C}, 0.5f, 1.5f)));
    c.inputs.push_back(grad_input("bias", normal({C})));
  }
  if (running) {
    c.inputs.push_back(state_input("running_mean", normal({C})));
    c.inputs.push_back(state_input("running_var", uniform({C}, 0.5f, 2.0f)));
  }
  return c;
}

void add_batch_norm(OpTable& table) {
  OpEntry& entry = table.op("batch_norm", [](const OpArgs& a) {
    return batch_norm(a["x"], a.optional("weight"), a.optional("bias"), a.optional("running_mean"),
                      a.optional("running_var"), a.get<bool>("training"), a.get<float>("momentum"), a.get<float>("eps"));
  });
  for (const Shape& shape : {Shape{6, 3}, Shape{2, 3, 5}, Shape{3, 2, 2, 3}, Shape{3, 2, 4, 3}}) {
    std::string name = shape_name(shape);
    for (bool training : {true, false})
      entry.add(batch_norm_case(name + "_" + mode(training), shape, normal(shape), training, true, true, Reach::All));
    // Without the affine transform and running statistics: batch statistics in both modes.
    entry.add(batch_norm_case(name + "_plain", shape, normal(shape), false, false, false, Reach::All));
  }
  const Shape cuda_shapes[] = {{2, 1}, {17, 3}, {256, 64}, {4, 6, 33}, {8, 16, 13, 11}, {32, 8, 56, 56}};
  for (const Shape& shape : cuda_shapes)
    for (bool training : {true, false})
      for (bool affine : {true, false})
        entry.add(batch_norm_case(shape_name(shape) + "_" + mode(training) + (affine ? "_affine" : ""), shape,
                                  normal(shape, 2.0f, 0.5f), training, affine, true, Reach::ParityOnly));
  for (bool training : {true, false}) {
    const Shape shape = {16, 5, 7, 3};
    OpCase c = batch_norm_case("untracked_" + mode(training), shape, normal(shape), training, false, false,
                               Reach::ParityOnly);
    c.inputs.push_back(grad_input("weight", normal({5})));
    c.inputs.push_back(grad_input("bias", normal({5})));
    entry.add(std::move(c));
  }
  // Mean 1000, standard deviation 0.1: the variance must not drown in cancellation.
  OpCase far = batch_norm_case("far_from_zero", {64, 4, 9, 9}, normal({64, 4, 9, 9}, 0.1f, 1000.0f), true, false,
                               false, Reach::ParityOnly);
  far.parity = {.out = {1e-3f, 1e-3f}, .grad = {1e-2f, 1e-2f}};
  entry.add(std::move(far));
}

// x: `shape`; weight (drawn by `weight` when given) and bias: (D), the last dimension.
OpCase layer_norm_case(std::string name, const Shape& shape, Values x, std::optional<Values> weight, Reach reach) {
  int64_t D = shape.back();
  OpCase c{.name = std::move(name) + (weight ? "_affine" : "_plain"),
           .inputs = {grad_input("x", std::move(x), kInputGradGolden)},
           .attrs = {{"eps", 1e-5f}},
           .reach = reach,
           .golden = {.out = {1e-5f, 1e-5f}, .grad = {1e-5f, 1e-5f}},
           .parity = {.out = {1e-4f, 1e-5f}, .grad = {1e-3f, 1e-4f}}};
  if (weight) {
    c.inputs.push_back(grad_input("weight", *weight));
    c.inputs.push_back(grad_input("bias", normal({D})));
  }
  return c;
}

void add_layer_norm(OpTable& table) {
  OpEntry& entry = table.op("layer_norm", [](const OpArgs& a) {
    return layer_norm(a["x"], a.optional("weight"), a.optional("bias"), a.get<float>("eps"));
  });
  const Shape small = {2, 3, 5};
  for (bool affine : {true, false})
    entry.add(layer_norm_case("small", small, normal(small, 3.0f, 1.0f),
                              affine ? std::optional(uniform({5}, 0.5f, 1.5f)) : std::nullopt, Reach::All));
  const Shape cuda_shapes[] = {{1, 1}, {17, 7}, {256, 64}, {3, 4, 1031}, {5, 5000}, {2000, 3}};
  for (const Shape& shape : cuda_shapes)
    for (bool affine : {true, false})
      entry.add(layer_norm_case(shape_name(shape), shape, normal(shape, 3.0f, -1.0f),
                                affine ? std::optional(normal({shape.back()})) : std::nullopt, Reach::ParityOnly));
}

}  // namespace

void add_norm_ops(OpTable& table) {
  add_batch_norm(table);
  add_layer_norm(table);
}

}  // namespace hito::testing
