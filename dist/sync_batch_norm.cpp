// Synchronised batch norm: the batch-norm kernels run on each rank's rows with the global
// statistics, which three small all-reduces provide.
#include "dist/sync_batch_norm.h"

#include "engine/autograd.h"
#include "engine/dispatch.h"
#include "engine/ops.h"

namespace hito::dist {

namespace {
float* data_or_null(const Tensor& t) { return t.defined() ? t.data<float>() : nullptr; }

// A per-channel vector (C) shaped to broadcast over (N, C, S).
Tensor per_channel(const Tensor& v) { return v.reshape({v.size(0), 1}); }
}  // namespace

Tensor sync_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, float momentum, float eps, Communicator& comm) {
  HITO_CHECK(x.defined() && x.dtype() == DType::F32 && x.dim() >= 2 && x.dim() <= 4,
             "sync_batch_norm: expected f32 (N, C), (N, C, L) or (N, C, H, W), got ", x.defined() ? x.describe() : "none");
  int64_t N = x.size(0), C = x.size(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  HITO_CHECK(N * S > 0, "sync_batch_norm: this rank has no rows (", x.describe(),
             "): the global batch must have at least one row per rank");
  for (const Tensor* t : {&weight, &bias, &running_mean, &running_var})
    HITO_CHECK(!t->defined() || (t->dim() == 1 && t->size(0) == C && t->device() == x.device()),
               "sync_batch_norm: a channel vector of ", t->describe(), " for ", x.describe());
  Device dev = x.device();
  Tensor mean, var;
  double M = 0;
  {
    NoGradGuard no_grad;
    // This rank's mean m_r and 1 / sqrt(v_r + eps); the normalised output is not used.
    Tensor scratch = Tensor::empty(x.shape(), DType::F32, dev);
    Tensor local_mean = Tensor::empty({C}, DType::F32, dev), local_invstd = Tensor::empty({C}, DType::F32, dev);
    HITO_DISPATCH(dev, batch_norm_forward_train, scratch.data<float>(), local_mean.data<float>(),
                  local_invstd.data<float>(), nullptr, nullptr, x.data<float>(), nullptr, nullptr, 0.0f, eps, N, C, S);
    std::vector<double> count = {static_cast<double>(N * S)};
    comm.all_reduce_sum(count, "the batch-norm value count");
    M = count[0];
    float share = static_cast<float>(N * S / M);
    mean = local_mean * share;
    comm.all_reduce_sum(mean, "the batch-norm means");
    Tensor local_var = div(Tensor::ones({C}, dev), local_invstd * local_invstd) - eps;
    Tensor offset = local_mean - mean;
    var = (local_var + offset * offset) * share;
    comm.all_reduce_sum(var, "the batch-norm variances");
    float m = momentum, unbiased = static_cast<float>(M > 1 ? M / (M - 1) : 1.0);
    if (running_mean.defined()) Tensor(running_mean).copy_(running_mean * (1 - m) + mean * m);
    if (running_var.defined()) Tensor(running_var).copy_(running_var * (1 - m) + var * (m * unbiased));
  }
  Tensor out = Tensor::empty(x.shape(), DType::F32, dev);
  Tensor save_mean = Tensor::empty({C}, DType::F32, dev), save_invstd = Tensor::empty({C}, DType::F32, dev);
  // The eval kernel normalises with the statistics it is given: here the global ones.
  HITO_DISPATCH(dev, batch_norm_forward_eval, out.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                x.data<float>(), mean.data<float>(), var.data<float>(), data_or_null(weight), data_or_null(bias), eps,
                N, C, S);
  if (needs_grad({x, weight, bias})) {
    record(out, "sync_batch_norm", {x, weight, bias},
           [x, weight, bias, save_mean, save_invstd, M, N, C, S, &comm](const Tensor& g) {
             Device dev = g.device();
             // With frozen statistics the kernel gives dx = weight invstd g and this rank's sums
             // sum(g xhat) (dweight) and sum(g) (dbias).
             Tensor dx = Tensor::empty(x.shape(), DType::F32, dev);
             Tensor sum_g_xhat = Tensor::empty({C}, DType::F32, dev), sum_g = Tensor::empty({C}, DType::F32, dev);
             HITO_DISPATCH(dev, batch_norm_backward, dx.data<float>(), sum_g_xhat.data<float>(), sum_g.data<float>(),
                           g.data<float>(), x.data<float>(), save_mean.data<float>(), save_invstd.data<float>(),
                           data_or_null(weight), false, N, C, S);
             Tensor global = concat({sum_g, sum_g_xhat}, 0);  // (2C)
             comm.all_reduce_sum(global, "the batch-norm gradient sums");
             Tensor k = weight.defined() ? save_invstd * weight : save_invstd;
             Tensor shift = k * slice(global, 0, 0, C) * static_cast<float>(1.0 / M);
             Tensor slope = k * save_invstd * slice(global, 0, C, 2 * C) * static_cast<float>(1.0 / M);
             Tensor xs = x.reshape({N, C, S});
             Tensor correction = per_channel(shift) + (xs - per_channel(save_mean)) * per_channel(slope);
             Tensor dx_all = (dx.reshape({N, C, S}) - correction).reshape(x.shape());
             bool want_w = weight.defined() && weight.requires_grad(), want_b = bias.defined() && bias.requires_grad();
             return std::vector<Tensor>{x.requires_grad() ? dx_all : Tensor(), want_w ? sum_g_xhat : Tensor(),
                                        want_b ? sum_g : Tensor()};
           });
  }
  return out;
}

}  // namespace hito::dist
