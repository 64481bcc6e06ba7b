// metrics.json writing and reading (the layout is documented in metrics_file.h).
#include "apps/eval/metrics_file.h"

#include <cmath>
#include <limits>

#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::eval {

using json = nlohmann::ordered_json;

namespace {
json number_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

// Reads members of one JSON object, naming the file and the object's path in every error.
using Reader = JsonReader<json>;

Interval interval_from(const Reader& r) {
  Interval out;
  out.estimate = r.number("estimate");
  out.lower = r.number("lower");
  out.upper = r.number("upper");
  out.confidence = r.number("confidence");
  out.resamples = r.integer("resamples");
  out.groups = r.integer("groups");
  return out;
}

ClassificationMetrics metrics_from(const Reader& r) {
  ClassificationMetrics m;
  m.rows = r.integer("rows");
  m.accuracy = r.number("accuracy");
  m.balanced_accuracy = r.number("balanced_accuracy");
  m.macro_precision = r.number("macro_precision");
  m.macro_recall = r.number("macro_recall");
  m.macro_f1 = r.number("macro_f1");
  m.macro_auc = r.number("macro_auc");
  m.auc_classes = r.integer("auc_classes");
  m.ece = r.number("ece");
  m.log_loss = r.number("log_loss");
  const json& classes = r.array("per_class");
  for (size_t k = 0; k < classes.size(); ++k) {
    Reader c(classes[k], r.where() + ".per_class[" + std::to_string(k) + "]");
    m.per_class.push_back({c.integer("support"), c.integer("predicted"), c.number("precision"), c.number("recall"),
                           c.number("f1"), c.number("auc")});
  }
  m.num_classes = static_cast<int64_t>(m.per_class.size());
  const json& confusion = r.array("confusion_matrix");
  HITO_CHECK(static_cast<int64_t>(confusion.size()) == m.num_classes, r.where(), ": confusion_matrix has ",
             confusion.size(), " rows for ", m.num_classes, " classes");
  for (const json& row : confusion) {
    HITO_CHECK(row.is_array() && static_cast<int64_t>(row.size()) == m.num_classes, r.where(),
               ": every confusion_matrix row must hold ", m.num_classes, " counts");
    m.confusion.push_back(row.get<std::vector<int64_t>>());
  }
  const json& bins = r.array("reliability");
  for (size_t b = 0; b < bins.size(); ++b) {
    Reader bin(bins[b], r.where() + ".reliability[" + std::to_string(b) + "]");
    m.reliability.push_back({bin.number("lower"), bin.number("upper"), bin.integer("count"), bin.number("confidence"),
                             bin.number("accuracy")});
  }
  return m;
}
}  // namespace

const SplitMetrics* MetricsFile::find(const std::string& split) const {
  for (const auto& s : splits)
    if (s.split == split) return &s;
  return nullptr;
}

const std::map<std::string, Statistic>& headline_statistics() {
  static const std::map<std::string, Statistic> statistics = {
      {"accuracy", accuracy},
      {"balanced_accuracy", [](const Predictions& p) { return balanced_accuracy(p); }},  // (overloaded)
      {"macro_f1", macro_f1},
      {"macro_auc", macro_auc},
  };
  return statistics;
}

SplitMetrics evaluate_split(const std::string& split, const Predictions& p, const BootstrapOptions& options) {
  SplitMetrics out;
  out.split = split;
  out.metrics = compute_metrics(p);
  for (const auto& [name, statistic] : headline_statistics())
    out.intervals[name] = bootstrap_interval(p, statistic, options);
  return out;
}

json interval_to_json(const Interval& interval) {
  return {{"estimate", number_or_null(interval.estimate)},
          {"lower", number_or_null(interval.lower)},
          {"upper", number_or_null(interval.upper)},
          {"confidence", interval.confidence},
          {"resamples", interval.resamples},
          {"groups", interval.groups}};
}

json metrics_to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names) {
  HITO_CHECK(static_cast<int64_t>(class_names.size()) == m.num_classes, "metrics for ", m.num_classes, " classes but ",
             class_names.size(), " class names");
  json per_class = json::array();
  for (int64_t k = 0; k < m.num_classes; ++k) {
    const ClassScores& s = m.per_class[k];
    per_class.push_back({{"class", class_names[k]},
                         {"support", s.support},
                         {"predicted", s.predicted},
                         {"precision", number_or_null(s.precision)},
                         {"recall", number_or_null(s.recall)},
                         {"f1", number_or_null(s.f1)},
                         {"auc", number_or_null(s.auc)}});
  }
  json reliability = json::array();
  for (const auto& bin : m.reliability)
    reliability.push_back({{"lower", bin.lower},
                           {"upper", bin.upper},
                           {"count", bin.count},
                           {"confidence", number_or_null(bin.confidence)},
                           {"accuracy", number_or_null(bin.accuracy)}});
  return {{"rows", m.rows},
          {"accuracy", number_or_null(m.accuracy)},
          {"balanced_accuracy", number_or_null(m.balanced_accuracy)},
          {"macro_precision", number_or_null(m.macro_precision)},
          {"macro_recall", number_or_null(m.macro_recall)},
          {"macro_f1", number_or_null(m.macro_f1)},
          {"macro_auc", number_or_null(m.macro_auc)},
          {"auc_classes", m.auc_classes},
          {"ece", number_or_null(m.ece)},
          {"log_loss", number_or_null(m.log_loss)},
          {"per_class", per_class},
          {"confusion_matrix", m.confusion},
          {"reliability", reliability}};
}

json split_metrics_to_json(const SplitMetrics& split, const std::vector<std::string>& class_names) {
  json entry = metrics_to_json(split.metrics, class_names);
  json intervals = json::object();
  for (const auto& [name, interval] : split.intervals) intervals[name] = interval_to_json(interval);
  entry["intervals"] = intervals;
  return entry;
}

SplitMetrics split_metrics_from_json(const json& value, const std::string& split, size_t num_classes,
                                     const std::string& where) {
  Reader s(value, where);
  SplitMetrics entry;
  entry.split = split;
  entry.metrics = metrics_from(s);
  HITO_CHECK(entry.metrics.num_classes == static_cast<int64_t>(num_classes), s.where(), ": ", entry.metrics.num_classes,
             " classes in per_class but ", num_classes, " class names");
  if (value.contains("intervals"))
    for (const auto& [name, interval] : value.at("intervals").items())
      entry.intervals[name] = interval_from(s.child("intervals").child(name));
  return entry;
}

Interval interval_from_json(const json& value, const std::string& where) { return interval_from(Reader(value, where)); }

void write_metrics_file(const std::filesystem::path& path, const MetricsFile& file) {
  json out = file.extra;
  out["class_names"] = file.class_names;
  json splits = json::object();
  for (const auto& s : file.splits) splits[s.split] = split_metrics_to_json(s, file.class_names);
  out["splits"] = splits;
  write_file_atomic(path, out.dump(2) + "\n");
}

MetricsFile read_metrics_file(const std::filesystem::path& path) {
  json root = read_json_file<json>(path);
  Reader r(root, path.string());
  MetricsFile file;
  file.class_names = r.strings("class_names");
  Reader splits = r.child("splits");
  for (const auto& [split, value] : r.at("splits").items())
    file.splits.push_back(split_metrics_from_json(value, split, file.class_names.size(), splits.where() + "." + split));
  for (const auto& [key, value] : root.items())
    if (key != "class_names" && key != "splits") file.extra[key] = value;
  return file;
}

}  // namespace hito::eval
