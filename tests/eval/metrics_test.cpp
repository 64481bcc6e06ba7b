// apps/eval/metrics: hand-computed cases, and scikit-learn's values on seeded cases
// (tests/fixtures/eval/metrics_cases.json, made by tests/scripts/make_metric_fixtures.py).
#include "apps/eval/metrics.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::eval {
namespace {

Predictions make(int64_t k, std::vector<int64_t> labels, std::vector<double> probs) {
  Predictions p;
  p.num_classes = k;
  p.labels = std::move(labels);
  p.probs = std::move(probs);
  return p;
}

// Labels 0 0 1 2, predictions 0 1 1 0.
Predictions small_three_class() {
  return make(3, {0, 0, 1, 2},
              {0.7, 0.2, 0.1,  //
               0.3, 0.6, 0.1,  //
               0.2, 0.5, 0.3,  //
               0.5, 0.1, 0.4});
}

TEST(Metrics, HandComputedThreeClass) {
  ClassificationMetrics m = compute_metrics(small_three_class());
  EXPECT_EQ(m.confusion, (std::vector<std::vector<int64_t>>{{1, 1, 0}, {0, 1, 0}, {1, 0, 0}}));
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, (0.5 + 1.0 + 0.0) / 3);
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[2].precision, 0.0);  // never predicted: zero division gives 0
  EXPECT_DOUBLE_EQ(m.per_class[2].f1, 0.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].f1, 2 * 0.5 * 1.0 / 1.5);
  EXPECT_DOUBLE_EQ(m.macro_f1, (0.5 + 2.0 / 3.0 + 0.0) / 3);
  EXPECT_EQ(m.per_class[2].support, 1);
  EXPECT_EQ(m.per_class[0].predicted, 2);
}

TEST(Metrics, FromHardPredictions) {
  // The same rows as small_three_class(): labels 0 0 1 2, predictions 0 1 1 0.
  std::vector<int64_t> labels = {0, 0, 1, 2}, predicted = {0, 1, 1, 0};
  EXPECT_EQ(confusion_matrix(labels, predicted, 3), confusion_matrix(small_three_class()));
  EXPECT_DOUBLE_EQ(balanced_accuracy(labels, predicted, 3), balanced_accuracy(small_three_class()));
  EXPECT_DOUBLE_EQ(balanced_accuracy(labels, predicted, 3), 0.5);
  EXPECT_THROW(balanced_accuracy(labels, {0, 1, 1}, 3), Error);
  EXPECT_THROW(balanced_accuracy(labels, {0, 1, 1, 3}, 3), Error);
}

TEST(Metrics, ArgmaxTakesTheFirstOfTiedClasses) {
  Predictions p = make(3, {1}, {0.4, 0.4, 0.2});
  EXPECT_EQ(p.predicted(0), 0);
}

TEST(Metrics, AucCountsTiesAsOneHalf) {
  // Class 0 scores: positives 0.9 and 0.4, negatives 0.4 and 0.1 -> (1 + 1 + 0.5 + 1) / 4.
  Predictions p = make(2, {0, 0, 1, 1}, {0.9, 0.1, 0.4, 0.6, 0.4, 0.6, 0.1, 0.9});
  EXPECT_DOUBLE_EQ(roc_auc_one_vs_rest(p, 0), 0.875);
  EXPECT_DOUBLE_EQ(roc_auc_one_vs_rest(p, 1), 0.875);
}

TEST(Metrics, AucOfAClassAbsentFromTheLabelsIsUndefinedAndLeftOutOfTheMacro) {
  // Class 2 never occurs in y_true: its AUC is NaN and the macro averages classes 0 and 1.
  Predictions p = make(3, {0, 0, 1, 1},
                       {0.8, 0.1, 0.1,  //
                        0.3, 0.3, 0.4,  //
                        0.2, 0.7, 0.1,  //
                        0.6, 0.3, 0.1});
  ClassificationMetrics m = compute_metrics(p);
  EXPECT_TRUE(std::isnan(m.per_class[2].auc));
  EXPECT_EQ(m.auc_classes, 2);
  EXPECT_DOUBLE_EQ(m.macro_auc, (m.per_class[0].auc + m.per_class[1].auc) / 2);
  // Balanced accuracy ignores the absent class; the macro F1 counts it because it was predicted.
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, (0.5 + 0.5) / 2);
  EXPECT_EQ(m.per_class[2].predicted, 1);
  EXPECT_DOUBLE_EQ(m.macro_f1, (m.per_class[0].f1 + m.per_class[1].f1 + 0.0) / 3);
}

TEST(Metrics, CalibrationErrorByHand) {
  // Max probabilities 0.95 (right), 0.85 (wrong), 0.65 (right), 0.62 (wrong); ten bins:
  // bin 9: |1 - 0.95|, bin 8: |0 - 0.85|, bin 6: two rows, |0.5 - 0.635|.
  Predictions p = make(2, {0, 1, 1, 0}, {0.95, 0.05, 0.85, 0.15, 0.35, 0.65, 0.38, 0.62});
  EXPECT_NEAR(expected_calibration_error(p, 10), (0.05 + 0.85 + 2 * 0.135) / 4, 1e-12);
  auto bins = reliability_bins(p, 10);
  ASSERT_EQ(bins.size(), 10u);
  EXPECT_EQ(bins[6].count, 2);
  EXPECT_DOUBLE_EQ(bins[6].accuracy, 0.5);
  EXPECT_NEAR(bins[6].confidence, 0.635, 1e-12);
  EXPECT_DOUBLE_EQ(bins[6].lower, 0.6);
  EXPECT_TRUE(std::isnan(bins[0].accuracy));  // empty bins have no accuracy
  EXPECT_EQ(bins[0].count, 0);
}

