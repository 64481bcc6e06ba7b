// The drafted discussion's wording rules on constructed numbers: a difference whose interval
// includes 0 is never called higher or lower, the issue's fusion target is only declared met when
// the numbers meet it, small subgroups are named as too small, explanation scores are read from
// mask_scores.csv and compared with their chance level.
#include <gtest/gtest.h>

#include <limits>

#include "apps/report/sections/discussion.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

eval::Interval interval(double estimate, double lower, double upper) {
  eval::Interval i;
  i.estimate = estimate;
  i.lower = lower;
  i.upper = upper;
  return i;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string all_text(const std::vector<report::DiscussionPart>& parts) {
  std::string text;
  for (const auto& part : parts)
    for (const auto& p : part.paragraphs) text += p + "\n";
  return text;
}

std::string draft(const eval::EvalResults& r, const report::Explanations& explanations = {}) {
  return all_text(report::draft_discussion(r, explanations));
}

TEST(Discussion, ADifferenceIsOnlyClaimedWhenItsIntervalExcludesZero) {
  std::string up = report::describe_difference("A", "B", interval(0.05, 0.01, 0.09));
  EXPECT_TRUE(contains(up, "A is higher than B by 0.050")) << up;
  std::string down = report::describe_difference("A", "B", interval(-0.05, -0.09, -0.01));
  EXPECT_TRUE(contains(down, "A is lower than B by 0.050")) << down;
  for (const auto& i : {interval(0.04, -0.01, 0.09), interval(-0.04, -0.09, 0.01), interval(0.02, 0.0, 0.05),
                        interval(0.0, std::numeric_limits<double>::quiet_NaN(), 0.1)}) {
    std::string none = report::describe_difference("A", "B", i);
    EXPECT_TRUE(contains(none, "no evidence of a difference")) << none;
    EXPECT_FALSE(contains(none, "higher") || contains(none, "lower") || contains(none, "better")) << none;
  }
}

// Two classes, a baseline "image-head" and a fusion "fusion-late"; `overall` is the fusion's paired
// difference, `in_female` its difference among female patients (n = 100), and a 10-image site.
eval::EvalResults constructed(const eval::Interval& overall, const eval::Interval& in_female, double fusion_bacc) {
  eval::EvalResults r;
  r.class_names = {"mel", "nv"};
  r.test_rows = 200;
  r.test_lesions = 180;
  auto model = [&](const std::string& name, const std::string& modality, double bacc) {
    eval::ModelResult m;
    m.name = name;
    m.modality = modality;
    m.val_balanced_accuracy = bacc;
    auto& metrics = m.test.metrics;
    metrics.rows = 200;
    metrics.num_classes = 2;
    metrics.balanced_accuracy = bacc;
    metrics.ece = 0.05;
    metrics.per_class = {{40, 30, 0, 0.5, 0, 0.8}, {160, 170, 0, 0.9, 0, 0.8}};
    metrics.confusion = {{20, 20}, {16, 144}};
    m.test.intervals["balanced_accuracy"] = interval(bacc, bacc - 0.05, bacc + 0.05);
    m.test.intervals["macro_auc"] = interval(0.8, 0.75, 0.85);
    return m;
  };
  r.models = {model("image-head", "image", 0.70), model("fusion-late", "fusion", fusion_bacc)};
  r.models[0].image_input = "224x224";
  r.best = "fusion-late";
  r.baseline = "image-head";
  r.baseline_note = "the single-modality model with the highest validation balanced accuracy (0.7)";
  eval::FamilyResult sex{"sex", "sex", "", {}};
  eval::SubgroupResult female{"sex", "female", 100, 90, {}};
  eval::SubgroupResult site{"site", "ear", 10, 10, {}};
  for (const auto& m : r.models) {
    female.scores[m.name].intervals["balanced_accuracy"] = interval(0.7, 0.6, 0.8);
    site.scores[m.name].intervals["balanced_accuracy"] = interval(0.2, 0.0, 0.6);
  }
  sex.subgroups.push_back(female);
  r.families.push_back(sex);
  r.families.push_back({"site", "localization", "", {site}});
  auto comparison = [&](const std::string& kind, const std::string& family, const std::string& subgroup,
                        const eval::Interval& d) {
    eval::ComparisonResult c;
    c.comparison = kind;
    c.model = "fusion-late";
    c.reference = "image-head";
    c.family = family;
    c.subgroup = subgroup;
    c.rows = family == "all" ? 200 : 100;
    c.bacc_difference.difference = d;
    c.mcnemar.only_a_correct = 12;
    c.mcnemar.only_b_correct = 8;
    c.mcnemar.p_value = 0.5;
    return c;
  };
  eval::ComparisonResult ear = comparison(eval::kFusionVsBaseline, "site", "ear", interval(1.0, 1.0, 1.0));
  ear.rows = 10;  // one degenerate interval of a tiny subgroup: never a finding
  r.comparisons = {comparison(eval::kFusionVsBaseline, "all", "all", overall),
                   comparison(eval::kFusionVsBaseline, "sex", "female", in_female), ear,
                   comparison(eval::kBestVsOther, "all", "all", overall)};
  return r;
}

TEST(Discussion, NoClaimThatFusionHelpsWhenTheIntervalIncludesZero) {
  auto text = draft(constructed(interval(0.02, -0.01, 0.05), interval(0.03, -0.02, 0.08), 0.72));
  EXPECT_TRUE(contains(text, "no evidence of a difference between fusion-late and image-head")) << text;
  EXPECT_FALSE(contains(text, "fusion-late is higher than")) << text;
  EXPECT_TRUE(contains(text, "In no class or subgroup")) << text;
  EXPECT_TRUE(contains(text, "Of these 1 class and subgroup comparisons")) << text;
  EXPECT_TRUE(contains(text, "1 smaller ones are not judged")) << text;
  EXPECT_TRUE(contains(text, "is not met on this test split: no fusion leads by at least 0.03 with an interval "
                             "excluding 0; no fusion is above 0.75."))
      << text;
  EXPECT_TRUE(contains(text, "ranking among these models is therefore open")) << text;
  EXPECT_TRUE(contains(text, "site ear (n = 10)")) << text;  // too small to judge
  EXPECT_TRUE(contains(text, "No explanation scores")) << text;
  EXPECT_TRUE(contains(text, "p = 0.500; no evidence of a difference in accuracy")) << text;
  EXPECT_TRUE(contains(text, "(height x width: image-head 224x224)")) << text;
}

TEST(Discussion, McNemarVerdictNamesTheModelWithFewerMistakes) {
  eval::EvalResults r = constructed(interval(0.0, -0.03, 0.03), interval(0.0, -0.03, 0.03), 0.7);
  r.comparisons[0].mcnemar.only_a_correct = 5;
  r.comparisons[0].mcnemar.only_b_correct = 40;
  r.comparisons[0].mcnemar.p_value = 2e-7;
  auto text = draft(r);
  EXPECT_TRUE(contains(text, "p < 0.001; at the 5% level, image-head classifies more images correctly")) << text;
}

TEST(Discussion, ClaimsAndTheTargetFollowTheIntervals) {
  // Fusion 0.04 above with an interval excluding 0, and above 0.75: the target is met.
  auto met = draft(constructed(interval(0.04, 0.01, 0.07), interval(0.06, 0.02, 0.10), 0.76));
  EXPECT_TRUE(contains(met, "fusion-late is higher than image-head by 0.040 (95% CI 0.010 to 0.070)")) << met;
  EXPECT_TRUE(contains(met, "is met by fusion-late on this test split")) << met;
  EXPECT_TRUE(contains(met, "above 0 (interval excluding 0) for female patients")) << met;
  EXPECT_FALSE(contains(met, "site ear for")) << met;
  EXPECT_TRUE(contains(met, "by chance alone")) << met;
  // The same difference, but the fusion's balanced accuracy is below 0.75: not met.
  auto low = draft(constructed(interval(0.04, 0.01, 0.07), interval(0.0, -0.04, 0.04), 0.74));
  EXPECT_TRUE(contains(low, "is not met on this test split: fusion-late leads by at least 0.03 with an interval "
                            "excluding 0; no fusion is above 0.75."))
      << low;
  // 0.02 above with an interval excluding 0: a supported difference, still short of the target.
  auto small = draft(constructed(interval(0.02, 0.005, 0.035), interval(0.0, -0.04, 0.04), 0.9));
  EXPECT_TRUE(contains(small, "fusion-late is higher than image-head")) << small;
  EXPECT_TRUE(contains(small, "is not met on this test split: no fusion leads by at least 0.03 with an interval "
                              "excluding 0; fusion-late is above 0.75."))
      << small;
  // A fusion worse in a subgroup is said so.
  auto hurt = draft(constructed(interval(0.0, -0.03, 0.03), interval(-0.08, -0.12, -0.03), 0.7));
  EXPECT_TRUE(contains(hurt, "below 0 (interval excluding 0) for female patients")) << hurt;
  // Two fusions meeting both parts: plural verbs.
  eval::EvalResults two = constructed(interval(0.04, 0.01, 0.07), interval(0.0, -0.04, 0.04), 0.8);
  two.models.push_back(two.models[1]);
  two.models.back().name = "fusion-early";
  two.comparisons.push_back(two.comparisons[0]);
  two.comparisons.back().model = "fusion-early";
  auto both = draft(two);
  EXPECT_TRUE(contains(both, "is met by fusion-late and fusion-early on this test split: fusion-late and fusion-early "
                             "lead by at least 0.03 with an interval excluding 0; fusion-late and fusion-early are above "
                             "0.75."))
      << both;
}

TEST(Discussion, WithoutAFusionModelItSaysSo) {
  eval::EvalResults r = constructed(interval(0.0, -0.03, 0.03), interval(0.0, -0.03, 0.03), 0.7);
  r.models.pop_back();
  r.best = "image-head";
  r.comparisons.clear();
  auto text = draft(r);
  EXPECT_TRUE(contains(text, "No fusion model in this run")) << text;
  EXPECT_TRUE(contains(text, "only model evaluated")) << text;
}

TEST(Discussion, ExplanationScoresFromMaskScoresAgainstChance) {
  fs::path dir = testing::temp_dir("discussion_explain");
  write_file_atomic(dir / "mask_scores.csv",
                    "method,class,rows,pointing_game,energy_inside,mask_area,flat_maps\n"
                    "gradcam,mel,10,0.9,0.6,0.3,0\n"
                    "gradcam,all,50,0.8,0.55,0.35,1\n"
                    "saliency,all,50,0.3,0.32,0.35,0\n"
                    "random,all,50,0.1,0.1,0.35,0\n"
                    "occlusion,all,0,,,,0\n");
  write_file_atomic(dir / "mask_scores.json", R"({"model": "image-finetune", "methods": ["gradcam"]})");
  report::Explanations explanations = report::read_explanations(dir);
  EXPECT_EQ(explanations.model, "image-finetune");
  const auto& scores = explanations.scores;
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_EQ(scores[0].method, "gradcam");
  EXPECT_EQ(scores[0].rows, 50);
  EXPECT_DOUBLE_EQ(scores[0].pointing_game, 0.8);
  EXPECT_TRUE(std::isnan(scores[3].pointing_game));
  EXPECT_TRUE(report::read_explanations(dir / "absent").scores.empty());

  auto text = draft(constructed(interval(0.0, -0.03, 0.03), interval(0.0, -0.03, 0.03), 0.7), explanations);
  // gradcam: 40 hits of 50, Wilson interval 0.670 to 0.888 (by hand), above the 0.35 chance level.
  EXPECT_TRUE(contains(text, "gradcam: the map's maximum falls on the lesion in 80% of 50 scored test images (95% CI 67% "
                             "to 89%)"))
      << text;
  EXPECT_TRUE(contains(text, "pointing game is above chance")) << text;
  EXPECT_TRUE(contains(text, "The maps explain image-finetune's predicted class")) << text;
  // saliency: 15 of 50, interval 0.191 to 0.438 includes 0.35.
  EXPECT_TRUE(contains(text, "pointing game is not distinguishable from chance")) << text;
  EXPECT_TRUE(contains(text, "cannot be compared with chance")) << text;
  EXPECT_TRUE(contains(text, "Wilson intervals")) << text;
  // random: 5 of 50, interval 0.043 to 0.214, below 0.35.
  EXPECT_TRUE(contains(text, "pointing game is below chance")) << text;
}

}  // namespace
}  // namespace hito
