// Grouped bar charts: one cluster of bars per category, one bar per group in each (class counts per
// split, missing values per column, ...), values printed on the bars when they fit. Long category
// names are set at an angle.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hito::plot {

struct BarGroup {
  std::string name;            // the legend entry ("train")
  std::vector<double> values;  // one per category; non-finite values draw no bar
  int color = -1;              // palette index; -1: the group's position
};

struct BarChart {
  std::string title, x_label, y_label;
  std::vector<std::string> categories;
  std::vector<BarGroup> groups;
  bool show_values = true;
  int value_decimals = -1;      // digits of the printed values; -1: 0 for whole numbers, else 2
  std::optional<double> y_max;  // fixed top of the value axis (e.g. 1 for shares)
  double width = 480, height = 330;
};

// The chart as an <svg> element; a "no data" placeholder when there is no finite value.
std::string render_bar_chart(const BarChart& chart);

}  // namespace hito::plot
