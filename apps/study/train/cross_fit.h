// Cross-fitting on one split: the rows are cut into K folds that keep each lesion's images together,
// and every row is scored by a model fitted on the other folds only, so that a combiner chosen and
// fitted on the validation split can still be scored honestly on it (late fusion's stacking).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace hito::study {

// Fold of each row (0..folds-1) such that rows of one group share a fold: the groups, in an order
// shuffled with `seed`, each go to the fold holding the fewest rows so far. Requires folds >= 2 and at
// least `folds` groups.
std::vector<int> grouped_folds(const std::vector<int64_t>& groups, int folds, uint64_t seed);

// A fitted model applied to rows (indices into the split) -> probabilities (rows.size(), K) row-major.
using RowPredictor = std::function<std::vector<double>(const std::vector<int64_t>& rows)>;
// Fits a model on the given rows.
using RowFitter = std::function<RowPredictor(const std::vector<int64_t>& fit_rows)>;

// Probabilities (n, K) row-major where row i comes from fit(rows whose fold differs from fold[i]).
std::vector<double> cross_fit(const std::vector<int>& fold, int64_t num_classes, const RowFitter& fit);

}  // namespace hito::study
