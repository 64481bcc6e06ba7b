// The op table's softmax family: softmax and log_softmax along every dimension (short rows, rows
// split among blocks, large logits), and cross_entropy with class weights and label smoothing.
#include "engine/ops.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

// rtol 1e-4: the CPU adds a row's exponentials one by one in float, which over 20000 values costs it
// about 1e-5 of relative accuracy (seen on an H100); the GPU's tree sum is closer.
const Tolerances kSoftmaxParity = {.out = {1e-4f, 1e-7f}, .grad = {1e-4f, 1e-6f}};
const Tolerances kLogSoftmaxParity = {.out = {1e-5f, 1e-5f}, .grad = {1e-4f, 1e-5f}};
const Tolerances kCrossEntropyParity = {.out = {1e-5f, 1e-6f}, .grad = {1e-4f, 1e-7f}};

std::string dim_name(int64_t dim) { return dim < 0 ? "dim_minus" + std::to_string(-dim) : "dim" + std::to_string(dim); }

void add_softmaxes(OpTable& table) {
  OpEntry& softmax_entry = table.op("softmax", [](const OpArgs& a) { return softmax(a["x"], a.get<int64_t>("dim")); });
  OpEntry& log_softmax_entry =
      table.op("log_softmax", [](const OpArgs& a) { return log_softmax(a["x"], a.get<int64_t>("dim")); });
  for (int64_t dim : {0, 1, 2, -1}) {
    softmax_entry.add({.name = dim_name(dim), .inputs = {grad_input("x", normal({2, 3, 4}, 3.0f))},
                       .attrs = {{"dim", dim}}, .parity = kSoftmaxParity});
    log_softmax_entry.add({.name = dim_name(dim), .inputs = {grad_input("x", normal({2, 3, 4}, 3.0f))},
                           .attrs = {{"dim", dim}}, .parity = kLogSoftmaxParity});
  }
  const Shape shapes[] = {{1, 1}, {17, 7}, {5, 1031}, {3, 4, 33}, {2, 3, 5, 7}, {2, 20000}};
  for (const Shape& shape : shapes)
    for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim) {
      std::string name = shape_name(shape) + "_" + dim_name(dim);
      softmax_entry.add({.name = name, .inputs = {grad_input("x", normal(shape, 3.0f))}, .attrs = {{"dim", dim}},
                         .reach = Reach::ParityOnly, .parity = kSoftmaxParity});
      log_softmax_entry.add({.name = name, .inputs = {grad_input("x", normal(shape, 3.0f))}, .attrs = {{"dim", dim}},
                             .reach = Reach::ParityOnly, .parity = kLogSoftmaxParity});
    }
  // Large logits stay finite.
  Values large = given(std::vector<float>{1000, 999, -1000, 0, 88, 89}, {2, 3});
  softmax_entry.add({.name = "large_logits", .inputs = {grad_input("x", large)}, .attrs = {{"dim", -1}},
                     .reach = Reach::ParityOnly});
  log_softmax_entry.add({.name = "large_logits", .inputs = {grad_input("x", large)}, .attrs = {{"dim", -1}},
                         .reach = Reach::ParityOnly});
}

// logits (N, K), target (N), class weights (K) when weighted.
OpCase cross_entropy_case(std::string name, Values logits, Values target, std::optional<Values> weight,
                          float smoothing, Reach reach) {
  OpCase c{.name = std::move(name),
           .inputs = {grad_input("logits", std::move(logits)), const_input("target", std::move(target))},
           .attrs = {{"label_smoothing", smoothing}},
           .reach = reach,
           // A smaller absolute slack than the default: the loss is a mean, its gradients small.
           .gradcheck = {.eps = 1e-2f, .rtol = 1e-2f, .atol = 1e-4f},
           .parity = kCrossEntropyParity};
  if (weight) c.inputs.push_back(const_input("weight", *weight));
  return c;
}

void add_cross_entropy(OpTable& table) {
  OpEntry& entry = table.op("cross_entropy", [](const OpArgs& a) {
    return cross_entropy(a["logits"], a["target"], {a.optional("weight"), a.get<float>("label_smoothing")});
  });
  Values target = given(std::vector<int64_t>{0, 3, 1, 3, 2, 0}, {6});
  Values weight = given(std::vector<float>{0.5f, 2.0f, 1.0f, 3.0f}, {4});
  const std::tuple<const char*, bool, float> variants[] = {
      {"plain", false, 0.0f}, {"weighted", true, 0.0f}, {"smoothed", false, 0.2f}, {"weighted_smoothed", true, 0.15f}};
  for (const auto& [name, weighted, smoothing] : variants)
    entry.add(cross_entropy_case(name, normal({6, 4}, 2.0f), target, weighted ? std::optional(weight) : std::nullopt,
                                 smoothing, Reach::All));
  const std::pair<int64_t, int64_t> sizes[] = {{1, 1}, {1, 7}, {17, 7}, {256, 7}, {33, 1031}, {5000, 3}};
  for (auto [N, K] : sizes)
    for (bool weighted : {false, true})
      for (float smoothing : {0.0f, 0.1f, 1.0f}) {
        std::string name = "N" + std::to_string(N) + "_K" + std::to_string(K) + (weighted ? "_weighted" : "") +
                           (smoothing == 0.0f ? "" : smoothing == 1.0f ? "_smoothing1" : "_smoothing0p1");
        entry.add(cross_entropy_case(name, normal({N, K}, 2.0f), labels(N, K),
                                     weighted ? std::optional(uniform({K}, 0.2f, 3.0f)) : std::nullopt, smoothing,
                                     Reach::ParityOnly));
      }
}

}  // namespace

void add_softmax_ops(OpTable& table) {
  add_softmaxes(table);
  add_cross_entropy(table);
}

}  // namespace hito::testing
