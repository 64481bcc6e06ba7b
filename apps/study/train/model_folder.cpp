// Model folders loaded back for prediction, and new data read with a data set config.
#include "apps/study/train/model_folder.h"

#include "apps/study/prepare/prepared_files.h"
#include "apps/study/train/model_output.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::study {

ModelFolder load_model_folder(const fs::path& dir) {
  HITO_CHECK(fs::is_directory(dir), "model folder ", dir.string(), " does not exist");
  ModelFolder m;
  m.dir = dir;
  m.config = read_json_file(dir / kModelConfig);
  const fs::path pre = dir / kPreprocessingDir;
  HITO_CHECK(fs::is_directory(pre), "model folder ", dir.string(), " has no ", kPreprocessingDir,
             "/ (the training-time preprocessing): it was written before models carried it; retrain it");
  try {
    m.kind = m.config.at("kind").get<std::string>();
    m.classes = m.config.at("classes").get<std::vector<std::string>>();
    Json manifest = read_json_file(pre / kManifestFile);
    m.dataset = data::DatasetConfig::from_json(manifest.at("dataset"), (pre / kManifestFile).string() + " (dataset)");
    m.encoder = data::TabularEncoder::from_json(read_json_file(pre / kEncodersFile), (pre / kEncodersFile).string());
    Json stats = read_json_file(pre / kImageStatsFile);
    for (size_t c = 0; c < 3; ++c) {
      m.image_mean[c] = stats.at("mean").at(c).get<float>();
      m.image_std[c] = stats.at("std").at(c).get<float>();
    }
  } catch (const Json::exception& e) {
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

}  // namespace hito::study
