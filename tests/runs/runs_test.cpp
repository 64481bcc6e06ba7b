// hito runs: every run folder under a folder, its models with the scores of their metrics.json, and
// what each run has (eval/, report.html); a run with only prepared/ and a model without metrics.json
// are listed with what they have; folders that are not runs are left out.
#include <gtest/gtest.h>

#include "apps/eval/metrics_file.h"
#include "apps/study/evaluate/evaluate.h"
#include "apps/study/runs/runs.h"
#include "apps/study/train/model_output.h"
#include "tests/support/testing.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

std::string three_decimals(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

TEST(Runs, ListsEachRunWithItsModelsAndScores) {
  const fs::path dir = testing::temp_dir("hito-runs");
  const fs::path trained = tabular_test_run("runs");
  const fs::path model = run_tabular(quick_tabular_options(trained));
  EvaluateOptions e;
  e.run_dir = trained;
  e.resamples = 20;
  run_evaluate(e);
  fs::rename(trained, dir / "run-a");
  fs::create_directories(dir / "run-b");
  fs::copy(dir / "run-a" / "prepared", dir / "run-b" / "prepared", fs::copy_options::recursive);
  fs::create_directories(dir / "run-c");
  fs::copy(dir / "run-a" / "prepared", dir / "run-c" / "prepared", fs::copy_options::recursive);
  fs::copy(dir / "run-a" / "tabular", dir / "run-c" / "tabular", fs::copy_options::recursive);
  fs::remove(dir / "run-c" / "tabular" / kMetricsFile);
  fs::create_directories(dir / "not-a-run" / "tabular");

  const std::vector<RunSummary> runs = list_runs(dir);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].dir.filename().string(), "run-a");
  EXPECT_EQ(runs[1].dir.filename().string(), "run-b");
  EXPECT_EQ(runs[2].dir.filename().string(), "run-c");
  EXPECT_TRUE(runs[0].evaluated);
  EXPECT_FALSE(runs[1].evaluated);
  EXPECT_TRUE(runs[1].models.empty());

  const eval::MetricsFile metrics = eval::read_metrics_file(dir / "run-a" / "tabular" / kMetricsFile);
  const eval::SplitMetrics& test = *metrics.find("test");
  const std::string table = runs_table(runs);
  const std::string a_row = "run-a  tabular  tabular  " + three_decimals(metrics.find("val")->metrics.balanced_accuracy) +
                            "     " + score_with_interval(test, "balanced_accuracy", test.metrics.balanced_accuracy) +
                            "  " + three_decimals(test.metrics.macro_auc) + "     eval\n";
  EXPECT_NE(table.find(a_row), std::string::npos) << table;
  EXPECT_NE(table.find("run-b  -        -        -         -"), std::string::npos) << table;
  EXPECT_NE(table.find("prepared only\n"), std::string::npos) << table;
  EXPECT_NE(table.find("run-c  tabular  tabular  -         -"), std::string::npos) << table;
  EXPECT_EQ(table.find("not-a-run"), std::string::npos) << table;

  // The command prints the same table, from the folder given or the current one.
  testing::CommandResult cli = testing::run_hito("runs '" + dir.string() + "'");
  EXPECT_EQ(cli.status, 0) << cli.output;
  EXPECT_NE(cli.output.find(a_row), std::string::npos) << cli.output;
  testing::CommandResult here = testing::run_shell("cd '" + (dir / "run-a").string() + "' && '" +
                                                   testing::hito_binary().string() + "' runs");
  EXPECT_NE(here.output.find(a_row), std::string::npos) << here.output;
  fs::remove_all(dir);
}

TEST(Runs, AMissingFolderIsAnErrorAndAnEmptyOneSaysSo) {
  const fs::path dir = testing::temp_dir("hito-runs-empty");
  EXPECT_NE(testing::error_message([&] { list_runs(dir / "nope"); }).find("nope is not a folder"), std::string::npos);
  testing::CommandResult cli = testing::run_hito("runs '" + dir.string() + "'");
  EXPECT_EQ(cli.status, 0);
  EXPECT_NE(cli.output.find("no run folders under"), std::string::npos) << cli.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hito::study
