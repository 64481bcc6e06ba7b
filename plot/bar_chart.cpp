// Grouped bar charts (see bar_chart.h).
#include "plot/bar_chart.h"

#include <algorithm>
#include <cmath>

#include "plot/axis.h"
#include "base/error.h"

namespace hito::plot {

namespace {
// 0 decimals when every value is a whole number, else 2.
int auto_decimals(const BarChart& chart) {
  for (const auto& g : chart.groups)
    for (double v : g.values)
      if (std::isfinite(v) && v != std::round(v)) return 2;
  return 0;
}
}  // namespace

std::string render_bar_chart(const BarChart& chart) {
  DataRange range;
  range.include(0.0);  // bars grow from zero
  bool any = false;
  for (const auto& g : chart.groups) {
    HITO_CHECK(g.values.size() == chart.categories.size(), "bar chart '", chart.title, "': group '", g.name, "' has ",
               g.values.size(), " values for ", chart.categories.size(), " categories");
    for (double v : g.values)
      if (std::isfinite(v)) range.include(v), any = true;
  }
  if (!any) return no_data_svg(chart.width, chart.height, chart.title);
  if (chart.y_max) range.include(*chart.y_max);

  Ticks yt = nice_ticks(range.lo, range.hi, 5);
  Svg svg(chart.width, chart.height, chart.title);
  std::vector<LegendItem> legend;
  for (size_t i = 0; i < chart.groups.size(); ++i) {
    const auto& g = chart.groups[i];
    legend.push_back({g.name, series_color(g.color >= 0 ? g.color : i).hex(), LegendItem::Shape::Box});
  }
  Frame frame;
  frame.top = draw_header(svg, chart.title, chart.groups.size() > 1 ? legend : std::vector<LegendItem>{}) + 10;
  frame.left = y_axis_margin(yt, chart.y_label);
  frame.right = chart.width - 20;

  // Category labels: horizontal when they fit their slot, else at -35 degrees with room below.
  const double slot = (frame.right - frame.left) / static_cast<double>(chart.categories.size());
  double widest = 0;
  for (const auto& c : chart.categories) widest = std::max(widest, text_width(c, kTickSize));
  const bool slanted = widest > slot - 6;
  const double label_depth = slanted ? widest * std::sin(35 * M_PI / 180) + 14 : 20;
  frame.bottom = chart.height - label_depth - (chart.x_label.empty() ? 10 : 30);

  LinearScale y{yt.lo(), yt.hi(), frame.bottom, frame.top};
  draw_y_axis(svg, frame, y, yt, chart.y_label);
  const double cluster = slot * 0.8;
  const double bar = cluster / static_cast<double>(std::max<size_t>(1, chart.groups.size()));
  const int decimals = chart.value_decimals >= 0 ? chart.value_decimals : auto_decimals(chart);
  const double value_size = std::clamp(bar * 0.45, 8.0, 11.0);
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    double x0 = frame.left + slot * c + (slot - cluster) / 2;
    for (size_t g = 0; g < chart.groups.size(); ++g) {
      double v = chart.groups[g].values[c];
      if (!std::isfinite(v)) continue;
      std::string color = legend[g].color;
      double bx = x0 + bar * g, top = y(std::max(v, 0.0)), base = y(std::min(v, 0.0));
      std::string value = format_number(v, decimals);
      svg.begin_group(chart.categories[c] + (chart.groups.size() > 1 ? ", " + chart.groups[g].name : "") + ": " +
                      value);
      svg.rect(bx + 1, top, std::max(1.0, bar - 2), base - top, color, 1, nullptr, 1.5);
      svg.end_group();
      if (chart.show_values && text_width(value, value_size) <= bar - 2)
        svg.text(bx + bar / 2, top - 4, value, {value_size, Anchor::Middle, kMutedInk});
    }
    double lx = frame.left + slot * (c + 0.5);
    if (slanted)
      svg.text(lx + 4, frame.bottom + 14, chart.categories[c], {kTickSize, Anchor::End, kInk, false, -35});
    else
      svg.text(lx, frame.bottom + 18, chart.categories[c], {kTickSize, Anchor::Middle, kInk});
  }
  svg.line(frame.left, y(0), frame.right, y(0), {kAxis, 1});
  if (!chart.x_label.empty())
    svg.text((frame.left + frame.right) / 2, chart.height - 12, chart.x_label, {kLabelSize, Anchor::Middle, kInk});
  return svg.str();
}

}  // namespace hito::plot
