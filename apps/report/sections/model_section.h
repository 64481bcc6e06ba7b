// The generic "model" section: one per model folder of the run (any direct subfolder holding a
// history.csv or a metrics.json), showing learning curves, scores with confidence intervals, per-class
// scores, the confusion matrix and the reliability diagram.
//
// The model folder contract (what a training milestone writes into <run>/<model>/):
//   history.csv   one row per epoch, header: epoch,train_loss,val_loss,train_bacc,val_bacc,lr,seconds
//                 (the trainer's EpochRecord; columns other than epoch may be missing, extra ones are
//                 ignored; an empty field is a missing value)
//   metrics.json  eval::write_metrics_file() output: class names and, per split ("val", "test", ...),
//                 every metric with bootstrap intervals; an optional top-level "best_epoch" (integer)
//                 marks the epoch whose weights were kept (else the epoch of the best val_bacc)
//   config.json   optional: the hyperparameters, shown as a summary (top-level keys)
//   *.svg, *.png  optional extra figures, embedded in name order with the file name as caption
//                 (files named like the standard figures below are not repeated)
// write_model_figures() writes the standard figures as image files into the folder, for use outside
// the report; the section draws the same charts itself from the data.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "apps/eval/metrics_file.h"
#include "apps/report/line_chart.h"
#include "engine/data/csv.h"

namespace hito::report {

// The standard figure files of a model folder.
inline constexpr const char* kLossCurveFile = "loss_curve.svg";
inline constexpr const char* kBaccCurveFile = "bacc_curve.svg";
inline constexpr const char* kLrCurveFile = "lr_curve.svg";
inline constexpr const char* kConfusionFile = "confusion_matrix.svg";
inline constexpr const char* kReliabilityFile = "reliability.svg";

// The epoch whose weights were kept: metrics.json's "best_epoch" when given, else the epoch with the
// highest val_bacc (the first of ties); nullopt when neither is known.
std::optional<double> best_epoch(const data::CsvTable& history, const eval::MetricsFile* metrics);

// Loss, balanced accuracy and learning-rate curves (those whose columns exist), train and validation
// series together, the best epoch marked on the validation curves.
std::vector<std::pair<std::string, LineChart>> learning_curves(const data::CsvTable& history,
                                                               std::optional<double> best);

// The split whose confusion matrix and reliability diagram are shown: "test", else "val", else the last.
const eval::SplitMetrics* headline_split(const eval::MetricsFile& metrics);

// The confusion matrix (row-normalised, counts underneath) and the reliability diagram of a split.
std::string confusion_svg(const eval::SplitMetrics& split, const std::vector<std::string>& class_names);
std::string reliability_svg(const eval::SplitMetrics& split);

// Writes the standard figures (those whose inputs exist) into model_dir, atomically.
void write_model_figures(const std::filesystem::path& model_dir);

}  // namespace hito::report
