// hito runs: run folders found and tabulated.
#include "apps/study/runs/runs.h"

#include <algorithm>
#include <cstdio>

#include "apps/eval/eval_results.h"
#include "apps/eval/metrics_file.h"
#include "apps/study/evaluate/evaluate.h"
#include "apps/study/prepare/prepared_files.h"
#include "apps/study/train/model_output.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::study {

namespace {

bool is_run_folder(const fs::path& dir) { return !is_partial_output(dir) && fs::is_directory(dir / kPreparedDir); }

ModelSummary summarise_model(const fs::path& folder) {
  ModelSummary m;
  m.name = folder.filename().string();
  m.kind = read_json_file(folder / kModelConfig).value("kind", std::string("?"));
  if (!fs::is_regular_file(folder / kMetricsFile)) return m;
  const eval::MetricsFile metrics = eval::read_metrics_file(folder / kMetricsFile);
  if (const eval::SplitMetrics* val = metrics.find("val")) m.val_bacc = val->metrics.balanced_accuracy;
  if (const eval::SplitMetrics* test = metrics.find("test")) {
    m.test_bacc = score_with_interval(*test, "balanced_accuracy", test->metrics.balanced_accuracy);
    m.test_auc = test->metrics.macro_auc;
  }
  return m;
}

RunSummary summarise_run(const fs::path& dir) {
  RunSummary run;
  run.dir = dir;
  for (const fs::path& folder : model_folders_to_evaluate(dir)) run.models.push_back(summarise_model(folder));
  run.evaluated = fs::is_regular_file(dir / eval::kEvalFolder / eval::kEvalJson);
  run.reported = fs::is_regular_file(dir / "report.html");
  return run;
}

std::string score(const std::optional<double>& value) {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", *value);
  return text;
}

std::string run_has(const RunSummary& run) {
  std::string has;
  if (run.evaluated) has = "eval";
  if (run.reported) has += has.empty() ? "report" : ", report";
  if (run.models.empty()) has = "prepared only";
  return has.empty() ? "-" : has;
}

}  // namespace

std::vector<RunSummary> list_runs(const fs::path& where) {
  HITO_CHECK(fs::is_directory(where), "hito runs: ", where.string(), " is not a folder");
  const fs::path dir = fs::weakly_canonical(where);  // "." and "run/" have a name
  std::vector<fs::path> found;
  if (is_run_folder(dir)) found.push_back(dir);
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && is_run_folder(entry.path())) found.push_back(entry.path());
  std::sort(found.begin() + (is_run_folder(dir) ? 1 : 0), found.end());
  std::vector<RunSummary> runs;
  for (const fs::path& run : found) runs.push_back(summarise_run(run));
  return runs;
}

std::string runs_table(const std::vector<RunSummary>& runs) {
  std::vector<std::vector<std::string>> rows = {
      {"run", "model", "kind", "val bacc", "test bacc [95% CI]", "test AUC", "run has"}};
  for (const RunSummary& run : runs) {
    const std::string name = run.dir.filename().string();
    if (run.models.empty()) rows.push_back({name, "-", "-", "-", "-", "-", run_has(run)});
    for (const ModelSummary& m : run.models)
      rows.push_back({name, m.name, m.kind, score(m.val_bacc), m.test_bacc.empty() ? "-" : m.test_bacc,
                      score(m.test_auc), run_has(run)});
  }
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string table;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line += c + 1 < row.size() ? row[c] + std::string(width[c] - row[c].size() + 2, ' ') : row[c];
    table += line + "\n";
  }
  return table;
}

}  // namespace hito::study
