// Line and scatter charts (see line_chart.h).
#include "plot/line_chart.h"

#include <algorithm>
#include <cmath>

#include "plot/axis.h"
#include "base/error.h"

namespace hito::plot {

namespace {
bool finite_point(const Series& s, size_t i) { return std::isfinite(s.x[i]) && std::isfinite(s.y[i]); }

std::string color_of(const Series& s, size_t position) {
  return series_color(s.color >= 0 ? static_cast<size_t>(s.color) : position).hex();
}

// Splits a series into runs of consecutive finite points (a gap wherever a value is missing).
std::vector<std::vector<std::pair<double, double>>> finite_runs(const Series& s, const LinearScale& x,
                                                                const LinearScale& y) {
  std::vector<std::vector<std::pair<double, double>>> runs(1);
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (!finite_point(s, i)) {
      if (!runs.back().empty()) runs.emplace_back();
      continue;
    }
    runs.back().emplace_back(x(s.x[i]), y(s.y[i]));
  }
  return runs;
}
}  // namespace

std::string render_line_chart(const LineChart& chart) {
  DataRange xr, yr;
  for (const auto& s : chart.series) {
    HITO_CHECK(s.x.size() == s.y.size(), "line chart '", chart.title, "': series '", s.name, "' has ", s.x.size(),
               " x values but ", s.y.size(), " y values");
    for (size_t i = 0; i < s.x.size(); ++i)
      if (finite_point(s, i)) xr.include(s.x[i]), yr.include(s.y[i]);
  }
  if (xr.empty()) return no_data_svg(chart.width, chart.height, chart.title);
  for (const auto& h : chart.highlights) xr.include(h.x), yr.include(h.y);

  Ticks xt = nice_ticks(chart.x_min.value_or(xr.lo), chart.x_max.value_or(xr.hi), 6, chart.integer_x ? 1 : 0);
  Ticks yt = nice_ticks(chart.y_min.value_or(yr.lo), chart.y_max.value_or(yr.hi), 5);
  // Fixed ends are kept exactly; free ends extend to the outer ticks.
  double x_lo = chart.x_min.value_or(xt.lo()), x_hi = chart.x_max.value_or(xt.hi());
  double y_lo = chart.y_min.value_or(yt.lo()), y_hi = chart.y_max.value_or(yt.hi());
  std::erase_if(xt.values, [&](double v) { return v < x_lo - 1e-9 || v > x_hi + 1e-9; });
  std::erase_if(yt.values, [&](double v) { return v < y_lo - 1e-9 || v > y_hi + 1e-9; });

  Svg svg(chart.width, chart.height, chart.title);
  std::vector<LegendItem> legend;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    if (s.name.empty()) continue;
    auto shape = !s.line ? LegendItem::Shape::Dot : s.dashed ? LegendItem::Shape::DashedLine : LegendItem::Shape::Line;
    legend.push_back({s.name, color_of(s, i), shape});
  }
  Frame frame;
  frame.top = draw_header(svg, chart.title, chart.series.size() > 1 ? legend : std::vector<LegendItem>{}) + 6;
  frame.left = y_axis_margin(yt, chart.y_label);
  frame.right = chart.width - 24;
  frame.bottom = chart.height - (chart.x_label.empty() ? 30 : 52);
  LinearScale x{x_lo, x_hi, frame.left, frame.right};
  LinearScale y{y_lo, y_hi, frame.bottom, frame.top};
  draw_y_axis(svg, frame, y, yt, chart.y_label);
  draw_x_axis(svg, frame, x, xt, chart.x_label, false);

  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    std::string color = color_of(s, i);
    if (s.line)
      for (const auto& run : finite_runs(s, x, y)) svg.polyline(run, {color, 2.25, s.dashed ? "6 4" : ""});
    if (s.markers || !s.line) {
      StrokeStyle ring{"#ffffff", 1};
      for (size_t j = 0; j < s.x.size(); ++j)
        if (finite_point(s, j)) svg.circle(x(s.x[j]), y(s.y[j]), s.line ? 3.2 : 4, color, &ring);
    }
  }
  for (const auto& h : chart.highlights) {
    std::string color = h.color >= 0 ? series_color(h.color).hex() : kReference;
    double px = x(h.x), py = y(h.y);
    svg.line(px, py, px, frame.bottom, {color, 1.2, "4 3", 0.8});
    StrokeStyle ring{color, 2};
    svg.circle(px, py, 6, "none", &ring);
    bool near_right = px > frame.right - text_width(h.label, kTickSize) / 2 - 4;
    double label_y = py - 12 < frame.top + 4 ? py + 22 : py - 12;
    svg.text(near_right ? px - 8 : px, label_y, h.label,
             {kTickSize, near_right ? Anchor::End : Anchor::Middle, color, true});
  }
  return svg.str();
}

LineChart explained_variance_chart(const std::vector<double>& ratios, const std::string& title) {
  LineChart chart;
  chart.title = title;
  chart.x_label = "principal component";
  chart.y_label = "share of variance";
  chart.y_min = 0;
  chart.y_max = 1;
  chart.integer_x = true;
  Series each{"each component", {}, {}, false, true};
  Series total{"cumulative", {}, {}, true, true};
  double running = 0;
  for (size_t i = 0; i < ratios.size(); ++i) {
    running += std::isfinite(ratios[i]) ? ratios[i] : 0.0;
    each.x.push_back(static_cast<double>(i + 1));
    each.y.push_back(ratios[i]);
    total.x.push_back(static_cast<double>(i + 1));
    total.y.push_back(running);
  }
  chart.series = {total, each};
  return chart;
}

}  // namespace hito::plot
