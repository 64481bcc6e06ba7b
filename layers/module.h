// Module: the base of every layer and model. It owns parameters, buffers and child modules under
// PyTorch's names ("layer1.0.conv1.weight", "bn1.running_mean"), so state dicts match torchvision's,
// and it contains no gradient math: layers call ops, and autograd does the rest.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor.h"

namespace hito {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  virtual ~Module() = default;

  // The module's computation on one input. Modules with other signatures define their own
  // forward and leave this one throwing.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  // Parameters and buffers of this module and all its children, in registration order, with
  // dotted names.
  NamedTensors named_parameters() const;
  NamedTensors named_buffers() const;
  std::vector<Tensor> parameters() const;
  // Parameters that currently require grad (what an optimizer should update).
  std::vector<Tensor> trainable_parameters() const;
  // Parameters then buffers: what save_state_dict writes.
  NamedTensors state_dict() const;

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Moves every f32 parameter and buffer, in place (handles held by layers follow); integer
  // bookkeeping buffers stay on the host.
  void to(Device device);
  void zero_grad();
  // Sets requires_grad of every parameter whose name starts with `prefix` ("" = all); returns how
  // many were changed. Freezing for fine-tuning: set_requires_grad("features.", false).
  int set_requires_grad(const std::string& prefix, bool on);

 protected:
  // Registration, for constructors. Parameters are made to require grad.
  Tensor register_parameter(std::string name, Tensor value);
  Tensor register_buffer(std::string name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
    children_.emplace_back(std::move(name), child);
    return child;
  }

 private:
  void collect(const std::string& prefix, bool parameters, NamedTensors& out) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace hito
