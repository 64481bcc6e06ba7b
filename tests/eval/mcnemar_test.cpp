// apps/eval/mcnemar: hand-made tables, p-values checked against scipy.stats (binomtest, chi2.sf).
#include "apps/eval/mcnemar.h"

#include <cmath>

#include "tests/support/testing.h"

namespace hito::eval {
namespace {

TEST(McNemar, ExactBinomialForFewDiscordantRows) {
  // 10 rows only a got right, 2 only b: p = 2 (C(12,0) + C(12,1) + C(12,2)) / 2^12 = 158 / 4096.
  McNemarResult r = mcnemar_test(10, 2);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.method(), "exact binomial");
  EXPECT_NEAR(r.p_value, 158.0 / 4096.0, 1e-12);
  // A balanced table is no evidence at all.
  EXPECT_NEAR(mcnemar_test(12, 12).p_value, 1.0, 1e-12);
  EXPECT_NEAR(mcnemar_test(0, 0).p_value, 1.0, 1e-12);
}

TEST(McNemar, ChiSquareWithContinuityCorrectionOtherwise) {
  // (|30 - 12| - 1)^2 / 42 = 289 / 42; scipy.stats.chi2.sf(289 / 42, 1) = 0.008711912962379598.
  McNemarResult r = mcnemar_test(30, 12);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.method(), "chi-square with continuity correction");
  EXPECT_NEAR(r.statistic, 289.0 / 42.0, 1e-12);
  EXPECT_NEAR(r.p_value, 0.008711912962379598, 1e-12);
  // 25 discordant rows is the first count that uses the chi-square: scipy gives 0.005110260660855866.
  McNemarResult edge = mcnemar_test(20, 5);
  EXPECT_FALSE(edge.exact);
  EXPECT_NEAR(edge.p_value, 0.005110260660855866, 1e-12);
  EXPECT_TRUE(mcnemar_test(20, 4).exact);
}

TEST(McNemar, CountsTheTableFromRows) {
  std::vector<bool> a = {true, true, true, false, false, true};
  std::vector<bool> b = {true, false, false, true, false, true};
  McNemarResult r = mcnemar_test(a, b);
  EXPECT_EQ(r.both_correct, 2);
  EXPECT_EQ(r.only_a_correct, 2);
  EXPECT_EQ(r.only_b_correct, 1);
  EXPECT_EQ(r.both_wrong, 1);
  EXPECT_THROW(mcnemar_test(a, std::vector<bool>{true}), Error);
}

TEST(McNemar, FromPredictions) {
  Predictions a{2, {0, 1, 1}, {0.9, 0.1, 0.2, 0.8, 0.3, 0.7}, {}};
  Predictions b{2, {0, 1, 1}, {0.4, 0.6, 0.2, 0.8, 0.6, 0.4}, {}};
  McNemarResult r = mcnemar_test(a, b);
  EXPECT_EQ(r.only_a_correct, 2);
  EXPECT_EQ(r.only_b_correct, 0);
  EXPECT_EQ(r.both_correct, 1);
  Predictions other_rows{2, {1, 1, 1}, b.probs, {}};
  EXPECT_THROW(mcnemar_test(a, other_rows), Error);
}

TEST(McNemar, ClusteredByLesionWhenALesionHasSeveralImages) {
  // Lesion 1: two images only a gets right (d = 2); lesion 2: one only b gets right (d = -1);
  // lesion 3: one only a (d = 1); lesion 4: both right. X^2 = (2 - 1 + 1)^2 / (4 + 1 + 1) = 2/3,
  // scipy.stats.chi2.sf(2/3, 1) = 0.41421617824252516.
  const std::vector<int64_t> labels = {0, 0, 0, 0, 0};
  Predictions a{2, labels, {0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.9, 0.1, 0.9, 0.1}, {1, 1, 2, 3, 4}};
  Predictions b{2, labels, {0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.4, 0.6, 0.9, 0.1}, {1, 1, 2, 3, 4}};
  McNemarResult r = mcnemar_test(a, b);
  EXPECT_TRUE(r.clustered);
  EXPECT_EQ(r.method(), "clustered by lesion (Durkalski)");
  EXPECT_EQ(r.only_a_correct, 3);  // the counts stay those of images
  EXPECT_EQ(r.only_b_correct, 1);
  EXPECT_NEAR(r.statistic, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.p_value, 0.41421617824252516, 1e-12);
  // One image per lesion: the unclustered test, unchanged.
  a.groups = b.groups = {1, 2, 3, 4, 5};
  McNemarResult singles = mcnemar_test(a, b);
  EXPECT_FALSE(singles.clustered);
  EXPECT_EQ(singles.p_value, mcnemar_test(3, 1).p_value);
}

TEST(McNemar, HolmAdjustsInTheGivenOrder) {
  // statsmodels.stats.multitest.multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1]
  // = [0.03, 0.06, 0.06, 0.02]; a NaN stays NaN and is not counted.
  std::vector<double> adjusted = holm_adjusted({0.01, 0.04, std::nan(""), 0.03, 0.005});
  EXPECT_NEAR(adjusted[0], 0.03, 1e-12);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-12);
  EXPECT_TRUE(std::isnan(adjusted[2]));
  EXPECT_NEAR(adjusted[3], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[4], 0.02, 1e-12);
  EXPECT_EQ(holm_adjusted({0.5, 0.9}), (std::vector<double>{1.0, 1.0}));
}

}  // namespace
}  // namespace hito::eval
