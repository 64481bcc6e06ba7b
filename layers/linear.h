// Linear: y = x W^T + b, with PyTorch's default initialisation.
#pragma once

#include "engine/random.h"
#include "layers/module.h"

namespace hito {

class Linear : public Module {
 public:
  // weight (out, in) and bias (out) ~ U(-1/sqrt(in), 1/sqrt(in)): PyTorch's kaiming_uniform with
  // a = sqrt(5), which reduces to that bound.
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;  // (N, in) -> (N, out)

  int64_t in_features() const { return weight.size(1); }
  int64_t out_features() const { return weight.size(0); }

  Tensor weight, bias;  // bias undefined when built without one
};

}  // namespace hito
