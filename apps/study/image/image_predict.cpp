// Applying image model folders to new data.
#include "apps/study/image/image_predict.h"

#include "apps/study/train/image_batches.h"
#include "apps/study/image/image_model.h"
#include "engine/autograd.h"
#include "engine/ops.h"

namespace hito::study {

Tensor predict_image_model(const ModelFolder& model, const NewData& data) {
  LoadedImageNetwork loaded = load_image_network(model.dir, model.device);
  const ImagePreprocessing& preprocessing = loaded.spec.preprocessing;
  const int64_t count = static_cast<int64_t>(data.ids.size());
  std::vector<int64_t> rows(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) rows[static_cast<size_t>(i)] = i;
  data::LoaderOptions options;
  options.batch_size = 32;
  options.mean = preprocessing.mean;
  options.std = preprocessing.std;
  options.device = model.device;
  // Only the images are needed; the labels are placeholders.
  ImageBatches batches(preprocessing.files(data.image_paths()), {Tensor(), Tensor(), Tensor::zeros({count}, DType::I64)},
                       rows, options);
  NoGradGuard no_grad;
  std::vector<Tensor> chunks;
  batches.start_epoch(0);
  for (Batch b; batches.next(b);) {
    Tensor features = image_features(*loaded.network->backbone, b.inputs[kImagesInput], loaded.spec.tta_flip);
    chunks.push_back(softmax(loaded.network->forward_head(features), 1).to(Device::CPU));
  }
  HITO_CHECK(!chunks.empty(), "no rows to predict in ", data.data_dir.string());
  return chunks.size() == 1 ? chunks[0] : concat(chunks, 0);
}

}  // namespace hito::study
