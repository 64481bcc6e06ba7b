// Module bookkeeping: names, recursion over children, train/eval, device moves.
#include "layers/module.h"

namespace hito {

Tensor Module::forward(const Tensor&) { HITO_FAIL("this module does not take a single tensor input"); }

Tensor Module::register_parameter(std::string name, Tensor value) {
  value.set_requires_grad(true);
  parameters_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  buffers_.emplace_back(std::move(name), value);
  return value;
}

void Module::collect(const std::string& prefix, bool parameters, NamedTensors& out) const {
  for (const auto& [name, tensor] : parameters ? parameters_ : buffers_) out.emplace_back(prefix + name, tensor);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", parameters, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", true, out);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", false, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, tensor] : named_parameters()) out.push_back(tensor);
  return out;
}

std::vector<Tensor> Module::trainable_parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, tensor] : named_parameters())
    if (tensor.requires_grad()) out.push_back(tensor);
  return out;
}

NamedTensors Module::state_dict() const {
  NamedTensors out = named_parameters();
  for (auto& entry : named_buffers()) out.push_back(entry);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::to(Device device) {
  // Integer buffers (BatchNorm's num_batches_tracked) are host-side bookkeeping: they stay on the
  // CPU, so that counting a batch never waits for the GPU.
  for (auto& [name, tensor] : state_dict())
    if (tensor.dtype() == DType::F32) tensor.move_to_(device);
}

void Module::zero_grad() {
  for (auto& [name, tensor] : named_parameters()) tensor.clear_grad();
}

int Module::set_requires_grad(const std::string& prefix, bool on) {
  int changed = 0;
  for (auto& [name, tensor] : named_parameters())
    if (name.rfind(prefix, 0) == 0) {
      tensor.set_requires_grad(on);
      ++changed;
    }
  return changed;
}

}  // namespace hito
