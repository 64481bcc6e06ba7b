// A trained model folder (model_output.h) loaded back for prediction, and the new data it is applied
// to: what `hito predict` (predict.h) and each model kind's predictor read. A predictor reads what it
// needs from the folder (weights, config.json entries, the fitted encoder, image statistics) and from
// the new data (model.encoder.transform(data.table), data.image_paths()).
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/csv.h"
#include "data/dataset_config.h"
#include "data/tabular_encoder.h"
#include "engine/tensor.h"

namespace hito::study {

namespace fs = std::filesystem;

// A trained model folder, loaded for prediction.
struct ModelFolder {
  fs::path dir;
  nlohmann::json config;              // config.json
  std::string kind;                   // config["kind"]
  std::vector<std::string> classes;   // in label-index order
  data::DatasetConfig dataset;        // the training data's config (id, label, feature columns, patterns)
  data::TabularEncoder encoder;       // fitted on the training rows
  std::array<float, 3> image_mean{}, image_std{};  // training images, [0, 1] scale
  Device device = Device::CPU;
  int threads = 0;

  fs::path file(const std::string& name) const { return dir / name; }
};

// Reads config.json and preprocessing/ of a model folder; errors name the missing file.
ModelFolder load_model_folder(const fs::path& dir);

// New data as read with a data set config.
struct NewData {
  fs::path data_dir;
  data::DatasetConfig config;
  data::CsvTable table;              // the metadata CSV, every row
  std::vector<std::string> ids;      // the id column, one per row
  // Each row's image (absolute), resolved with the config's patterns; errors name the row.
  std::vector<fs::path> image_paths() const;
};

// Reads <data_dir>/<config.metadata>; checks the id column is present.
NewData read_new_data(const fs::path& data_dir, const data::DatasetConfig& config);

// A model kind's predictor: f32 (rows, K) class probabilities for every row of `data`, in table order.
using Predictor = std::function<Tensor(const ModelFolder& model, const NewData& data)>;

}  // namespace hito::study
