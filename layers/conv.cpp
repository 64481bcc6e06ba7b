// Conv2d, the conv + BatchNorm + activation block and its fused inference path.
#include "layers/conv.h"

#include <cmath>

#include "engine/autograd.h"

namespace hito {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel, Conv2dOptions options_, bool with_bias,
               Generator& gen)
    : options(options_) {
  HITO_CHECK(in_channels > 0 && out_channels > 0 && kernel.h > 0 && kernel.w > 0 && options.groups > 0,
             "Conv2d(", in_channels, ", ", out_channels, ", ", kernel.h, "x", kernel.w, "): sizes must be positive");
  HITO_CHECK(in_channels % options.groups == 0 && out_channels % options.groups == 0, "Conv2d: ", in_channels,
             " input and ", out_channels, " output channels must be divisible by groups = ", options.groups);
  const int64_t per_group = in_channels / options.groups;
  const float bound = 1.0f / std::sqrt(static_cast<float>(per_group * kernel.h * kernel.w));
  weight = register_parameter("weight", uniform_tensor({out_channels, per_group, kernel.h, kernel.w}, -bound, bound, gen));
  if (with_bias) bias = register_parameter("bias", uniform_tensor({out_channels}, -bound, bound, gen));
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, options); }

void kaiming_normal_fan_out_(Conv2d& conv, Generator& gen) {
  const Shape& shape = conv.weight.shape();
  const float std = std::sqrt(2.0f / static_cast<float>(shape[0] * shape[2] * shape[3]));
  conv.weight.copy_(normal_tensor(shape, 0.0f, std, gen));
  if (conv.bias.defined()) conv.bias.zero_();
}

namespace {
Tensor activate(const Tensor& x, FusedActivation act) {
  switch (act) {
    case FusedActivation::Relu: return relu(x);
    case FusedActivation::Relu6: return relu6(x);
    case FusedActivation::None: break;
  }
  return x;
}
}  // namespace

Tensor conv_bn_act(Conv2d& conv, BatchNorm& bn, const Tensor& x, FusedActivation act, const Tensor& residual) {
  bool fusable = !bn.is_training() && bn.running_mean.defined() &&
                 !needs_grad({x, conv.weight, conv.bias, bn.weight, bn.bias, residual});
  if (fusable) {
    FoldedConv folded =
        fold_batch_norm(conv.weight, conv.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.eps);
    return conv2d_fused(x, folded.weight, folded.bias, conv.options, act, residual);
  }
  Tensor y = bn(conv(x));
  if (residual.defined()) y = y + residual;
  return activate(y, act);
}

ConvBnAct::ConvBnAct(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride, int64_t groups,
                     FusedActivation act_, Generator& gen)
    : act(act_) {
  Conv2dOptions options{.stride = stride, .padding = (kernel - 1) / 2, .groups = groups};
  conv = register_module("0", std::make_shared<Conv2d>(in_channels, out_channels, kernel, options, false, gen));
  bn = register_module("1", std::make_shared<BatchNorm>(out_channels));
}

}  // namespace hito
