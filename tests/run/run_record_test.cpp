// `hito run --resume`'s record of finished steps (apps/cli/run_record.h): the leading steps recorded
// with the same command line and an output untouched since are current; a changed command line, a
// rewritten or missing output ends the current prefix there; the record survives a round trip.
#include <gtest/gtest.h>

#include <thread>

#include "apps/cli/run_record.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::app {
namespace {

TEST(RunRecord, StepsAreCurrentUntilTheFirstChangedCommandOrOutput) {
  const fs::path run = testing::temp_dir("run-record");
  std::vector<StudyStep> plan;
  for (const char* name : {"search", "tabular", "pixels", "evaluate"}) {
    plan.push_back({name, {name, "--run", run.string()}, (run / name).string(), true});
    write_file_atomic(run / name / "config.json", "{}\n");
  }
  std::vector<StepRecord> record;
  for (const StudyStep& step : plan) record.push_back(record_step(step));
  write_run_record(run, record);
  record = read_run_record(run);
  ASSERT_EQ(record.size(), plan.size());
  EXPECT_EQ(current_steps(plan, record, run), 4u);
  EXPECT_EQ(current_steps(plan, {record.begin(), record.begin() + 2}, run), 2u);  // a study killed at step 3

  std::vector<StudyStep> other = plan;
  other[2].args.push_back("--epochs");  // another configuration of step 3
  other[2].args.push_back("5");
  EXPECT_EQ(current_steps(other, record, run), 2u);

  // Step 2's folder rewritten (by hand, say): not the output recorded any more.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    OutputDir rewritten(run / "tabular");
    write_file_atomic(rewritten.path() / "config.json", "{}\n");
    rewritten.commit();
  }
  EXPECT_EQ(current_steps(plan, record, run), 1u);
  fs::remove_all(run / "search");
  EXPECT_EQ(current_steps(plan, record, run), 0u);
  EXPECT_TRUE(read_run_record(run / "none").empty());
  fs::remove_all(run);
}

}  // namespace
}  // namespace hito::app