TEST(Metrics, LogLossByHandAndClippedAtZero) {
  Predictions p = make(2, {0, 1, 1, 0}, {0.95, 0.05, 0.85, 0.15, 0.35, 0.65, 0.62, 0.38});
  EXPECT_NEAR(log_loss(p), -(std::log(0.95) + std::log(0.15) + std::log(0.65) + std::log(0.62)) / 4, 1e-12);
  Predictions confident_mistake = make(2, {1}, {1.0, 0.0});
  EXPECT_NEAR(log_loss(confident_mistake), -std::log(1e-15), 1e-9);
  // Rows that do not sum to one are renormalised.
  Predictions unnormalised = make(2, {0}, {2.0, 2.0});
  EXPECT_NEAR(log_loss(unnormalised), std::log(2.0), 1e-12);
}

TEST(Metrics, ValidateNamesTheBadRow) {
  Predictions p = make(3, {0, 5}, {0.2, 0.3, 0.5, 0.2, 0.3, 0.5});
  try {
    p.validate("test predictions");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test predictions: row 1 has label 5"), std::string::npos) << e.what();
  }
  Predictions nan = make(2, {0}, {std::nan(""), 1.0});
  EXPECT_THROW(compute_metrics(nan), Error);
  Predictions short_probs = make(2, {0, 1}, {0.5, 0.5});
  EXPECT_THROW(compute_metrics(short_probs), Error);
}

TEST(Metrics, FromTensorsAndGroupIds) {
  Tensor labels = Tensor::from_vector<int64_t>({0, 1, 1}, {3});
  Tensor probs = Tensor::from_vector<float>({0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f}, {3, 2});
  Predictions p = make_predictions(labels, probs, group_ids({"HAM_1", "HAM_2", "HAM_1"}));
  EXPECT_EQ(p.groups, (std::vector<int64_t>{0, 1, 0}));
  EXPECT_NEAR(accuracy(p), 2.0 / 3.0, 1e-12);
  EXPECT_THROW(make_predictions(labels, probs.reshape({2, 3})), Error);
}

std::vector<double> nan_for_null(const nlohmann::json& values) {
  std::vector<double> out;
  for (const auto& v : values) out.push_back(v.is_null() ? std::nan("") : v.get<double>());
  return out;
}

void expect_close(const std::vector<double>& actual, const std::vector<double>& expected, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << what << "[" << i << "] = " << actual[i] << ", expected undefined";
    } else {
      EXPECT_NEAR(actual[i], expected[i], 1e-9) << what << "[" << i << "]";
    }
  }
}

TEST(Metrics, MatchScikitLearn) {
  auto cases = nlohmann::json::parse(read_file(testing::fixture_path("eval/metrics_cases.json")));
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Predictions p;
    p.num_classes = c["num_classes"];
    p.labels = c["labels"].get<std::vector<int64_t>>();
    for (const auto& row : c["probs"])
      for (double v : row) p.probs.push_back(v);
    ClassificationMetrics m = compute_metrics(p);
    EXPECT_NEAR(m.accuracy, c["accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(m.balanced_accuracy, c["balanced_accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(m.macro_precision, c["macro_precision"].get<double>(), 1e-12);
    EXPECT_NEAR(m.macro_recall, c["macro_recall"].get<double>(), 1e-12);
    EXPECT_NEAR(m.macro_f1, c["macro_f1"].get<double>(), 1e-12);
    EXPECT_NEAR(m.macro_auc, c["macro_auc"].get<double>(), 1e-12);
    EXPECT_NEAR(m.log_loss, c["log_loss"].get<double>(), 1e-9);
    EXPECT_NEAR(m.ece, c["ece"].get<double>(), 1e-12);
    EXPECT_EQ(m.confusion, c["confusion_matrix"].get<std::vector<std::vector<int64_t>>>());
    std::vector<double> precision, recall, f1, auc;
    std::vector<int64_t> support, bin_counts;
    for (const auto& s : m.per_class) {
      precision.push_back(s.precision), recall.push_back(s.recall), f1.push_back(s.f1), auc.push_back(s.auc);
      support.push_back(s.support);
    }
    for (const auto& b : m.reliability) bin_counts.push_back(b.count);
    expect_close(precision, nan_for_null(c["precision"]), "precision");
    expect_close(recall, nan_for_null(c["recall"]), "recall");
    expect_close(f1, nan_for_null(c["f1"]), "f1");
    expect_close(auc, nan_for_null(c["auc"]), "auc");
    EXPECT_EQ(support, c["support"].get<std::vector<int64_t>>());
    EXPECT_EQ(bin_counts, c["bin_counts"].get<std::vector<int64_t>>());
  }
}

}  // namespace
}  // namespace hito::eval
