// `hito predict`: a trained model folder applied to new data (a metadata CSV + images in the format of
// a data set config) with the preprocessing fitted at training time, which travels inside the folder
// (write_model_folder copies it to <model>/preprocessing/). Writes one row per input row:
// `<id column>,pred,p_<class>...`; when the CSV carries the label column, also FILE.metrics.json.
//
// Each kind of model folder (config.json "kind") has a predictor, found in a small registry:
//
//   Tensor predict_mine(const ModelFolder& model, const NewData& data);  // f32 (rows, K) probabilities
//   register_predictor("image-head", predict_mine);   // one line in builtin_predictors() (predict.cpp)
//
// A predictor reads what it needs from the folder (weights, config.json entries, the fitted encoder,
// image statistics) and from the new data (model.encoder.transform(data.table), data.image_paths()).
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/data/csv.h"
#include "engine/data/dataset_config.h"
#include "engine/data/tabular_encoder.h"
#include "engine/tensor.h"

namespace hito::study {

namespace fs = std::filesystem;

// The folder written by <model>/preprocessing/: what prediction needs besides the weights.
inline constexpr const char* kPreprocessingDir = "preprocessing";
// The files of <run>/prepared/ copied there.
inline constexpr const char* kPreprocessingFiles[] = {"manifest.json", "encoders.json", "image_stats.json"};

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

// f32 (rows, K) class probabilities for every row of `data`, in table order.
using Predictor = std::function<Tensor(const ModelFolder& model, const NewData& data)>;

// Adds (or replaces) the predictor of a kind.
void register_predictor(const std::string& kind, Predictor predictor);
// The predictor of a kind; an error lists the kinds known.
const Predictor& find_predictor(const std::string& kind);

struct PredictOptions {
  fs::path model_dir, data_dir, out;
  std::string preset;        // --preset: read the new data with this config ...
  fs::path config_file;      // --config: ... or this one; neither: the model's own data set config
  Device device = Device::CPU;
  int threads = 0;
};

struct PredictResult {
  fs::path predictions, metrics;  // metrics empty when the data carry no labels
  int64_t rows = 0;
};

PredictResult run_predict(const PredictOptions& options);

}  // namespace hito::study
