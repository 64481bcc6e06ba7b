// The op table's convolution family: conv2d with every option (stride, padding, dilation, groups,
// depthwise, pointwise, a 7x7 stem) and every code path of the CPU kernels (conv_cases.h), and max,
// average (padding counted or not) and adaptive average pooling. Max pools read distinct values:
// no ties, where the max is not differentiable.
#include "engine/ops.h"
#include "tests/support/conv_cases.h"
#include "tests/support/op_table_families.h"

namespace hito::testing {

namespace {

nlohmann::json pair(Size2 s) { return {s.h, s.w}; }
Size2 size2(const OpArgs& a, const std::string& key) {
  auto v = a.get<std::vector<int64_t>>(key);
  return {v.at(0), v.at(1)};
}

Tolerances cudnn_parity() {
  float tol = cudnn_tolerance();
  return {.out = {tol, tol}, .grad = {tol, tol}};
}

// x: (N, C, H, W), weight: (K, C / groups, R, S), bias: (K) when `bias`.
OpCase conv_case(std::string name, const Shape& x, const Shape& weight, const Conv2dOptions& options, bool bias,
                 float weight_scale, Reach reach) {
  OpCase c{.name = std::move(name),
           .inputs = {grad_input("x", normal(x), Tolerance{1e-5f, 1e-5f}), grad_input("weight", normal(weight, weight_scale))},
           .attrs = {{"stride", pair(options.stride)},
                     {"padding", pair(options.padding)},
                     {"dilation", pair(options.dilation)},
                     {"groups", options.groups}},
           .reach = reach,
           .golden = {.out = {1e-5f, 1e-5f}, .grad = {1e-5f, 1e-4f}},
           .parity = cudnn_parity()};
  if (bias) c.inputs.push_back(grad_input("bias", normal({weight[0]})));
  return c;
}

void add_conv2d(OpTable& table) {
  OpEntry& entry = table.op("conv2d", [](const OpArgs& a) {
    return conv2d(a["x"], a["weight"], a.optional("bias"),
                  {.stride = size2(a, "stride"), .padding = size2(a, "padding"), .dilation = size2(a, "dilation"),
                   .groups = a.get<int64_t>("groups")});
  });
  const ConvCase options[] = {
      {"basic", {2, 3, 7, 6}, {4, 3, 3, 3}, {.padding = 1}, true},
      {"strided", {2, 4, 9, 8}, {6, 4, 3, 2}, {.stride = {2, 3}, .padding = {1, 0}}, false},
      {"dilated", {1, 3, 10, 9}, {5, 3, 3, 3}, {.padding = 2, .dilation = 2}, true},
      {"grouped", {2, 6, 7, 7}, {9, 2, 3, 3}, {.stride = 2, .padding = 1, .groups = 3}, true},
      {"depthwise", {2, 5, 8, 7}, {5, 1, 3, 3}, {.padding = 1, .groups = 5}, true},
      {"depthwise_multiplier", {2, 3, 9, 8}, {6, 1, 3, 3}, {.stride = 2, .padding = 1, .groups = 3}, false},
      {"pointwise", {2, 8, 5, 4}, {6, 8, 1, 1}, {}, true},
      {"pointwise_strided", {2, 8, 7, 6}, {6, 8, 1, 1}, {.stride = 2}, false},
      {"stem", {1, 3, 14, 13}, {4, 3, 7, 7}, {.stride = 2, .padding = 3}, false},
      {"small_strided_dilated", {2, 3, 6, 5}, {4, 3, 3, 2}, {.stride = {2, 1}, .padding = {1, 0}, .dilation = {1, 2}}, true},
      {"small_grouped", {1, 4, 5, 5}, {6, 2, 3, 3}, {.padding = 1, .groups = 2}, true},
      {"small_depthwise", {2, 3, 6, 6}, {3, 1, 3, 3}, {.stride = 2, .padding = 1, .groups = 3}, true},
      {"small_pointwise", {2, 4, 3, 3}, {3, 4, 1, 1}, {}, false},
  };
  for (const ConvCase& c : options) entry.add(conv_case(c.name, c.x, c.weight, c.options, c.bias, 0.5f, Reach::All));
  // The first layer of a network: only the weight needs a gradient.
  OpCase first = conv_case("weight_only", {2, 3, 6, 6}, {4, 3, 3, 3}, {.padding = 1}, false, 0.5f, Reach::All);
  first.inputs[0].role = Role::Const;
  entry.add(std::move(first));
  for (const ConvCase& c : kConvCases)
    entry.add(conv_case(std::string("path_") + c.name, c.x, c.weight, c.options, c.bias, 1.0f, Reach::ParityOnly));
}

const Tolerances kPoolGolden = {.out = {1e-6f, 1e-6f}, .grad = {1e-5f, 1e-6f}};

OpCase pool_case(std::string name, Values x, const Pool2dOptions& options, std::optional<bool> count_include_pad,
                 Reach reach) {
  OpCase c{.name = std::move(name),
           .inputs = {grad_input("x", std::move(x))},
           .attrs = {{"kernel", pair(options.kernel)}, {"stride", pair(options.stride)}, {"padding", pair(options.padding)}},
           .reach = reach,
           .golden = kPoolGolden,
           .parity = cudnn_parity()};
  if (count_include_pad) c.attrs["count_include_pad"] = *count_include_pad;
  return c;
}

OpCase adaptive_case(std::string name, Values x, Size2 output, Reach reach) {
  return {.name = std::move(name),
          .inputs = {grad_input("x", std::move(x))},
          .attrs = {{"output", pair(output)}},
          .reach = reach,
          .golden = kPoolGolden,
          .parity = cudnn_parity()};
}

Pool2dOptions pool_options(const OpArgs& a) {
  Pool2dOptions o{.kernel = size2(a, "kernel"), .stride = size2(a, "stride"), .padding = size2(a, "padding")};
  if (a.has("count_include_pad")) o.count_include_pad = a.get<bool>("count_include_pad");
  return o;
}

void add_pools(OpTable& table) {
  OpEntry& max_entry = table.op("max_pool2d", [](const OpArgs& a) { return max_pool2d(a["x"], pool_options(a)); });
  OpEntry& avg_entry = table.op("avg_pool2d", [](const OpArgs& a) { return avg_pool2d(a["x"], pool_options(a)); });
  OpEntry& adaptive_entry = table.op("adaptive_avg_pool2d", [](const OpArgs& a) {
    return adaptive_avg_pool2d(a["x"], size2(a, "output"));
  });
  const Pool2dOptions k3s2p1 = {.kernel = 3, .stride = 2, .padding = 1};
  max_entry.add(pool_case("k3s2p1", distinct({2, 3, 9, 8}), k3s2p1, std::nullopt, Reach::All));
  max_entry.add(pool_case("k2", distinct({2, 3, 8, 6}), {.kernel = 2, .stride = 2}, std::nullopt, Reach::All));
  max_entry.add(pool_case("k3s2p1_7x6", distinct({2, 3, 7, 6}), k3s2p1, std::nullopt, Reach::All));
  avg_entry.add(pool_case("k3s2p1", normal({2, 3, 9, 8}), k3s2p1, true, Reach::All));
  avg_entry.add(pool_case("k3s2p1_exclude", normal({2, 3, 9, 8}), k3s2p1, false, Reach::All));
  avg_entry.add(pool_case("k2x3", normal({2, 3, 8, 9}), {.kernel = {2, 3}, .stride = {2, 3}}, true, Reach::All));
  avg_entry.add(pool_case("k3x2s2x1p1_7x6", normal({2, 3, 7, 6}), {.kernel = {3, 2}, .stride = {2, 1}, .padding = 1},
                          true, Reach::All));
  avg_entry.add(pool_case("k3s2p1_exclude_7x6", normal({2, 3, 7, 6}), k3s2p1, false, Reach::All));
  adaptive_entry.add(adaptive_case("out1", normal({2, 3, 7, 5}), 1, Reach::All));
  adaptive_entry.add(adaptive_case("out3x2", normal({2, 3, 7, 5}), {3, 2}, Reach::All));
  adaptive_entry.add(adaptive_case("out4x3_7x6", normal({2, 3, 7, 6}), {4, 3}, Reach::All));
  adaptive_entry.add(adaptive_case("out1_7x6", normal({2, 3, 7, 6}), 1, Reach::All));

  const Shape cuda = {2, 3, 11, 9};
  max_entry.add(pool_case("k3s2p1_11x9", normal(cuda), k3s2p1, std::nullopt, Reach::ParityOnly));
  max_entry.add(pool_case("k2x3s1x2_11x9", normal(cuda), {.kernel = {2, 3}, .stride = {1, 2}}, std::nullopt,
                          Reach::ParityOnly));
  avg_entry.add(pool_case("k3s2p1_11x9", normal(cuda), k3s2p1, true, Reach::ParityOnly));
  avg_entry.add(pool_case("k3s2p1_exclude_11x9", normal(cuda), k3s2p1, false, Reach::ParityOnly));
  adaptive_entry.add(adaptive_case("out1_11x9", normal(cuda), 1, Reach::ParityOnly));
  adaptive_entry.add(adaptive_case("out4x3_11x9", normal(cuda), {4, 3}, Reach::ParityOnly));
}

}  // namespace

void add_conv_ops(OpTable& table) {
  add_conv2d(table);
  add_pools(table);
}

}  // namespace hito::testing
