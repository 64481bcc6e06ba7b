// `hito predict`: a trained model folder applied to new data (a metadata CSV + images in the format of
// a data set config) with the preprocessing fitted at training time, which travels inside the folder
// (write_model_folder copies it to <model>/preprocessing/). Writes one row per input row:
// `<id column>,pred,p_<class>...`; when the CSV carries the label column, also FILE.metrics.json.
//
// Each kind of model folder (config.json "kind") has a predictor (model_folder.h's Predictor), listed
// in one table in predict.cpp: a new kind is one line there, beside the others.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "apps/study/train/model_folder.h"
#include "engine/tensor.h"

namespace hito::study {

// The predictor of a kind (config.json "kind"), from the table in predict.cpp; an error lists the
// kinds known.
const Predictor& find_predictor(const std::string& kind);

// A model folder's probabilities for new data by the predictor of its kind: what fusion-late applies
// to each of its inputs.
Tensor predict_model(const ModelFolder& model, const NewData& data);

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
  std::map<std::string, int64_t> unseen;  // per categorical column: rows with a value training never saw
};

PredictResult run_predict(const PredictOptions& options);

}  // namespace hito::study
