// The generic model section and the standard model figures (see model_section.h).
#include "apps/report/sections/model_section.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "apps/report/axis.h"
#include "apps/report/csv_columns.h"
#include "apps/report/heat_map.h"
#include "apps/report/reliability_diagram.h"
#include "apps/report/sections/sections.h"
#include "apps/report/svg.h"
#include "engine/fs.h"

namespace hito::report {

namespace {
namespace fs = std::filesystem;

// The study's model folders in pipeline order; others follow alphabetically.
const std::vector<std::string> kModelOrder = {"tabular",        "search",        "pixels", "image-head",
                                              "image-finetune", "image-scratch", "fusion"};

std::vector<fs::path> model_folders(const fs::path& run) {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(run))
    if (entry.is_directory() && !is_partial_output(entry.path()) &&
        (fs::exists(entry.path() / "history.csv") || fs::exists(entry.path() / "metrics.json")))
      folders.push_back(entry.path());
  auto rank = [](const fs::path& p) {
    auto it = std::find(kModelOrder.begin(), kModelOrder.end(), p.filename().string());
    return std::make_pair(static_cast<size_t>(it - kModelOrder.begin()), p.filename().string());
  };
  std::sort(folders.begin(), folders.end(), [&](const fs::path& a, const fs::path& b) { return rank(a) < rank(b); });
  return folders;
}

// A train/validation pair of history columns as one chart (either column may be missing).
std::optional<LineChart> curve_chart(const data::CsvTable& history, const std::vector<double>& epochs,
                                     const std::string& train_column, const std::string& val_column,
                                     const std::string& title, const std::string& y_label, std::optional<double> best) {
  LineChart chart;
  chart.title = title;
  chart.x_label = "epoch";
  chart.y_label = y_label;
  chart.integer_x = true;
  std::optional<size_t> val_index;
  for (const auto& [column, name] : {std::pair{train_column, "train"}, std::pair{val_column, "validation"}}) {
    if (column.empty()) continue;
    int64_t index = history.column(column);
    if (index < 0) continue;
    chart.series.push_back({name, epochs, column_numbers(history, index), true, epochs.size() <= 40});
    if (column == val_column) val_index = chart.series.size() - 1;
  }
  if (chart.series.empty()) return std::nullopt;
  if (best && val_index) {
    const Series& val = chart.series[*val_index];
    for (size_t i = 0; i < epochs.size(); ++i)
      if (epochs[i] == *best && std::isfinite(val.y[i]))
        chart.highlights.push_back({*best, val.y[i], "best epoch " + format_number(*best, 0)});
  }
  return chart;
}

Table scores_table(const eval::MetricsFile& metrics) {
  Table table;
  table.header = {
      "split", "rows",    "accuracy", "balanced accuracy [95% CI]", "macro F1 [95% CI]", "macro AUC [95% CI]",
      "ECE",   "log loss"};
  auto with_interval = [](const eval::SplitMetrics& s, const std::string& name, double value) {
    auto it = s.intervals.find(name);
    return it != s.intervals.end() ? Cell::interval(it->second) : Cell::number(value);
  };
  for (const auto& s : metrics.splits) {
    const auto& m = s.metrics;
    table.rows.push_back({s.split, Cell::count(m.rows), Cell::number(m.accuracy),
                          with_interval(s, "balanced_accuracy", m.balanced_accuracy),
                          with_interval(s, "macro_f1", m.macro_f1), with_interval(s, "macro_auc", m.macro_auc),
                          Cell::number(m.ece), Cell::number(m.log_loss)});
  }
  return table;
}

Table per_class_table(const eval::SplitMetrics& split, const std::vector<std::string>& class_names) {
  Table table;
  table.caption = "Per-class scores (" + split.split + " split)";
  table.header = {"class", "support", "predicted", "precision", "recall", "F1", "AUC (one vs rest)"};
  for (size_t k = 0; k < split.metrics.per_class.size(); ++k) {
    const auto& c = split.metrics.per_class[k];
    table.rows.push_back({class_names[k], Cell::count(c.support), Cell::count(c.predicted), Cell::number(c.precision),
                          Cell::number(c.recall), Cell::number(c.f1), Cell::number(c.auc)});
  }
  return table;
}

void config_facts(Section& section, const fs::path& path) {
  nlohmann::ordered_json config;
  try {
    config = nlohmann::ordered_json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    HITO_FAIL(path.string(), ": not valid JSON: ", e.what());
  }
  HITO_CHECK(config.is_object(), path.string(), ": expected a JSON object of settings");
  std::vector<std::pair<std::string, std::string>> facts;
  for (const auto& [key, value] : config.items())
    facts.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  section.facts(facts);
}

void build_one_model(const fs::path& dir, Report& report) {
  const std::string name = dir.filename().string();
  Section& section = report.add_section("Model: " + name);
  std::optional<eval::MetricsFile> metrics;
  if (fs::exists(dir / "metrics.json")) metrics = eval::read_metrics_file(dir / "metrics.json");
  if (fs::exists(dir / "config.json")) config_facts(section, dir / "config.json");

  section.heading("Learning curves");
  if (fs::exists(dir / "history.csv")) {
    data::CsvTable history = data::read_csv(dir / "history.csv");
    auto best = best_epoch(history, metrics ? &*metrics : nullptr);
    auto curves = learning_curves(history, best);
    std::string summary = std::to_string(history.rows.size()) + " epochs";
    if (best) summary += "; the weights of epoch " + format_number(*best, 0) + " were kept";
    if (int64_t seconds = history.column("seconds"); seconds >= 0) {
      double total = 0;
      for (double s : column_numbers(history, seconds))
        if (std::isfinite(s)) total += s;
      summary += "; training took " + format_number(total, 1) + " s";
    }
    section.paragraph(summary + ".");
    for (const auto& [file, chart] : curves) section.svg_figure(render_line_chart(chart), chart.title + " per epoch.");
  } else {
    section.note("No history.csv in " + dir.string() + ": no learning curves.", NoteKind::Skipped);
  }

  section.heading("Scores");
  if (metrics) {
    section.paragraph("Intervals are 95% percentile bootstrap intervals that resample lesions, not images.");
    section.table(scores_table(*metrics));
    if (const eval::SplitMetrics* split = headline_split(*metrics)) {
      section.table(per_class_table(*split, metrics->class_names));
      section.svg_figure(confusion_svg(*split, metrics->class_names),
                         "Confusion matrix on the " + split->split +
                             " split: each row shows how the images of one true class were classified (shares of the "
                             "row, counts underneath).");
      section.svg_figure(reliability_svg(*split),
                         "Reliability on the " + split->split +
                             " split: accuracy against confidence; bars on the diagonal are perfectly calibrated.");
    }
  } else {
    section.note("No metrics.json in " + dir.string() + ": no scores.", NoteKind::Skipped);
  }

  // Any other figures the milestone saved.
  const std::set<std::string> standard = {kLossCurveFile, kBaccCurveFile, kLrCurveFile, kConfusionFile,
                                          kReliabilityFile};
  std::vector<fs::path> extra;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto& p = entry.path();
    if (entry.is_regular_file() && (p.extension() == ".svg" || p.extension() == ".png") &&
        !standard.count(p.filename().string()))
      extra.push_back(p);
  }
  std::sort(extra.begin(), extra.end());
  if (!extra.empty()) section.heading("Other figures");
  for (const auto& p : extra) section.file_figure(p, p.filename().string());
}
}  // namespace

