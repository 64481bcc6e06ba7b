// Linear layer.
#include "layers/linear.h"

#include <cmath>

#include "engine/ops.h"

namespace hito {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, Generator& gen) {
  HITO_CHECK(in_features > 0 && out_features > 0, "Linear(", in_features, ", ", out_features, "): sizes must be positive");
  float bound = 1.0f / std::sqrt(static_cast<float>(in_features));
  weight = register_parameter("weight", uniform_tensor({out_features, in_features}, -bound, bound, gen));
  if (with_bias) bias = register_parameter("bias", uniform_tensor({out_features}, -bound, bound, gen));
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

}  // namespace hito
