// Bootstrap confidence intervals that resample groups (lesions), not rows: several images of one
// lesion are not independent observations, so a resample draws whole lesions with replacement and
// keeps all of their rows. Percentile intervals, reproducible from a seed, for any metric; and the
// paired version for the difference between two models scored on the same rows.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "apps/eval/metrics.h"
#include "engine/random.h"

namespace hito::eval {

// A metric computed on a (resampled) set of predictions; NaN where undefined on that resample.
using Statistic = std::function<double(const Predictions&)>;

struct BootstrapOptions {
  int64_t resamples = 1000;
  double confidence = 0.95;  // percentile interval [(1-c)/2, (1+c)/2]
  uint64_t seed = 0;
};

// estimate: the statistic on all rows; [lower, upper]: percentile interval of the replicates.
// `resamples` counts the replicates where the statistic was defined (NaN replicates are left out
// and the interval is NaN when none is left).
struct Interval {
  double estimate = 0, lower = 0, upper = 0;
  double confidence = 0.95;
  int64_t resamples = 0;
  int64_t groups = 0;  // the number of groups resampled
};

// The rows of each group, groups in order of first appearance. Empty `groups`: one row per group.
std::vector<std::vector<int64_t>> rows_by_group(const std::vector<int64_t>& groups, int64_t rows);

// One bootstrap resample: as many groups as there are, drawn with replacement, each contributing all
// of its rows (so the number of rows varies between resamples).
std::vector<int64_t> resample_rows(const std::vector<std::vector<int64_t>>& rows_of_group, Generator& gen);

// The statistic on `options.resamples` group resamples of p (p.groups; rows when empty), in draw order.
std::vector<double> bootstrap_replicates(const Predictions& p, const Statistic& statistic,
                                         const BootstrapOptions& options = {});

// The percentile interval of the statistic.
Interval bootstrap_interval(const Predictions& p, const Statistic& statistic, const BootstrapOptions& options = {});

// Paired comparison of models a and b scored on the same rows (same labels and groups, in the same
// order): the interval of statistic(a) - statistic(b), both computed on the same group resamples.
struct PairedDifference {
  Interval difference;        // of a - b
  double share_a_better = 0;  // share of the (defined) resamples where a - b > 0
};
PairedDifference paired_bootstrap_difference(const Predictions& a, const Predictions& b, const Statistic& statistic,
                                             const BootstrapOptions& options = {});

// The q-quantile (q in [0, 1]) of values with linear interpolation between order statistics
// (NumPy's default); NaN for no values. Sorts `values`.
double quantile(std::vector<double>& values, double q);

}  // namespace hito::eval
