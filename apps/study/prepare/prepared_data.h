// Loading what `hito prepare` wrote (see prepare.h for the files), for every later command:
//
//   PreparedData prepared = load_prepared(run_dir);   // throws if the data no longer match
//   std::vector<int64_t> train = prepared.rows_of(data::Part::Train);
//   auto images = prepared.image_cache(224, 224, data::ResizeMode::Crop);  // built on first use
//   data::DataLoader loader(images, prepared.loader_tables(), train, options);
//
// load_prepared re-reads the metadata CSV in the recorded data folder and recomputes the fingerprint
// (ids, labels and image file sizes in manifest order); when it differs from the manifest's, or when
// split.csv disagrees with rows.csv, it refuses with a message naming what changed and how to redo
// the preparation. New data (hito predict) goes through `encoder.transform()` with the same fitted
// preprocessing.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/data_loader.h"
#include "data/dataset_config.h"
#include "data/image_cache.h"
#include "data/split.h"
#include "data/tabular_encoder.h"
#include "engine/tensor.h"

namespace hito::study {

namespace fs = std::filesystem;

struct PreparedData {
  fs::path run_dir, prepared_dir, data_dir;
  data::DatasetConfig config;
  std::string fingerprint;
  uint64_t seed = 0;
  data::SplitFractions fractions;
  std::vector<std::string> classes;  // in label-index order

  // One entry per row, in manifest order.
  std::vector<std::string> ids, groups, labels_text;
  std::vector<data::Part> parts;
  std::vector<fs::path> images, masks;  // absolute; a mask is empty when the data set has none

  Tensor labels;   // i64 (N)
  Tensor tabular;  // f32 (N, F)
  Tensor numeric;  // f32 (N, Fn)
  Tensor codes;    // i64 (N, C)
  std::vector<std::string> tabular_features, numeric_features, code_columns;
  std::vector<int64_t> code_cardinalities;  // embedding table sizes (vocabulary + unknown slot)
  data::TabularEncoder encoder;
  std::array<float, 3> image_mean{}, image_std{};  // training images, [0, 1] scale

  int64_t size() const { return static_cast<int64_t>(ids.size()); }
  int64_t num_classes() const { return static_cast<int64_t>(classes.size()); }
  // Row indices of one part, in manifest order.
  std::vector<int64_t> rows_of(data::Part part) const;
  // The run's image cache at this size (<run>/cache/), built on first use.
  std::shared_ptr<data::ImageCache> image_cache(int64_t height, int64_t width, data::ResizeMode mode, int threads = 0) const;
  // tabular, codes and labels for a DataLoader.
  data::LoaderTables loader_tables() const { return {tabular, codes, labels}; }
  // Loader options with this data set's image normalisation filled in.
  data::LoaderOptions loader_options() const;
};

// The labels (class indices) of the given rows, in that order.
std::vector<int64_t> labels_of(const PreparedData& data, const std::vector<int64_t>& rows);

// Requires <run>/prepared/ from `hito prepare`; verifies the fingerprint against the data folder.
PreparedData load_prepared(const fs::path& run_dir);

// The data as they are now, for the rows (ids, in manifest order) of a prepared set: the fingerprint
// and each row's image (relative to the data folder, found again through the config's patterns).
// Errors, naming the id, when a row is no longer in the metadata or has no image.
struct DataSnapshot {
  std::string fingerprint;
  std::vector<fs::path> images;
};
DataSnapshot snapshot_data(const data::DatasetConfig& config, const fs::path& data_dir, const std::vector<std::string>& ids);

// The folder and file names of the contract.
fs::path prepared_dir_of(const fs::path& run_dir);  // <run>/prepared
fs::path cache_dir_of(const fs::path& run_dir);     // <run>/cache

}  // namespace hito::study
