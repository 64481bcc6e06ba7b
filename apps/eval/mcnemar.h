// McNemar's test: do two classifiers scored on the same rows make different numbers of mistakes?
// Only the discordant rows count: n_ab (a right, b wrong) and n_ba (a wrong, b right). Under the null
// hypothesis each discordant row is a fair coin flip.
// - When n_ab + n_ba < 25 (kExactBelow): the exact two-sided binomial test,
//   p = min(1, 2 sum_{i <= min(n_ab, n_ba)} C(n, i) / 2^n), n = n_ab + n_ba.
// - Otherwise: the chi-square statistic with continuity correction,
//   X^2 = (|n_ab - n_ba| - 1)^2 / (n_ab + n_ba), p = P(chi2_1 >= X^2) = erfc(sqrt(X^2 / 2)).
// - When the rows come in groups (the images of one lesion) and some group holds several rows, the
//   rows of a group are not independent: the clustered statistic of Durkalski et al. (2003), with
//   d_k = n_ab,k - n_ba,k the discordant balance of group k,
//     X^2 = (sum_k d_k)^2 / sum_k d_k^2,   p = P(chi2_1 >= X^2),
//   which treats the lesion as the unit, as the lesion bootstrap does. With one row per group it is
//   the chi-square statistic without continuity correction.
// The result says which was used.
//
// holm_adjusted: Holm's step-down correction of m p-values tested together: sorted ascending,
// p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)); it controls the chance of any false
// claim among the m at the nominal level.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/eval/metrics.h"

namespace hito::eval {

struct McNemarResult {
  int64_t both_correct = 0, only_a_correct = 0, only_b_correct = 0, both_wrong = 0;
  bool exact = true;       // exact binomial (true) or a chi-square statistic
  bool clustered = false;  // the clustered statistic over groups (Durkalski)
  double statistic = 0;    // X^2 for the chi-square tests; min(n_ab, n_ba) for the exact test
  double p_value = 1;
  // "exact binomial", "chi-square with continuity correction" or "clustered by lesion (Durkalski)"
  std::string method() const;
};

constexpr int64_t kMcNemarExactBelow = 25;

// From the discordant counts alone (the concordant ones do not enter the test).
McNemarResult mcnemar_test(int64_t only_a_correct, int64_t only_b_correct);
// From per-row correctness of the two models (same rows, same order).
McNemarResult mcnemar_test(const std::vector<bool>& a_correct, const std::vector<bool>& b_correct);
// From two models' predictions on the same rows (argmax against the shared labels); clustered by
// a.groups when some group holds several rows.
McNemarResult mcnemar_test(const Predictions& a, const Predictions& b);

// Holm-adjusted p-values, in the order given. NaN entries stay NaN and do not count in m.
std::vector<double> holm_adjusted(const std::vector<double>& p_values);

}  // namespace hito::eval
