// The standard model figures (see model_figures.h).
#include "apps/eval/model_figures.h"

#include <cmath>

#include "apps/eval/reliability_diagram.h"
#include "data/csv_columns.h"
#include "plot/axis.h"
#include "plot/heat_map.h"
#include "plot/svg.h"

namespace hito::eval {

namespace {
namespace fs = std::filesystem;

// A train/validation pair of history columns as one chart (either column may be missing).
std::optional<plot::LineChart> curve_chart(const data::CsvTable& history, const std::vector<double>& epochs,
                                     const std::string& train_column, const std::string& val_column,
                                     const std::string& title, const std::string& y_label, std::optional<double> best) {
  plot::LineChart chart;
  chart.title = title;
  chart.x_label = "epoch";
  chart.y_label = y_label;
  chart.integer_x = true;
  std::optional<size_t> val_index;
  for (const auto& [column, name] : {std::pair{train_column, "train"}, std::pair{val_column, "validation"}}) {
    if (column.empty()) continue;
    int64_t index = history.column(column);
    if (index < 0) continue;
    chart.series.push_back({name, epochs, data::column_numbers(history, index), true, epochs.size() <= 40});
    if (column == val_column) val_index = chart.series.size() - 1;
  }
  if (chart.series.empty()) return std::nullopt;
  if (best && val_index) {
    const plot::Series& val = chart.series[*val_index];
    for (size_t i = 0; i < epochs.size(); ++i)
      if (epochs[i] == *best && std::isfinite(val.y[i]))
        chart.highlights.push_back({*best, val.y[i], "best epoch " + plot::format_number(*best, 0)});
  }
  return chart;
}

}  // namespace

std::optional<double> best_epoch(const data::CsvTable& history, const MetricsFile* metrics) {
  if (metrics && metrics->extra.contains("best_epoch") && metrics->extra["best_epoch"].is_number())
    return metrics->extra["best_epoch"].get<double>();
  int64_t epoch = history.column("epoch"), val = history.column("val_bacc");
  if (epoch < 0 || val < 0) return std::nullopt;
  std::vector<double> epochs = data::column_numbers(history, epoch), scores = data::column_numbers(history, val);
  std::optional<double> best;
  double best_score = -INFINITY;
  for (size_t i = 0; i < scores.size(); ++i)
    if (std::isfinite(scores[i]) && scores[i] > best_score) best_score = scores[i], best = epochs[i];
  return best;
}

std::vector<std::pair<std::string, plot::LineChart>> learning_curves(const data::CsvTable& history,
                                                               std::optional<double> best) {
  std::vector<double> epochs = data::column_numbers(history, history.require_column("epoch"));
  std::vector<std::pair<std::string, plot::LineChart>> out;
  if (auto loss = curve_chart(history, epochs, "train_loss", "val_loss", "Loss", "cross-entropy", best))
    out.emplace_back(kLossCurveFile, *loss);
  if (auto bacc =
          curve_chart(history, epochs, "train_bacc", "val_bacc", "Balanced accuracy", "balanced accuracy", best)) {
    bacc->y_min = 0;
    bacc->y_max = 1;
    out.emplace_back(kBaccCurveFile, *bacc);
  }
  if (auto lr = curve_chart(history, epochs, "lr", "", "Learning rate", "learning rate", std::nullopt)) {
    lr->series[0].name.clear();  // a single series needs no legend
    out.emplace_back(kLrCurveFile, *lr);
  }
  return out;
}

const SplitMetrics* headline_split(const MetricsFile& metrics) {
  if (const auto* test = metrics.find("test")) return test;
  if (const auto* val = metrics.find("val")) return val;
  return metrics.splits.empty() ? nullptr : &metrics.splits.back();
}

std::string confusion_svg(const SplitMetrics& split, const std::vector<std::string>& class_names) {
  plot::HeatMap map;
  map.title = "Confusion matrix (" + split.split + ")";
  map.row_label = "true class";
  map.col_label = "predicted class";
  map.rows = map.cols = class_names;
  for (const auto& row : split.metrics.confusion) map.values.emplace_back(row.begin(), row.end());
  map.normalize_rows = true;
  return plot::render_heat_map(map);
}

std::string reliability_svg(const SplitMetrics& split) {
  return render_reliability_diagram(
      {"Reliability (" + split.split + ")", split.metrics.reliability, split.metrics.ece});
}

void write_model_figures(const fs::path& model_dir) {
  std::optional<MetricsFile> metrics;
  if (fs::exists(model_dir / "metrics.json")) metrics = read_metrics_file(model_dir / "metrics.json");
  if (fs::exists(model_dir / "history.csv")) {
    data::CsvTable history = data::read_csv(model_dir / "history.csv");
    for (const auto& [file, chart] : learning_curves(history, best_epoch(history, metrics ? &*metrics : nullptr)))
      plot::write_svg(model_dir / file, plot::render_line_chart(chart));
  }
  if (metrics)
    if (const SplitMetrics* split = headline_split(*metrics)) {
      plot::write_svg(model_dir / kConfusionFile, confusion_svg(*split, metrics->class_names));
      plot::write_svg(model_dir / kReliabilityFile, reliability_svg(*split));
    }
}

}  // namespace hito::eval
