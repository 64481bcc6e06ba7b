// McNemar's test: do two classifiers scored on the same rows make different numbers of mistakes?
// Only the discordant rows count: n_ab (a right, b wrong) and n_ba (a wrong, b right). Under the null
// hypothesis each discordant row is a fair coin flip.
// - When n_ab + n_ba < 25 (kExactBelow): the exact two-sided binomial test,
//   p = min(1, 2 sum_{i <= min(n_ab, n_ba)} C(n, i) / 2^n), n = n_ab + n_ba.
// - Otherwise: the chi-square statistic with continuity correction,
//   X^2 = (|n_ab - n_ba| - 1)^2 / (n_ab + n_ba), p = P(chi2_1 >= X^2) = erfc(sqrt(X^2 / 2)).
// The result says which was used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/eval/metrics.h"

namespace hito::eval {

struct McNemarResult {
  int64_t both_correct = 0, only_a_correct = 0, only_b_correct = 0, both_wrong = 0;
  bool exact = true;     // exact binomial (true) or chi-square with continuity correction
  double statistic = 0;  // X^2 for the chi-square test; min(n_ab, n_ba) for the exact test
  double p_value = 1;
  std::string method() const;  // "exact binomial" or "chi-square with continuity correction"
};

constexpr int64_t kMcNemarExactBelow = 25;

// From the discordant counts alone (the concordant ones do not enter the test).
McNemarResult mcnemar_test(int64_t only_a_correct, int64_t only_b_correct);
// From per-row correctness of the two models (same rows, same order).
McNemarResult mcnemar_test(const std::vector<bool>& a_correct, const std::vector<bool>& b_correct);
// From two models' predictions on the same rows (argmax against the shared labels).
McNemarResult mcnemar_test(const Predictions& a, const Predictions& b);

}  // namespace hito::eval
