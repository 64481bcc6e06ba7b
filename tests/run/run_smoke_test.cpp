// `hito run --smoke` end to end through the built binary: the whole study on a small synthetic data
// set, every milestone's folder written, and the report at the end. With the shared pretrained
// MobileNetV2 beside the project the image model is the head on its embeddings; without it, the own
// CNN (the plan says so in its first line).
#include <gtest/gtest.h>

#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(RunSmoke, TheWholeStudyWritesEveryMilestoneAndTheReport) {
  fs::path run = testing::temp_dir("run-smoke") / "run";
  testing::CommandResult result = testing::run_hito("run --smoke --threads 2 --run '" + run.string() + "'");
  ASSERT_EQ(result.status, 0) << result.output;

  bool pretrained = fs::exists(testing::shared_path("weights/mobilenet_v2_imagenet.safetensors"));
  std::vector<std::string> models = {"tabular", "pixels", pretrained ? "image-head" : "image-scratch", "fusion-early",
                                     "fusion-late"};
  for (const std::string& model : models) {
    for (const char* file : {"config.json", "predictions_val.csv", "predictions_test.csv", "metrics.json"})
      EXPECT_TRUE(fs::exists(run / model / file)) << model << "/" << file << "\n" << result.output;
  }
  for (const char* path : {"prepared", "search/best.json", "explain", "eval/models.csv", "eval/eval.json"})
    EXPECT_TRUE(fs::exists(run / path)) << path;
  ASSERT_TRUE(fs::exists(run / "report.html"));
  std::string report = read_file(run / "report.html");
  EXPECT_NE(report.find("Discussion"), std::string::npos);
  EXPECT_NE(result.output.find("report: " + (run / "report.html").string()), std::string::npos) << result.output;
  // Nothing half-written is left behind.
  for (const auto& entry : fs::directory_iterator(run))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();
  fs::remove_all(run.parent_path());
}

TEST(RunSmoke, AFailingStepNamesItselfAndStopsTheStudy) {
  fs::path dir = testing::temp_dir("run-fail");
  fs::create_directories(dir / "empty-data");
  testing::CommandResult result =
      testing::run_hito("run --smoke --data '" + (dir / "empty-data").string() + "' --run '" + (dir / "run").string() + "'");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("step 1 (hito prepare"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "run" / "tabular"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hito
