// DataLoader: batches of (images, tabular, codes, labels, row indices) for a subset of the rows of
// a prepared data set, in the given order or shuffled with a seed, made on worker threads that stay
// `prefetch` batches ahead of the consumer, so that training never waits for images.
//
//   DataLoader loader(cache, {tabular, codes, labels}, train_rows, options);
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.start_epoch(epoch);
//     for (LoaderBatch batch; loader.next(batch);) { ... batch.images: f32 (B, 3, H, W) ... }
//   }
//
// Images come from an ImageSource (the memory-mapped ImageCache, or ImageFiles decoding on the
// workers) as u8, are augmented when asked (augment.h; each sample's draws depend only on
// (seed, epoch, row)), scaled to [0, 1] and normalised per channel: (x - mean[c]) / std[c].
// Tabular, codes and labels are gathered from row-indexed tensors; any of tabular and codes may be
// undefined (then the batch's is too). Batches are moved to options.device on the consumer's
// thread. The batch order and contents are the same for any number of workers.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "data/augment.h"
#include "data/image_source.h"
#include "data/shard.h"
#include "engine/tensor.h"

namespace hito::data {

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = false;
  bool drop_last = false;  // drop a last, incomplete batch
  uint64_t seed = 0;
  bool augment = false;
  AugmentOptions augment_options;
  std::array<float, 3> mean = {0.0f, 0.0f, 0.0f};  // per channel, on the [0, 1] scale
  std::array<float, 3> std = {1.0f, 1.0f, 1.0f};
  int workers = 2;   // threads making batches; 0 makes them on the consumer's thread
  int prefetch = 4;  // batches made ahead of the consumer
  Device device = Device::CPU;
};

// Row-indexed tensors on the CPU, all with the data set's N rows.
struct LoaderTables {
  Tensor tabular;  // f32 (N, F), optional
  Tensor codes;    // i64 (N, C), optional
  Tensor labels;   // i64 (N)
};

struct LoaderBatch {
  Tensor images;              // f32 (B, 3, H, W)
  Tensor tabular;             // f32 (B, F) or undefined
  Tensor codes;               // i64 (B, C) or undefined
  Tensor labels;              // i64 (B)
  std::vector<int64_t> rows;  // indices into the data set
};

class DataLoader {
 public:
  // `images` may be null (tabular-only batches, images undefined). `rows` index the data set.
  DataLoader(std::shared_ptr<const ImageSource> images, LoaderTables tables, std::vector<int64_t> rows,
             LoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Starts a pass (stopping any pass in progress); `epoch` seeds the shuffle and the augmentation.
  void start_epoch(int64_t epoch);
  // The next batch of the pass; false at its end. Rethrows an error raised while making a batch.
  bool next(LoaderBatch& batch);
  int64_t size() const { return static_cast<int64_t>(rows_.size()); }  // rows per pass (all ranks)
  int64_t num_batches() const;
  // From the next start_epoch on, each batch is this rank's slice of the global batch (shard.h).
  void set_shard(Shard shard);

 private:
  LoaderBatch make_batch(int64_t index) const;  // on any thread, on the CPU
  void stop_workers();
  void worker_loop();

  std::shared_ptr<const ImageSource> images_;
  LoaderTables tables_;
  std::vector<int64_t> rows_, order_;
  LoaderOptions options_;
  Shard shard_;
  int64_t epoch_ = 0;

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable ready_cv_, space_cv_;
  std::map<int64_t, LoaderBatch> ready_;  // made, not yet consumed
  int64_t next_to_make_ = 0, next_to_consume_ = 0;
  bool stopping_ = false, started_ = false;
  std::exception_ptr error_;
};

}  // namespace hito::data
