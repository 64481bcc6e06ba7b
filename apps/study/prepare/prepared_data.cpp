// load_prepared: reading prepared/ back and checking it against the data folder.
#include "apps/study/prepare/prepared_data.h"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "data/csv.h"
#include "data/fingerprint.h"
#include "data/npy.h"
#include "data/parallel.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "apps/study/prepare/prepared_files.h"

namespace hito::study {

namespace {


// A .npy of the expected dtype with `rows` rows.
Tensor load_rows(const fs::path& path, DType dtype, int64_t rows) {
  Tensor t = data::load_npy(path);
  HITO_CHECK(t.dtype() == dtype && t.dim() >= 1 && t.size(0) == rows, path.string(), ": expected ", dtype_name(dtype), " with ",
             rows, " rows, got ", t.describe());
  return t;
}

}  // namespace

fs::path prepared_dir_of(const fs::path& run_dir) { return run_dir / kPreparedDir; }
fs::path cache_dir_of(const fs::path& run_dir) { return run_dir / "cache"; }

DataSnapshot snapshot_data(const data::DatasetConfig& config, const fs::path& data_dir, const std::vector<std::string>& ids) {
  fs::path csv_path = data_dir / config.metadata;
  HITO_CHECK(fs::is_regular_file(csv_path), "the prepared data set's metadata ", csv_path.string(),
             " is gone; rerun `hito prepare`");
  data::CsvTable table = data::read_csv(csv_path, data::RaggedRows::Collect);
  int64_t id_col = table.require_column(config.id_column);
  table.require_column(config.label_column);
  std::unordered_map<std::string, int64_t> row_of;
  for (int64_t r = 0; r < table.num_rows(); ++r) row_of.emplace(table.rows[static_cast<size_t>(r)][static_cast<size_t>(id_col)], r);

  DataSnapshot snapshot;
  std::vector<data::FingerprintRow> rows(ids.size());
  std::vector<int64_t> table_row(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    auto it = row_of.find(id);
    HITO_CHECK(it != row_of.end(), "the data in ", data_dir.string(), " no longer match the prepared split: ", config.id_column,
               " '", id, "' is not in ", csv_path.string(), " any more; rerun `hito prepare`");
    data::ImageLookup image = data::find_image(config, data_dir, table, it->second);
    HITO_CHECK(image.problem.empty(), "the data in ", data_dir.string(), " no longer match the prepared split: ",
               table.where(it->second), ": ", image.problem, "; rerun `hito prepare`");
    rows[i].cells = table.rows[static_cast<size_t>(it->second)];
    snapshot.images.push_back(image.relative);
  }
  // The images' content hashes, read on all cores (each into its own slot).
  data::parallel_items(static_cast<int64_t>(ids.size()), 0, [&](int64_t i, int) {
    size_t r = static_cast<size_t>(i);
    rows[r].image_hash = data::image_content_hash(read_file(data_dir / snapshot.images[r]));
  });
  snapshot.fingerprint = data::fingerprint(table.header, rows);
  return snapshot;
}

PreparedData load_prepared(const fs::path& run_dir) {
  PreparedData p;
  p.run_dir = run_dir;
  p.prepared_dir = prepared_dir_of(run_dir);
  fs::path manifest_path = p.prepared_dir / kManifestFile;
  HITO_CHECK(fs::is_regular_file(manifest_path), manifest_path.string(), " not found: run `hito prepare --run ",
             run_dir.string(), "` first");
  OrderedJson manifest = read_json_file<OrderedJson>(manifest_path);
  try {
    p.fingerprint = manifest.at("fingerprint").get<std::string>();
    p.data_dir = manifest.at("data_dir").get<std::string>();
    p.config = data::DatasetConfig::from_json(manifest.at("dataset"), manifest_path.string() + " (dataset)");
    p.seed = manifest.at("seed").get<uint64_t>();
    const OrderedJson& f = manifest.at("split_fractions");
    p.fractions = {f.at("train").get<double>(), f.at("val").get<double>(), f.at("test").get<double>()};
    p.classes = manifest.at("classes").get<std::vector<std::string>>();
    p.tabular_features = manifest.at("tabular_features").get<std::vector<std::string>>();
    p.numeric_features = manifest.at("numeric_features").get<std::vector<std::string>>();
    p.code_columns = manifest.at("code_columns").get<std::vector<std::string>>();
    p.code_cardinalities = manifest.at("code_cardinalities").get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(manifest_path.string(), ": missing or malformed field: ", e.what());
  }

  // rows.csv, and split.csv which must say the same.
  data::CsvTable rows = data::read_csv(p.prepared_dir / kRowsFile);
  int64_t id_c = rows.require_column("id"), group_c = rows.require_column("group"), split_c = rows.require_column("split");
  int64_t label_c = rows.require_column("label"), mask_c = rows.require_column("mask");
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    const auto& cells = rows.rows[static_cast<size_t>(r)];
    p.ids.push_back(cells[static_cast<size_t>(id_c)]);
    p.groups.push_back(cells[static_cast<size_t>(group_c)]);
    p.labels_text.push_back(cells[static_cast<size_t>(label_c)]);
    p.parts.push_back(data::parse_part(cells[static_cast<size_t>(split_c)], rows.where(r)));
    const std::string& mask = cells[static_cast<size_t>(mask_c)];
    p.masks.push_back(mask.empty() ? fs::path() : p.data_dir / mask);
  }
  data::CsvTable split = data::read_csv(p.prepared_dir / kSplitFile);
  HITO_CHECK(split.num_rows() == p.size(), split.source.string(), " has ", split.num_rows(), " rows, rows.csv has ", p.size());
  int64_t split_id_c = split.require_column(p.config.id_column), split_split_c = split.require_column("split");
  for (int64_t r = 0; r < p.size(); ++r) {
    const auto& cells = split.rows[static_cast<size_t>(r)];
    HITO_CHECK(cells[static_cast<size_t>(split_id_c)] == p.ids[static_cast<size_t>(r)] &&
                   data::parse_part(cells[static_cast<size_t>(split_split_c)], split.where(r)) == p.parts[static_cast<size_t>(r)],
               split.where(r), ": disagrees with rows.csv (the split manifest was edited); rerun `hito prepare`");
  }

