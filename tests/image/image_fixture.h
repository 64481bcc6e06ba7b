// Shared set-up of the image tests: a private copy of the prepared synthetic run (so that the
// model folders written do not land in the run other suites share) and small backbone checkpoints.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "apps/study/image/embed.h"
#include "apps/study/image/image.h"
#include "apps/study/image/image_model.h"
#include "apps/study/train/batches.h"
#include "apps/study/train/model_output.h"
#include "data/npy.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "models/image_preprocess.h"
#include "apps/study/prepare/prepare.h"
#include "base/fs.h"
#include "models/small_cnn.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"
#include "weights/safetensors.h"
#include "weights/state_dict.h"

namespace hito::study {

// <tmp>/<name>/ holding prepared/ of testing::prepared_run_for_tests(160, 1).
inline fs::path image_test_run(const std::string& name) {
  fs::path run = testing::temp_dir("hito-image-" + name);
  fs::copy(testing::prepared_run_for_tests(160, 1) / "prepared", run / "prepared", fs::copy_options::recursive);
  return run;
}

// A SmallCnn checkpoint with a 7-class classifier ("fc."), as a converted checkpoint would have.
inline fs::path small_cnn_weights(const fs::path& dir, uint64_t seed) {
  Generator gen(seed);
  SmallCnn model(SmallCnnConfig{}, gen);
  fs::path path = dir / ("small_cnn_" + std::to_string(seed) + ".safetensors");
  save_state_dict(model, path);
  return path;
}

// The file's tensors without the classifier.
inline NamedTensors read_backbone_tensors(const fs::path& path) {
  NamedTensors kept;
  for (auto& [name, tensor] : read_safetensors(path).tensors)
    if (name.rfind("fc.", 0) != 0) kept.emplace_back(name, tensor);
  return kept;
}

// One quick epoch of `hito image --mode <mode>` at 32x32 with a small head.
inline ImageOptions quick_image_options(const fs::path& run, const std::string& mode) {
  ImageOptions o;
  o.run_dir = run;
  o.mode = mode;
  o.train.epochs = 1;
  o.train.lr = 1e-2f;
  o.train.progress = false;
  o.size = 32;
  o.depth = 2;
  o.width = 8;
  o.batch_size = 16;
  return o;
}

inline EmbedOptions embed_options(const fs::path& run, const fs::path& weights) {
  EmbedOptions o;
  o.run_dir = run;
  o.weights = weights;
  o.backbone = "small_cnn";
  o.size = 32;
  o.batch_size = 16;
  o.progress = false;
  return o;
}

// The folder's test probabilities recomputed from the image files through load_image_network.
inline void expect_reloaded_predictions_match(const fs::path& folder, const PreparedData& data) {
  LoadedImageNetwork loaded = load_image_network(folder, Device::CPU);
  SavedPredictions saved = read_predictions(folder, "test", data);
  std::vector<fs::path> paths;
  for (int64_t r : saved.rows) paths.push_back(data.images[static_cast<size_t>(r)]);
  auto source = loaded.spec.preprocessing.files(paths);
  std::vector<data::Image> images;
  for (int64_t i = 0; i < source->size(); ++i) {
    data::Image image(source->height(), source->width(), 3);
    source->read(i, image.pixels.data());
    images.push_back(image);
  }
  Tensor x = images_to_batch(images, loaded.spec.preprocessing.mean, loaded.spec.preprocessing.std);
  NoGradGuard no_grad;
  Tensor features = image_features(*loaded.network->backbone, x, loaded.spec.tta_flip);
  EXPECT_TRUE(testing::all_close(softmax(loaded.network->forward_head(features), 1), saved.probabilities, 1e-3f, 1e-4f))
      << folder;
  // The saved penultimate embeddings of those rows: far from uniform, so a wrong preprocessing shows.
  Tensor embeddings = gather_rows(data::load_npy(folder / kEmbeddingsFile), saved.rows);
  EXPECT_TRUE(testing::all_close(loaded.network->penultimate(features), embeddings, 1e-4f, 1e-5f)) << folder;
  EXPECT_EQ(loaded.classes, data.classes);
}

inline void expect_model_folder(const fs::path& folder, const std::string& kind, const PreparedData& data) {
  nlohmann::json config = nlohmann::json::parse(read_file(folder / kModelConfig));
  EXPECT_EQ(config["kind"], kind);
  Tensor embeddings = data::load_npy(folder / kEmbeddingsFile);
  EXPECT_EQ(embeddings.size(0), data.size());
  for (const char* file : {kHistoryFile, kMetricsFile, kPredictionsVal, kPredictionsTest, kModelWeights})
    EXPECT_TRUE(fs::is_regular_file(folder / file)) << folder / file;
  expect_reloaded_predictions_match(folder, data);
}

}  // namespace hito::study
