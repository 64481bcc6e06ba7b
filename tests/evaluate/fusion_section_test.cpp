// The report's fusion section on hand-made fusion folders: the balancing and inputs of early fusion
// with each modality's contribution, the late combiners with the chosen one, the joint gates, the
// fit/predict times; and a skipped note without fusion folders.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apps/eval/metrics_file.h"
#include "apps/report/sections/sections.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

void write_fusion(const fs::path& dir, const json& config, const json& extra) {
  fs::create_directories(dir);
  write_file_atomic(dir / "config.json", config.dump());
  eval::MetricsFile metrics;
  metrics.class_names = {"a", "b"};
  eval::Predictions p;
  p.num_classes = 2;
  p.labels = {0, 1, 1, 0};
  p.probs = {0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.7, 0.3};
  metrics.splits.push_back(eval::evaluate_split("val", p, {50, 0.95, 0}));
  metrics.splits.push_back(eval::evaluate_split("test", p, {50, 0.95, 0}));
  metrics.extra = extra;
  eval::write_metrics_file(dir / "metrics.json", metrics);
}

std::string section_text(const fs::path& run) {
  report::Report report("r");
  report::build_fusion_section({run, false}, report);
  return report.sections().back().render();
}

TEST(FusionSection, HowEachFusionCombinesTheModalities) {
  fs::path run = testing::temp_dir("fusion_section");
  write_fusion(run / "fusion-early",
               {{"kind", "fusion-early"},
                {"fusion",
                 {{"inputs", {"tabular", "embeddings/mobilenet"}},
                  {"input_widths", {24, 1280}},
                  {"balance", "pca"},
                  {"weights", {1.0, 0.5}},
                  {"block_widths", {16, 16}},
                  {"classifier", {{"kind", "linear"}}}}},
                {"fit_seconds", 1.25},
                {"predict_seconds", 0.004}},
               {{"val_bacc_all", 0.61},
                {"contribution",
                 {{"tabular", {{"val_bacc_without", 0.52}, {"drop", 0.09}}},
                  {"embeddings/mobilenet", {{"val_bacc_without", 0.33}, {"drop", 0.28}}}}}});
  write_fusion(run / "fusion-late",
               {{"kind", "fusion-late"}, {"inputs", {"tabular", "image-head"}}, {"combiner", {{"method", "stacking"}}}},
               {{"chosen", "stacking"},
                {"cv_val_bacc", {{"mean", 0.55}, {"weighted", 0.57}, {"stacking", 0.6}}},
                {"input_val_bacc", {{"tabular", 0.4}, {"image-head", 0.5}}}});
  write_fusion(run / "fusion-joint", {{"kind", "fusion-joint"}, {"fusion", {{"head", "gated"}, {"branch_width", 64}}}},
               {{"mean_gates", {{"test", {{"image", 0.7}, {"tabular", 0.3}}}}}});
  std::string html = section_text(run);
  for (const char* part :
       {"tabular (24 -&gt; 16), embeddings/mobilenet (1280 -&gt; 16)", "balancing: pca", "modality weights 1.0, 0.5",
        "linear classifier", ">1.2 s<", ">4 ms<", "embeddings/mobilenet", "0.280", "combiner stacking", "stacking (chosen)",
        "0.570", "head gated, branch width 64", "0.700"})
    EXPECT_NE(html.find(part), std::string::npos) << part << "\n" << html;
}

TEST(FusionSection, SkippedWithoutFusionFolders) {
  std::string html = section_text(testing::temp_dir("fusion_section_none"));
  EXPECT_NE(html.find("hito fuse --kind early|late|joint"), std::string::npos) << html;
}

}  // namespace
}  // namespace hito
