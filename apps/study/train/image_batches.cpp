// ImageBatches: the DataLoader's batches repackaged as the training loop's Batch.
#include "apps/study/train/image_batches.h"

namespace hito::study {

namespace {

std::shared_ptr<const data::ImageSource> required(std::shared_ptr<const data::ImageSource> images) {
  HITO_CHECK(images != nullptr, "ImageBatches needs an image source (null given)");
  return images;
}

}  // namespace

ImageBatches::ImageBatches(std::shared_ptr<const data::ImageSource> images, data::LoaderTables tables,
                           std::vector<int64_t> rows, data::LoaderOptions options)
    : loader_(required(std::move(images)), std::move(tables), std::move(rows), options) {}

void ImageBatches::start_epoch(int64_t epoch) { loader_.start_epoch(epoch); }

bool ImageBatches::next(Batch& batch) {
  data::LoaderBatch made;
  if (!loader_.next(made)) return false;
  batch.inputs = {made.images, made.tabular, made.codes};
  batch.labels = made.labels;
  batch.rows = std::move(made.rows);
  return true;
}

}  // namespace hito::study
