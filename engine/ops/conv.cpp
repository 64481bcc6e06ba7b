// The convolution ops: conv2d (differentiable), the fused inference convolution, and BatchNorm
// folding. The arithmetic is in kernels/api/conv.inc.
#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

namespace {

ConvGeometry conv_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o,
                           const char* op) {
  check_f32(x, op);
  check_f32(weight, op);
  check_same_device(x, weight, op);
  HITO_CHECK(x.dim() == 4, op, ": expected an input (N, C, H, W), got ", x.describe());
  HITO_CHECK(weight.dim() == 4, op, ": expected a weight (K, C / groups, R, S), got ", weight.describe());
  HITO_CHECK(o.groups >= 1, op, ": groups must be >= 1, got ", o.groups);
  HITO_CHECK(o.stride.h >= 1 && o.stride.w >= 1 && o.dilation.h >= 1 && o.dilation.w >= 1 && o.padding.h >= 0 &&
                 o.padding.w >= 0,
             op, ": stride and dilation must be >= 1 and padding >= 0");
  ConvGeometry g;
  g.N = x.size(0), g.C = x.size(1), g.H = x.size(2), g.W = x.size(3);
  g.K = weight.size(0), g.R = weight.size(2), g.S = weight.size(3);
  g.stride_h = o.stride.h, g.stride_w = o.stride.w, g.pad_h = o.padding.h, g.pad_w = o.padding.w;
  g.dilation_h = o.dilation.h, g.dilation_w = o.dilation.w, g.groups = o.groups;
  HITO_CHECK(g.C % g.groups == 0 && g.K % g.groups == 0, op, ": ", g.C, " input and ", g.K,
             " output channels must both be divisible by groups = ", g.groups);
  HITO_CHECK(weight.size(1) == g.C / g.groups, op, ": weight ", weight.describe(), " does not fit an input with ",
             g.C, " channels in ", g.groups, " group(s) (expected ", g.C / g.groups, " channels per filter)");
  g.P = window_output_size(g.H, g.R, g.stride_h, g.pad_h, g.dilation_h);
  g.Q = window_output_size(g.W, g.S, g.stride_w, g.pad_w, g.dilation_w);
  HITO_CHECK(g.P >= 1 && g.Q >= 1, op, ": a ", g.R, "x", g.S, " kernel (dilation ", g.dilation_h, "x",
             g.dilation_w, ") does not fit the input ", x.describe(), " padded by ", g.pad_h, "x", g.pad_w);
  if (bias.defined()) {
    check_f32(bias, op);
    check_same_device(bias, x, op);
    HITO_CHECK(bias.dim() == 1 && bias.size(0) == g.K, op, ": expected a bias (", g.K, "), got ", bias.describe());
  }
  return g;
}

Tensor run_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& residual,
                   FusedActivation act, const ConvGeometry& g) {
  Tensor out = Tensor::empty({g.N, g.K, g.P, g.Q}, DType::F32, x.device());
  HITO_DISPATCH(x.device(), conv2d_forward, out.data<float>(), x.data<float>(), weight.data<float>(),
                data_or_null(bias), data_or_null(residual), act, g);
  return out;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  const ConvGeometry g = conv_geometry(x, weight, bias, options, "conv2d");
  Tensor out = run_forward(x, weight, bias, Tensor(), FusedActivation::None, g);
  if (needs_grad({x, weight, bias})) {
    // conv is linear in x and in weight: dx is the transposed convolution of dout, dweight the
    // correlation of dout with x, dbias the sum of dout (formulas in kernels/api/conv.inc).
    record(out, "conv2d", {x, weight, bias}, [x, weight, bias, g](const Tensor& dout) {
      Device dev = dout.device();
      Tensor dx, dweight, dbias;
      if (x.requires_grad()) {
        dx = empty_like(x);
        HITO_DISPATCH(dev, conv2d_backward_data, dx.data<float>(), dout.data<float>(), weight.data<float>(), g);
      }
      bool want_bias = bias.defined() && bias.requires_grad();
      if (weight.requires_grad() || want_bias) {
        Tensor dw = empty_like(weight);
        if (want_bias) dbias = empty_like(bias);
        HITO_DISPATCH(dev, conv2d_backward_weight, dw.data<float>(), data_or_null(dbias), dout.data<float>(),
                      x.data<float>(), g);
        if (weight.requires_grad()) dweight = dw;
      }
      return std::vector<Tensor>{dx, dweight, dbias};
    });
  }
  return out;
}

Tensor conv2d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options,
                    FusedActivation act, const Tensor& residual) {
  const ConvGeometry g = conv_geometry(x, weight, bias, options, "conv2d_fused");
  HITO_CHECK(!needs_grad({x, weight, bias, residual}),
             "conv2d_fused is for inference: use conv2d and separate ops when gradients are needed");
  if (residual.defined()) {
    check_f32(residual, "conv2d_fused (residual)");
    check_same_device(residual, x, "conv2d_fused (residual)");
    HITO_CHECK(residual.shape() == Shape({g.N, g.K, g.P, g.Q}), "conv2d_fused: residual ", residual.describe(),
               " does not match the output ", shape_str({g.N, g.K, g.P, g.Q}));
  }
  return run_forward(x, weight, bias, residual, act, g);
}

FoldedConv fold_batch_norm(const Tensor& weight, const Tensor& bias, const Tensor& bn_weight, const Tensor& bn_bias,
                           const Tensor& running_mean, const Tensor& running_var, float eps) {
  NoGradGuard no_grad;
  check_f32(weight, "fold_batch_norm (weight)");
  const int64_t K = weight.size(0);
  for (const Tensor* t : {&bias, &bn_weight, &bn_bias, &running_mean, &running_var})
    if (t->defined())
      HITO_CHECK(t->dim() == 1 && t->size(0) == K, "fold_batch_norm: expected (", K,
                 ") per-channel tensors for a weight ", weight.describe(), ", got ", t->describe());
  HITO_CHECK(running_mean.defined() && running_var.defined(), "fold_batch_norm: running statistics are required");
  Tensor scale = div(Tensor::ones({K}, weight.device()), sqrt(running_var + eps));
  if (bn_weight.defined()) scale = mul(scale, bn_weight);
  FoldedConv folded;
  Shape per_filter = weight.shape();
  std::fill(per_filter.begin() + 1, per_filter.end(), 1);
  folded.weight = mul(weight, scale.reshape(per_filter));
  Tensor centred = bias.defined() ? sub(bias, running_mean) : -running_mean;
  folded.bias = mul(centred, scale);
  if (bn_bias.defined()) folded.bias = add(folded.bias, bn_bias);
  return folded;
}

}  // namespace hito
