// The study plan of `hito run`: which milestones run at each level, with and without data and
// pretrained weights, and that every step names the run folder.
#include <gtest/gtest.h>

#include <algorithm>

#include "apps/cli/run_plan.h"

namespace hito::app {
namespace {

std::vector<std::string> commands(const std::vector<StudyStep>& steps) {
  std::vector<std::string> lines;
  for (const StudyStep& s : steps) lines.push_back(format_command(s.args));
  return lines;
}

bool has(const std::vector<StudyStep>& steps, const std::string& fragment) {
  auto lines = commands(steps);
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(fragment) != std::string::npos; });
}

size_t index_of(const std::vector<StudyStep>& steps, const std::string& command) {
  for (size_t i = 0; i < steps.size(); ++i)
    if (steps[i].args.front() == command) return i;
  return steps.size();
}

TEST(RunPlan, QuickStudyOnSyntheticDataWithWeights) {
  StudyOptions o;
  o.run_dir = "r";
  o.weights = "w.safetensors";
  auto steps = plan_study(o);
  EXPECT_EQ(steps.front().args.front(), "synth");
  EXPECT_TRUE(has(steps, "hito synth --out r/data --n 2000"));
  EXPECT_TRUE(has(steps, "hito prepare --data r/data --run r"));
  EXPECT_TRUE(has(steps, "hito embed --weights w.safetensors"));
  EXPECT_TRUE(has(steps, "hito image --mode head"));
  EXPECT_FALSE(has(steps, "--mode finetune"));
  EXPECT_FALSE(has(steps, "--mode scratch"));
  EXPECT_FALSE(has(steps, "--kind joint"));
  EXPECT_FALSE(has(steps, "--smoke"));
  EXPECT_TRUE(has(steps, "hito explain --limit 120"));
  // Milestones in order; the search comes before the tabular model that uses its best configuration.
  std::vector<std::string> order = {"prepare", "search", "tabular", "pixels", "embed", "image",
                                    "explain", "fuse", "evaluate", "report"};
  for (size_t i = 1; i < order.size(); ++i)
    EXPECT_LT(index_of(steps, order[i - 1]), index_of(steps, order[i])) << order[i - 1] << " before " << order[i];
  for (const StudyStep& s : steps)
    if (s.args.front() != "synth") EXPECT_TRUE(has({s}, "--run r")) << format_command(s.args);
}

TEST(RunPlan, WithoutWeightsTheImageModelIsTrainedFromScratch) {
  StudyOptions o;
  o.data_dir = "/data/ham";
  o.preset = "ham10000";
  auto steps = plan_study(o);
  EXPECT_EQ(steps.front().args.front(), "prepare");
  EXPECT_TRUE(has(steps, "hito prepare --data /data/ham --preset ham10000"));
  EXPECT_FALSE(has(steps, "hito embed"));
  EXPECT_FALSE(has(steps, "--mode head"));
  EXPECT_TRUE(has(steps, "hito image --mode scratch"));
}

TEST(RunPlan, SmokeMarksEveryTrainingStepAndShrinksTheData) {
  StudyOptions o;
  o.level = StudyLevel::Smoke;
  auto steps = plan_study(o);
  EXPECT_TRUE(has(steps, "--n 600"));
  EXPECT_TRUE(has(steps, "hito explain --methods gradcam,saliency"));
  for (const StudyStep& s : steps) {
    const std::string& c = s.args.front();
    bool trains = c != "synth" && c != "prepare" && c != "embed" && c != "evaluate" && c != "report";
    EXPECT_EQ(has({s}, "--smoke"), trains) << format_command(s.args);
  }
}

TEST(RunPlan, FullAddsFineTuningTheOwnCnnAndJointFusion) {
  StudyOptions o;
  o.level = StudyLevel::Full;
  o.weights = "w.safetensors";
  o.device = "cuda";
  auto steps = plan_study(o);
  EXPECT_TRUE(has(steps, "hito image --mode finetune --weights w.safetensors"));
  EXPECT_TRUE(has(steps, "hito image --mode scratch"));
  EXPECT_TRUE(has(steps, "hito fuse --kind joint"));
  EXPECT_TRUE(has(steps, "hito explain --run"));  // every test image
  EXPECT_TRUE(has(steps, "--device cuda"));
}

TEST(RunPlan, CommandsAreQuotedForTheLog) {
  EXPECT_EQ(format_command({"prepare", "--data", "my data"}), "hito prepare --data 'my data'");
}

}  // namespace
}  // namespace hito::app
