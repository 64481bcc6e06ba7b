// Writing and reading model folders.
#include "apps/study/train/model_output.h"

#include "dist/communicator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "apps/eval/metrics_file.h"
#include "apps/eval/model_figures.h"
#include "apps/study/train/progress.h"
#include "data/csv.h"
#include "data/npy.h"
#include "data/split.h"
#include "base/fs.h"
#include "base/json.h"
#include "weights/state_dict.h"

namespace hito::study {

namespace {

void write_history(const fs::path& path, const std::vector<EpochRecord>& history) {
  data::CsvWriter csv({"epoch", "train_loss", "val_loss", "train_bacc", "val_bacc", "lr", "seconds"});
  for (const EpochRecord& r : history)
    csv.row({std::to_string(r.epoch), data::format_number(r.train_loss), data::format_number(r.val_loss),
             data::format_number(r.train_bacc), data::format_number(r.val_bacc), data::format_number(r.lr),
             data::format_number(r.seconds)});
  csv.write(path);
}

std::vector<std::string> ids_of(const PreparedData& data, const std::vector<int64_t>& rows) {
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (int64_t r : rows) ids.push_back(data.ids[static_cast<size_t>(r)]);
  return ids;
}

eval::SplitMetrics score(const PreparedData& data, const std::string& split, const Evaluation& evaluation) {
  eval::Predictions p;
  p.num_classes = data.num_classes();
  p.labels = evaluation.labels;
  std::vector<float> probs = evaluation.probabilities.to(Device::CPU).to_vector<float>();
  p.probs.assign(probs.begin(), probs.end());
  p.groups = lesion_groups(data, evaluation.rows);
  p.validate(split + " predictions");
  return eval::evaluate_split(split, p);
}

}  // namespace

std::vector<int64_t> lesion_groups(const PreparedData& data, const std::vector<int64_t>& rows) {
  std::vector<std::string> names;
  names.reserve(rows.size());
  for (int64_t r : rows) names.push_back(data.groups[static_cast<size_t>(r)]);
  return eval::group_ids(names);
}

void write_predictions_csv(const fs::path& path, const std::string& id_column, const std::vector<std::string>& ids,
                           const Tensor& probabilities, const std::vector<std::string>& classes) {
  int64_t k = static_cast<int64_t>(classes.size());
  HITO_CHECK(probabilities.dim() == 2 && probabilities.size(0) == static_cast<int64_t>(ids.size()) &&
                 probabilities.size(1) == k,
             "predictions for ", path.string(), ": expected (", ids.size(), ", ", k, ") probabilities, got ",
             probabilities.describe());
  std::vector<std::string> header = {id_column, "pred"};
  for (const std::string& c : classes) header.push_back("p_" + c);
  data::CsvWriter csv(header);
  std::vector<float> p = probabilities.to(Device::CPU).to_vector<float>();
  for (size_t i = 0; i < ids.size(); ++i) {
    const float* row = p.data() + i * static_cast<size_t>(k);
    for (int64_t c = 0; c < k; ++c)
      HITO_CHECK(std::isfinite(row[c]), path.string(), ": the model gave ", ids[i], " a probability of ", row[c], " for class '",
                 classes[static_cast<size_t>(c)], "' (non-finite outputs: a diverged model or an input outside what it was "
                 "trained on); nothing written");
    int64_t best = 0;
    for (int64_t c = 1; c < k; ++c)
      if (row[c] > row[best]) best = c;
    std::vector<std::string> fields = {ids[i], classes[static_cast<size_t>(best)]};
    for (int64_t c = 0; c < k; ++c) fields.push_back(data::format_number(row[c]));
    csv.row(fields);
  }
  csv.write(path);
}

bool is_model_folder_name(const std::string& name) {
  static const std::vector<std::string> reserved = {"prepared", "embeddings", "search", "explain", "eval", "checkpoints", "data"};
  if (name.empty() || name.size() > 100 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return std::find(reserved.begin(), reserved.end(), name) == reserved.end();
}

void evaluate_splits(ModelOutputs& outputs, TrainTarget& target, BatchSource* val_rows, BatchSource& test_rows,
                     const Tensor& class_weights) {
  if (val_rows) outputs.val = evaluate(target, *val_rows, class_weights);
  const auto predict_start = Clock::now();
  outputs.test = evaluate(target, test_rows, class_weights);
  outputs.predict_seconds = seconds_since(predict_start);
}

void write_row_ids(const fs::path& path, const PreparedData& data) {
  data::CsvWriter ids({data.config.id_column, "split"});
  for (int64_t r = 0; r < data.size(); ++r)
    ids.row({data.ids[static_cast<size_t>(r)], data::part_name(data.parts[static_cast<size_t>(r)])});
  ids.write(path);
}

fs::path write_model_folder(const PreparedData& data, const std::string& name, const ModelOutputs& outputs) {
  // In a data-parallel job every rank holds the same model and outputs; rank 0 alone writes them.
  if (!dist::world().is_writer()) return data.run_dir / name;
  OutputDir folder(data.run_dir / name);
  const fs::path& dir = folder.path();

  nlohmann::ordered_json config = outputs.config;
  config["name"] = name;
  if (!config.contains("fitted_on")) config["fitted_on"] = "train";
  config["fingerprint"] = data.fingerprint;
  config["classes"] = data.classes;
  config["fit_seconds"] = outputs.fit_seconds;
  config["predict_seconds"] = outputs.predict_seconds;
  write_file_atomic(dir / kModelConfig, config.dump(2) + "\n");
  // What `hito predict` needs besides the weights: the data set config, the fitted encoder and the
  // image statistics, so that the folder applies to new data on its own.
  fs::create_directories(dir / kPreprocessingDir);
  for (const char* file : kPreprocessingFiles) {
    HITO_CHECK(fs::is_regular_file(data.prepared_dir / file), "model folder ", name, ": ",
               (data.prepared_dir / file).string(), " not found (rerun `hito prepare`)");
    fs::copy_file(data.prepared_dir / file, dir / kPreprocessingDir / file, fs::copy_options::overwrite_existing);
  }

  if (outputs.model) save_state_dict(*outputs.model, dir / kModelWeights, {{"hito_model", name}});
  if (outputs.training) write_history(dir / kHistoryFile, outputs.training->history);
  // A refit has no validation predictions: its validation rows were training rows (refit.h).
  const bool has_val = !outputs.val.rows.empty();
  if (has_val)
    write_predictions_csv(dir / kPredictionsVal, data.config.id_column, ids_of(data, outputs.val.rows),
                          outputs.val.probabilities, data.classes);
  write_predictions_csv(dir / kPredictionsTest, data.config.id_column, ids_of(data, outputs.test.rows),
                        outputs.test.probabilities, data.classes);
  if (outputs.embeddings.defined()) {
    HITO_CHECK(outputs.embeddings.dim() == 2 && outputs.embeddings.size(0) == data.size(),
               "embeddings of ", name, " must have one row per data-set row (", data.size(), "), got ",
               outputs.embeddings.describe());
    data::save_npy(dir / kEmbeddingsFile, outputs.embeddings.to(Device::CPU));
    write_row_ids(dir / kEmbeddingIdsFile, data);
  }

  eval::MetricsFile metrics;
  metrics.class_names = data.classes;
  if (has_val) metrics.splits.push_back(score(data, "val", outputs.val));
  metrics.splits.push_back(score(data, "test", outputs.test));
  if (outputs.training) metrics.extra["best_epoch"] = outputs.training->best_epoch;
  metrics.extra["fit_seconds"] = outputs.fit_seconds;
  metrics.extra["predict_seconds"] = outputs.predict_seconds;
  metrics.extra["fingerprint"] = data.fingerprint;
  for (const auto& [key, value] : outputs.metrics_extra.items()) metrics.extra[key] = value;
  eval::write_metrics_file(dir / kMetricsFile, metrics);

  if (outputs.extra_files) outputs.extra_files(dir);
  eval::write_model_figures(dir);
  folder.commit();
  return folder.final_path();
}

void check_model_fingerprint(const fs::path& model_dir, const PreparedData& data) {
  fs::path config_path = model_dir / kModelConfig;
  HITO_CHECK(fs::exists(config_path), "model folder ", model_dir.string(), " has no ", kModelConfig);
  Json config = read_json_file(config_path);
  std::string recorded = config.value("fingerprint", "");
  HITO_CHECK(recorded == data.fingerprint, "model folder ", model_dir.string(), " was trained on data with fingerprint ",
             recorded.empty() ? "(none)" : recorded, ", but the prepared data in ", data.run_dir.string(),
             " have fingerprint ", data.fingerprint, ": retrain the model on these data");
}

SavedPredictions read_predictions(const fs::path& model_dir, const std::string& split, const PreparedData& data) {
  check_model_fingerprint(model_dir, data);
  fs::path path = model_dir / ("predictions_" + split + ".csv");
  data::CsvTable table = data::read_csv(path);
  int64_t k = data.num_classes();
  int64_t id_column = table.require_column(data.config.id_column);
  std::vector<int64_t> columns;
  for (const std::string& c : data.classes) columns.push_back(table.require_column("p_" + c));
  std::unordered_map<std::string, int64_t> row_of_id;
  for (int64_t r = 0; r < data.size(); ++r) row_of_id.emplace(data.ids[static_cast<size_t>(r)], r);

  SavedPredictions saved;
  std::vector<float> probs;
  probs.reserve(static_cast<size_t>(table.num_rows() * k));
  for (int64_t i = 0; i < table.num_rows(); ++i) {
    const auto& fields = table.rows[static_cast<size_t>(i)];
    auto found = row_of_id.find(fields[static_cast<size_t>(id_column)]);
    HITO_CHECK(found != row_of_id.end(), table.where(i), ": id '", fields[static_cast<size_t>(id_column)],
               "' is not in the prepared data");
    saved.rows.push_back(found->second);
    for (int64_t c : columns) {
      const std::string& cell = fields[static_cast<size_t>(c)];
      char* end = nullptr;
      float value = std::strtof(cell.c_str(), &end);
      HITO_CHECK(!cell.empty() && end == cell.c_str() + cell.size() && std::isfinite(value) && value >= 0.0f,
                 table.where(i), ": '", cell, "' in column ", table.header[static_cast<size_t>(c)],
                 " is not a probability");
      probs.push_back(value);
    }
  }
  saved.probabilities = Tensor::from_vector(probs, {table.num_rows(), k});
  return saved;
}

std::string score_with_interval(const eval::SplitMetrics& s, const std::string& metric, double value) {
  auto found = s.intervals.find(metric);
  char text[96];
  if (found == s.intervals.end()) std::snprintf(text, sizeof text, "%.3f", value);
  else std::snprintf(text, sizeof text, "%.3f [%.3f, %.3f]", value, found->second.lower, found->second.upper);
  return text;
}

void print_model_scores(const fs::path& folder) {
  if (!dist::world().is_writer()) return;  // the folder is rank 0's
  const eval::MetricsFile metrics = eval::read_metrics_file(folder / kMetricsFile);
  const std::string name = folder.filename().string();
  for (const eval::SplitMetrics& s : metrics.splits)
    std::printf("%s: %s balanced accuracy %s, macro AUC %s\n", name.c_str(), s.split.c_str(),
                score_with_interval(s, "balanced_accuracy", s.metrics.balanced_accuracy).c_str(),
                score_with_interval(s, "macro_auc", s.metrics.macro_auc).c_str());
  auto seconds = [&](const char* key) {
    return metrics.extra.contains(key) && metrics.extra[key].is_number() ? metrics.extra[key].get<double>() : NAN;
  };
  std::printf("%s: fit %.2f s, predict %.3f s\n", name.c_str(), seconds("fit_seconds"), seconds("predict_seconds"));
}

}  // namespace hito::study
