// hito predict: model folders applied to new data by the predictor of their kind.
#include "apps/study/predict/predict.h"

#include <map>
#include <unordered_map>

#include "apps/eval/metrics_file.h"
#include "apps/study/fusion/fusion_predict.h"
#include "apps/study/image/image_predict.h"
#include "apps/study/train/model_output.h"
#include "apps/study/tabular/tabular_predict.h"
#include "base/fs.h"

namespace hito::study {

namespace {

// Every model kind the study writes, and its predictor.
const std::map<std::string, Predictor>& predictors() {
  static const std::map<std::string, Predictor> table = {
      {"tabular", predict_tabular},
      {"pixels", predict_pixels},
      {"image-head", predict_image_model},
      {"image-finetune", predict_image_model},
      {"image-scratch", predict_image_model},
      {"fusion-late", [](const ModelFolder& m, const NewData& d) { return predict_fusion_late(m, d, predict_model); }},
      {"fusion-early", predict_fusion_early},
      {"fusion-joint", predict_fusion_joint},
  };
  return table;
}

// The labels of the new rows as class indices, or empty when the table has no label column or a row
// has no label. A label outside the model's classes is an error naming the row.
std::vector<int64_t> new_labels(const NewData& data, const std::vector<std::string>& classes) {
  const auto& header = data.table.header;
  auto column = std::find(header.begin(), header.end(), data.config.label_column);
  if (column == header.end()) return {};
  const size_t c = static_cast<size_t>(column - header.begin());
  std::vector<int64_t> labels;
  for (int64_t r = 0; r < data.table.num_rows(); ++r) {
    const std::string label(data::trim(data.table.rows[static_cast<size_t>(r)][c]));
    if (label.empty()) return {};
    auto k = std::find(classes.begin(), classes.end(), label);
    HITO_CHECK(k != classes.end(), data.table.where(r), ": label '", label, "' is not one of the model's classes");
    labels.push_back(k - classes.begin());
  }
  return labels;
}

// Lesion groups of the new rows for the bootstrap: the group column when the table has it, else one
// group per row.
std::vector<int64_t> new_groups(const NewData& data) {
  const auto& header = data.table.header;
  auto column = data.config.group_column.empty() ? header.end()
                                                 : std::find(header.begin(), header.end(), data.config.group_column);
  std::vector<std::string> names;
  for (int64_t r = 0; r < data.table.num_rows(); ++r)
    names.push_back(column == header.end() ? std::to_string(r)
                                           : data.table.rows[static_cast<size_t>(r)][static_cast<size_t>(column - header.begin())]);
  return eval::group_ids(names);
}

}  // namespace

const Predictor& find_predictor(const std::string& kind) {
  auto found = predictors().find(kind);
  if (found == predictors().end()) {
    std::string known;
    for (const auto& [name, fn] : predictors()) known += (known.empty() ? "" : ", ") + name;
    HITO_FAIL("hito predict has no predictor for model kind '", kind, "' (known kinds: ", known, ")");
  }
  return found->second;
}

Tensor predict_model(const ModelFolder& model, const NewData& data) { return find_predictor(model.kind)(model, data); }

PredictResult run_predict(const PredictOptions& o) {
  HITO_CHECK(!o.out.empty(), "--out FILE.csv is required");
  ModelFolder model = load_model_folder(o.model_dir);
  model.device = o.device;
  model.threads = o.threads;
  HITO_CHECK(o.preset.empty() || o.config_file.empty(), "give --preset or --config, not both");
  data::DatasetConfig config = !o.config_file.empty() ? data::DatasetConfig::load(o.config_file)
                               : !o.preset.empty()    ? data::DatasetConfig::preset(o.preset)
                                                      : model.dataset;
  NewData data = read_new_data(o.data_dir, config);
  const std::vector<data::UnseenValues> unseen = model.encoder.unseen_values(data.table);
  for (const data::UnseenValues& u : unseen) {
    std::string values;
    for (size_t i = 0; i < u.values.size() && i < 5; ++i) values += (i ? ", '" : "'") + u.values[i] + "'";
    if (u.values.size() > 5) values += ", ...";
    std::fprintf(stderr, "predict: warning: %lld row%s of %s have a %s never seen in training (%s): encoded as unknown\n",
                 static_cast<long long>(u.rows), u.rows == 1 ? "" : "s", o.data_dir.c_str(), u.column.c_str(),
                 values.c_str());
  }
  Tensor probabilities = predict_model(model, data).to(Device::CPU);
  const int64_t rows = static_cast<int64_t>(data.ids.size()), k = static_cast<int64_t>(model.classes.size());
  HITO_CHECK(probabilities.dim() == 2 && probabilities.size(0) == rows && probabilities.size(1) == k, "the predictor of '",
             model.kind, "' returned ", probabilities.describe(), " for ", rows, " rows and ", k, " classes");

  PredictResult result;
  result.rows = rows;
  for (const data::UnseenValues& u : unseen) result.unseen[u.column] = u.rows;
  result.predictions = o.out;
  if (!o.out.parent_path().empty()) fs::create_directories(o.out.parent_path());
  write_predictions_csv(o.out, config.id_column, data.ids, probabilities, model.classes);
  std::printf("predict: %lld rows of %s with %s (%s) -> %s\n", static_cast<long long>(rows), o.data_dir.c_str(),
              o.model_dir.c_str(), model.kind.c_str(), o.out.c_str());

  std::vector<int64_t> labels = new_labels(data, model.classes);
  if (!labels.empty()) {
    eval::Predictions p;
    p.num_classes = k;
    p.labels = labels;
    std::vector<float> probs = probabilities.to_vector<float>();
    p.probs.assign(probs.begin(), probs.end());
    p.groups = new_groups(data);
    p.validate("new-data predictions");
    eval::MetricsFile metrics;
    metrics.class_names = model.classes;
    metrics.splits.push_back(eval::evaluate_split("new", p));
    metrics.extra["model"] = fs::absolute(o.model_dir).string();
    metrics.extra["data"] = fs::absolute(o.data_dir).string();
    nlohmann::json unseen_rows = nlohmann::json::object();
    for (const data::UnseenValues& u : unseen) unseen_rows[u.column] = {{"rows", u.rows}, {"values", u.values}};
    metrics.extra["unseen_categories"] = unseen_rows;
    result.metrics = fs::path(o.out).replace_extension(".metrics.json");
    eval::write_metrics_file(result.metrics, metrics);
    const auto& m = metrics.splits.front();
    std::printf("predict: labels found: balanced accuracy %.3f, macro AUC %.3f -> %s\n", m.metrics.balanced_accuracy,
                m.metrics.macro_auc, result.metrics.c_str());
  }
  return result;
}

}  // namespace hito::study
