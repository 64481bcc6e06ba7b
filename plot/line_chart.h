// Line and scatter charts: several series with a legend, numeric axes with ticks and titles, optional
// markers, and highlighted points (the best epoch of a learning curve). Also the explained-variance
// chart of a PCA, built on the same code.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hito::plot {

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length; a non-finite value leaves a gap in the line
  bool line = true;          // false: a scatter of markers
  bool markers = false;
  bool dashed = false;
  int color = -1;  // palette index; -1: the series' position in the chart
};

// A point called out with a ring, a dashed drop line to the x axis and a label ("best epoch 12").
struct Highlight {
  double x = 0, y = 0;
  std::string label;
  int color = -1;  // palette index; -1: the reference colour
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  std::vector<Highlight> highlights;
  std::optional<double> x_min, x_max, y_min, y_max;  // fixed ends of the axes (else from the data)
  bool integer_x = false;                            // x ticks on whole numbers only (epochs)
  double width = 480, height = 330;
};

// The chart as an <svg> element; a "no data" placeholder when no series has a finite point.
std::string render_line_chart(const LineChart& chart);

// Explained-variance ratio per principal component (markers) and its running total (line), on a
// 0..1 axis; `ratios` in component order.
LineChart explained_variance_chart(const std::vector<double>& ratios, const std::string& title);

}  // namespace hito::plot
