// Parameter-free layers and containers: Sequential, Activation, Dropout, Flatten.
#pragma once

#include <memory>
#include <vector>

#include "kernels/kernel_types.h"
#include "layers/module.h"

namespace hito {

// Applies its children in order; they are named "0", "1", ... as in torch.nn.Sequential.
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> layers);
  template <class M>
  std::shared_ptr<M> add(std::shared_ptr<M> layer) {
    layers_.push_back(layer);
    return register_module(std::to_string(layers_.size() - 1), layer);
  }
  Tensor forward(const Tensor& x) override;
  size_t size() const { return layers_.size(); }
  const std::shared_ptr<Module>& operator[](size_t i) const { return layers_.at(i); }

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

// An elementwise activation: relu, leaky_relu, relu6, gelu, sigmoid, tanh.
class Activation : public Module {
 public:
  explicit Activation(UnaryOp op, float negative_slope = 0.01f);
  // "relu", "leaky_relu", "relu6", "gelu", "sigmoid", "tanh"
  static std::shared_ptr<Activation> named(const std::string& name);
  Tensor forward(const Tensor& x) override;
  UnaryOp op() const { return op_; }
  float negative_slope() const { return slope_; }

 private:
  UnaryOp op_;
  float slope_;
};

class Dropout : public Module {
 public:
  explicit Dropout(float p = 0.5f);
  Tensor forward(const Tensor& x) override;  // identity in eval mode

 private:
  float p_;
};

// (N, d1, d2, ...) -> (N, d1*d2*...)
class Flatten : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x.flatten(1); }
};

}  // namespace hito
