// The report's discussion, drafted from the numbers of `hito evaluate` (and `hito explain` when it
// ran) for the researcher to check and rewrite. The sentences follow fixed rules so that the draft
// never claims more than its intervals support:
//   - a difference between two models is only called higher / lower when its paired 95% interval
//     excludes 0; otherwise the text says there is no evidence of a difference (never "slightly
//     better", never a ranking from point estimates alone);
//   - subgroups and classes where fusion seems to help are listed only when their interval excludes
//     0, with a reminder that among many subgroups some intervals exclude 0 by chance;
//   - a subgroup with fewer than kSmallSubgroup test rows is not judged at all (its bootstrap over a
//     handful of lesions can give an interval of width 0); the worst subgroups name such ones as too
//     small to judge;
//   - the pointing game of an explanation method is called above (below) chance only when its Wilson
//     95% interval lies above (below) the mean lesion area, the score of an uninformative map.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/eval/bootstrap.h"
#include "apps/eval/eval_results.h"

namespace hito::report {

inline constexpr int64_t kSmallSubgroup = 30;

// "<what_a> is higher than <what_b> by 0.052 (95% CI 0.013 to 0.091)", "... lower than ... by ...",
// or "there is no evidence of a difference between <what_a> and <what_b>: the difference is 0.012
// (95% CI -0.021 to 0.045), an interval that includes 0". `difference` is a - b.
std::string describe_difference(const std::string& what_a, const std::string& what_b, const eval::Interval& difference);

// One method's scores over all scored rows from <run>/explain/mask_scores.csv (class "all").
struct ExplanationScore {
  std::string method;
  int64_t rows = 0;
  double pointing_game = 0, energy_inside = 0, mask_area = 0;  // NaN when undefined
};
struct Explanations {
  std::string model;  // the image model explained ("" when unknown)
  std::vector<ExplanationScore> scores;
};
// From <run>/explain/: the "all" lines of mask_scores.csv and the "model" of mask_scores.json;
// empty when the files do not exist.
Explanations read_explanations(const std::filesystem::path& explain_dir);

struct DiscussionPart {
  std::string heading;
  std::vector<std::string> paragraphs;
};

// The draft, part by part: the best model, fusion, where the models fail, calibration, explanations,
// limits, future work.
std::vector<DiscussionPart> draft_discussion(const eval::EvalResults& results, const Explanations& explanations);

}  // namespace hito::report
