// ONNX nodes of the layers (first) and of the blocks and networks built from them (after).
#include "onnx/network_nodes.h"

#include <cxxabi.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "layers/basic.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/norm.h"
#include "layers/pool.h"
#include "models/mobilenet_v2.h"
#include "models/resnet.h"
#include "models/small_cnn.h"

namespace hito::onnx {

namespace {

Attribute ints(const std::string& name, std::vector<int64_t> values) { return {name, std::move(values)}; }
Attribute integer(const std::string& name, int64_t value) { return {name, value}; }

// "hito::LayerNorm" for an error message.
std::string type_name(const Module& module) {
  const char* mangled = typeid(module).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : mangled;
}

// ---- layers ----

std::string linear_nodes(OnnxGraph& g, const Linear& linear, const std::string& x) {
  std::vector<std::string> inputs = {x, g.tensor(linear.weight)};
  if (linear.bias.defined()) inputs.push_back(g.tensor(linear.bias));
  return g.node("Gemm", inputs, {integer("transB", 1)});  // x W^T + b
}

std::string conv_nodes(OnnxGraph& g, const Conv2d& conv, const std::string& x) {
  const Conv2dOptions& o = conv.options;
  std::vector<std::string> inputs = {x, g.tensor(conv.weight)};
  if (conv.bias.defined()) inputs.push_back(g.tensor(conv.bias));
  return g.node("Conv", inputs,
                {ints("kernel_shape", {conv.weight.size(2), conv.weight.size(3)}),
                 ints("strides", {o.stride.h, o.stride.w}),
                 ints("pads", {o.padding.h, o.padding.w, o.padding.h, o.padding.w}),
                 ints("dilations", {o.dilation.h, o.dilation.w}), integer("group", o.groups)});
}

// Eval mode: (x - running_mean) / sqrt(running_var + eps) * weight + bias over channel dimension 1.
std::string batch_norm_nodes(OnnxGraph& g, const BatchNorm& bn, const std::string& x) {
  const int64_t channels = bn.running_mean.numel();
  const std::string scale = bn.weight.defined() ? g.tensor(bn.weight) : g.constant(std::vector<float>(channels, 1.0f), {channels});
  const std::string shift = bn.bias.defined() ? g.tensor(bn.bias) : g.constant(std::vector<float>(channels, 0.0f), {channels});
  return g.node("BatchNormalization", {x, scale, shift, g.tensor(bn.running_mean), g.tensor(bn.running_var)},
                {{"epsilon", bn.eps}});
}

std::string relu6_nodes(OnnxGraph& g, const std::string& x) {
  return g.node("Clip", {x, g.constant(std::vector<float>{0.0f}, {}), g.constant(std::vector<float>{6.0f}, {})});
}

// x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (opset 13 has no Gelu operator).
std::string gelu_nodes(OnnxGraph& g, const std::string& x) {
  const std::string scaled = g.node("Mul", {x, g.constant(std::vector<float>{static_cast<float>(M_SQRT1_2)}, {})});
  const std::string one_plus = g.node("Add", {g.node("Erf", {scaled}), g.constant(std::vector<float>{1.0f}, {})});
  return g.node("Mul", {g.node("Mul", {x, one_plus}), g.constant(std::vector<float>{0.5f}, {})});
}

std::string activation_nodes(OnnxGraph& g, const Activation& activation, const std::string& x) {
  switch (activation.op()) {
    case UnaryOp::Relu: return g.node("Relu", {x});
    case UnaryOp::LeakyRelu: return g.node("LeakyRelu", {x}, {{"alpha", activation.negative_slope()}});
    case UnaryOp::Relu6: return relu6_nodes(g, x);
    case UnaryOp::Gelu: return gelu_nodes(g, x);
    case UnaryOp::Sigmoid: return g.node("Sigmoid", {x});
    case UnaryOp::Tanh: return g.node("Tanh", {x});
    default: HITO_FAIL("ONNX export: activation ", static_cast<int>(activation.op()), " has no ONNX nodes here");
  }
}

std::string fused_activation_nodes(OnnxGraph& g, FusedActivation act, const std::string& x) {
  switch (act) {
    case FusedActivation::None: return x;
    case FusedActivation::Relu: return g.node("Relu", {x});
    case FusedActivation::Relu6: return relu6_nodes(g, x);
  }
  HITO_FAIL("ONNX export: unknown fused activation");
}

std::vector<Attribute> pool_attributes(const Pool2dOptions& o) {
  const Size2 stride = o.stride.h == 0 && o.stride.w == 0 ? o.kernel : o.stride;
  return {ints("kernel_shape", {o.kernel.h, o.kernel.w}), ints("strides", {stride.h, stride.w}),
          ints("pads", {o.padding.h, o.padding.w, o.padding.h, o.padding.w})};
}

// ---- blocks ----

// act(bn(conv(x)) + residual); residual empty: none.
std::string conv_bn_act_nodes(OnnxGraph& g, const Conv2d& conv, const BatchNorm& bn, const std::string& x,
                              FusedActivation act, const std::string& residual = "") {
  std::string h = batch_norm_nodes(g, bn, conv_nodes(g, conv, x));
  if (!residual.empty()) h = g.node("Add", {h, residual});
  return fused_activation_nodes(g, act, h);
}

std::string identity_nodes(OnnxGraph& g, const std::shared_ptr<Downsample>& downsample, const std::string& x) {
  return downsample ? conv_bn_act_nodes(g, *downsample->conv, *downsample->bn, x, FusedActivation::None) : x;
}

std::string basic_block_nodes(OnnxGraph& g, const BasicBlock& b, const std::string& x) {
  const std::string identity = identity_nodes(g, b.downsample, x);
  const std::string h = conv_bn_act_nodes(g, *b.conv1, *b.bn1, x, FusedActivation::Relu);
  return conv_bn_act_nodes(g, *b.conv2, *b.bn2, h, FusedActivation::Relu, identity);
}

std::string bottleneck_nodes(OnnxGraph& g, const Bottleneck& b, const std::string& x) {
  const std::string identity = identity_nodes(g, b.downsample, x);
  std::string h = conv_bn_act_nodes(g, *b.conv1, *b.bn1, x, FusedActivation::Relu);
  h = conv_bn_act_nodes(g, *b.conv2, *b.bn2, h, FusedActivation::Relu);
  return conv_bn_act_nodes(g, *b.conv3, *b.bn3, h, FusedActivation::Relu, identity);
}

std::string inverted_residual_nodes(OnnxGraph& g, const InvertedResidual& b, const std::string& x) {
  std::string h = x;
  for (const auto& part : b.expand_and_depthwise) h = conv_bn_act_nodes(g, *part->conv, *part->bn, h, part->act);
  return conv_bn_act_nodes(g, *b.project, *b.project_bn, h, FusedActivation::None, b.residual ? x : "");
}

}  // namespace

std::string module_nodes(OnnxGraph& g, const Module& m, const std::string& x) {
  if (const auto* seq = dynamic_cast<const Sequential*>(&m)) {
    std::string h = x;
    for (size_t i = 0; i < seq->size(); ++i) h = module_nodes(g, *(*seq)[i], h);
    return h;
  }
  if (const auto* linear = dynamic_cast<const Linear*>(&m)) return linear_nodes(g, *linear, x);
  if (const auto* conv = dynamic_cast<const Conv2d*>(&m)) return conv_nodes(g, *conv, x);
  if (const auto* bn = dynamic_cast<const BatchNorm*>(&m)) return batch_norm_nodes(g, *bn, x);
  if (const auto* activation = dynamic_cast<const Activation*>(&m)) return activation_nodes(g, *activation, x);
  if (dynamic_cast<const Dropout*>(&m)) return x;  // identity in eval mode
  if (dynamic_cast<const Flatten*>(&m)) return g.node("Flatten", {x}, {integer("axis", 1)});
  if (const auto* pool = dynamic_cast<const MaxPool2d*>(&m)) return g.node("MaxPool", {x}, pool_attributes(pool->options()));
  if (const auto* pool = dynamic_cast<const AvgPool2d*>(&m)) {
    std::vector<Attribute> attributes = pool_attributes(pool->options());
    attributes.push_back(integer("count_include_pad", pool->options().count_include_pad ? 1 : 0));
    return g.node("AveragePool", {x}, attributes);
  }
  if (const auto* pool = dynamic_cast<const AdaptiveAvgPool2d*>(&m)) {
    HITO_CHECK(pool->output().h == 1 && pool->output().w == 1,
               "ONNX export: only the global AdaptiveAvgPool2d (output 1) has ONNX nodes here");
    return g.node("GlobalAveragePool", {x});
  }
  if (const auto* block = dynamic_cast<const ConvBnAct*>(&m))
    return conv_bn_act_nodes(g, *block->conv, *block->bn, x, block->act);
  if (const auto* block = dynamic_cast<const BasicBlock*>(&m)) return basic_block_nodes(g, *block, x);
  if (const auto* block = dynamic_cast<const Bottleneck*>(&m)) return bottleneck_nodes(g, *block, x);
  if (const auto* block = dynamic_cast<const InvertedResidual*>(&m)) return inverted_residual_nodes(g, *block, x);
  if (const auto* mlp = dynamic_cast<const Mlp*>(&m)) return linear_nodes(g, mlp->head(), mlp_features_nodes(g, *mlp, x));
  HITO_FAIL("ONNX export: no ONNX nodes for a ", type_name(m));
}

std::string mlp_features_nodes(OnnxGraph& g, const Mlp& mlp, const std::string& x) {
  return module_nodes(g, mlp.hidden(), x);
}

std::string tabular_nodes(OnnxGraph& g, const TabularModel& model, const std::string& numeric, const std::string& codes) {
  std::vector<std::string> parts;
  if (!numeric.empty()) parts.push_back(numeric);
  for (size_t c = 0; c < model.embeddings().size(); ++c) {
    // codes[:, c] (N,) looked up in table c: (N, dim).
    const std::string column =
        g.node("Gather", {codes, g.constant(std::vector<int64_t>{static_cast<int64_t>(c)}, {})}, {integer("axis", 1)});
    parts.push_back(g.node("Gather", {g.tensor(model.embeddings()[c]->weight), column}, {integer("axis", 0)}));
  }
  HITO_CHECK(!parts.empty(), "ONNX export: the tabular model has no inputs");
  const std::string x = parts.size() == 1 ? parts[0] : g.node("Concat", parts, {integer("axis", 1)});
  return module_nodes(g, model.mlp(), x);
}

std::string feature_map_nodes(OnnxGraph& g, const ImageClassifier& network, const std::string& x) {
  if (const auto* resnet = dynamic_cast<const ResNet*>(&network)) {
    std::string h = conv_bn_act_nodes(g, *resnet->conv1, *resnet->bn1, x, FusedActivation::Relu);
    h = g.node("MaxPool", {h}, pool_attributes(ResNet::stem_pool()));
    for (const auto& layer : resnet->layers) h = module_nodes(g, *layer, h);
    return h;
  }
  if (const auto* mobilenet = dynamic_cast<const MobileNetV2*>(&network)) return module_nodes(g, *mobilenet->features, x);
  if (const auto* cnn = dynamic_cast<const SmallCnn*>(&network)) return module_nodes(g, *cnn->features, x);
  HITO_FAIL("ONNX export: no ONNX nodes for the feature map of a ", type_name(network));
}

void classifier_outputs(OnnxGraph& g, const std::string& logits, int64_t classes) {
  g.node("Identity", {logits}, {}, "logits");
  g.node("Softmax", {logits}, {integer("axis", 1)}, "probabilities");
  g.output("logits", ElemType::Float, {-1, classes});
  g.output("probabilities", ElemType::Float, {-1, classes});
}

std::string pooled_features_nodes(OnnxGraph& g, const ImageClassifier& network, const std::string& x) {
  return g.node("Flatten", {g.node("GlobalAveragePool", {feature_map_nodes(g, network, x)})}, {integer("axis", 1)});
}

}  // namespace hito::onnx
