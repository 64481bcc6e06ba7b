// Lesion-bootstrap intervals of the mask scores (apps/study/explain/score_intervals.h): the estimates are
// the summaries' values, rows of one lesion move together, and identical rows give a zero-width
// interval.
#include <gtest/gtest.h>

#include "apps/study/explain/score_intervals.h"

namespace hito::explain {
namespace {

TEST(ScoreIntervals, EstimatesAreTheOverallScores) {
  // hits 2 of 4 rows (one flat); energies 0.8, 0.5, 0.2 over the non-flat ones; areas 0.2, 0.3, 0.1, 0.4.
  const std::vector<MapScore> scores = {
      {false, true, 0.8, 0.2}, {false, true, 0.5, 0.3}, {false, false, 0.2, 0.1}, {true, false, std::nan(""), 0.4}};
  ScoreIntervals ci = bootstrap_scores(scores, {0, 1, 2, 3}, {.resamples = 200, .seed = 4});
  EXPECT_DOUBLE_EQ(ci.pointing_game.estimate, 0.5);
  EXPECT_DOUBLE_EQ(ci.energy_inside.estimate, 0.5);
  EXPECT_DOUBLE_EQ(ci.pointing_excess.estimate, 0.5 - 0.25);  // mean area over all rows: 1.0 / 4
  EXPECT_DOUBLE_EQ(ci.energy_excess.estimate, (0.6 + 0.2 + 0.1) / 3);  // non-flat rows only
  for (const eval::Interval* i : {&ci.pointing_game, &ci.energy_inside, &ci.pointing_excess, &ci.energy_excess}) {
    EXPECT_LE(i->lower, i->estimate);
    EXPECT_GE(i->upper, i->estimate);
    EXPECT_EQ(i->groups, 4);
  }
  EXPECT_EQ(ci.pointing_game.resamples, 200);
  ScoreIntervals again = bootstrap_scores(scores, {0, 1, 2, 3}, {.resamples = 200, .seed = 4});
  EXPECT_EQ(again.energy_excess.lower, ci.energy_excess.lower);
}

TEST(ScoreIntervals, OneLesionMovesTogether) {
  // Two lesions: lesion 0 has two hits, lesion 1 two misses. Every resample holds 0, 2 or 4 hits of
  // 4 rows, so the pointing game only takes the values 0, 0.5 and 1; with one lesion all is fixed.
  const std::vector<MapScore> scores = {
      {false, true, 0.9, 0.5}, {false, true, 0.9, 0.5}, {false, false, 0.1, 0.5}, {false, false, 0.1, 0.5}};
  ScoreIntervals ci = bootstrap_scores(scores, {0, 0, 1, 1}, {.resamples = 300, .seed = 1});
  EXPECT_EQ(ci.pointing_game.groups, 2);
  for (double bound : {ci.pointing_game.lower, ci.pointing_game.upper})
    EXPECT_TRUE(bound == 0.0 || bound == 0.5 || bound == 1.0) << bound;
  ScoreIntervals one = bootstrap_scores(scores, {0, 0, 0, 0}, {.resamples = 50});
  EXPECT_DOUBLE_EQ(one.pointing_game.lower, 0.5);
  EXPECT_DOUBLE_EQ(one.pointing_game.upper, 0.5);
  EXPECT_DOUBLE_EQ(one.energy_excess.lower, 0.0);
  EXPECT_DOUBLE_EQ(one.energy_excess.upper, 0.0);
}

TEST(ScoreIntervals, RefusesMismatchedGroups) {
  EXPECT_THROW(bootstrap_scores({{}}, {0, 1}), Error);
  EXPECT_THROW(bootstrap_scores({}, {}), Error);
}

}  // namespace
}  // namespace hito::explain