std::optional<double> best_epoch(const data::CsvTable& history, const eval::MetricsFile* metrics) {
  if (metrics && metrics->extra.contains("best_epoch") && metrics->extra["best_epoch"].is_number())
    return metrics->extra["best_epoch"].get<double>();
  int64_t epoch = history.column("epoch"), val = history.column("val_bacc");
  if (epoch < 0 || val < 0) return std::nullopt;
  std::vector<double> epochs = column_numbers(history, epoch), scores = column_numbers(history, val);
  std::optional<double> best;
  double best_score = -INFINITY;
  for (size_t i = 0; i < scores.size(); ++i)
    if (std::isfinite(scores[i]) && scores[i] > best_score) best_score = scores[i], best = epochs[i];
  return best;
}

std::vector<std::pair<std::string, LineChart>> learning_curves(const data::CsvTable& history,
                                                               std::optional<double> best) {
  std::vector<double> epochs = column_numbers(history, history.require_column("epoch"));
  std::vector<std::pair<std::string, LineChart>> out;
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

const eval::SplitMetrics* headline_split(const eval::MetricsFile& metrics) {
  if (const auto* test = metrics.find("test")) return test;
  if (const auto* val = metrics.find("val")) return val;
  return metrics.splits.empty() ? nullptr : &metrics.splits.back();
}

std::string confusion_svg(const eval::SplitMetrics& split, const std::vector<std::string>& class_names) {
  HeatMap map;
  map.title = "Confusion matrix (" + split.split + ")";
  map.row_label = "true class";
  map.col_label = "predicted class";
  map.rows = map.cols = class_names;
  for (const auto& row : split.metrics.confusion) map.values.emplace_back(row.begin(), row.end());
  map.normalize_rows = true;
  return render_heat_map(map);
}

std::string reliability_svg(const eval::SplitMetrics& split) {
  return render_reliability_diagram(
      {"Reliability (" + split.split + ")", split.metrics.reliability, split.metrics.ece});
}

void write_model_figures(const fs::path& model_dir) {
  std::optional<eval::MetricsFile> metrics;
  if (fs::exists(model_dir / "metrics.json")) metrics = eval::read_metrics_file(model_dir / "metrics.json");
  if (fs::exists(model_dir / "history.csv")) {
    data::CsvTable history = data::read_csv(model_dir / "history.csv");
    for (const auto& [file, chart] : learning_curves(history, best_epoch(history, metrics ? &*metrics : nullptr)))
      write_svg(model_dir / file, render_line_chart(chart));
  }
  if (metrics)
    if (const eval::SplitMetrics* split = headline_split(*metrics)) {
      write_svg(model_dir / kConfusionFile, confusion_svg(*split, metrics->class_names));
      write_svg(model_dir / kReliabilityFile, reliability_svg(*split));
    }
}

void build_model_sections(const ReportContext& context, Report& report) {
  auto folders = model_folders(context.run_dir);
  if (folders.empty()) {
    report.add_section("Models").note("Skipped: no model folder (a subfolder of " + context.run_dir.string() +
                                          " with history.csv or metrics.json) yet. Run `hito tabular` or another "
                                          "training command.",
                                      NoteKind::Skipped);
    return;
  }
  for (const auto& dir : folders) build_one_model(dir, report);
}

}  // namespace hito::report
