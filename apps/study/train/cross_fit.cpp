// Lesion-grouped folds and cross-fitted predictions.
#include "apps/study/train/cross_fit.h"

#include <algorithm>
#include <map>

#include "base/error.h"
#include "engine/random.h"

namespace hito::study {

std::vector<int> grouped_folds(const std::vector<int64_t>& groups, int folds, uint64_t seed) {
  HITO_CHECK(folds >= 2, "cross-fitting needs at least 2 folds, got ", folds);
  std::map<int64_t, int64_t> size_of_group;
  for (int64_t g : groups) ++size_of_group[g];
  HITO_CHECK(static_cast<int64_t>(size_of_group.size()) >= folds, "cross-fitting with ", folds, " folds needs at least ",
             folds, " lesions, the split has ", size_of_group.size());
  std::vector<int64_t> order;
  for (const auto& entry : size_of_group) order.push_back(entry.first);
  Generator gen(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<size_t>(gen.integer(static_cast<int64_t>(i)))]);

  std::vector<int64_t> fold_rows(static_cast<size_t>(folds), 0);
  std::map<int64_t, int> fold_of_group;
  for (int64_t g : order) {
    int smallest = static_cast<int>(std::min_element(fold_rows.begin(), fold_rows.end()) - fold_rows.begin());
    fold_of_group[g] = smallest;
    fold_rows[static_cast<size_t>(smallest)] += size_of_group[g];
  }
  std::vector<int> fold(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) fold[i] = fold_of_group[groups[i]];
  return fold;
}

std::vector<double> cross_fit(const std::vector<int>& fold, int64_t num_classes, const RowFitter& fit) {
  int folds = fold.empty() ? 0 : *std::max_element(fold.begin(), fold.end()) + 1;
  std::vector<double> out(fold.size() * static_cast<size_t>(num_classes), 0.0);
  for (int f = 0; f < folds; ++f) {
    std::vector<int64_t> fit_rows, held_out;
    for (size_t i = 0; i < fold.size(); ++i) (fold[i] == f ? held_out : fit_rows).push_back(static_cast<int64_t>(i));
    if (held_out.empty()) continue;
    std::vector<double> p = fit(fit_rows)(held_out);
    HITO_CHECK(p.size() == held_out.size() * static_cast<size_t>(num_classes), "cross-fitting: fold ", f, " gave ",
               p.size(), " probabilities for ", held_out.size(), " rows of ", num_classes, " classes");
    for (size_t j = 0; j < held_out.size(); ++j)
      std::copy(p.begin() + static_cast<int64_t>(j) * num_classes, p.begin() + static_cast<int64_t>(j + 1) * num_classes,
                out.begin() + held_out[j] * num_classes);
  }
  return out;
}

}  // namespace hito::study
