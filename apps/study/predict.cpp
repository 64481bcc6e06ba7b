// hito predict: model folders applied to new data through the registry of predictors.
#include "apps/study/predict.h"

#include <map>
#include <unordered_map>

#include "apps/eval/metrics_file.h"
#include "apps/study/fusion_predict.h"
#include "apps/study/image_predict.h"
#include "apps/study/model_output.h"
#include "apps/study/tabular_predict.h"
#include "engine/fs.h"

namespace hito::study {

namespace {

std::map<std::string, Predictor>& registry() {
  static std::map<std::string, Predictor> predictors;
  return predictors;
}

// The predictors of the study's model kinds: one line per milestone.
void register_builtin_predictors() {
  static bool done = false;
  if (done) return;
  done = true;  // before the calls below, which come back through register_predictor()
  register_tabular_predictors();  // tabular, pixels
  register_image_predictors();    // image-head, image-finetune, image-scratch
  register_fusion_predictors();   // fusion-late, fusion-early, fusion-joint
}

nlohmann::json read_json(const fs::path& path) {
  HITO_CHECK(fs::is_regular_file(path), path.string(), " not found");
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(path.string(), " is not valid JSON: ", e.what());
  }
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

void register_predictor(const std::string& kind, Predictor predictor) {
  register_builtin_predictors();
  HITO_CHECK(predictor, "register_predictor: no function given for kind '", kind, "'");
  registry()[kind] = std::move(predictor);
}

const Predictor& find_predictor(const std::string& kind) {
  register_builtin_predictors();
  auto found = registry().find(kind);
  if (found == registry().end()) {
    std::string known;
    for (const auto& [name, fn] : registry()) known += (known.empty() ? "" : ", ") + name;
    HITO_FAIL("hito predict has no predictor for model kind '", kind, "' (known kinds: ", known, ")");
  }
  return found->second;
}

ModelFolder load_model_folder(const fs::path& dir) {
  HITO_CHECK(fs::is_directory(dir), "model folder ", dir.string(), " does not exist");
  ModelFolder m;
  m.dir = dir;
  m.config = read_json(dir / kModelConfig);
  const fs::path pre = dir / kPreprocessingDir;
  HITO_CHECK(fs::is_directory(pre), "model folder ", dir.string(), " has no ", kPreprocessingDir,
             "/ (the training-time preprocessing): it was written before models carried it; retrain it");
  try {
    m.kind = m.config.at("kind").get<std::string>();
    m.classes = m.config.at("classes").get<std::vector<std::string>>();
    nlohmann::json manifest = read_json(pre / "manifest.json");
    m.dataset = data::DatasetConfig::from_json(manifest.at("dataset"), (pre / "manifest.json").string() + " (dataset)");
    m.encoder = data::TabularEncoder::from_json(read_json(pre / "encoders.json"), (pre / "encoders.json").string());
    nlohmann::json stats = read_json(pre / "image_stats.json");
    for (size_t c = 0; c < 3; ++c) {
      m.image_mean[c] = stats.at("mean").at(c).get<float>();
      m.image_std[c] = stats.at("std").at(c).get<float>();
    }
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL("model folder ", dir.string(), ": missing or malformed entry: ", e.what());
  }
  return m;
}

std::vector<fs::path> NewData::image_paths() const {
  std::vector<fs::path> paths;
  paths.reserve(static_cast<size_t>(table.num_rows()));
  for (int64_t r = 0; r < table.num_rows(); ++r) paths.push_back(data_dir / data::resolve_image(config, data_dir, table, r));
  return paths;
}

NewData read_new_data(const fs::path& data_dir, const data::DatasetConfig& config) {
  NewData d;
  d.data_dir = data_dir;
  d.config = config;
  const fs::path metadata = data_dir / config.metadata;
  HITO_CHECK(fs::is_regular_file(metadata), "no metadata file ", metadata.string(), " (the data set config names '",
             config.metadata, "')");
  d.table = data::read_csv(metadata);
  const int64_t id = d.table.require_column(config.id_column);
  for (const auto& row : d.table.rows) d.ids.push_back(row[static_cast<size_t>(id)]);
  HITO_CHECK(!d.ids.empty(), metadata.string(), " has no rows to predict");
  return d;
}

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
  Tensor probabilities = find_predictor(model.kind)(model, data).to(Device::CPU);
  const int64_t rows = static_cast<int64_t>(data.ids.size()), k = static_cast<int64_t>(model.classes.size());
  HITO_CHECK(probabilities.dim() == 2 && probabilities.size(0) == rows && probabilities.size(1) == k, "the predictor of '",
             model.kind, "' returned ", probabilities.describe(), " for ", rows, " rows and ", k, " classes");

  PredictResult result;
  result.rows = rows;
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
    result.metrics = fs::path(o.out).replace_extension(".metrics.json");
    eval::write_metrics_file(result.metrics, metrics);
    const auto& m = metrics.splits.front();
    std::printf("predict: labels found: balanced accuracy %.3f, macro AUC %.3f -> %s\n", m.metrics.balanced_accuracy,
                m.metrics.macro_auc, result.metrics.c_str());
  }
  return result;
}

}  // namespace hito::study
