// Image batches for the shared training loop: a BatchSource (batches.h) over the image DataLoader
// (data/data_loader.h), so that image models, fine-tuning and joint fusion train through
// train()/evaluate() exactly as the tabular models do.
//
//   auto source = prepared.image_cache(224, 224, data::ResizeMode::Crop);
//   data::LoaderOptions options = prepared.loader_options();  // the data set's normalisation
//   options.augment = true; options.shuffle = true; options.device = device;
//   ImageBatches train_rows(source, prepared.loader_tables(), prepared.rows_of(data::Part::Train), options);
//   // batch.inputs = {images f32 (B, 3, H, W) normalised, tabular f32 (B, F), codes i64 (B, C)}
//
// Every batch's inputs have these three positions (kImagesInput, kTabularInput, kCodesInput); the
// tabular and codes entries are undefined when the tables given have none. Everything is on
// options.device. Augmentation (options.augment) is drawn per (seed, epoch, row), so a pass is
// reproducible whatever the number of loader workers.
#pragma once

#include <memory>
#include <vector>

#include "apps/study/train/batches.h"
#include "data/data_loader.h"

namespace hito::study {

inline constexpr size_t kImagesInput = 0;
inline constexpr size_t kTabularInput = 1;
inline constexpr size_t kCodesInput = 2;

class ImageBatches : public BatchSource {
 public:
  // `images` serves every row of the data set (the run's ImageCache, or files decoded per read);
  // `rows` index the data set; `tables` hold its N rows of tabular, codes and labels (CPU).
  ImageBatches(std::shared_ptr<const data::ImageSource> images, data::LoaderTables tables, std::vector<int64_t> rows,
               data::LoaderOptions options);
  void start_epoch(int64_t epoch) override;
  bool next(Batch& batch) override;
  int64_t size() const override { return loader_.size(); }
  // Counted from the rows and the batch size: no image is read.
  int64_t batches() const override { return loader_.num_batches(); }
  void set_shard(data::Shard shard) override { loader_.set_shard(shard); }

 private:
  data::DataLoader loader_;
};

}  // namespace hito::study
