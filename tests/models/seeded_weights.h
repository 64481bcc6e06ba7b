// Seeded weights: every value of a state dict derived from its tensor's name, identically here and
// in tests/scripts/make_conv_fixtures.py (which documents the rule), so that the golden model tests
// need to store only PyTorch's outputs, not the weights (ResNet-50's are 100 MB).
#pragma once

#include <string>

#include "layers/module.h"

namespace hito::testing {

// Element i = center + half_width * (2u - 1), u = uniform_from_counter(fnv1a64(name), i).
Tensor seeded_tensor(const std::string& name, const Shape& shape, float center, float half_width);
// The module's state dict (names, shapes, dtypes) filled by the script's value-range rule.
NamedTensors seeded_state_dict(const Module& module);

}  // namespace hito::testing