  DataSnapshot now = snapshot_data(p.config, p.data_dir, p.ids);
  HITO_CHECK(now.fingerprint == p.fingerprint, "the data in ", p.data_dir.string(), " no longer match the prepared split (",
             manifest_path.string(), " has fingerprint ", p.fingerprint, ", the data now give ", now.fingerprint,
             "): a metadata cell, an image or the set of rows changed; rerun `hito prepare`");
  for (const fs::path& image : now.images) p.images.push_back(p.data_dir / image);
  for (int64_t r = 0; r < p.size(); ++r) {
    auto at = std::find(p.classes.begin(), p.classes.end(), p.labels_text[static_cast<size_t>(r)]);
    HITO_CHECK(at != p.classes.end(), rows.where(r), ": label '", p.labels_text[static_cast<size_t>(r)],
               "' is not one of the manifest's classes");
  }

  p.labels = load_rows(p.prepared_dir / kLabelsFile, DType::I64, p.size());
  p.tabular = load_rows(p.prepared_dir / kTabularFile, DType::F32, p.size());
  p.numeric = load_rows(p.prepared_dir / kNumericFile, DType::F32, p.size());
  p.codes = load_rows(p.prepared_dir / kCodesFile, DType::I64, p.size());
  HITO_CHECK(p.tabular.dim() == 2 && p.tabular.size(1) == static_cast<int64_t>(p.tabular_features.size()),
             "tabular.npy has ", p.tabular.describe(), " for ", p.tabular_features.size(), " features in the manifest");
  p.encoder = data::TabularEncoder::from_json(read_json_file<OrderedJson>(p.prepared_dir / kEncodersFile),
                                              (p.prepared_dir / kEncodersFile).string());
  OrderedJson stats = read_json_file<OrderedJson>(p.prepared_dir / kImageStatsFile);
  try {
    for (size_t c = 0; c < 3; ++c) {
      p.image_mean[c] = stats.at("mean").at(c).get<float>();
      p.image_std[c] = stats.at("std").at(c).get<float>();
    }
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL((p.prepared_dir / kImageStatsFile).string(), ": malformed: ", e.what());
  }
  return p;
}

std::vector<int64_t> PreparedData::rows_of(data::Part part) const {
  std::vector<int64_t> out;
  for (int64_t r = 0; r < size(); ++r)
    if (parts[static_cast<size_t>(r)] == part) out.push_back(r);
  return out;
}

std::shared_ptr<data::ImageCache> PreparedData::image_cache(int64_t height, int64_t width, data::ResizeMode mode,
                                                             int threads) const {
  return data::ImageCache::open_or_build(cache_dir_of(run_dir), fingerprint, images, height, width, mode, threads);
}

data::LoaderOptions PreparedData::loader_options() const {
  data::LoaderOptions options;
  options.mean = image_mean;
  options.std = image_std;
  return options;
}

std::vector<int64_t> labels_of(const PreparedData& data, const std::vector<int64_t>& rows) {
  const int64_t* all = data.labels.data<int64_t>();
  std::vector<int64_t> picked;
  picked.reserve(rows.size());
  for (int64_t r : rows) picked.push_back(all[r]);
  return picked;
}

}  // namespace hito::study
