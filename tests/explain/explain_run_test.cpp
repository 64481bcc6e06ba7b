// hito explain end to end on the prepared synthetic run (which has lesion masks): a smoke-trained
// own CNN explained by every method, the files of <run>/explain/ and their agreement, the choice of
// the model folder, and a refusal that leaves no output behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apps/study/explain/explain.h"
#include "plot/png.h"
#include "apps/report/sections/sections.h"
#include "apps/study/image/image.h"
#include "apps/study/prepare/prepare.h"
#include "apps/study/prepare/prepared_data.h"
#include "data/csv.h"
#include "base/fs.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

// A private copy of the shared prepared run with a smoke-trained image-scratch model (32 px).
fs::path explain_test_run(const std::string& name) {
  fs::path run = testing::temp_dir("hito-explain-" + name);
  fs::copy(testing::prepared_run_for_tests(160, 1) / "prepared", run / "prepared", fs::copy_options::recursive);
  ImageOptions o;
  o.run_dir = run;
  o.mode = "scratch";
  o.smoke = true;
  o.size = 32;
  o.depth = 2;
  o.width = 8;
  o.batch_size = 16;
  o.train.progress = false;
  run_image(o);
  return run;
}

TEST(ExplainRun, WritesScoresAndGridsForEveryMethod) {
  fs::path run = explain_test_run("all");
  ExplainOptions o;
  o.run_dir = run;
  o.per_class = 2;
  o.occlusion.patch = 8;
  fs::path out = run_explain(o);
  ASSERT_EQ(out, run / "explain");

  PreparedData data = load_prepared(run);
  int64_t with_masks = 0;
  for (int64_t r : data.rows_of(data::Part::Test)) with_masks += !data.masks[static_cast<size_t>(r)].empty();
  ASSERT_GT(with_masks, 0) << "the synthetic test set should have lesion masks";

  auto summary = nlohmann::json::parse(read_file(out / "mask_scores.json"));
  EXPECT_EQ(summary["model"], "image-scratch");
  EXPECT_EQ(summary["rows_scored"], with_masks);
  EXPECT_EQ(summary["occlusion"]["patch"], 8);
  EXPECT_EQ(summary["input"], nlohmann::json::array({32, 32}));

  data::CsvTable table = data::read_csv(out / "mask_scores.csv");
  ASSERT_EQ(table.rows.size(), 3 * (data.classes.size() + 1));
  data::CsvTable rows = data::read_csv(out / "row_scores.csv");
  ASSERT_EQ(static_cast<int64_t>(rows.rows.size()), with_masks);
  // The overall pointing game of each method is the share of hits in row_scores.csv.
  for (const std::string method : {"gradcam", "saliency", "occlusion"}) {
    const int64_t hit_column = rows.column(method + "_hit");
    ASSERT_GE(hit_column, 0);
    double hits = 0;
    for (const auto& row : rows.rows) hits += std::stod(row[static_cast<size_t>(hit_column)]);
    EXPECT_NEAR(summary["scores"][method]["all"]["pointing_game"].get<double>(), hits / with_masks, 1e-12) << method;
    EXPECT_TRUE(plot::looks_like_png(read_file(out / (method + "_grid.png")))) << method;
    const auto& interval = summary["scores"][method]["all"]["intervals"]["pointing_game"];
    EXPECT_NEAR(interval["estimate"].get<double>(), hits / with_masks, 1e-12) << method;
    EXPECT_LE(interval["lower"].get<double>(), interval["upper"].get<double>()) << method;
  }
  EXPECT_TRUE(plot::looks_like_png(read_file(out / "images_grid.png")));
  // Two test images of each class (fewer where the test split has fewer).
  std::vector<int64_t> per_class(data.classes.size(), 0);
  const std::vector<int64_t> labels = data.labels.to_vector<int64_t>();
  for (int64_t r : data.rows_of(data::Part::Test)) ++per_class[static_cast<size_t>(labels[static_cast<size_t>(r)])];
  size_t shown = 0;
  for (int64_t count : per_class) shown += static_cast<size_t>(std::min<int64_t>(count, 2));
  EXPECT_EQ(summary["grid_ids"].size(), shown);

  // The report section shows the scores and the grids.
  report::Report with_scores("test");
  report::build_explain_section({run}, with_scores);
  const std::string html = with_scores.render();
  for (const char* text : {"pointing game", "energy inside lesion", "pointing - area", "Grad-CAM pointing", "Occlusion energy",
                           "lesion area (chance)", "image-scratch (small_cnn)", "data:image/png;base64,"})
    EXPECT_NE(html.find(text), std::string::npos) << text;
}

TEST(ExplainRun, ReportSectionSkippedWithoutOutputs) {
  fs::path run = testing::temp_dir("hito-explain-report-skip");
  report::Report report("test");
  report::build_explain_section({run}, report);
  EXPECT_NE(report.render().find("no explain/mask_scores.json"), std::string::npos);
}

TEST(ExplainRun, SmokeLimitAndModelChoice) {
  fs::path run = explain_test_run("smoke");
  ExplainOptions o;
  o.run_dir = run;
  o.smoke = true;
  o.methods = {explain::kGradCam};
  o.model = "image-scratch";
  run_explain(o);
  auto summary = nlohmann::json::parse(read_file(run / "explain" / "mask_scores.json"));
  EXPECT_LE(summary["rows_scored"].get<int64_t>(), 16);
  EXPECT_EQ(summary["methods"], nlohmann::json::array({"gradcam"}));
  EXPECT_FALSE(fs::exists(run / "explain" / "saliency_grid.png"));

  EXPECT_EQ(resolve_explain_model(run, ""), run / "image-scratch");
  EXPECT_EQ(resolve_explain_model(run, (run / "image-scratch").string()), run / "image-scratch");
  EXPECT_THROW(resolve_explain_model(run, "image-finetune"), Error);
  EXPECT_THROW(resolve_explain_model(run, (run / "nothing").string()), Error);
}

TEST(ExplainRun, RefusalLeavesNoOutput) {
  fs::path run = explain_test_run("refuse");
  ExplainOptions o;
  o.run_dir = run;
  o.occlusion.patch = 1000;  // larger than the image: clamped, so valid; a negative stride is not
  o.occlusion.stride = -1;
  EXPECT_THROW(run_explain(o), Error);
  EXPECT_FALSE(fs::exists(run / "explain"));
}

TEST(ExplainRun, EvenlySpacedRows) {
  const std::vector<int64_t> rows = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  EXPECT_EQ(evenly_spaced(rows, 0), rows);
  EXPECT_EQ(evenly_spaced(rows, 20), rows);
  EXPECT_EQ(evenly_spaced(rows, 3), (std::vector<int64_t>{10, 13, 16}));
  EXPECT_EQ(evenly_spaced(rows, 5), (std::vector<int64_t>{10, 12, 14, 16, 18}));
}

}  // namespace
}  // namespace hito::study
