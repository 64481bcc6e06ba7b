// McNemar's test, exact or chi-square (see mcnemar.h).
#include "apps/eval/mcnemar.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/error.h"

namespace hito::eval {

namespace {
// P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so that large n does not overflow.
double binomial_half_cdf(int64_t k, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i <= k; ++i)
    total += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  return total;
}
}  // namespace

std::string McNemarResult::method() const {
  if (clustered) return "clustered by lesion (Durkalski)";
  return exact ? "exact binomial" : "chi-square with continuity correction";
}

McNemarResult mcnemar_test(int64_t only_a_correct, int64_t only_b_correct) {
  HITO_CHECK(only_a_correct >= 0 && only_b_correct >= 0, "McNemar: negative counts ", only_a_correct, ", ",
             only_b_correct);
  McNemarResult r;
  r.only_a_correct = only_a_correct;
  r.only_b_correct = only_b_correct;
  const int64_t discordant = only_a_correct + only_b_correct;
  r.exact = discordant < kMcNemarExactBelow;
  if (r.exact) {
    int64_t smaller = std::min(only_a_correct, only_b_correct);
    r.statistic = static_cast<double>(smaller);
    r.p_value = std::min(1.0, 2.0 * binomial_half_cdf(smaller, discordant));
  } else {
    double excess = std::abs(static_cast<double>(only_a_correct - only_b_correct)) - 1.0;
    r.statistic = excess * excess / static_cast<double>(discordant);
    r.p_value = std::erfc(std::sqrt(r.statistic / 2.0));  // survival function of chi-square, 1 dof
  }
  return r;
}

McNemarResult mcnemar_test(const std::vector<bool>& a_correct, const std::vector<bool>& b_correct) {
  HITO_CHECK(a_correct.size() == b_correct.size(), "McNemar: ", a_correct.size(), " rows for model a but ",
             b_correct.size(), " for model b");
  int64_t both = 0, only_a = 0, only_b = 0, neither = 0;
  for (size_t i = 0; i < a_correct.size(); ++i) {
    if (a_correct[i] && b_correct[i])
      ++both;
    else if (a_correct[i])
      ++only_a;
    else if (b_correct[i])
      ++only_b;
    else
      ++neither;
  }
  McNemarResult r = mcnemar_test(only_a, only_b);
  r.both_correct = both;
  r.both_wrong = neither;
  return r;
}

McNemarResult mcnemar_test(const Predictions& a, const Predictions& b) {
  HITO_CHECK(a.labels == b.labels, "McNemar: the two models were not scored on the same rows (labels differ)");
  std::vector<bool> a_correct(a.rows()), b_correct(b.rows());
  for (int64_t i = 0; i < a.rows(); ++i) {
    a_correct[i] = a.predicted(i) == a.labels[i];
    b_correct[i] = b.predicted(i) == b.labels[i];
  }
  McNemarResult r = mcnemar_test(a_correct, b_correct);
  if (a.groups.empty()) return r;
  HITO_CHECK(static_cast<int64_t>(a.groups.size()) == a.rows(), "McNemar: ", a.groups.size(), " groups for ",
             a.rows(), " rows");
  std::map<int64_t, int64_t> balance, size;  // group -> d_k, rows
  for (int64_t i = 0; i < a.rows(); ++i) {
    ++size[a.groups[i]];
    balance[a.groups[i]] += static_cast<int64_t>(a_correct[i] && !b_correct[i]) - (b_correct[i] && !a_correct[i]);
  }
  const bool several = std::any_of(size.begin(), size.end(), [](const auto& s) { return s.second > 1; });
  if (!several) return r;
  double sum = 0, sum_sq = 0;
  for (const auto& [group, d] : balance) sum += static_cast<double>(d), sum_sq += static_cast<double>(d * d);
  r.exact = false;
  r.clustered = true;
  r.statistic = sum_sq > 0 ? sum * sum / sum_sq : 0;
  r.p_value = sum_sq > 0 ? std::erfc(std::sqrt(r.statistic / 2.0)) : 1.0;
  return r;
}

std::vector<double> holm_adjusted(const std::vector<double>& p_values) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p_values.size(); ++i)
    if (!std::isnan(p_values[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return p_values[x] < p_values[y]; });
  std::vector<double> adjusted(p_values.size(), std::nan(""));
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(rank)) * p_values[order[rank]]));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

}  // namespace hito::eval
