// The description of a tabular + image data set: which CSV holds the metadata, which column is the
// row id, where each row's image is, which column is the label, which groups rows that must stay on
// one side of a split (several images of one lesion), which columns are features and of what kind,
// which columns leak the label, and which cell values mean "missing". Read from JSON (--config) or
// taken from a built-in preset (--preset ham10000: data/presets/ham10000.json, compiled in):
//
//   {
//     "name": "ham10000",
//     "metadata": "HAM10000_metadata.csv",
//     "id_column": "image_id",
//     "images": ["images/{image_id}.jpg", "HAM10000_images_part_1/{image_id}.jpg"],
//     "masks": "masks/{image_id}_segmentation.png",
//     "label_column": "dx",
//     "group_column": "lesion_id",
//     "features": {"age": "numeric", "sex": "categorical", "localization": "auto"},
//     "leaky_columns": {"dx_type": "how the diagnosis was made, decided together with the label"},
//     "missing_values": ["", "unknown"],
//     "ranges": {"age": [0, 120]},
//     "classes": ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
//   }
//
// Paths are relative to the data folder; "{column}" is replaced by that column's value, and the
// first image pattern naming an existing file wins. Without "features", every column that is not the
// id, group, label or a leaky column is a feature of inferred kind. Without "classes", classes are
// sorted by name. "ranges" bounds numeric columns: a cell outside its range is a bad row naming the
// file, row and column (every numeric cell is also bounded by +-1e15, data/columns.h). Unknown keys are an error (a typo must not silently change the study).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/columns.h"
#include "data/csv.h"

namespace hito::data {

struct FeatureSpec {
  std::string column;
  std::optional<ColumnKind> kind;  // nothing: inferred from the values
};

struct LeakyColumn {
  std::string column, reason;
};

struct DatasetConfig {
  std::string name = "custom";
  std::string metadata = "metadata.csv";
  std::string id_column = "id";
  std::vector<std::string> image_patterns = {"images/{id}.jpg"};
  std::string mask_pattern;  // empty: no masks
  std::string label_column = "label";
  std::string group_column;  // empty: every row is its own group
  std::optional<std::vector<FeatureSpec>> features;
  std::vector<LeakyColumn> leaky_columns;
  std::vector<std::string> missing_values = {""};
  std::vector<std::string> classes;  // empty: sorted label values
  std::map<std::string, NumericRange> ranges;  // column -> the values it may hold

  nlohmann::ordered_json to_json() const;
  // `source` names the config in messages.
  static DatasetConfig from_json(const nlohmann::ordered_json& json, const std::string& source);
  static DatasetConfig load(const std::filesystem::path& path);
  // A built-in preset (data/presets/<name>.json); an unknown name is an error listing the known ones.
  static DatasetConfig preset(const std::string& name);

  MissingValues missing() const { return MissingValues(missing_values); }
};

// The image of row r (relative to the data folder), or why there is none: `problem` holds the
// reason without the row's location ("image path '../x.jpg' is outside the data folder").
struct ImageLookup {
  std::filesystem::path relative;
  std::string problem;
};
ImageLookup find_image(const DatasetConfig& config, const std::filesystem::path& data_dir, const CsvTable& table,
                       int64_t row);

// The image of row r: the first pattern whose file exists, as a path relative to the data folder.
// Errors (naming the metadata file and row): a pattern naming an unknown column, a path that leaves
// the data folder (absolute, or through ".."), no existing file (lists the paths tried).
std::filesystem::path resolve_image(const DatasetConfig& config, const std::filesystem::path& data_dir, const CsvTable& table,
                                    int64_t row);
// A pattern with row r's values filled in, lexically normalised; "{column}" naming a column the
// table lacks is an error. Does not check that the path stays inside the data folder.
std::filesystem::path expand_pattern(const std::string& pattern, const CsvTable& table, int64_t row);
// True when a relative path stays inside the folder it is relative to (not absolute, no leading "..").
bool stays_inside(const std::filesystem::path& relative);

}  // namespace hito::data
