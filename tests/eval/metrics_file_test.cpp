// apps/eval/metrics_file: metrics.json round trip, NaN as null, clear errors on malformed files.
#include "apps/eval/metrics_file.h"

#include <cmath>

#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::eval {
namespace {

Predictions sample() {
  Predictions p;
  p.num_classes = 3;
  p.labels = {0, 1, 1, 0, 1, 0};  // class 2 absent: its AUC is undefined (null in the file)
  p.probs = {0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.5, 0.3, 0.2, 0.6, 0.3, 0.1, 0.2, 0.2, 0.6, 0.9, 0.05, 0.05};
  p.groups = {0, 0, 1, 2, 3, 3};
  return p;
}

TEST(MetricsFile, RoundTrip) {
  auto dir = testing::temp_dir("metrics_file");
  MetricsFile file;
  file.class_names = {"nv", "mel", "bkl"};
  file.splits.push_back(evaluate_split("val", sample(), {.resamples = 50, .seed = 1}));
  file.splits.push_back(evaluate_split("test", sample().subset({0, 1, 2, 3}), {.resamples = 50, .seed = 1}));
  file.extra["best_epoch"] = 7;
  write_metrics_file(dir / "metrics.json", file);
  MetricsFile back = read_metrics_file(dir / "metrics.json");
  EXPECT_EQ(back.class_names, file.class_names);
  ASSERT_EQ(back.splits.size(), 2u);
  EXPECT_EQ(back.splits[0].split, "val");  // file order kept
  EXPECT_EQ(back.splits[1].split, "test");
  const SplitMetrics* val = back.find("val");
  ASSERT_NE(val, nullptr);
  EXPECT_EQ(back.find("train"), nullptr);
  const ClassificationMetrics& m = file.splits[0].metrics;
  EXPECT_DOUBLE_EQ(val->metrics.balanced_accuracy, m.balanced_accuracy);
  EXPECT_DOUBLE_EQ(val->metrics.log_loss, m.log_loss);
  EXPECT_EQ(val->metrics.confusion, m.confusion);
  EXPECT_EQ(val->metrics.per_class[1].support, m.per_class[1].support);
  EXPECT_TRUE(std::isnan(val->metrics.per_class[2].auc));
  EXPECT_EQ(val->metrics.reliability.size(), 15u);
  EXPECT_EQ(val->metrics.reliability[10].count, m.reliability[10].count);
  ASSERT_TRUE(val->intervals.count("balanced_accuracy"));
  EXPECT_DOUBLE_EQ(val->intervals.at("balanced_accuracy").upper,
                   file.splits[0].intervals.at("balanced_accuracy").upper);
  EXPECT_EQ(val->intervals.at("macro_auc").groups, 4);
  EXPECT_EQ(back.extra["best_epoch"], 7);
  fs::remove_all(dir);
}

TEST(MetricsFile, ErrorsNameTheFileAndKey) {
  auto dir = testing::temp_dir("metrics_file_bad");
  write_file_atomic(dir / "metrics.json", R"({"class_names": ["a", "b"], "splits": {"val": {"rows": 3}}})");
  try {
    read_metrics_file(dir / "metrics.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("metrics.json.splits.val: missing key \"accuracy\""), std::string::npos) << message;
  }
  write_file_atomic(dir / "metrics.json", "{not json");
  EXPECT_THROW(read_metrics_file(dir / "metrics.json"), Error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hito::eval
