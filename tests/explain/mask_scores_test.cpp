// The mask scores of apps/study/explain/mask_scores.h on synthetic maps with known answers: the pointing
// game (maximum inside, outside, flat maps), the exact energy share, the chance level, and the
// per-class / overall summaries with their CSV and JSON.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/study/explain/mask_scores.h"
#include "base/error.h"

namespace hito::explain {
namespace {

// A 4x4 mask with the lesion in the top-left 2x2 block (area 4 / 16).
const std::vector<uint8_t> kMask = {1, 1, 0, 0,  //
                                    1, 1, 0, 0,  //
                                    0, 0, 0, 0,  //
                                    0, 0, 0, 0};

TEST(MaskScores, MaximumInsideIsAHitWithExactEnergy) {
  std::vector<float> map = {4, 1, 0, 0,  //
                            1, 1, 0, 0,  //
                            0, 0, 2, 0,  //
                            0, 0, 0, 1};
  MapScore s = score_map(map.data(), kMask.data(), 16);
  EXPECT_FALSE(s.flat);
  EXPECT_TRUE(s.hit);
  EXPECT_DOUBLE_EQ(s.energy_inside, 7.0 / 10.0);  // (4 + 1 + 1 + 1) / (7 + 2 + 1)
  EXPECT_DOUBLE_EQ(s.mask_area, 0.25);
}

TEST(MaskScores, MaximumOutsideIsAMissAndNegativeValuesCarryNoEnergy) {
  std::vector<float> map = {1, 1, -5, 0,  //
                            1, -3, 0, 0,  //
                            0, 0, 0, 0,   //
                            0, 0, 0, 3};
  MapScore s = score_map(map.data(), kMask.data(), 16);
  EXPECT_FALSE(s.hit);
  EXPECT_DOUBLE_EQ(s.energy_inside, 3.0 / 6.0);  // positive part: inside 1 + 1 + 1, outside 3
}

TEST(MaskScores, TiesPointAtTheFirstMaximum) {
  std::vector<float> inside_first(16, 0.0f), outside_first(16, 0.0f);
  inside_first[1] = inside_first[15] = 2.0f;   // (0, 1) inside comes first
  outside_first[2] = outside_first[5] = 2.0f;  // (0, 2) outside comes first
  EXPECT_TRUE(score_map(inside_first.data(), kMask.data(), 16).hit);
  EXPECT_FALSE(score_map(outside_first.data(), kMask.data(), 16).hit);
}

TEST(MaskScores, FlatMapsPointNowhere) {
  std::vector<float> constant(16, 0.7f), zero(16, 0.0f), negative(16, -1.0f);
  negative[3] = -0.5f;  // a maximum, but no positive energy
  for (const auto* map : {&constant, &zero, &negative}) {
    MapScore s = score_map(map->data(), kMask.data(), 16);
    EXPECT_TRUE(s.flat);
    EXPECT_FALSE(s.hit);
    EXPECT_TRUE(std::isnan(s.energy_inside));
    EXPECT_DOUBLE_EQ(s.mask_area, 0.25);
  }
}

TEST(MaskScores, RefusesEmptyMasksAndNonFiniteMaps) {
  std::vector<float> map(16, 1.0f);
  std::vector<uint8_t> empty(16, 0);
  EXPECT_THROW(score_map(map.data(), empty.data(), 16), Error);
  map[4] = std::nanf("");
  EXPECT_THROW(score_map(map.data(), kMask.data(), 16), Error);
}

TEST(MaskScores, SummariesPerClassAndOverall) {
  MaskScores scores({"gradcam", "saliency"}, {"a", "b", "c"});
  // gradcam: class a: hit (energy 0.8, area 0.2), miss (0.4, 0.3); class b: flat (area 0.5)
  scores.add("gradcam", 0, {false, true, 0.8, 0.2});
  scores.add("gradcam", 0, {false, false, 0.4, 0.3});
  scores.add("gradcam", 1, {true, false, std::nan(""), 0.5});
  scores.add("saliency", 1, {false, true, 0.6, 0.5});

  const ScoreSummary& a = scores.per_class("gradcam", 0);
  EXPECT_EQ(a.rows, 2);
  EXPECT_DOUBLE_EQ(a.pointing_game(), 0.5);
  EXPECT_DOUBLE_EQ(a.energy_inside(), 0.6);
  EXPECT_DOUBLE_EQ(a.mask_area(), 0.25);
  const ScoreSummary& all = scores.overall("gradcam");
  EXPECT_EQ(all.rows, 3);
  EXPECT_EQ(all.flat, 1);
  EXPECT_DOUBLE_EQ(all.pointing_game(), 1.0 / 3.0);  // the flat map counts as a miss
  EXPECT_DOUBLE_EQ(all.energy_inside(), 0.6);        // and is left out of the energy mean
  EXPECT_DOUBLE_EQ(all.mask_area(), 1.0 / 3.0);
  EXPECT_TRUE(std::isnan(scores.per_class("gradcam", 2).pointing_game()));  // no rows of class c

  const std::string csv = scores.to_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "method,class,rows,pointing_game,energy_inside,mask_area,flat_maps");
  EXPECT_NE(csv.find("\ngradcam,a,2,0.5,0.6,0.25,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ngradcam,c,0,,,,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nsaliency,all,1,1,0.6,0.5,0\n"), std::string::npos) << csv;

  const auto json = scores.to_json();
  EXPECT_EQ(json["gradcam"]["all"]["flat_maps"], 1);
  EXPECT_DOUBLE_EQ(json["gradcam"]["per_class"]["a"]["energy_inside"].get<double>(), 0.6);
  EXPECT_TRUE(json["gradcam"]["per_class"]["c"]["pointing_game"].is_null());

  EXPECT_THROW(scores.add("occlusion", 0, {}), Error);
  EXPECT_THROW(scores.add("gradcam", 3, {}), Error);
}

TEST(MaskScores, BinarizeTheFirstChannel) {
  const std::vector<uint8_t> rgb = {255, 0, 0, 127, 255, 255, 128, 0, 0, 0, 0, 0};
  EXPECT_EQ(binarize_mask(rgb.data(), 4, 3), (std::vector<uint8_t>{1, 0, 1, 0}));
}

}  // namespace
}  // namespace hito::explain
