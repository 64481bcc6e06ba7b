// --refit: once every choice has been made on the validation split (the hyperparameters, the number
// of epochs by early stopping), the chosen configuration is trained again on train + validation, so
// that the final model learns from all the labelled rows that are not test rows. The refit:
//   - learns from train + val rows, with class weights from those rows; the preprocessing (encoders,
//     standardisation, image statistics) stays as fitted on the training split;
//   - trains for exactly the train-only run's best epoch count, with the same hyperparameters and
//     schedule shape, and keeps its last epoch: nothing is left to select on;
//   - is written beside the train-only model as <name>-refit, with "fitted_on": "train+val" and
//     "refit_of": <name> in config.json, and no predictions_val.csv (its validation rows are in-sample),
//     so that `hito evaluate` never chooses it on validation and reports its test figures beside the
//     train-only model's.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/study/prepare/prepared_data.h"
#include "apps/study/train/trainer.h"
#include "apps/study/train/training_run.h"

namespace hito::study {

inline constexpr const char* kRefitSuffix = "-refit";

// One fit of a training command: the train-only model, or the refit of one.
struct FitSpec {
  std::vector<int64_t> train_rows;  // the rows learned from (the class weights come from them too)
  std::string folder;               // the model folder's name
  bool refit = false;
  std::string refit_of;             // refit: the train-only folder's name
  int64_t epochs = 0;               // refit: the epochs the train-only run chose

  // The trainer's settings for this fit: `chosen` itself, or for a refit epochs = the chosen
  // epochs, no early stopping, the last epoch kept, warm-up no longer than the run, no checkpoint.
  TrainConfig train_config(TrainConfig chosen) const;
  // Adds fitted_on ("train" or "train+val"), and for a refit refit_of and refit_epochs, to config.json.
  void describe(nlohmann::ordered_json& config) const;
};

// "<name>-refit".
std::string refit_folder_name(const std::string& name);

// The usual fit: the training split, written to `folder`.
FitSpec train_only_fit(const PreparedData& data, const std::string& folder);

// The refit of the model folder `train_only`: train + val rows, the epochs it chose (its metrics.json
// best_epoch), written to <name>-refit.
FitSpec refit_fit(const PreparedData& data, const std::filesystem::path& train_only);

// What a training command does with them: `fit_one` of the train-only fit into `folder`, the run's
// checkpoint released (the folder holds the result now), `after_train_only` (out-of-fold embeddings),
// then with `refit` `fit_one` of the refit. Returns the train-only folder.
std::filesystem::path fit_and_refit(const PreparedData& data, const TrainingRun& run, const std::string& folder,
                                    bool refit, const std::function<std::filesystem::path(const FitSpec&)>& fit_one,
                                    const std::function<void(const std::filesystem::path&)>& after_train_only = {});

}  // namespace hito::study
