// The "Explanations" section, from <run>/explain/ as `hito explain` writes it
// (apps/study/explain/explain.h): what was explained (facts), the mask scores overall and per class
// (pointing game and energy inside the lesion, next to the lesion's area, the chance level of both),
// the lesion outlines and the overlay grid of each method. Skipped, with a note, when the run has no
// explain/mask_scores.json.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/eval/metrics_file.h"
#include "apps/report/sections/sections.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::report {

namespace {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string method_title(const std::string& method) {
  if (method == "gradcam") return "Grad-CAM";
  if (method == "saliency") return "Saliency";
  if (method == "occlusion") return "Occlusion";
  return method;
}

double score(const json& summary, const char* key) {
  return summary.contains(key) && summary[key].is_number() ? summary[key].get<double>() : std::nan("");
}

// An interval of the "intervals" object of a method's overall scores, or the bare score.
Cell interval_cell(const json& all, const char* key, const char* fallback) {
  if (all.contains("intervals") && all["intervals"].contains(key))
    return Cell::interval(eval::interval_from_json(all["intervals"][key], std::string("explain/mask_scores.json: ") + key));
  return fallback ? Cell::number(score(all, fallback)) : Cell("-");
}

Table overall_table(const json& scores, const std::vector<std::string>& methods) {
  Table table;
  table.caption = "All scored test rows (95% intervals: lesion bootstrap)";
  table.header = {"method",        "rows", "pointing game", "energy inside lesion", "lesion area (chance)",
                  "pointing - area", "energy - area", "flat maps"};
  for (const auto& m : methods) {
    const json& all = scores.at(m).at("all");
    table.rows.push_back({method_title(m), Cell::count(all.at("rows").get<int64_t>()),
                          interval_cell(all, "pointing_game", "pointing_game"),
                          interval_cell(all, "energy_inside", "energy_inside"), Cell::number(score(all, "mask_area")),
                          interval_cell(all, "pointing_excess", nullptr), interval_cell(all, "energy_excess", nullptr),
                          Cell::count(all.at("flat_maps").get<int64_t>())});
  }
  return table;
}

// One row per true class: rows, lesion area, then each method's pointing game and energy share.
Table per_class_table(const json& scores, const std::vector<std::string>& methods) {
  Table table;
  table.caption = "Per true class: pointing game / energy inside the lesion";
  table.header = {"class", "rows", "lesion area"};
  for (const auto& m : methods) {
    table.header.push_back(method_title(m) + " pointing");
    table.header.push_back(method_title(m) + " energy");
  }
  const json& first = scores.at(methods.front()).at("per_class");
  for (const auto& [name, summary] : first.items()) {
    std::vector<Cell> row = {name, Cell::count(summary.at("rows").get<int64_t>()), Cell::number(score(summary, "mask_area"))};
    for (const auto& m : methods) {
      const json& s = scores.at(m).at("per_class").at(name);
      row.push_back(Cell::number(score(s, "pointing_game")));
      row.push_back(Cell::number(score(s, "energy_inside")));
    }
    table.rows.push_back(row);
  }
  return table;
}

}  // namespace

void build_explain_section(const ReportContext& context, Report& report) {
  Section& section = report.add_section("Explanations: where the image model looks");
  const fs::path dir = context.run_dir / "explain", summary_file = dir / "mask_scores.json";
  if (!fs::exists(summary_file)) {
    section.note("Skipped: no explain/mask_scores.json in the run. Make it with `hito explain --run " +
                     context.run_dir.string() + "` once an image model (hito image) exists.",
                 NoteKind::Skipped);
    return;
  }
  json summary = read_json_file<json>(summary_file);
  const auto methods = summary.at("methods").get<std::vector<std::string>>();
  std::string seconds;
  for (const auto& m : methods) {
    seconds += (seconds.empty() ? "" : ", ") + method_title(m) + " " +
               format_duration(summary.at("seconds").at(m).get<double>());
  }
  const auto input = summary.at("input");
  section.facts({{"model", summary.at("model").get<std::string>() + " (" + summary.at("architecture").get<std::string>() + ")"},
                 {"input", std::to_string(input.at(0).get<int64_t>()) + " x " + std::to_string(input.at(1).get<int64_t>())},
                 {"explained class", summary.at("explained_class").get<std::string>()},
                 {"test rows", std::to_string(summary.at("test_rows").get<int64_t>())},
                 {"with lesion masks", std::to_string(summary.at("test_rows_with_masks").get<int64_t>())},
                 {"scored", std::to_string(summary.at("rows_scored").get<int64_t>())},
                 {"occlusion patch / stride", std::to_string(summary.at("occlusion").at("patch").get<int64_t>()) + " / " +
                                                  std::to_string(summary.at("occlusion").at("stride").get<int64_t>()) + " px"},
                 {"time", seconds}});
  section.paragraph(
      "Each map explains the class the model predicts. Grad-CAM weighs the last convolutional block's channels by "
      "their mean gradient; saliency is the largest absolute input gradient over the colour channels; occlusion is "
      "the drop of the predicted class's probability when a patch of the image's mean colour hides a region. The "
      "pointing game counts a hit when a map's maximum lies inside the lesion mask; the energy share is the part of "
      "the map's positive mass on the lesion. A map that ignores the image scores the lesion's area on both, so "
      "scores above the lesion area (an excess whose interval lies above 0) mean the model looks at the lesion "
      "rather than at the background.");
  if (summary.value("tta_flip_ignored", false))
    section.note("The model averages its prediction with the mirrored image; the maps explain the plain forward pass.");

  if (summary.at("scores").is_null()) {
    section.note("No test row has a lesion mask: the maps are shown but not scored.", NoteKind::Skipped);
  } else {
    section.table(overall_table(summary.at("scores"), methods));
    section.table(per_class_table(summary.at("scores"), methods));
  }
  if (fs::exists(dir / "images_grid.png"))
    section.file_figure(dir / "images_grid.png", "Test images with the lesion outline (green frame: predicted right)",
                        true);
  for (const auto& m : methods)
    if (fs::exists(dir / (m + "_grid.png")))
      section.file_figure(dir / (m + "_grid.png"), method_title(m) + " of the predicted class", true);
}

}  // namespace hito::report
