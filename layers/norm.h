// Normalisation layers with PyTorch's parameters and buffers: weight, bias, running_mean,
// running_var, num_batches_tracked.
#pragma once

#include "layers/module.h"

namespace hito {

// BatchNorm over channel dimension 1: (N, C) and (N, C, L) as BatchNorm1d, (N, C, H, W) as
// BatchNorm2d (the same arithmetic). In a data-parallel job (mpirun) training mode normalises with
// the statistics of the global batch (dist/sync_batch_norm.h). freeze_statistics() keeps it in eval mode even when the model
// trains: for fine-tuning a backbone whose statistics must not move.
class BatchNorm : public Module {
 public:
  explicit BatchNorm(int64_t channels, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);
  Tensor forward(const Tensor& x) override;
  void freeze_statistics(bool frozen = true);

  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  float eps, momentum;

 private:
  bool frozen_ = false;
};
using BatchNorm1d = BatchNorm;
using BatchNorm2d = BatchNorm;

// LayerNorm over the last dimension.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t features, float eps = 1e-5f);
  Tensor forward(const Tensor& x) override;

  Tensor weight, bias;
  float eps;
};

}  // namespace hito
