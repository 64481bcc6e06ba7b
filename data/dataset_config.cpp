// DatasetConfig: JSON in and out, the ham10000 preset, image path patterns.
#include "data/dataset_config.h"

#include <set>

#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "data/presets.h"

namespace hito::data {

namespace {

std::vector<std::string> string_list(const OrderedJson& value, const std::string& what) {
  if (value.is_string()) return {value.get<std::string>()};
  HITO_CHECK(value.is_array(), what, " must be a string or a list of strings");
  std::vector<std::string> out;
  for (const OrderedJson& item : value) {
    HITO_CHECK(item.is_string(), what, " must hold strings, got ", json_excerpt(item));
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string string_value(const OrderedJson& value, const std::string& what) {
  HITO_CHECK(value.is_string(), what, " must be a string, got ", json_excerpt(value));
  return value.get<std::string>();
}

// {"age": [0, 120], ...}: each range two finite numbers, min <= max, within +-1e15.
std::map<std::string, NumericRange> parse_ranges(const OrderedJson& value, const std::string& what) {
  HITO_CHECK(value.is_object(), what, " must be an object of [min, max] pairs, got ", json_excerpt(value));
  std::map<std::string, NumericRange> ranges;
  for (const auto& [column, bounds] : value.items()) {
    HITO_CHECK(bounds.is_array() && bounds.size() == 2 && bounds[0].is_number() && bounds[1].is_number(), what, ".", column,
               " must be [min, max], got ", json_excerpt(bounds));
    NumericRange range{bounds[0].get<double>(), bounds[1].get<double>()};
    HITO_CHECK(range.min <= range.max && NumericRange{}.contains(range.min) && NumericRange{}.contains(range.max), what, ".",
               column, ": ", range.describe(), " must have min <= max, both within +-1e15");
    ranges[column] = range;
  }
  return ranges;
}

}  // namespace

OrderedJson DatasetConfig::to_json() const {
  OrderedJson json;
  json["name"] = name;
  json["metadata"] = metadata;
  json["id_column"] = id_column;
  json["images"] = image_patterns;
  if (!mask_pattern.empty()) json["masks"] = mask_pattern;
  json["label_column"] = label_column;
  if (!group_column.empty()) json["group_column"] = group_column;
  if (features) {
    OrderedJson list = OrderedJson::object();
    for (const FeatureSpec& f : *features) list[f.column] = f.kind ? kind_name(*f.kind) : "auto";
    json["features"] = list;
  }
  OrderedJson leaky = OrderedJson::object();
  for (const LeakyColumn& l : leaky_columns) leaky[l.column] = l.reason;
  json["leaky_columns"] = leaky;
  json["missing_values"] = missing_values;
  if (!classes.empty()) json["classes"] = classes;
  if (!ranges.empty()) {
    OrderedJson bounds = OrderedJson::object();
    for (const auto& [column, range] : ranges) bounds[column] = {range.min, range.max};
    json["ranges"] = bounds;
  }
  return json;
}

DatasetConfig DatasetConfig::from_json(const OrderedJson& json, const std::string& source) {
  HITO_CHECK(json.is_object(), source, ": a data-set config must be a JSON object");
  DatasetConfig config;
  for (const auto& [key, value] : json.items()) {
    std::string what = source + ": \"" + key + "\"";
    if (key == "name") config.name = string_value(value, what);
    else if (key == "metadata") config.metadata = string_value(value, what);
    else if (key == "id_column") config.id_column = string_value(value, what);
    else if (key == "images") config.image_patterns = string_list(value, what);
    else if (key == "masks") config.mask_pattern = string_value(value, what);
    else if (key == "label_column") config.label_column = string_value(value, what);
    else if (key == "group_column") config.group_column = string_value(value, what);
    else if (key == "missing_values") config.missing_values = string_list(value, what);
    else if (key == "classes") config.classes = string_list(value, what);
    else if (key == "ranges") config.ranges = parse_ranges(value, what);
    else if (key == "features") {
      std::vector<FeatureSpec> features;
      if (value.is_object()) {
        for (const auto& [column, kind] : value.items()) {
          std::string kind_text = string_value(kind, what + "." + column);
          features.push_back({column, kind_text == "auto" ? std::nullopt
                                                          : std::optional(parse_kind(kind_text, what + "." + column))});
        }
      } else {
        for (const std::string& column : string_list(value, what)) features.push_back({column, std::nullopt});
      }
      config.features = std::move(features);
    } else if (key == "leaky_columns") {
      if (value.is_object()) {
        for (const auto& [column, reason] : value.items())
          config.leaky_columns.push_back({column, string_value(reason, what + "." + column)});
      } else {
        for (const std::string& column : string_list(value, what))
          config.leaky_columns.push_back({column, "declared leaky in the data-set config"});
      }
    } else {
      HITO_FAIL(source, ": unknown key \"", key,
                "\" (known: name, metadata, id_column, images, masks, label_column, group_column, features, "
                "leaky_columns, missing_values, classes, ranges)");
    }
  }
  HITO_CHECK(!config.image_patterns.empty(), source, ": \"images\" needs at least one pattern");
  HITO_CHECK(!config.id_column.empty() && !config.label_column.empty(), source, ": id_column and label_column must be set");
  std::set<std::string> classes(config.classes.begin(), config.classes.end());
  HITO_CHECK(classes.size() == config.classes.size(), source, ": \"classes\" lists a class twice");
  return config;
}

DatasetConfig DatasetConfig::load(const std::filesystem::path& path) {
  return from_json(read_json_file<OrderedJson>(path), path.string());
}

DatasetConfig DatasetConfig::preset(const std::string& name) {
  std::string_view text = preset_text(name);
  if (text.empty()) {
    std::string known;
    for (const std::string& preset : preset_names()) known += (known.empty() ? "" : ", ") + preset;
    HITO_FAIL("unknown data-set preset '", name, "' (known: ", known, ")");
  }
  const std::string where = "the built-in preset data/presets/" + name + ".json";
  return from_json(parse_json<OrderedJson>(text, where), where);
}

std::filesystem::path expand_pattern(const std::string& pattern, const CsvTable& table, int64_t row) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t close = pattern.find('}', i);
    HITO_CHECK(close != std::string::npos, "image pattern '", pattern, "': '{' without '}'");
    std::string column = pattern.substr(i + 1, close - i - 1);
    int64_t c = table.column(column);
    HITO_CHECK(c >= 0, "image pattern '", pattern, "' names column '", column, "', which ", table.source.string(),
               " does not have");
    out += table.rows[static_cast<size_t>(row)][static_cast<size_t>(c)];
    i = close;
  }
  return std::filesystem::path(out).lexically_normal();
}

bool stays_inside(const std::filesystem::path& relative) {
  return !relative.empty() && !relative.is_absolute() && *relative.begin() != "..";
}

ImageLookup find_image(const DatasetConfig& config, const std::filesystem::path& data_dir, const CsvTable& table,
                       int64_t row) {
  std::string tried;
  for (const std::string& pattern : config.image_patterns) {
    std::filesystem::path relative = expand_pattern(pattern, table, row);
    if (!stays_inside(relative)) return {{}, "image path '" + relative.string() + "' is outside the data folder"};
    if (std::filesystem::is_regular_file(data_dir / relative)) return {relative, ""};
    tried += (tried.empty() ? "" : ", ") + (data_dir / relative).string();
  }
  return {{}, "image file not found (tried " + tried + ")"};
}

std::filesystem::path resolve_image(const DatasetConfig& config, const std::filesystem::path& data_dir, const CsvTable& table,
                                    int64_t row) {
  ImageLookup found = find_image(config, data_dir, table, row);
  HITO_CHECK(found.problem.empty(), table.where(row), ": ", found.problem);
  return found.relative;
}

}  // namespace hito::data
