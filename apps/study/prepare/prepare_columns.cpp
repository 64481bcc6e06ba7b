// Column selection and the single-column leakage check.
#include "apps/study/prepare/prepare_columns.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "base/error.h"

namespace hito::study {

namespace {

constexpr int kNumericBins = 20;
constexpr double kIdentifierShare = 0.5;  // distinct values / training rows above which a column is an id
constexpr size_t kIdentifierMinValues = 20;

std::string format_score(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", value);
  return text;
}

}  // namespace

double lone_column_score(const std::vector<std::string>& cells, data::ColumnKind kind, const data::MissingValues& missing,
                         const std::vector<int64_t>& labels, int64_t num_classes) {
  // Each cell's key: its value, its quantile bin (numeric), or "missing".
  std::vector<std::string> keys(cells.size());
  std::vector<double> edges;
  if (kind == data::ColumnKind::Numeric) {
    std::vector<double> values;
    for (const std::string& cell : cells)
      if (auto v = data::parse_number(cell); v && !missing.is_missing(cell)) values.push_back(*v);
    std::sort(values.begin(), values.end());
    for (int b = 1; b < kNumericBins && !values.empty(); ++b)
      edges.push_back(values[std::min(values.size() - 1, values.size() * static_cast<size_t>(b) / kNumericBins)]);
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    if (missing.is_missing(cells[i])) {
      keys[i] = "\x01missing";
    } else if (auto v = data::parse_number(cells[i]); v && kind == data::ColumnKind::Numeric) {
      keys[i] = std::to_string(std::upper_bound(edges.begin(), edges.end(), *v) - edges.begin());
    } else {
      keys[i] = std::string(data::trim(cells[i]));
    }
  }
  std::map<std::string, std::vector<int64_t>> votes;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto& v = votes[keys[i]];
    if (v.empty()) v.assign(static_cast<size_t>(num_classes), 0);
    ++v[static_cast<size_t>(labels[i])];
  }
  std::vector<int64_t> correct(static_cast<size_t>(num_classes), 0), total(static_cast<size_t>(num_classes), 0);
  for (int64_t label : labels) ++total[static_cast<size_t>(label)];
  // Each value predicts the class it is most typical of (votes relative to the class's size): the
  // rule that maximises balanced accuracy, so a rare class a column gives away is not outvoted.
  std::map<std::string, int64_t> prediction;
  for (const auto& [key, v] : votes) {
    double best = -1;
    for (int64_t c = 0; c < num_classes; ++c) {
      double typical = total[static_cast<size_t>(c)] > 0 ? double(v[static_cast<size_t>(c)]) / total[static_cast<size_t>(c)] : 0.0;
      if (typical > best) best = typical, prediction[key] = c;
    }
  }
  for (size_t i = 0; i < keys.size(); ++i)
    if (prediction[keys[i]] == labels[i]) ++correct[static_cast<size_t>(labels[i])];
  double sum = 0.0;
  int present = 0;
  for (int64_t c = 0; c < num_classes; ++c)
    if (total[static_cast<size_t>(c)] > 0) sum += double(correct[static_cast<size_t>(c)]) / total[static_cast<size_t>(c)], ++present;
  return present > 0 ? sum / present : 0.0;
}

ColumnPlan plan_columns(const PrepareOptions& options, const data::CsvTable& table, const std::vector<int64_t>& labels,
                        int64_t num_classes, const std::vector<int64_t>& train_rows) {
  const data::DatasetConfig& config = options.config;
  data::MissingValues missing = config.missing();
  std::string source = config.name + " data-set config";
  ColumnPlan plan;
  std::map<std::string, std::string> reason;  // column -> why it is not a feature
  reason[config.id_column] = "identifier: the row id (" + config.id_column + ")";
  if (!config.group_column.empty())
    reason[config.group_column] = "identifier: the group id; rows of one group are kept on one side of the split";
  for (const data::LeakyColumn& leaky : config.leaky_columns) {
    HITO_CHECK(table.column(leaky.column) >= 0, source, ": leaky column '", leaky.column, "' is not in ", table.source.string());
    reason[leaky.column] = leaky.reason;
  }

  // Candidate features, in config order (or file order), with their kinds.
  std::vector<data::FeatureSpec> candidates;
  if (config.features) {
    std::set<std::string> listed;
    for (const data::FeatureSpec& f : *config.features) {
      HITO_CHECK(table.column(f.column) >= 0, source, ": feature column '", f.column, "' is not in ", table.source.string());
      HITO_CHECK(f.column != config.label_column && !reason.count(f.column), source, ": '", f.column,
                 "' is listed as a feature but is the label, an identifier or a leaky column");
      candidates.push_back(f);
      listed.insert(f.column);
    }
    for (const std::string& column : table.header)
      if (!listed.count(column) && column != config.label_column && !reason.count(column))
        reason[column] = "not listed as a feature in the data-set config";
  } else {
    for (const std::string& column : table.header)
      if (column != config.label_column && !reason.count(column)) candidates.push_back({column, std::nullopt});
  }

  std::vector<int64_t> train_labels;
  for (int64_t r : train_rows) train_labels.push_back(labels[static_cast<size_t>(r)]);
  for (const std::string& column : table.header) {
    if (column == config.label_column || column == config.id_column || column == config.group_column) continue;
    std::vector<std::string> cells;
    int64_t c = table.column(column);
    for (int64_t r : train_rows) cells.push_back(table.rows[static_cast<size_t>(r)][static_cast<size_t>(c)]);
    auto spec = std::find_if(candidates.begin(), candidates.end(), [&](const auto& f) { return f.column == column; });
    data::ColumnKind kind = spec != candidates.end() && spec->kind ? *spec->kind : data::infer_kind(cells, missing);
    double score = lone_column_score(cells, kind, missing, train_labels, num_classes);
    bool is_candidate = spec != candidates.end();
    bool leaks = is_candidate && score >= options.leak_threshold;
    plan.leakage.push_back({column, data::kind_name(kind), score, leaks});
    if (!is_candidate) continue;
    std::set<std::string> distinct;
    for (const std::string& cell : cells)
      if (!missing.is_missing(cell)) distinct.insert(std::string(data::trim(cell)));
    if (leaks) {
      reason[column] = "label leakage: alone predicts " + config.label_column + " with balanced accuracy " +
                       format_score(score) + " on the training split (threshold " + format_score(options.leak_threshold) + ")";
    } else if (kind == data::ColumnKind::Categorical && distinct.size() >= kIdentifierMinValues &&
               static_cast<double>(distinct.size()) > kIdentifierShare * static_cast<double>(cells.size())) {
      reason[column] = "identifier-like: " + std::to_string(distinct.size()) + " distinct values in " +
                       std::to_string(cells.size()) + " training rows";
    } else if (distinct.empty()) {
      reason[column] = "no value on the training split";
    } else {
      plan.features.push_back({column, kind});
    }
  }
  // Features keep the candidates' order (the loop above went in file order).
  std::vector<std::pair<std::string, data::ColumnKind>> ordered;
  for (const data::FeatureSpec& f : candidates)
    for (const auto& feature : plan.features)
      if (feature.first == f.column) ordered.push_back(feature);
  plan.features = ordered;
  for (const std::string& column : table.header)
    if (reason.count(column)) plan.dropped.push_back({column, reason[column]});
  return plan;
}

}  // namespace hito::study
