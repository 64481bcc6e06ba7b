// The "Hyperparameter search" section, from <run>/search/ as `hito search` writes it
// (apps/study/tabular/search.h): the chosen configuration, the trials ranked by validation balanced accuracy
// and the per-trial figure. Skipped, with a note, when the run has no search/trials.csv.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "apps/report/sections/sections.h"
#include "data/csv.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::report {

namespace {
namespace fs = std::filesystem;
}  // namespace

void build_search_section(const ReportContext& context, Report& report) {
  Section& section = report.add_section("Hyperparameter search (tabular MLP)");
  const fs::path dir = context.run_dir / "search", trials_file = dir / "trials.csv", best_file = dir / "best.json";
  if (!fs::exists(trials_file) || !fs::exists(best_file)) {
    section.note("Skipped: no search/trials.csv in the run. Make it with `hito search --run " + context.run_dir.string() +
                     "`.",
                 NoteKind::Skipped);
    return;
  }
  Json best = read_json_file(best_file);
  data::CsvTable trials = data::read_csv(trials_file);
  section.paragraph(
      "Every trial trains the tabular MLP with early stopping and is scored on the validation split only (its best "
      "validation balanced accuracy, ties broken by validation macro AUC); the test split is not looked at. "
      "`hito tabular --config best` retrains the chosen configuration.");
  std::vector<std::pair<std::string, std::string>> facts = {
      {"strategy", best.value("strategy", "?")},
      {"trials", std::to_string(trials.num_rows())},
      {"best trial", std::to_string(best.value("trial", 0))},
      {"best val balanced accuracy", Cell::number(best.value("val_bacc", 0.0)).text},
      {"its val macro AUC", Cell::number(best.value("val_macro_auc", 0.0)).text}};
  for (const auto& [key, value] : best["hyperparameters"].items())
    facts.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  section.facts(facts);

  // The trials, best first.
  const int64_t score = trials.require_column("val_bacc"), auc = trials.require_column("val_macro_auc");
  auto number = [](const std::string& cell) { return cell.empty() ? 0.0 : std::stod(cell); };
  std::stable_sort(trials.rows.begin(), trials.rows.end(), [&](const auto& a, const auto& b) {
    const double sa = number(a[static_cast<size_t>(score)]), sb = number(b[static_cast<size_t>(score)]);
    if (sa != sb) return sa > sb;
    return number(a[static_cast<size_t>(auc)]) > number(b[static_cast<size_t>(auc)]);
  });
  Table table = table_from_csv(trials);
  table.caption = "Trials ranked by validation balanced accuracy (trials.csv)";
  section.table(table);
  if (fs::exists(dir / "search.svg")) section.file_figure(dir / "search.svg", "Validation balanced accuracy per trial");
}

}  // namespace hito::report
