// TabularEncoder: fitting (medians, means, stds, vocabularies on the training rows), transforming,
// and the JSON form saved as encoders.json.
#include "data/tabular_encoder.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/error.h"

namespace hito::data {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kUnknown = "<unknown>";

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// The number in a cell, or nothing when missing; an error naming the cell when it is neither, or
// when the number lies outside `range`.
std::optional<double> numeric_cell(const CsvTable& table, int64_t row, int64_t column, const MissingValues& missing,
                                   const NumericRange& range) {
  const std::string& cell = table.rows[static_cast<size_t>(row)][static_cast<size_t>(column)];
  if (missing.is_missing(cell)) return std::nullopt;
  auto value = parse_number(cell);
  HITO_CHECK(value.has_value(), table.where(row), ": column '", table.header[static_cast<size_t>(column)],
             "' is numeric, but holds '", cell, "'");
  HITO_CHECK(range.contains(*value), table.where(row), ": column '", table.header[static_cast<size_t>(column)], "' holds ",
             std::string(trim(cell)), ", outside its range ", range.describe());
  return value;
}

}  // namespace

TabularEncoder TabularEncoder::fit(const CsvTable& table, const std::vector<std::pair<std::string, ColumnKind>>& features,
                                   const std::vector<int64_t>& train_rows, const MissingValues& missing,
                                   const std::map<std::string, NumericRange>& ranges) {
  TabularEncoder encoder;
  encoder.missing_ = missing;
  for (const auto& [name, kind] : features) {
    int64_t c = table.require_column(name);
    if (kind == ColumnKind::Numeric) {
      NumericEncoding e;
      e.column = name;
      if (auto declared = ranges.find(name); declared != ranges.end()) e.range = declared->second;
      std::vector<double> present;
      for (int64_t r : train_rows)
        if (auto v = numeric_cell(table, r, c, missing, e.range)) present.push_back(*v);
      HITO_CHECK(!present.empty(), table.source.string(), ": numeric column '", name, "' has no value on the training rows");
      e.median = median_of(present);
      e.indicator = present.size() < train_rows.size();
      // Mean and std of the imputed column (population std).
      double missing_count = static_cast<double>(train_rows.size() - present.size());
      double sum = e.median * missing_count, sum_sq = e.median * e.median * missing_count;
      for (double v : present) sum += v, sum_sq += v * v;
      double n = static_cast<double>(train_rows.size());
      e.mean = sum / n;
      double var = std::max(sum_sq / n - e.mean * e.mean, 0.0);
      e.std = var > 1e-24 ? std::sqrt(var) : 1.0;
      encoder.numerics_.push_back(e);
    } else {
      CategoricalEncoding e;
      e.column = name;
      std::map<std::string, int64_t> counts;
      int64_t present = 0;
      for (int64_t r : train_rows) {
        const std::string& cell = table.rows[static_cast<size_t>(r)][static_cast<size_t>(c)];
        if (missing.is_missing(cell)) continue;
        ++counts[std::string(trim(cell))];
        ++present;
      }
      HITO_CHECK(present > 0, table.source.string(), ": categorical column '", name, "' has no value on the training rows");
      int64_t best = -1;
      for (const auto& [value, count] : counts) {
        e.vocabulary.push_back(value);  // std::map iterates in sorted order
        if (count > best) best = count, e.most_frequent = value;
      }
      e.indicator = present < static_cast<int64_t>(train_rows.size());
      encoder.categoricals_.push_back(e);
    }
  }
  return encoder;
}

EncodedTable TabularEncoder::transform(const CsvTable& table) const {
  int64_t n = table.num_rows();
  std::vector<std::string> names = feature_names();
  int64_t width = static_cast<int64_t>(names.size());
  int64_t numeric_width = static_cast<int64_t>(numeric_names().size());
  int64_t num_codes = static_cast<int64_t>(categoricals_.size());
  EncodedTable out{Tensor::zeros({n, width}), Tensor(), Tensor::zeros({n, num_codes}, DType::I64)};
  float* tab = out.tabular.data<float>();
  int64_t* codes = out.codes.data<int64_t>();

  int64_t indicator_col = static_cast<int64_t>(numerics_.size());
  for (size_t f = 0; f < numerics_.size(); ++f) {
    const NumericEncoding& e = numerics_[f];
    int64_t c = table.require_column(e.column);
    for (int64_t r = 0; r < n; ++r) {
      auto value = numeric_cell(table, r, c, missing_, e.range);
      tab[r * width + static_cast<int64_t>(f)] = static_cast<float>((value.value_or(e.median) - e.mean) / e.std);
      if (e.indicator) tab[r * width + indicator_col] = value ? 0.0f : 1.0f;
    }
    if (e.indicator) ++indicator_col;
  }
  int64_t onehot_col = numeric_width;
  for (size_t k = 0; k < categoricals_.size(); ++k) {
    const CategoricalEncoding& e = categoricals_[k];
    int64_t c = table.require_column(e.column);
    int64_t vocab = static_cast<int64_t>(e.vocabulary.size());
    for (int64_t r = 0; r < n; ++r) {
      const std::string& cell = table.rows[static_cast<size_t>(r)][static_cast<size_t>(c)];
      bool is_missing = missing_.is_missing(cell);
      std::string value = is_missing ? e.most_frequent : std::string(trim(cell));
      auto it = std::lower_bound(e.vocabulary.begin(), e.vocabulary.end(), value);
      int64_t code = (it != e.vocabulary.end() && *it == value) ? it - e.vocabulary.begin() : vocab;
      codes[r * num_codes + static_cast<int64_t>(k)] = code;
      tab[r * width + onehot_col + code] = 1.0f;
      if (e.indicator) tab[r * width + indicator_col] = is_missing ? 1.0f : 0.0f;
    }
    if (e.indicator) ++indicator_col;
    onehot_col += vocab + 1;
  }
  // The numeric part: the leading numeric_width columns.
  out.numeric = Tensor::empty({n, numeric_width});
  float* num = out.numeric.data<float>();
  for (int64_t r = 0; r < n; ++r)
    std::copy(tab + r * width, tab + r * width + numeric_width, num + r * numeric_width);
  return out;
}

