// The study plan of `hito run`: which milestones run at each level, with and without data and
// pretrained weights, and that every step names the run folder.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "apps/cli/run_plan.h"
#include "base/error.h"

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
  EXPECT_TRUE(has(steps, "hito explain --model image-finetune --run"));  // the fine-tuned network, every test image
  EXPECT_TRUE(has(steps, "--device cuda"));
}

TEST(RunPlan, CpuFineTunesAt224AndRefitsEveryTrainingStep) {
  StudyOptions o;
  o.level = StudyLevel::Cpu;
  o.data_dir = "/data/ham";
  o.preset = "ham10000";
  o.weights = "w.safetensors";
  auto steps = plan_study(o);
  EXPECT_TRUE(has(steps, "hito image --mode finetune --weights w.safetensors --size 224"));
  EXPECT_TRUE(has(steps, "hito image --mode scratch"));
  EXPECT_FALSE(has(steps, "--oof-folds"));
  EXPECT_TRUE(has(steps, "hito fuse --kind joint"));
  EXPECT_TRUE(has(steps, "--name fusion-early-finetune --inputs prepared/tabular,image-finetune"));
  EXPECT_TRUE(has(steps, "hito explain --model image-finetune --limit 120"));
  EXPECT_FALSE(has(steps, "--smoke"));
  EXPECT_TRUE(has(steps, "--device cpu"));
  // Every model that learns from rows is refitted on train + val, after its train-only fit, but the
  // fine-tuned network (another 20 minutes on 2 cores).
  for (const StudyStep& s : steps) {
    const std::string& c = s.args.front();
    bool trains = c == "tabular" || c == "pixels" || c == "image" || c == "fuse";
    bool finetune = has({s}, "--mode finetune");
    EXPECT_EQ(has({s}, "--refit"), trains && !finetune) << format_command(s.args);
  }
  o.level = StudyLevel::Full;
  EXPECT_TRUE(has(plan_study(o), "--mode finetune --weights w.safetensors --oof-folds 3 --refit"));
  EXPECT_TRUE(has(plan_study(o), "--mode scratch --oof-folds 3 --refit"));
  // The quick plan refits nothing.
  o.level = StudyLevel::Quick;
  EXPECT_FALSE(has(plan_study(o), "--refit"));
}

TEST(RunPlan, PlanNamesAndThePlanFile) {
  for (StudyLevel level : {StudyLevel::Smoke, StudyLevel::Quick, StudyLevel::Cpu, StudyLevel::Full})
    EXPECT_EQ(parse_study_level(study_level_name(level)), level);
  EXPECT_THROW(parse_study_level("gpu"), Error);
  StudyOptions o;
  o.level = StudyLevel::Cpu;
  o.run_dir = "r";
  auto steps = plan_study(o);
  nlohmann::json plan = nlohmann::json::parse(plan_json(o, steps, {1.5, 2.0}));
  EXPECT_EQ(plan["plan"], "cpu");
  ASSERT_EQ(plan["steps"].size(), steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(plan["steps"][i]["command"], format_command(steps[i].args));
    EXPECT_EQ(plan["steps"][i]["args"].get<std::vector<std::string>>(), steps[i].args);
    EXPECT_EQ(plan["steps"][i].contains("seconds"), i < 2) << "only finished steps have a time";
  }
}

TEST(RunPlan, CommandsAreQuotedForTheLog) {
  EXPECT_EQ(format_command({"prepare", "--data", "my data"}), "hito prepare --data 'my data'");
}

}  // namespace
}  // namespace hito::app
