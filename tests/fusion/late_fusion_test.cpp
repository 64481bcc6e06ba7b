// Late fusion's folds, cross-fitting and combiners.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "apps/study/train/cross_fit.h"
#include "apps/study/fusion/late_fusion.h"
#include "engine/random.h"

namespace hito::study {
namespace {

// 120 rows in 50 lesions of 1 to 4 images.
std::vector<int64_t> lesions() {
  std::vector<int64_t> groups;
  for (int64_t g = 0; static_cast<int64_t>(groups.size()) < 120; ++g)
    for (int64_t i = 0; i < 1 + g % 4 && groups.size() < 120; ++i) groups.push_back(g);
  return groups;
}

TEST(GroupedFolds, KeepLesionsTogetherAndBalanceSizes) {
  std::vector<int64_t> groups = lesions();
  std::vector<int> fold = grouped_folds(groups, 5, 3);
  std::map<int64_t, std::set<int>> folds_of_group;
  std::vector<int64_t> size(5, 0);
  for (size_t i = 0; i < groups.size(); ++i) {
    folds_of_group[groups[i]].insert(fold[i]);
    ++size[static_cast<size_t>(fold[i])];
  }
  for (const auto& [g, f] : folds_of_group) EXPECT_EQ(f.size(), 1u) << "lesion " << g << " split over folds";
  for (int64_t s : size) EXPECT_NEAR(static_cast<double>(s), 24.0, 4.0);
  EXPECT_EQ(grouped_folds(groups, 5, 3), fold) << "same seed, same folds";
  EXPECT_THROW(grouped_folds({0, 0, 1}, 3, 0), Error) << "fewer lesions than folds";
}

TEST(CrossFit, NoRowIsScoredByAModelFittedOnIt) {
  std::vector<int64_t> groups = lesions();
  std::vector<int> fold = grouped_folds(groups, 4, 1);
  std::vector<int> times_scored(groups.size(), 0);
  int fits = 0;
  std::vector<double> p = cross_fit(fold, 2, [&](const std::vector<int64_t>& fit_rows) -> RowPredictor {
    ++fits;
    std::set<int64_t> fitted(fit_rows.begin(), fit_rows.end());
    std::set<int64_t> fitted_groups;
    for (int64_t r : fit_rows) fitted_groups.insert(groups[static_cast<size_t>(r)]);
    return [&, fitted, fitted_groups](const std::vector<int64_t>& rows) {
      std::vector<double> out;
      for (int64_t r : rows) {
        EXPECT_FALSE(fitted.count(r)) << "row " << r << " scored by a model fitted on it";
        EXPECT_FALSE(fitted_groups.count(groups[static_cast<size_t>(r)])) << "row " << r << "'s lesion was fitted on";
        ++times_scored[static_cast<size_t>(r)];
        out.push_back(static_cast<double>(r));  // marks which row this probability belongs to
        out.push_back(static_cast<double>(fitted.size()));
      }
      return out;
    };
  });
  EXPECT_EQ(fits, 4);
  for (size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(times_scored[i], 1) << "row " << i;
    EXPECT_EQ(p[2 * i], static_cast<double>(i)) << "probabilities returned to the wrong row";
    EXPECT_LT(p[2 * i + 1], static_cast<double>(groups.size()));
  }
}

// Two models' probabilities over 3 classes: `good` mostly right, `noise` random.
struct Toy {
  LateInputs inputs;
  std::vector<int64_t> labels, groups;
};
Toy toy(int64_t n) {
  Toy t;
  t.inputs.rows = n;
  t.inputs.classes = 3;
  t.inputs.probs.resize(2);
  Generator gen(5);
  for (int64_t i = 0; i < n; ++i) {
    int64_t y = i % 3;
    t.labels.push_back(y);
    t.groups.push_back(i / 2);
    bool right = gen.uniform() < 0.8f;
    for (int64_t c = 0; c < 3; ++c) t.inputs.probs[0].push_back(c == (right ? y : (y + 1) % 3) ? 0.6 : 0.2);
    double a = gen.uniform(), b = gen.uniform(), s = a + b + 1.0;
    t.inputs.probs[1].insert(t.inputs.probs[1].end(), {a / s, b / s, 1.0 / s});
  }
  return t;
}

TEST(LateFusion, MeanIsTheMean) {
  Toy t = toy(30);
  std::vector<int64_t> rows(30);
  std::iota(rows.begin(), rows.end(), 0);
  LateCombiner mean = fit_late_combiner("mean", t.inputs, t.labels, rows, {});
  std::vector<double> p = mean.combine(t.inputs, {4, 7});
  for (size_t j = 0; j < 2; ++j)
    for (int64_t c = 0; c < 3; ++c) {
      size_t r = j == 0 ? 4 : 7;
      EXPECT_DOUBLE_EQ(p[j * 3 + c], (t.inputs.probs[0][r * 3 + c] + t.inputs.probs[1][r * 3 + c]) / 2);
    }
}

TEST(LateFusion, WeightedMeanPrefersTheInformativeModel) {
  Toy t = toy(90);
  std::vector<int64_t> rows(90);
  std::iota(rows.begin(), rows.end(), 0);
  LateCombiner w = fit_late_combiner("weighted", t.inputs, t.labels, rows, {.grid_steps = 10});
  ASSERT_EQ(w.weights.size(), 2u);
  EXPECT_NEAR(w.weights[0] + w.weights[1], 1.0, 1e-12);
  EXPECT_GT(w.weights[0], w.weights[1]);
}

TEST(LateFusion, ChoosesOnCrossFittedScoresAndRoundTrips) {
  Toy t = toy(90);
  LateChoice choice = choose_late_fusion(t.inputs, t.labels, t.groups, {.folds = 5});
  ASSERT_EQ(choice.cv_bacc.size(), 3u);
  // Mean needs no fitting: its cross-fitted probabilities are the plain mean.
  for (int64_t i = 0; i < 90; ++i)
    for (int64_t c = 0; c < 3; ++c)
      EXPECT_DOUBLE_EQ(choice.cv_probs[0][i * 3 + c], (t.inputs.probs[0][i * 3 + c] + t.inputs.probs[1][i * 3 + c]) / 2);
  EXPECT_EQ(choice.cv_bacc[choice.chosen], *std::max_element(choice.cv_bacc.begin(), choice.cv_bacc.end()));
  EXPECT_EQ(choice.combiner.method, late_methods()[choice.chosen]);
  // Every method survives config.json.
  std::vector<int64_t> rows = {0, 1, 2, 3};
  for (const std::string& method : late_methods()) {
    LateCombiner fitted = fit_late_combiner(method, t.inputs, t.labels, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {});
    LateCombiner back = LateCombiner::from_json(fitted.to_json(), "test");
    EXPECT_EQ(back.combine(t.inputs, rows), fitted.combine(t.inputs, rows)) << method;
  }
}

}  // namespace
}  // namespace hito::study
