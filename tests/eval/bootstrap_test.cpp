// apps/eval/bootstrap: resamples draw whole groups (lesions), are reproducible from the seed, and
// give percentile intervals; the paired version compares two models on the same resamples.
#include "apps/eval/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "tests/support/testing.h"

namespace hito::eval {
namespace {

// balanced_accuracy is overloaded (probabilities or hard predictions): this is the statistic.
const Statistic bacc = [](const Predictions& p) { return balanced_accuracy(p); };

// Two classes; `correct` rows predict their label with probability 0.8, the others the wrong class.
Predictions clustered(const std::vector<int64_t>& groups, const std::vector<bool>& correct) {
  Predictions p;
  p.num_classes = 2;
  p.groups = groups;
  for (size_t i = 0; i < groups.size(); ++i) {
    int64_t label = static_cast<int64_t>(i % 2);
    p.labels.push_back(label);
    double p_label = correct[i] ? 0.8 : 0.2;
    p.probs.push_back(label == 0 ? p_label : 1 - p_label);
    p.probs.push_back(label == 0 ? 1 - p_label : p_label);
  }
  return p;
}

TEST(Bootstrap, RowsByGroupInOrderOfFirstAppearance) {
  EXPECT_EQ(rows_by_group({5, 3, 5, 3, 9}, 5), (std::vector<std::vector<int64_t>>{{0, 2}, {1, 3}, {4}}));
  EXPECT_EQ(rows_by_group({}, 3), (std::vector<std::vector<int64_t>>{{0}, {1}, {2}}));
  EXPECT_THROW(rows_by_group({1, 2}, 3), Error);
}

TEST(Bootstrap, AResampleHoldsWholeGroups) {
  // Groups of sizes 1, 2, 3 and 4: in every resample each row appears exactly as often as its group
  // was drawn, and the number of draws is the number of groups.
  std::vector<int64_t> groups = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3};
  auto members = rows_by_group(groups, 10);
  Generator gen(11);
  for (int r = 0; r < 50; ++r) {
    std::vector<int64_t> rows = resample_rows(members, gen);
    std::map<int64_t, int64_t> row_count;
    for (int64_t row : rows) ++row_count[row];
    int64_t draws = 0;
    for (const auto& group : members) {
      int64_t times = row_count.count(group[0]) ? row_count[group[0]] : 0;
      for (int64_t row : group) EXPECT_EQ(row_count.count(row) ? row_count[row] : 0, times) << "row " << row;
      draws += times;
    }
    EXPECT_EQ(draws, 4);
  }
}

TEST(Bootstrap, ResamplesLesionsNotRows) {
  // Lesion A: 4 images, all classified right; lesion B: 4 images, all wrong. Drawing two lesions
  // with replacement can only give an accuracy of 0, 1/2 or 1; resampling rows would give others.
  Predictions p = clustered({7, 7, 7, 7, 9, 9, 9, 9}, {true, true, true, true, false, false, false, false});
  std::vector<double> replicates = bootstrap_replicates(p, accuracy, {.resamples = 300, .seed = 3});
  std::set<double> seen(replicates.begin(), replicates.end());
  EXPECT_EQ(seen, (std::set<double>{0.0, 0.5, 1.0}));
}

TEST(Bootstrap, ClusteredGroupsWidenTheInterval) {
  // 20 lesions of 10 identical images: the effective sample is 20, not 200, so the lesion interval
  // must be far wider than the interval that treats each image as independent.
  std::vector<int64_t> groups;
  std::vector<bool> correct;
  for (int g = 0; g < 20; ++g)
    for (int i = 0; i < 10; ++i) groups.push_back(g), correct.push_back(g % 3 != 0);
  Predictions by_lesion = clustered(groups, correct);
  Predictions by_row = by_lesion;
  by_row.groups.clear();
  Interval lesion = bootstrap_interval(by_lesion, accuracy, {.resamples = 500, .seed = 1});
  Interval row = bootstrap_interval(by_row, accuracy, {.resamples = 500, .seed = 1});
  EXPECT_EQ(lesion.groups, 20);
  EXPECT_EQ(row.groups, 200);
  EXPECT_DOUBLE_EQ(lesion.estimate, row.estimate);
  EXPECT_GT(lesion.upper - lesion.lower, 2.0 * (row.upper - row.lower));
  EXPECT_LE(lesion.lower, lesion.estimate);
  EXPECT_GE(lesion.upper, lesion.estimate);
}

TEST(Bootstrap, SeededAndPercentile) {
  std::vector<int64_t> groups;
  std::vector<bool> correct;
  for (int i = 0; i < 60; ++i) groups.push_back(i / 3), correct.push_back(i % 5 != 0);
  Predictions p = clustered(groups, correct);
  BootstrapOptions options{.resamples = 200, .confidence = 0.9, .seed = 42};
  auto first = bootstrap_replicates(p, bacc, options);
  EXPECT_EQ(first, bootstrap_replicates(p, bacc, options));
  options.seed = 43;
  EXPECT_NE(first, bootstrap_replicates(p, bacc, options));
  options.seed = 42;
  Interval interval = bootstrap_interval(p, bacc, options);
  EXPECT_DOUBLE_EQ(interval.lower, quantile(first, 0.05));
  EXPECT_DOUBLE_EQ(interval.upper, quantile(first, 0.95));
  EXPECT_EQ(interval.resamples, 200);
  EXPECT_DOUBLE_EQ(interval.confidence, 0.9);
}

TEST(Bootstrap, QuantileInterpolatesLikeNumPy) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile(v, 0.25), 1.75);  // numpy.quantile([1, 2, 3, 4], 0.25)
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 4.0);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(quantile(none, 0.5)));
}

TEST(Bootstrap, UndefinedReplicatesAreLeftOutAndCounted) {
  // A statistic undefined on every other call: half the replicates drop out of the interval.
  Predictions p = clustered({0, 1, 2, 3}, {true, false, true, true});
  int calls = 0;
  Statistic flaky = [&](const Predictions& q) { return ++calls % 2 ? std::nan("") : accuracy(q); };
  Interval interval = bootstrap_interval(p, flaky, {.resamples = 100, .seed = 5});
  EXPECT_EQ(interval.resamples, 50);
  EXPECT_FALSE(std::isnan(interval.lower));
}

TEST(Bootstrap, PairedDifferenceOfTwoModels) {
  std::vector<int64_t> groups;
  std::vector<bool> all_right, some_right;
  for (int i = 0; i < 80; ++i) groups.push_back(i / 2), all_right.push_back(true), some_right.push_back(i % 4 != 0);
  Predictions good = clustered(groups, all_right);
  Predictions worse = clustered(groups, some_right);
  PairedDifference same = paired_bootstrap_difference(good, good, bacc, {.resamples = 100});
  EXPECT_DOUBLE_EQ(same.difference.lower, 0.0);
  EXPECT_DOUBLE_EQ(same.difference.upper, 0.0);
  EXPECT_DOUBLE_EQ(same.share_a_better, 0.0);
  PairedDifference diff = paired_bootstrap_difference(good, worse, bacc, {.resamples = 200});
  EXPECT_NEAR(diff.difference.estimate, 0.25, 1e-12);
  EXPECT_GT(diff.difference.lower, 0.0);
  EXPECT_DOUBLE_EQ(diff.share_a_better, 1.0);
  Predictions other_rows = worse;
  other_rows.labels[0] = 1 - other_rows.labels[0];
  EXPECT_THROW(paired_bootstrap_difference(good, other_rows, bacc), Error);
}

}  // namespace
}  // namespace hito::eval
