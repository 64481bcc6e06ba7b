// Resuming `hito search`: killed with SIGKILL once its first trial is done, then `hito search
// --resume` keeps that trial, continues the rest, and writes the trials and the best configuration
// of a search never killed (every column but the times).
#include <gtest/gtest.h>

#include "data/csv.h"
#include "tests/support/resume.h"
#include "tests/support/testing.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

// trials.csv without its wall-clock column.
std::vector<std::vector<std::string>> trials_without_seconds(const fs::path& run) {
  data::CsvTable t = data::read_csv(run / "search" / "trials.csv");
  const int64_t seconds = t.require_column("seconds");
  for (auto& row : t.rows) row.erase(row.begin() + seconds);
  return t.rows;
}

TEST(SearchResume, KilledAfterATrialAndResumedEqualsAnUninterruptedSearch) {
  const std::string flags = " --strategy random --trials 6 --epochs 30 --patience 1000 --seed 3 --threads 1";
  fs::path whole = tabular_test_run("search-whole"), killed = tabular_test_run("search-killed");
  testing::CommandResult r = testing::run_hito("search --run '" + whole.string() + "'" + flags);
  ASSERT_EQ(r.status, 0) << r.output;
  const fs::path trials_done = killed / "checkpoints" / "search-trials.json";
  ASSERT_TRUE(testing::kill_once_checkpointed("search --run '" + killed.string() + "'" + flags, trials_done))
      << "the search ended before it could be killed";
  r = testing::run_hito("search --resume --run '" + killed.string() + "'" + flags);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("search: resumed after trial"), std::string::npos) << r.output;
  EXPECT_EQ(trials_without_seconds(killed), trials_without_seconds(whole));
  EXPECT_EQ(read_file(killed / "search" / "best.json"), read_file(whole / "search" / "best.json"));
  EXPECT_FALSE(fs::exists(trials_done));
  fs::remove_all(whole);
  fs::remove_all(killed);
}

}  // namespace
}  // namespace hito::study
