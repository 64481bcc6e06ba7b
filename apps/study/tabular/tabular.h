// `hito tabular`: the MLP on the prepared tabular features (milestone 1), trained by the shared loop
// (class-weighted cross-entropy, early stopping on validation balanced accuracy) and written as the
// model folder <run>/tabular/ (kind "tabular"; embeddings = the MLP's last hidden layer, every row).
// Two input modes: "onehot" (prepared tabular.npy: standardised numerics, missing indicators, one-hot
// blocks) and "embedding" (numeric.npy + a learned embedding per categorical column of codes.npy).
//
// The fitting core (fit_tabular) is shared with `hito search` (trials scored on val only) and
// `hito pixels` (the same MLP on PCA components).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/study/train/model_output.h"
#include "apps/study/prepare/prepared_data.h"
#include "apps/study/train/refit.h"
#include "apps/study/train/trainer.h"
#include "apps/study/train/training_run.h"
#include "models/mlp.h"

namespace hito::study {

// A float as the shortest decimal of 6 significant digits (0.001, not 0.0010000000474974513), for
// JSON and CSV files that people read.
double tidy(float value);

// The hyperparameters `hito search` varies and best.json stores.
struct TabularHyper {
  // Defaults: the best of 30 random-search trials on the validation split of HAM10000 (hito search
  // --strategy random --trials 30; the top trials lie within 0.02 val balanced accuracy of it).
  std::string mode = "onehot";  // onehot | embedding
  int64_t width = 16, depth = 3;
  float dropout = 0.2f;
  float lr = 3e-3f, weight_decay = 1e-3f;
  int64_t batch_size = 256;
  int64_t epochs = 100, patience = 15;
  bool class_weighted = true;

  nlohmann::ordered_json to_json() const;
  // A copy with the entries of `json` (keys of to_json(), any subset) replacing these; an unknown key
  // or a value of the wrong type or range is an error naming `source`.
  TabularHyper updated(const nlohmann::json& json, const std::string& source) const;
  MlpConfig mlp() const;
  TrainConfig train() const;
};

struct TabularOptions {
  fs::path run_dir = "run";
  // --config: "" (the defaults), "best" (<run>/search/best.json) or a JSON file of hyperparameters.
  std::string config;
  TabularHyper hyper;                 // the starting point, replaced by --config's entries
  nlohmann::json overrides = nlohmann::json::object();  // given explicitly (flags): win over --config
  std::string name = "tabular";       // folder under the run
  bool smoke = false;                 // one epoch, to check the wiring (seconds)
  bool progress = true;
  Device device = Device::CPU;
  int threads = 0;                    // CPU threads (0: leave the process's setting)
  uint64_t seed = 0;
  bool resume = false;                // --resume: continue from <run>/checkpoints/<name>.safetensors
  bool refit = false;                 // then also <name>-refit on train + val (apps/study/train/refit.h)
};

// The hyperparameters a run uses: hyper, then --config, then the overrides, then --smoke.
TabularHyper resolve_hyper(const TabularOptions& options);

// <run>/search/best.json
fs::path best_config_path(const fs::path& run_dir);

// Trains, evaluates and writes <run>/<name>/; prints val and test scores; returns the folder.
fs::path run_tabular(const TabularOptions& options);

// The model's inputs: numeric (N, F) f32 and, in embedding mode, codes (N, C) i64 with the
// vocabulary size of each code column; names for the NaN guard.
struct TabularInputs {
  Tensor numeric, codes;
  std::vector<int64_t> vocabulary_sizes;
  std::vector<std::string> numeric_names, code_names;
};
TabularInputs tabular_inputs(const PreparedData& data, const std::string& mode);

// What fit_tabular hands back. `test` and `embeddings` are filled only when asked for.
struct TabularFit {
  std::shared_ptr<TabularModel> model;
  TrainResult training;
  Evaluation val, test;
  Tensor embeddings;  // f32 (N, width) over all rows, manifest order
  double fit_seconds = 0.0, predict_seconds = 0.0;
};

// The fitted model's part of a model folder: weights, history, val/test evaluations, embeddings, times.
ModelOutputs model_outputs(const TabularFit& fit);

struct FitSettings {
  uint64_t seed = 0;
  Device device = Device::CPU;
  bool progress = true;
  bool with_test = true;  // evaluate test and compute embeddings (search: false, val only)
  std::string label = "tabular";
  const TrainingRun* run = nullptr;  // the checkpoint and --resume (null: neither)
  const FitSpec* refit = nullptr;  // a refit on train + val (refit.h): its rows and epochs, no val pass
};

// The settings of a command's fit (tabular, pixels): its seed, device and progress bar, the run's
// checkpoint, the fit's label and, for a refit, its rows and epochs; test and embeddings evaluated.
FitSettings command_fit_settings(const FitSpec& spec, uint64_t seed, Device device, bool progress, const TrainingRun& run);

// Trains a TabularModel on the train rows with early stopping on the val rows.
TabularFit fit_tabular(const PreparedData& data, const TabularInputs& inputs, const TabularHyper& hyper,
                       const FitSettings& settings);

// The network's description for config.json's "model" entry (input names, vocabulary sizes, width,
// depth, dropout, classes), and the untrained network it describes (load the weights into it).
nlohmann::ordered_json tabular_model_json(const TabularInputs& inputs, const TabularHyper& hyper, int64_t classes);
std::shared_ptr<TabularModel> make_tabular_model(const nlohmann::json& model_json, const std::string& source);
// Eval-mode probabilities f32 (N, K) on the CPU for every row of `inputs`. Used by `hito predict`.
Tensor predict_probabilities(TabularModel& model, const TabularInputs& inputs, Device device);

}  // namespace hito::study
