// Pooling layers (no parameters): MaxPool2d, AvgPool2d and AdaptiveAvgPool2d, as in PyTorch.
// Flatten is in layers/basic.h.
#pragma once

#include "engine/ops.h"
#include "layers/module.h"

namespace hito {

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Pool2dOptions options) : options_(options) {}
  Tensor forward(const Tensor& x) override { return max_pool2d(x, options_); }
  const Pool2dOptions& options() const { return options_; }

 private:
  Pool2dOptions options_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Pool2dOptions options) : options_(options) {}
  Tensor forward(const Tensor& x) override { return avg_pool2d(x, options_); }
  const Pool2dOptions& options() const { return options_; }

 private:
  Pool2dOptions options_;
};

// (N, C, H, W) -> (N, C, output.h, output.w); output 1 is the global average pool.
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output = 1) : output_(output) {}
  Tensor forward(const Tensor& x) override { return adaptive_avg_pool2d(x, output_); }
  Size2 output() const { return output_; }

 private:
  Size2 output_;
};

}  // namespace hito
