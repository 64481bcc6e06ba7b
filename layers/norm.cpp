// BatchNorm and LayerNorm layers.
#include "layers/norm.h"

#include "dist/sync_batch_norm.h"
#include "engine/ops.h"

namespace hito {

BatchNorm::BatchNorm(int64_t channels, float eps_, float momentum_, bool affine) : eps(eps_), momentum(momentum_) {
  if (affine) {
    weight = register_parameter("weight", Tensor::ones({channels}));
    bias = register_parameter("bias", Tensor::zeros({channels}));
  }
  running_mean = register_buffer("running_mean", Tensor::zeros({channels}));
  running_var = register_buffer("running_var", Tensor::ones({channels}));
  num_batches_tracked = register_buffer("num_batches_tracked", Tensor::zeros({}, DType::I64));
}

Tensor BatchNorm::forward(const Tensor& x) {
  bool training = is_training() && !frozen_;
  if (training) {
    // Kept on the host (see Module::to), for PyTorch state-dict compatibility.
    num_batches_tracked.data<int64_t>()[0] += 1;
  }
  // Under mpirun each rank holds a slice of the global batch: the statistics are the global ones.
  if (training && dist::world().distributed())
    return dist::sync_batch_norm(x, weight, bias, running_mean, running_var, momentum, eps, dist::world());
  return batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps);
}

void BatchNorm::freeze_statistics(bool frozen) { frozen_ = frozen; }

LayerNorm::LayerNorm(int64_t features, float eps_) : eps(eps_) {
  weight = register_parameter("weight", Tensor::ones({features}));
  bias = register_parameter("bias", Tensor::zeros({features}));
}

Tensor LayerNorm::forward(const Tensor& x) { return layer_norm(x, weight, bias, eps); }

}  // namespace hito
