// Normalisation ops: batch norm (1-d and 2-d, training and eval) and layer norm.
#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

namespace {
void check_channel_vector(const Tensor& t, int64_t C, const char* what, const Tensor& x) {
  if (!t.defined()) return;
  check_f32(t, what);
  check_same_device(t, x, what);
  HITO_CHECK(t.dim() == 1 && t.size(0) == C, what, ": expected (", C, "), got ", t.describe());
}
}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, float momentum, float eps) {
  check_f32(x, "batch_norm (input)");
  HITO_CHECK(x.dim() >= 2 && x.dim() <= 4, "batch_norm: expected (N, C), (N, C, L) or (N, C, H, W), got ",
             x.describe());
  int64_t N = x.size(0), C = x.size(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  check_channel_vector(weight, C, "batch_norm (weight)", x);
  check_channel_vector(bias, C, "batch_norm (bias)", x);
  check_channel_vector(running_mean, C, "batch_norm (running_mean)", x);
  check_channel_vector(running_var, C, "batch_norm (running_var)", x);
  HITO_CHECK(running_mean.defined() == running_var.defined(), "batch_norm: give both running statistics or neither");
  bool batch_statistics = training || !running_mean.defined();
  HITO_CHECK(!batch_statistics || N * S > 1, "batch_norm: need more than one value per channel when training, got ",
             x.describe());
  Device dev = x.device();
  Tensor out = empty_like(x);
  Tensor save_mean = Tensor::empty({C}, DType::F32, dev), save_invstd = Tensor::empty({C}, DType::F32, dev);
  if (batch_statistics) {
    float* rm = training ? data_or_null(running_mean) : nullptr;
    float* rv = training ? data_or_null(running_var) : nullptr;
    HITO_DISPATCH(dev, batch_norm_forward_train, out.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                  rm, rv, x.data<float>(), data_or_null(weight), data_or_null(bias), momentum, eps, N, C, S);
  } else {
    HITO_DISPATCH(dev, batch_norm_forward_eval, out.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                  x.data<float>(), running_mean.data<float>(), running_var.data<float>(), data_or_null(weight),
                  data_or_null(bias), eps, N, C, S);
  }
  if (needs_grad({x, weight, bias})) {
    // The formulas are in kernels/api/norm.inc; with frozen statistics the op is affine per channel.
    record(out, "batch_norm", {x, weight, bias},
           [x, weight, bias, save_mean, save_invstd, batch_statistics, N, C, S](const Tensor& g) {
             Device dev = g.device();
             Tensor dx = empty_like(x);
             bool want_w = weight.defined() && weight.requires_grad(), want_b = bias.defined() && bias.requires_grad();
             Tensor dw = want_w ? empty_like(weight) : Tensor(), db = want_b ? empty_like(bias) : Tensor();
             HITO_DISPATCH(dev, batch_norm_backward, dx.data<float>(), data_or_null(dw), data_or_null(db),
                           g.data<float>(), x.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                           data_or_null(weight), batch_statistics, N, C, S);
             return std::vector<Tensor>{x.requires_grad() ? dx : Tensor(), dw, db};
           });
  }
  return out;
}

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
  check_f32(x, "layer_norm (input)");
  HITO_CHECK(x.dim() >= 1, "layer_norm of a scalar");
  int64_t D = x.size(-1), N = x.numel() / std::max<int64_t>(D, 1);
  check_channel_vector(weight, D, "layer_norm (weight)", x);
  check_channel_vector(bias, D, "layer_norm (bias)", x);
  Device dev = x.device();
  Tensor out = empty_like(x);
  Tensor save_mean = Tensor::empty({N}, DType::F32, dev), save_invstd = Tensor::empty({N}, DType::F32, dev);
  HITO_DISPATCH(dev, layer_norm_forward, out.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                x.data<float>(), data_or_null(weight), data_or_null(bias), eps, N, D);
  if (needs_grad({x, weight, bias})) {
    record(out, "layer_norm", {x, weight, bias}, [x, weight, bias, save_mean, save_invstd, N, D](const Tensor& g) {
      Tensor dx = empty_like(x);
      bool want_w = weight.defined() && weight.requires_grad(), want_b = bias.defined() && bias.requires_grad();
      Tensor dw = want_w ? empty_like(weight) : Tensor(), db = want_b ? empty_like(bias) : Tensor();
      HITO_DISPATCH(g.device(), layer_norm_backward, dx.data<float>(), data_or_null(dw), data_or_null(db),
                    g.data<float>(), x.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                    data_or_null(weight), N, D);
      return std::vector<Tensor>{x.requires_grad() ? dx : Tensor(), dw, db};
    });
  }
  return out;
}

}  // namespace hito
