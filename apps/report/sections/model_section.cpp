// The generic "model" section: one per model folder of the run (any direct subfolder holding a
// history.csv or a metrics.json), showing learning curves, scores with confidence intervals, per-class
// scores, the confusion matrix and the reliability diagram.
//
// The figures are those of apps/eval/model_figures.h (which also states what a model folder holds);
// config.json, when present, is shown as a model card (a short table of its settings, the full file one
// click away), and any other *.svg or *.png
// of the folder is embedded in name order with the file name as caption.
#include "apps/report/sections/sections.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "data/csv_columns.h"
#include "apps/eval/model_figures.h"
#include "plot/axis.h"
#include "plot/svg.h"
#include "base/fs.h"
#include "base/json.h"

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

// One setting as a reader wants it: numbers by the kind their name says, lists counted when long.
std::string setting_text(const std::string& key, const OrderedJson& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number()) {
    const double number = value.get<double>();
    if (NumberKind kind = number_kind(key); kind != NumberKind::Score) return format_number_of_kind(number, kind);
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", number);
    return text;
  }
  if (value.is_array()) {
    bool scalars = value.size() <= 8;
    for (const auto& item : value) scalars = scalars && !item.is_structured();
    if (!scalars) return count_of(static_cast<int64_t>(value.size()), "value");
    std::string list;
    for (const auto& item : value) list += (list.empty() ? "" : ", ") + setting_text(key, item);
    return list;
  }
  if (value.is_null()) return "-";
  return count_of(static_cast<int64_t>(value.size()), "setting");
}

// The model card: config.json's settings as a short table (nested objects one level down, at most
// kMaxRows rows) and the whole file in a details box.
void model_card(Section& section, const fs::path& path) {
  constexpr size_t kMaxRows = 14;
  OrderedJson config = read_json_file<OrderedJson>(path);
  HITO_CHECK(config.is_object(), path.string(), ": expected a JSON object of settings");
  Table card;
  card.header = {"setting", "value"};
  size_t hidden = 0;
  auto add = [&](const std::string& key, const OrderedJson& value) {
    if (card.rows.size() < kMaxRows) card.rows.push_back({key, setting_text(key.substr(key.rfind('.') + 1), value)});
    else ++hidden;
  };
  for (const auto& [key, value] : config.items()) {
    if (!value.is_object()) {
      add(key, value);
      continue;
    }
    for (const auto& [sub, inner] : value.items()) add(key + "." + sub, inner);
  }
  card.caption = "Model card" + (hidden ? " (" + count_of(static_cast<int64_t>(hidden), "more setting") +
                                              " in the full configuration)"
                                        : std::string());
  section.table(card);
  section.html("<details><summary>Full configuration (" + escape_markup(path.filename().string()) +
               ")</summary><pre>" + escape_markup(config.dump(2)) + "</pre></details>");
}

void build_one_model(const fs::path& dir, Report& report) {
  const std::string name = dir.filename().string();
  Section& section = report.add_section("Model: " + name);
  std::optional<eval::MetricsFile> metrics;
  if (fs::exists(dir / "metrics.json")) metrics = eval::read_metrics_file(dir / "metrics.json");
  if (fs::exists(dir / "config.json")) model_card(section, dir / "config.json");

  section.heading("Learning curves");
  if (fs::exists(dir / "history.csv")) {
    data::CsvTable history = data::read_csv(dir / "history.csv");
    auto best = eval::best_epoch(history, metrics ? &*metrics : nullptr);
    auto curves = eval::learning_curves(history, best);
    std::string summary = count_of(history.rows.size(), "epoch");
    if (best) summary += "; the weights of epoch " + plot::format_number(*best, 0) + " were kept";
    if (int64_t seconds = history.column("seconds"); seconds >= 0) {
      double total = 0;
      for (double s : data::column_numbers(history, seconds))
        if (std::isfinite(s)) total += s;
      summary += "; training took " + format_duration(total);
    }
    section.paragraph(summary + ".");
    for (const auto& [file, chart] : curves) section.svg_figure(plot::render_line_chart(chart), chart.title + " per epoch.");
  } else {
    section.note("No history.csv in " + dir.string() + ": no learning curves.", NoteKind::Skipped);
  }

  section.heading("Scores");
  if (metrics) {
    section.paragraph("Intervals are 95% percentile bootstrap intervals that resample lesions, not images.");
    section.table(scores_table(*metrics));
    if (const eval::SplitMetrics* split = eval::headline_split(*metrics)) {
      section.table(per_class_table(*split, metrics->class_names));
      section.svg_figure(eval::confusion_svg(*split, metrics->class_names),
                         "Confusion matrix on the " + split->split +
                             " split: each row shows how the images of one true class were classified (shares of the "
                             "row, counts underneath).");
      section.svg_figure(eval::reliability_svg(*split),
                         "Reliability on the " + split->split +
                             " split: accuracy against confidence; bars on the diagonal are perfectly calibrated.");
    }
  } else {
    section.note("No metrics.json in " + dir.string() + ": no scores.", NoteKind::Skipped);
  }

  // Any other figures the milestone saved.
  const std::set<std::string> standard = {eval::kLossCurveFile, eval::kBaccCurveFile, eval::kLrCurveFile, eval::kConfusionFile,
                                          eval::kReliabilityFile};
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
