// The standard figures of a model folder, drawn from its history.csv and metrics.json: learning
// curves (loss, balanced accuracy, learning rate; train and validation together, the kept epoch
// marked), the confusion matrix and the reliability diagram of the headline split. Every training
// milestone writes them into its folder (write_model_figures) for use outside the report, and the
// report's model sections draw the same charts from the same data.
//
// The model folder contract they read:
//   history.csv   one row per epoch, header: epoch,train_loss,val_loss,train_bacc,val_bacc,lr,seconds
//                 (the trainer's EpochRecord; columns other than epoch may be missing, extra ones are
//                 ignored; an empty field is a missing value)
//   metrics.json  write_metrics_file() output (metrics_file.h); an optional top-level "best_epoch"
//                 (integer) marks the epoch whose weights were kept (else the epoch of the best val_bacc)
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "apps/eval/metrics_file.h"
#include "data/csv.h"
#include "plot/line_chart.h"

namespace hito::eval {

// The standard figure files of a model folder.
inline constexpr const char* kLossCurveFile = "loss_curve.svg";
inline constexpr const char* kBaccCurveFile = "bacc_curve.svg";
inline constexpr const char* kLrCurveFile = "lr_curve.svg";
inline constexpr const char* kConfusionFile = "confusion_matrix.svg";
inline constexpr const char* kReliabilityFile = "reliability.svg";

// The epoch whose weights were kept: metrics.json's "best_epoch" when given, else the epoch with the
// highest val_bacc (the first of ties); nullopt when neither is known.
std::optional<double> best_epoch(const data::CsvTable& history, const MetricsFile* metrics);

// Loss, balanced accuracy and learning-rate curves (those whose columns exist), train and validation
// series together, the best epoch marked on the validation curves.
std::vector<std::pair<std::string, plot::LineChart>> learning_curves(const data::CsvTable& history,
                                                               std::optional<double> best);

// The split whose confusion matrix and reliability diagram are shown: "test", else "val", else the last.
const SplitMetrics* headline_split(const MetricsFile& metrics);

// The confusion matrix (row-normalised, counts underneath) and the reliability diagram of a split.
std::string confusion_svg(const SplitMetrics& split, const std::vector<std::string>& class_names);
std::string reliability_svg(const SplitMetrics& split);

// Writes the standard figures (those whose inputs exist) into model_dir, atomically.
void write_model_figures(const std::filesystem::path& model_dir);

}  // namespace hito::eval
