// Lesion-bootstrap intervals of the mask scores (see score_intervals.h).
#include "apps/study/explain/score_intervals.h"

#include <cmath>
#include <limits>

#include "apps/eval/metrics_file.h"
#include "base/error.h"

namespace hito::explain {

namespace {

// The four statistics on the rows `rows` (with repetitions) of `scores`.
std::array<double, 4> statistics(const std::vector<MapScore>& scores, const std::vector<int64_t>& rows) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double hits = 0, area = 0, energy = 0, energy_excess = 0;
  int64_t n = 0, defined = 0;
  for (int64_t r : rows) {
    const MapScore& s = scores[static_cast<size_t>(r)];
    ++n;
    hits += s.hit;
    area += s.mask_area;
    if (!s.flat) {
      ++defined;
      energy += s.energy_inside;
      energy_excess += s.energy_inside - s.mask_area;
    }
  }
  if (n == 0) return {nan, nan, nan, nan};
  return {hits / n, defined ? energy / defined : nan, (hits - area) / n, defined ? energy_excess / defined : nan};
}

}  // namespace

ScoreIntervals bootstrap_scores(const std::vector<MapScore>& scores, const std::vector<int64_t>& groups,
                                const eval::BootstrapOptions& options) {
  HITO_CHECK(!scores.empty() && groups.size() == scores.size(), "bootstrap_scores: ", scores.size(), " scores and ",
             groups.size(), " groups");
  const auto n = static_cast<int64_t>(scores.size());
  const auto rows_of_group = eval::rows_by_group(groups, n);
  std::vector<int64_t> all(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
  const std::array<double, 4> estimate = statistics(scores, all);

  Generator gen(options.seed);
  std::array<std::vector<double>, 4> replicates;
  for (int64_t b = 0; b < options.resamples; ++b) {
    const std::array<double, 4> values = statistics(scores, eval::resample_rows(rows_of_group, gen));
    for (size_t k = 0; k < 4; ++k)
      if (std::isfinite(values[k])) replicates[k].push_back(values[k]);
  }
  std::array<eval::Interval, 4> out;
  for (size_t k = 0; k < 4; ++k) {
    eval::Interval& interval = out[k];
    interval.estimate = estimate[k];
    interval.confidence = options.confidence;
    interval.resamples = static_cast<int64_t>(replicates[k].size());
    interval.groups = static_cast<int64_t>(rows_of_group.size());
    interval.lower = eval::quantile(replicates[k], (1.0 - options.confidence) / 2.0);
    interval.upper = eval::quantile(replicates[k], (1.0 + options.confidence) / 2.0);
  }
  return {out[0], out[1], out[2], out[3]};
}

nlohmann::ordered_json intervals_to_json(const ScoreIntervals& intervals) {
  return {{"pointing_game", eval::interval_to_json(intervals.pointing_game)},
          {"energy_inside", eval::interval_to_json(intervals.energy_inside)},
          {"pointing_excess", eval::interval_to_json(intervals.pointing_excess)},
          {"energy_excess", eval::interval_to_json(intervals.energy_excess)}};
}

}  // namespace hito::explain