std::vector<std::string> TabularEncoder::numeric_names() const {
  std::vector<std::string> names;
  for (const auto& e : numerics_) names.push_back(e.column);
  for (const auto& e : numerics_)
    if (e.indicator) names.push_back(e.column + "_missing");
  for (const auto& e : categoricals_)
    if (e.indicator) names.push_back(e.column + "_missing");
  return names;
}

std::vector<UnseenValues> TabularEncoder::unseen_values(const CsvTable& table) const {
  std::vector<UnseenValues> all;
  for (const CategoricalEncoding& e : categoricals_) {
    const int64_t c = table.column(e.column);
    if (c < 0) continue;  // transform() names the missing column
    UnseenValues unseen{e.column, 0, {}};
    for (const auto& row : table.rows) {
      const std::string& cell = row[static_cast<size_t>(c)];
      if (missing_.is_missing(cell)) continue;
      const std::string value(trim(cell));
      if (std::binary_search(e.vocabulary.begin(), e.vocabulary.end(), value)) continue;
      ++unseen.rows;
      auto at = std::lower_bound(unseen.values.begin(), unseen.values.end(), value);
      if (at == unseen.values.end() || *at != value) unseen.values.insert(at, value);
    }
    if (unseen.rows > 0) all.push_back(std::move(unseen));
  }
  return all;
}

std::vector<std::string> TabularEncoder::feature_names() const {
  std::vector<std::string> names = numeric_names();
  for (const auto& e : categoricals_) {
    for (const std::string& value : e.vocabulary) names.push_back(e.column + "=" + value);
    names.push_back(e.column + "=" + kUnknown);
  }
  return names;
}

std::vector<std::string> TabularEncoder::code_columns() const {
  std::vector<std::string> names;
  for (const auto& e : categoricals_) names.push_back(e.column);
  return names;
}

std::vector<int64_t> TabularEncoder::code_cardinalities() const {
  std::vector<int64_t> sizes;
  for (const auto& e : categoricals_) sizes.push_back(static_cast<int64_t>(e.vocabulary.size()) + 1);
  return sizes;
}

Json TabularEncoder::to_json() const {
  Json json;
  json["missing_values"] = missing_.tokens();
  Json numerics = Json::array();
  for (const auto& e : numerics_)
    numerics.push_back({{"column", e.column}, {"median", e.median}, {"mean", e.mean}, {"std", e.std}, {"indicator", e.indicator},
                        {"range", {e.range.min, e.range.max}}});
  json["numeric"] = numerics;
  Json categoricals = Json::array();
  for (const auto& e : categoricals_)
    categoricals.push_back({{"column", e.column},
                            {"vocabulary", e.vocabulary},
                            {"most_frequent", e.most_frequent},
                            {"indicator", e.indicator},
                            {"unknown_code", e.vocabulary.size()}});
  json["categorical"] = categoricals;
  json["feature_names"] = feature_names();
  json["numeric_names"] = numeric_names();
  return json;
}

TabularEncoder TabularEncoder::from_json(const Json& json, const std::string& source) {
  TabularEncoder encoder;
  try {
    encoder.missing_ = MissingValues(json.at("missing_values").get<std::vector<std::string>>());
    for (const Json& e : json.at("numeric")) {
      NumericEncoding n{e.at("column").get<std::string>(), e.at("median").get<double>(), e.at("mean").get<double>(),
                        e.at("std").get<double>(), e.at("indicator").get<bool>(), NumericRange{}};
      if (e.contains("range")) n.range = {e.at("range").at(0).get<double>(), e.at("range").at(1).get<double>()};
      encoder.numerics_.push_back(std::move(n));
    }
    for (const Json& e : json.at("categorical")) {
      CategoricalEncoding c{e.at("column").get<std::string>(), e.at("vocabulary").get<std::vector<std::string>>(),
                            e.at("most_frequent").get<std::string>(), e.at("indicator").get<bool>()};
      HITO_CHECK(std::is_sorted(c.vocabulary.begin(), c.vocabulary.end()), source, ": vocabulary of '", c.column,
                 "' is not sorted");
      encoder.categoricals_.push_back(std::move(c));
    }
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(source, ": not a valid tabular encoder: ", e.what());
  }
  for (const auto& e : encoder.numerics_)
    HITO_CHECK(e.std > 0 && std::isfinite(e.std) && std::isfinite(e.mean) && std::isfinite(e.median) &&
                   e.range.min <= e.range.max,
               source, ": bad statistics for '", e.column, "'");
  return encoder;
}

}  // namespace hito::data
