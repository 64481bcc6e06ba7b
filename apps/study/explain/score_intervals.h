// Lesion-bootstrap confidence intervals of one method's mask scores over the scored rows, and of
// their excess over chance (the lesion's area), so that "the model looks at the lesion" is claimed
// only when the interval of the excess lies above zero. Rows of one lesion are resampled together
// (apps/eval/bootstrap.h), as for the classification metrics.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "apps/eval/bootstrap.h"
#include "apps/study/explain/mask_scores.h"

namespace hito::explain {

struct ScoreIntervals {
  eval::Interval pointing_game;    // hits / rows (a flat map is a miss)
  eval::Interval energy_inside;    // mean over the non-flat maps
  eval::Interval pointing_excess;  // pointing game - mean lesion area (over all rows)
  eval::Interval energy_excess;    // mean over the non-flat maps of (energy inside - lesion area)
};

// scores[i] of row i with lesion group groups[i] (dense ids, eval::group_ids). Requires as many
// groups as scores, at least one score.
ScoreIntervals bootstrap_scores(const std::vector<MapScore>& scores, const std::vector<int64_t>& groups,
                                const eval::BootstrapOptions& options = {});

// {"pointing_game": {estimate, lower, upper, ...}, "energy_inside": ..., "pointing_excess": ...,
// "energy_excess": ...} in the format of metrics.json intervals.
nlohmann::ordered_json intervals_to_json(const ScoreIntervals& intervals);

}  // namespace hito::explain
