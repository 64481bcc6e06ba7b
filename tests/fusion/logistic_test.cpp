// The stacking regression of late fusion against scikit-learn (tests/scripts/make_logistic_fixture.py)
// and against hand cases whose optimum is known in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "apps/study/fusion/logistic_regression.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

TEST(LogisticRegression, MatchesScikitLearnWithBalancedWeights) {
  nlohmann::json f = nlohmann::json::parse(read_file(testing::fixture_path("fusion/logistic.json")));
  const int64_t k = f["classes"], features = f["features"];
  std::vector<double> x = f["x"].get<std::vector<double>>();
  std::vector<int64_t> y = f["y"].get<std::vector<int64_t>>();
  // class_weight="balanced": n / (K n_k).
  std::vector<double> count(static_cast<size_t>(k), 0.0), weights;
  for (int64_t label : y) count[static_cast<size_t>(label)] += 1;
  for (int64_t label : y) weights.push_back(static_cast<double>(y.size()) / (static_cast<double>(k) * count[static_cast<size_t>(label)]));

  LogisticRegression model = fit_logistic_regression(x, features, y, k, weights, {.C = f["C"].get<double>()});
  std::vector<double> coef = f["coef"].get<std::vector<double>>(), proba = f["proba"].get<std::vector<double>>();
  ASSERT_EQ(model.weight.size(), coef.size());
  for (size_t i = 0; i < coef.size(); ++i) EXPECT_NEAR(model.weight[i], coef[i], 1e-5) << "coefficient " << i;
  std::vector<double> p = model.predict_proba(x);
  ASSERT_EQ(p.size(), proba.size());
  for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], proba[i], 1e-6) << "probability " << i;
  // Intercepts are unique up to a common shift: compare their differences.
  std::vector<double> b = f["intercept"].get<std::vector<double>>();
  for (int64_t c = 1; c < k; ++c) EXPECT_NEAR(model.bias[c] - model.bias[0], b[c] - b[0], 1e-5);
}

TEST(LogisticRegression, ConstantFeaturesGiveTheWeightedClassFrequencies) {
  // With all-zero features only the (unpenalised) intercepts matter, and the optimum reproduces the
  // weighted class frequencies: softmax(b)_k = sum_{y_i = k} s_i / sum_i s_i.
  std::vector<int64_t> y = {0, 0, 0, 1, 2, 2};
  std::vector<double> x(y.size() * 2, 0.0);
  LogisticRegression plain = fit_logistic_regression(x, 2, y, 3, {}, {.C = 1.0});
  std::vector<double> p = plain.predict_proba({0.0, 0.0});
  EXPECT_NEAR(p[0], 3.0 / 6, 1e-7);
  EXPECT_NEAR(p[1], 1.0 / 6, 1e-7);
  EXPECT_NEAR(p[2], 2.0 / 6, 1e-7);
  LogisticRegression weighted = fit_logistic_regression(x, 2, y, 3, {1, 1, 1, 3, 1.5, 1.5}, {.C = 1.0});
  p = weighted.predict_proba({0.0, 0.0});
  for (double v : p) EXPECT_NEAR(v, 1.0 / 3, 1e-7);
}

TEST(LogisticRegression, RefusesBadLabels) {
  EXPECT_THROW(fit_logistic_regression({0.0, 1.0}, 1, {0, 3}, 2, {}, {}), Error);
}

}  // namespace
}  // namespace hito::study
