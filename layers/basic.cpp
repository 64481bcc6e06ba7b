// Sequential, Activation, Dropout.
#include "layers/basic.h"

#include "engine/ops.h"

namespace hito {

Sequential::Sequential(std::vector<std::shared_ptr<Module>> layers) {
  for (auto& layer : layers) add(layer);
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (auto& layer : layers_) h = layer->forward(h);
  return h;
}

Activation::Activation(UnaryOp op, float negative_slope) : op_(op), slope_(negative_slope) {}

std::shared_ptr<Activation> Activation::named(const std::string& name) {
  if (name == "relu") return std::make_shared<Activation>(UnaryOp::Relu);
  if (name == "leaky_relu") return std::make_shared<Activation>(UnaryOp::LeakyRelu);
  if (name == "relu6") return std::make_shared<Activation>(UnaryOp::Relu6);
  if (name == "gelu") return std::make_shared<Activation>(UnaryOp::Gelu);
  if (name == "sigmoid") return std::make_shared<Activation>(UnaryOp::Sigmoid);
  if (name == "tanh") return std::make_shared<Activation>(UnaryOp::Tanh);
  HITO_FAIL("unknown activation '", name, "' (relu, leaky_relu, relu6, gelu, sigmoid, tanh)");
}

Tensor Activation::forward(const Tensor& x) {
  switch (op_) {
    case UnaryOp::Relu: return relu(x);
    case UnaryOp::LeakyRelu: return leaky_relu(x, slope_);
    case UnaryOp::Relu6: return relu6(x);
    case UnaryOp::Gelu: return gelu(x);
    case UnaryOp::Sigmoid: return sigmoid(x);
    case UnaryOp::Tanh: return tanh(x);
    default: HITO_FAIL("Activation: unsupported op");
  }
}

Dropout::Dropout(float p) : p_(p) {
  HITO_CHECK(p >= 0.0f && p < 1.0f, "Dropout: p must be in [0, 1), got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training()); }

}  // namespace hito
