// Axes for the plots: linear scales, "nice" tick values (1, 2, 2.5, 5 x 10^k steps) with labels that
// show just enough decimals, and the pieces every chart draws around its data: title, legend, the
// plot area's layout, grid lines, axis lines, tick labels and axis titles.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "plot/colors.h"
#include "plot/svg.h"

namespace hito::plot {

// The smallest interval holding every finite value given to include().
struct DataRange {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void include(double v);
  bool empty() const { return lo > hi; }
};

// Maps [domain_lo, domain_hi] linearly onto [range_lo, range_hi] (pixels; range may be reversed).
struct LinearScale {
  double domain_lo = 0, domain_hi = 1, range_lo = 0, range_hi = 1;
  double operator()(double v) const;
};

struct Ticks {
  std::vector<double> values;  // ascending, evenly spaced
  double step = 1;
  int decimals = 0;  // enough to tell neighbouring ticks apart
  double lo() const { return values.front(); }
  double hi() const { return values.back(); }
  std::string label(double v) const;
};

// Evenly spaced round tick values covering [lo, hi] (the first <= lo, the last >= hi), about
// `target` of them, never closer than `min_step` (1 for counts and epochs). A degenerate range
// (lo == hi) is widened around its value.
Ticks nice_ticks(double lo, double hi, int target = 6, double min_step = 0);

// `value` with `decimals` digits after the point ("-" for NaN or infinity).
std::string format_number(double value, int decimals);

// Legend entries: a short line (series with lines), a square (bars, cells) or a dot (scatter).
struct LegendItem {
  enum class Shape { Line, DashedLine, Box, Dot };
  std::string label;
  std::string color;
  Shape shape = Shape::Line;
};

// Where the data go, in pixels.
struct Frame {
  double left = 0, top = 0, right = 0, bottom = 0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

constexpr double kTitleSize = 15, kLabelSize = 12.5, kTickSize = 11.5, kLegendSize = 12;

// Draws the title (left-aligned) and, below it, the legend items in rows that wrap at the svg's
// width; returns the y coordinate below them (where the plot area may start).
double draw_header(Svg& svg, const std::string& title, const std::vector<LegendItem>& legend);

// The left margin needed by a y axis with these ticks and title.
double y_axis_margin(const Ticks& ticks, const std::string& label);

// Horizontal grid lines at the y ticks, tick labels on the left, the axis title rotated beside them.
void draw_y_axis(Svg& svg, const Frame& frame, const LinearScale& y, const Ticks& ticks, const std::string& label);
// Vertical grid lines (when `grid`), tick labels below the frame, the axis title under them, and the
// base line of the frame.
void draw_x_axis(Svg& svg, const Frame& frame, const LinearScale& x, const Ticks& ticks, const std::string& label,
                 bool grid = true);

}  // namespace hito::plot
