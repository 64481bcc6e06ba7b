// The model folder: what every trained classifier of the study leaves in <run>/<name>/, so that the
// report, fusion, evaluation and `hito predict` read every model the same way.
//
//   config.json            what was trained and how: "kind" (tabular, pixels, image-head, ...), the
//                          hyperparameters, the data fingerprint and class names, fit/predict times
//   model.safetensors      the weights kept (best validation epoch); absent for weight-free models
//   history.csv            one row per epoch: epoch,train_loss,val_loss,train_bacc,val_bacc,lr,seconds
//   predictions_val.csv    one row per validation row: <id column>,pred,p_<class>... (manifest order);
//                          absent for a refit on train + validation (refit.h), whose val rows are in-sample
//   predictions_test.csv   the same for the test rows
//   embeddings.npy         f32 (N, D): the penultimate layer for every row of the prepared data set,
//                          in manifest order (prepared/rows.csv), for fusion; optional
//   embeddings_ids.csv     beside it, row i of embeddings.npy: <id column>,split (train, val, test)
//   metrics.json           eval::write_metrics_file(): val and test scores with lesion-bootstrap
//                          intervals, plus best_epoch, fit_seconds, predict_seconds
//   *.svg                  learning curves, confusion matrix, reliability diagram
//   preprocessing/         copies of prepared/manifest.json (the data set config), encoders.json and
//                          image_stats.json: what `hito predict` needs to apply the folder to new data
//
// The folder is built under a temporary name and swapped in at the end: an error leaves no half-
// written model behind.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/eval/metrics_file.h"
#include "apps/study/prepare/prepared_files.h"
#include "apps/study/prepare/prepared_data.h"
#include "apps/study/train/trainer.h"
#include "engine/tensor.h"
#include "layers/module.h"

namespace hito::study {

inline constexpr const char* kPredictionsVal = "predictions_val.csv";
inline constexpr const char* kPredictionsTest = "predictions_test.csv";
inline constexpr const char* kEmbeddingsFile = "embeddings.npy";
inline constexpr const char* kEmbeddingIdsFile = "embeddings_ids.csv";
inline constexpr const char* kModelWeights = "model.safetensors";
// Out-of-fold embeddings of the training rows and how they were made (`hito image --oof-folds`).
inline constexpr const char* kOutOfFoldEmbeddingsFile = "embeddings_oof.npy";
inline constexpr const char* kOutOfFoldInfoFile = "oof.json";
inline constexpr const char* kModelConfig = "config.json";
inline constexpr const char* kHistoryFile = "history.csv";
// The folder <model>/preprocessing/: what prediction needs besides the weights, copied from prepared/.
inline constexpr const char* kPreprocessingDir = "preprocessing";
inline constexpr const char* kPreprocessingFiles[] = {kManifestFile, kEncodersFile, kImageStatsFile};
inline constexpr const char* kMetricsFile = "metrics.json";

// A model folder name given by the user (--name): letters, digits, '-', '_' and '.', starting with a
// letter or digit, and none of the run folder's other folders (prepared, eval, embeddings, ...).
bool is_model_folder_name(const std::string& name);
inline constexpr const char* kModelFolderNameRule =
    "a model folder name is letters, digits, '-', '_' and '.', starts with a letter or digit, and is not one of "
    "the run folder's own folders (prepared, embeddings, search, explain, eval, checkpoints, data)";

struct ModelOutputs {
  nlohmann::ordered_json config = nlohmann::ordered_json::object();  // "kind" + hyperparameters
  const Module* model = nullptr;  // saved as model.safetensors when given
  const TrainResult* training = nullptr;  // history.csv and best_epoch when given
  Evaluation val, test;           // probabilities with their data-set rows
  Tensor embeddings;              // f32 (N, D) over all rows, or undefined
  double fit_seconds = 0.0, predict_seconds = 0.0;
  // Other entries for metrics.json (what a fusion chose, each modality's contribution, ...).
  nlohmann::ordered_json metrics_extra = nlohmann::ordered_json::object();
  // Extra files to write into the folder before it is committed (figures of PCA, fusion, ...).
  std::function<void(const std::filesystem::path& folder)> extra_files;
};

// Fills outputs.val and outputs.test by eval-mode passes over the validation and test rows, and
// outputs.predict_seconds with the time of the test pass (the model's predict time). A refit passes no
// validation rows (they were training rows) and leaves outputs.val empty.
void evaluate_splits(ModelOutputs& outputs, TrainTarget& target, BatchSource* val_rows, BatchSource& test_rows,
                     const Tensor& class_weights);

// Writes <run>/<name>/ as described above (replacing an older one only once everything is written).
// Returns the folder.
std::filesystem::path write_model_folder(const PreparedData& data, const std::string& name, const ModelOutputs& outputs);

// The id and split of every row of `data`, in manifest order: `<id column>,split` (train, val, test),
// the file that names the rows of an embeddings matrix (embeddings_ids.csv, `hito embed`'s
// <name>_ids.csv).
void write_row_ids(const fs::path& path, const PreparedData& data);

// The per-row prediction CSV: header `<id_column>,pred,p_<class>...`; row i is ids[i] with
// probabilities row i of `probabilities` (rows x K, f32 on the CPU). A NaN or infinite probability
// is an error naming the row: such a file is never written as a success.
void write_predictions_csv(const std::filesystem::path& path, const std::string& id_column,
                           const std::vector<std::string>& ids, const Tensor& probabilities,
                           const std::vector<std::string>& classes);

// A model folder's predictions for the rows of `data`: reads predictions_<split>.csv, checks the
// folder's fingerprint and class names against the prepared data (refusing a model trained on other
// data, naming both fingerprints), and returns probabilities (rows x K) with the data-set row of each
// line. Errors name the file and line.
struct SavedPredictions {
  std::vector<int64_t> rows;
  Tensor probabilities;  // f32 (rows, K)
};
SavedPredictions read_predictions(const std::filesystem::path& model_dir, const std::string& split,
                                  const PreparedData& data);

// Refuses (an error naming the folder and both fingerprints) a model folder whose config.json
// records another data fingerprint than `data`'s.
void check_model_fingerprint(const std::filesystem::path& model_dir, const PreparedData& data);

// The lesion groups of the given rows, as dense ids for the bootstrap.
std::vector<int64_t> lesion_groups(const PreparedData& data, const std::vector<int64_t>& rows);

// "0.412 [0.371, 0.455]": a score of the split with its interval when the split has one for `metric`.
std::string score_with_interval(const eval::SplitMetrics& s, const std::string& metric, double value);

// Prints a model folder's scores from its metrics.json, one line per split and one for the times:
// "tabular: val balanced accuracy 0.412 [0.371, 0.455], macro AUC 0.761 [0.732, 0.787]".
void print_model_scores(const fs::path& folder);

}  // namespace hito::study
