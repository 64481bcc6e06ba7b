// Where a training loop gets its batches: a BatchSource yields (inputs..., labels, row indices) for
// a fixed set of rows, once per epoch, shuffled with a seed or in order. TensorBatches serves rows of
// tensors held in memory (tabular features, cached embeddings); image models adapt the image
// DataLoader to the same interface.
#pragma once

#include <cstdint>
#include <vector>

#include "data/shard.h"
#include "engine/tensor.h"

namespace hito::study {

struct Batch {
  std::vector<Tensor> inputs;  // each (B, ...), on the training device
  Tensor labels;               // i64 (B)
  std::vector<int64_t> rows;   // indices into the prepared data set (manifest order)
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Starts a pass; `epoch` seeds the shuffle so that every epoch sees a new, reproducible order.
  virtual void start_epoch(int64_t epoch) = 0;
  // Fills the next batch; false at the end of the pass.
  virtual bool next(Batch& batch) = 0;
  // Number of rows a pass visits (over all ranks).
  virtual int64_t size() const = 0;
  // Number of batches a pass yields (sets the length of a learning-rate schedule).
  virtual int64_t batches() const = 0;
  // From the next start_epoch on, each batch is this rank's slice of the global batch
  // (data/shard.h); Shard() (the default) serves whole batches.
  virtual void set_shard(data::Shard shard) = 0;
};

struct BatchOptions {
  int64_t batch_size = 64;
  bool shuffle = false;
  bool drop_last = false;  // training drops a last batch of one row (BatchNorm needs two)
  uint64_t seed = 0;
  Device device = Device::CPU;
};

// Rows `rows` of in-memory tensors (all with the same first dimension, N) and of labels (i64, N).
class TensorBatches : public BatchSource {
 public:
  TensorBatches(std::vector<Tensor> tensors, Tensor labels, std::vector<int64_t> rows, BatchOptions options);
  void start_epoch(int64_t epoch) override;
  bool next(Batch& batch) override;
  int64_t size() const override { return static_cast<int64_t>(rows_.size()); }
  int64_t batches() const override;
  void set_shard(data::Shard shard) override { shard_ = shard; }

 private:
  std::vector<Tensor> tensors_;  // on the CPU; gathered batches are moved to options_.device
  Tensor labels_;
  std::vector<int64_t> rows_, order_;
  BatchOptions options_;
  data::Shard shard_;
  size_t cursor_ = 0;
};

// Gathers rows `rows` of a CPU tensor (N, ...) into a new tensor (rows.size(), ...).
Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& rows);

}  // namespace hito::study
