// Seeded weights (the rule is in tests/scripts/make_conv_fixtures.py).
#include "tests/models/seeded_weights.h"

#include <cmath>
#include <utility>
#include <vector>

#include "kernels/kernel_types.h"

namespace hito::testing {

namespace {
uint64_t fnv1a64(const std::string& text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char byte : text) h = (h ^ byte) * 0x100000001B3ull;
  return h;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// (center, half_width) by the kind of tensor.
std::pair<double, double> value_range(const std::string& name, const Shape& shape) {
  if (ends_with(name, "running_mean")) return {0.0, 0.1};
  if (ends_with(name, "running_var")) return {1.0, 0.5};
  if (shape.size() == 4) return {0.0, std::sqrt(6.0 / double(shape[1] * shape[2] * shape[3]))};
  if (shape.size() == 2) return {0.0, 1.0 / std::sqrt(double(shape[1]))};
  if (ends_with(name, ".weight")) return {0.5, 0.25};
  return {0.0, 0.1};
}
}  // namespace

Tensor seeded_tensor(const std::string& name, const Shape& shape, float center, float half_width) {
  const uint64_t seed = fnv1a64(name);
  std::vector<float> values(shape_numel(shape));
  for (size_t i = 0; i < values.size(); ++i) {
    float u = uniform_from_counter(seed, i);
    values[i] = (2.0f * u - 1.0f) * half_width + center;
  }
  return Tensor::from_vector(values, shape);
}

NamedTensors seeded_state_dict(const Module& module) {
  NamedTensors out;
  for (const auto& [name, tensor] : module.state_dict()) {
    if (tensor.dtype() != DType::F32) {
      out.emplace_back(name, Tensor::zeros(tensor.shape(), tensor.dtype()));
      continue;
    }
    auto [center, half_width] = value_range(name, tensor.shape());
    out.emplace_back(name, seeded_tensor(name, tensor.shape(), static_cast<float>(center), static_cast<float>(half_width)));
  }
  return out;
}

}  // namespace hito::testing
