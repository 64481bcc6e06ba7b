// Forest plots: one row per subgroup (age band, sex, body site, ...), a point and its confidence
// interval per model in each row, and a vertical reference line (the overall score or chance level).
// With a single model the interval is also printed as text beside each row.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hito::plot {

struct ForestPoint {
  double estimate = 0, lower = 0, upper = 0;  // non-finite estimate: no point in this row
};

struct ForestSeries {
  std::string name;                 // the model
  std::vector<ForestPoint> points;  // one per row
  int color = -1;                   // palette index; -1: the series' position
};

struct ForestPlot {
  std::string title, x_label;
  std::vector<std::string> rows;       // top to bottom
  std::vector<std::string> row_notes;  // optional, one per row, shown under the label ("n = 212")
  std::vector<ForestSeries> series;
  std::optional<double> reference;  // x of the reference line
  std::string reference_label;
  std::optional<double> x_min, x_max;  // fixed ends of the axis (e.g. 0 and 1 for scores)
  double width = 680;                  // the height follows from the number of rows
};

// The plot as an <svg> element; a "no data" placeholder when no row has a finite point.
std::string render_forest_plot(const ForestPlot& plot);

}  // namespace hito::plot
