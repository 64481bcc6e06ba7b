// Conv2d with PyTorch's parameters (weight (K, C / groups, R, S), bias (K)) and default
// initialisation, and ConvBnAct: a convolution, its BatchNorm and an optional ReLU/ReLU6 under
// torchvision's names ("0" the convolution, "1" the BatchNorm, as Conv2dNormActivation), which runs
// as one fused convolution at inference (BatchNorm folded in, bias, residual and activation applied
// in the same pass over the output).
#pragma once

#include <memory>

#include "engine/ops.h"
#include "engine/random.h"
#include "layers/module.h"
#include "layers/norm.h"

namespace hito {

class Conv2d : public Module {
 public:
  // weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C / groups * R * S (PyTorch's
  // kaiming_uniform with a = sqrt(5)).
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel, Conv2dOptions options = {}, bool bias = true,
         Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;  // (N, C, H, W) -> (N, K, P, Q)

  int64_t in_channels() const { return weight.size(1) * options.groups; }
  int64_t out_channels() const { return weight.size(0); }

  Tensor weight, bias;  // bias undefined when built without one
  Conv2dOptions options;
};

// torchvision's initialisation of CNN convolutions: weight ~ N(0, 2 / fan_out), fan_out = K * R * S
// (kaiming_normal_ with mode "fan_out" for ReLU), bias zero.
void kaiming_normal_fan_out_(Conv2d& conv, Generator& gen);

// act(bn(conv(x)) + residual), residual (the output's shape) optional. Fused into one convolution
// with the BatchNorm folded into its weights when the BatchNorm uses running statistics (eval mode)
// and no input or parameter needs a gradient; otherwise conv2d, batch_norm, add and the activation
// run as separate, differentiable ops.
Tensor conv_bn_act(Conv2d& conv, BatchNorm& bn, const Tensor& x, FusedActivation act,
                   const Tensor& residual = Tensor());

class ConvBnAct : public Module {
 public:
  // A bias-free convolution with "same" padding ((kernel - 1) / 2), its BatchNorm, then act.
  ConvBnAct(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride, int64_t groups,
            FusedActivation act, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override { return conv_bn_act(*conv, *bn, x, act); }

  std::shared_ptr<Conv2d> conv;
  std::shared_ptr<BatchNorm> bn;
  FusedActivation act;
};

}  // namespace hito
