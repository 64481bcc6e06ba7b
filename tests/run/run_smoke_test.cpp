// `hito run --smoke` end to end through the built binary: the whole study on a small synthetic data
// set, every milestone's folder written, and the report at the end. With the shared pretrained
// MobileNetV2 beside the project the image model is the head on its embeddings; without it, the own
// CNN (the plan says so in its first line). The report says the data are synthetic and the run a
// smoke run, and headless Chromium (skipped where absent) lays it out at 1,280 and 1,920 px without
// a page that scrolls sideways, clipped SVG text, a wide table without its own scroll box and fixed
// first column, or a tiny explanation grid; its screenshots are left in the test's folder. Run again
// with --resume, the finished study skips every step, and with eval/ removed reruns only the last two.
#include <gtest/gtest.h>

#include <regex>

#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// What tests/fixtures/report/layout_check.js finds wrong in `report` at `width` px ("ok": nothing),
// with a screenshot left in `shots`; "" when no chromium is installed.
std::string browser_layout_check(const fs::path& report, int width, const fs::path& shots) {
  if (testing::run_shell("command -v chromium").status != 0) return "";
  const fs::path page = report.parent_path() / ("layout-check-" + std::to_string(width) + ".html");
  std::string html = read_file(report);
  const size_t end = html.rfind("</body>");
  html.insert(end == std::string::npos ? html.size() : end,
              "<script>" + read_file(testing::fixture_path("report/layout_check.js")) + "</script>");
  write_file_atomic(page, html);
  const std::string chromium = "timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                               "--virtual-time-budget=10000 --window-size=" + std::to_string(width) + ",";
  testing::run_shell(chromium + "1600 --screenshot='" +
                     (shots / ("report-" + std::to_string(width) + ".png")).string() + "' 'file://" +
                     report.string() + "' 2>/dev/null");
  std::string dom = testing::run_shell(chromium + "1000 --dump-dom 'file://" + page.string() + "' 2>/dev/null").output;
  std::smatch found;
  const std::regex result("<pre id=\"layout-check\">([^<]*)</pre>");
  std::string last = "no result from chromium";
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), result); it != std::sregex_iterator(); ++it)
    last = (*it)[1];
  return last;
}

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
  EXPECT_NE(report.find("Synthetic data: this run&#39;s images"), std::string::npos);
  EXPECT_NE(report.find("Smoke run (--smoke)"), std::string::npos);
  EXPECT_EQ(report.find("1 epochs"), std::string::npos);
  EXPECT_NE(report.find("<details><summary>Full configuration (config.json)</summary>"), std::string::npos);
  const fs::path shots = testing::temp_dir("report-screenshots");
  for (int width : {1280, 1920}) {
    std::string layout = browser_layout_check(run / "report.html", width, shots);
    if (layout.empty()) {
      std::printf("chromium not installed: the report's layout was not checked\n");
      break;
    }
    EXPECT_EQ(layout, "ok") << "at " << width << " px";
    std::printf("screenshot at %d px: %s\n", width, (shots / ("report-" + std::to_string(width) + ".png")).c_str());
  }
  // --resume on the finished study: every step is complete and current, and none runs again.
  const auto report_time = fs::last_write_time(run / "report.html");
  testing::CommandResult again = testing::run_hito("run --smoke --resume --threads 2 --run '" + run.string() + "'");
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(again.output.find("$ hito"), std::string::npos) << again.output;
  EXPECT_EQ(fs::last_write_time(run / "report.html"), report_time);
  // The evaluation removed: the steps before it are still skipped; evaluate and the report run again.
  fs::remove_all(run / "eval");
  again = testing::run_hito("run --smoke --resume --threads 2 --run '" + run.string() + "'");
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("complete and current, skipped: hito fuse --kind late"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("$ hito evaluate"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("$ hito tabular"), std::string::npos) << again.output;
  EXPECT_TRUE(fs::exists(run / "eval" / "models.csv"));
  EXPECT_NE(fs::last_write_time(run / "report.html"), report_time);
  // Nothing half-written is left behind.
  for (const auto& entry : fs::directory_iterator(run))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();
  if (!HasFailure()) fs::remove_all(run.parent_path());
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
