// Softmax, log-softmax and the fused softmax cross-entropy.
#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

namespace {
Tensor softmax_impl(const Tensor& x, int64_t dim, bool log, const char* name) {
  check_f32(x, name);
  dim = normalize_dim(dim, x.dim(), name);
  Axis axis = split_axis(x.shape(), dim);
  Tensor out = empty_like(x);
  HITO_DISPATCH(x.device(), softmax_forward, out.data<float>(), x.data<float>(), axis.outer, axis.d, axis.inner, log);
  if (needs_grad({x})) {
    Tensor out_saved = out.detach();
    // The Jacobian of softmax is diag(s) - s s^T; applied to dout it gives s * (dout - <dout, s>).
    // For log-softmax it is I - 1 s^T, giving dout - s * sum(dout). (Formulas in softmax.inc.)
    record(out, name, {x}, [axis, log, out_saved](const Tensor& g) {
      Tensor dx = empty_like(g);
      HITO_DISPATCH(g.device(), softmax_backward, dx.data<float>(), g.data<float>(), out_saved.data<float>(),
                    axis.outer, axis.d, axis.inner, log);
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false, "softmax"); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true, "log_softmax"); }

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  check_f32(logits, "cross_entropy (logits)");
  HITO_CHECK(logits.dim() == 2, "cross_entropy: logits must be (N, K), got ", logits.describe());
  HITO_CHECK(target.defined() && target.dtype() == DType::I64 && target.dim() == 1 && target.size(0) == logits.size(0),
             "cross_entropy: target must be i64 (N) with N = ", logits.size(0), ", got ", target.describe());
  check_same_device(logits, target, "cross_entropy");
  int64_t N = logits.size(0), K = logits.size(1);
  HITO_CHECK(N > 0 && K > 0, "cross_entropy on an empty batch ", logits.describe());
  const Tensor& weight = options.class_weight;
  if (weight.defined()) {
    check_f32(weight, "cross_entropy (class_weight)");
    check_same_device(logits, weight, "cross_entropy");
    HITO_CHECK(weight.dim() == 1 && weight.size(0) == K, "cross_entropy: class_weight ", weight.describe(),
               " does not match ", K, " classes");
  }
  float eps = options.label_smoothing;
  HITO_CHECK(eps >= 0.0f && eps <= 1.0f, "cross_entropy: label_smoothing must be in [0, 1], got ", eps);
  Device dev = logits.device();
  Tensor loss = Tensor::empty({}, DType::F32, dev);
  Tensor probs = Tensor::empty({N, K}, DType::F32, dev);
  HITO_DISPATCH(dev, cross_entropy_forward, loss.data<float>(), probs.data<float>(), logits.data<float>(),
                target.data<int64_t>(), data_or_null(weight), eps, N, K);
  if (needs_grad({logits})) {
    record(loss, "cross_entropy", {logits}, [probs, target, weight, eps, N, K](const Tensor& g) {
      Tensor dlogits = empty_like(probs);
      HITO_DISPATCH(g.device(), cross_entropy_backward, dlogits.data<float>(), g.data<float>(), probs.data<float>(),
                    target.data<int64_t>(), data_or_null(weight), eps, N, K);
      return std::vector<Tensor>{dlogits};
    });
  }
  return loss;
}

}  // namespace hito
