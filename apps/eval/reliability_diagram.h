// Reliability diagrams: per confidence bin, the accuracy of the predictions (bars) against their mean
// confidence (the gap shaded), the diagonal of perfect calibration, the expected calibration error,
// and below it the share of rows in each bin.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "apps/eval/metrics.h"

namespace hito::eval {

struct ReliabilityDiagram {
  std::string title;
  std::vector<eval::ReliabilityBin> bins;                 // as computed by eval::reliability_bins
  double ece = std::numeric_limits<double>::quiet_NaN();  // printed when finite
  double width = 460, height = 430;
};

// The diagram as an <svg> element; a "no data" placeholder when every bin is empty.
std::string render_reliability_diagram(const ReliabilityDiagram& diagram);

}  // namespace hito::eval
