// Data-parallel training: every rank holds the whole model, computes the gradient of its share of
// the global batch, and the ranks sum their gradients, so that each applies the same update.
//
//   DataParallel parallel(world(), every_parameter_and_buffer, trainable_parameters);  // rank 0's values to all
//   for each step:                       // this rank's rows: its slice of the global batch
//     Tensor loss = cross_entropy(model(x_rank), y_rank, options);   // mean over this rank's rows
//     GlobalLoss global = parallel.backward(loss, weight_of_rank_rows, rank_rows);
//     optimizer.step();                  // .grad holds the global batch's gradient on every rank
//
// Why the same update as one process: the global loss is L = sum_r W_r L_r / W with W_r the total
// weight of rank r's rows (their count, or their class-weight sum) and W = sum_r W_r, so
// dL/dtheta = sum_r (W_r / W) dL_r/dtheta: each rank seeds its backward with W_r / W and the
// all-reduce sums. Batch norm takes its statistics over the global batch (sync_batch_norm.h).
//
// The gradients travel in buckets of about 25 MB, filled in reverse registration order (roughly the
// order in which the backward pass finishes them); a bucket's all-reduce starts as soon as its last
// gradient is final (engine/autograd.h GradReadyHook) and the buckets before it have started, so
// communication overlaps the rest of the backward pass. A parameter with no gradient on this rank
// contributes zeros and keeps no gradient.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "dist/communicator.h"

namespace hito::dist {

inline constexpr int64_t kBucketBytes = 25ll << 20;

// HITO_DIST_BUCKET_MB (a positive number of MiB, fractions allowed) or kBucketBytes.
int64_t bucket_bytes_from_environment();

struct GlobalLoss {
  double loss = 0.0;    // sum_r W_r L_r / W: the global batch's loss, the same on every rank
  double weight = 0.0;  // W
  int64_t rows = 0;     // rows of the global batch
};

class DataParallel {
 public:
  // `state`: every parameter and buffer; rank 0's values are copied to every rank here.
  // `trainable`: the parameters whose gradients are summed, in registration order.
  DataParallel(Communicator& comm, const std::vector<Tensor>& state, std::vector<Tensor> trainable,
               int64_t bucket_bytes = bucket_bytes_from_environment());

  // The backward pass of this rank's `loss` (a mean over its `rows` rows, whose total weight is
  // `weight`) with the gradient all-reduce; on return every trainable .grad is the global batch's
  // gradient.
  GlobalLoss backward(const Tensor& loss, double weight, int64_t rows);

  int64_t num_buckets() const { return static_cast<int64_t>(buckets_.size()); }

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into trainable_
    std::vector<int64_t> offsets;  // element offset of each in flat
    Tensor flat;                   // f32 (sum of numel), on the parameters' device
    size_t ready = 0;
    Pending pending;
  };
  void on_grad_ready(const Tensor& leaf);
  void start_ready_buckets();  // in order: bucket i never starts before bucket i - 1
  void start(Bucket& bucket, size_t index);
  Tensor view(const Bucket& bucket, size_t slot) const;

  Communicator& comm_;
  std::vector<Tensor> trainable_;
  std::vector<Bucket> buckets_;
  std::unordered_map<const TensorImpl*, std::pair<size_t, size_t>> where_;  // parameter -> (bucket, slot)
  std::vector<bool> reported_;  // per parameter, in this backward
  size_t next_to_start_ = 0;
};

}  // namespace hito::dist
