// metrics.json: the file in which every model folder records its scores, one entry per split, and
// which the report reads back. Written by the training milestones through evaluate_split() +
// write_metrics_file(), so that every model's metrics have the same names and layout:
//
//   {
//     "class_names": ["akiec", "bcc", ...],            // label-index order
//     "splits": {
//       "val":  { "rows": 1201, "accuracy": 0.81, "balanced_accuracy": 0.70, "macro_precision": ...,
//                 "macro_recall": ..., "macro_f1": ..., "macro_auc": ..., "auc_classes": 7,
//                 "ece": 0.04, "log_loss": 0.61,
//                 "per_class": [{"class": "akiec", "support": 50, "predicted": 47, "precision": ...,
//                                "recall": ..., "f1": ..., "auc": ...}, ...],
//                 "confusion_matrix": [[...], ...],        // [true][predicted] counts
//                 "reliability": [{"lower": 0, "upper": 0.0667, "count": 0, "confidence": null,
//                                  "accuracy": null}, ...],
//                 "intervals": {"balanced_accuracy": {"estimate": 0.70, "lower": 0.66, "upper": 0.74,
//                               "confidence": 0.95, "resamples": 1000, "groups": 980}, ...} },
//       "test": { ... }
//     },
//     ...                                                 // any other keys the model adds (kept)
//   }
//
// Undefined values (NaN) are written as null and read back as NaN.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/eval/bootstrap.h"
#include "apps/eval/metrics.h"

namespace hito::eval {

// The scores of one split, with bootstrap intervals of the headline metrics.
struct SplitMetrics {
  std::string split;  // "train", "val", "test", ...
  ClassificationMetrics metrics;
  std::map<std::string, Interval> intervals;  // metric name -> interval
};

struct MetricsFile {
  std::vector<std::string> class_names;
  std::vector<SplitMetrics> splits;                                 // in file order
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // other top-level keys

  const SplitMetrics* find(const std::string& split) const;  // null when absent
};

// The headline metrics that get intervals, by the names used in metrics.json.
const std::map<std::string, Statistic>& headline_statistics();

// compute_metrics() plus group-bootstrap intervals of each headline statistic (same resamples).
SplitMetrics evaluate_split(const std::string& split, const Predictions& p, const BootstrapOptions& options = {});

nlohmann::ordered_json metrics_to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names);
nlohmann::ordered_json interval_to_json(const Interval& interval);

// One split's entry of metrics.json (the metrics with an "intervals" object) and back; `where`
// names the entry in errors ("file.json: splits.test").
nlohmann::ordered_json split_metrics_to_json(const SplitMetrics& split, const std::vector<std::string>& class_names);
SplitMetrics split_metrics_from_json(const nlohmann::ordered_json& value, const std::string& split, size_t num_classes,
                                     const std::string& where);
Interval interval_from_json(const nlohmann::ordered_json& value, const std::string& where);

// Written atomically. Requires one class name per class of every split.
void write_metrics_file(const std::filesystem::path& path, const MetricsFile& file);
// Errors name the file and the missing or malformed key.
MetricsFile read_metrics_file(const std::filesystem::path& path);

}  // namespace hito::eval
