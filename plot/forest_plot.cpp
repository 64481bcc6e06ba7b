// Forest plots (see forest_plot.h).
#include "plot/forest_plot.h"

#include <algorithm>
#include <cmath>

#include "plot/axis.h"
#include "base/error.h"

namespace hito::plot {

std::string render_forest_plot(const ForestPlot& plot) {
  const size_t R = plot.rows.size(), S = plot.series.size();
  HITO_CHECK(plot.row_notes.empty() || plot.row_notes.size() == R, "forest plot '", plot.title,
             "': ", plot.row_notes.size(), " notes for ", R, " rows");
  DataRange range;
  for (const auto& s : plot.series) {
    HITO_CHECK(s.points.size() == R, "forest plot '", plot.title, "': series '", s.name, "' has ", s.points.size(),
               " points for ", R, " rows");
    for (const auto& p : s.points)
      if (std::isfinite(p.estimate)) range.include(p.estimate), range.include(p.lower), range.include(p.upper);
  }
  if (range.empty()) return no_data_svg(plot.width, 220, plot.title);
  if (plot.reference) range.include(*plot.reference);

  Ticks xt = nice_ticks(plot.x_min.value_or(range.lo), plot.x_max.value_or(range.hi), 6);
  const double x_lo = plot.x_min.value_or(xt.lo()), x_hi = plot.x_max.value_or(xt.hi());
  std::erase_if(xt.values, [&](double v) { return v < x_lo - 1e-9 || v > x_hi + 1e-9; });

  std::vector<LegendItem> legend;
  for (size_t s = 0; s < S; ++s)
    legend.push_back({plot.series[s].name, series_color(plot.series[s].color >= 0 ? plot.series[s].color : s).hex(),
                      LegendItem::Shape::Dot});
  if (plot.reference && !plot.reference_label.empty())
    legend.push_back({plot.reference_label, kReference, LegendItem::Shape::DashedLine});

  Svg svg(plot.width, 0, plot.title);
  const bool interval_text = S == 1;
  Frame frame;
  frame.top = draw_header(svg, plot.title, S > 1 || plot.reference ? legend : std::vector<LegendItem>{}) + 4;
  double label_width = 0;
  for (size_t r = 0; r < R; ++r) {
    label_width = std::max(label_width, text_width(plot.rows[r], kLabelSize));
    if (!plot.row_notes.empty()) label_width = std::max(label_width, text_width(plot.row_notes[r], kTickSize - 1));
  }
  frame.left = 14 + label_width + 16;
  frame.right = plot.width - (interval_text ? 150 : 24);
  const double band = std::max(30.0, 12.0 * S + 14);
  frame.bottom = frame.top + band * R;
  svg.set_height(frame.bottom + (plot.x_label.empty() ? 30 : 52));

  LinearScale x{x_lo, x_hi, frame.left, frame.right};
  for (size_t r = 0; r < R; ++r)
    if (r % 2 == 0) svg.rect(14, frame.top + band * r, plot.width - 28, band, "#f5f6f8");
  draw_x_axis(svg, frame, x, xt, plot.x_label, true);
  if (plot.reference)
    svg.line(x(*plot.reference), frame.top, x(*plot.reference), frame.bottom, {kReference, 1.5, "5 4"});

  for (size_t r = 0; r < R; ++r) {
    const double band_top = frame.top + band * r, centre = band_top + band / 2;
    const bool noted = !plot.row_notes.empty() && !plot.row_notes[r].empty();
    svg.text(14 + 6, centre - (noted ? 6 : 0), plot.rows[r], {kLabelSize, Anchor::Start, kInk, false, 0, "middle"});
    if (noted)
      svg.text(14 + 6, centre + 9, plot.row_notes[r], {kTickSize - 1, Anchor::Start, kMutedInk, false, 0, "middle"});
    for (size_t s = 0; s < S; ++s) {
      const ForestPoint& p = plot.series[s].points[r];
      const double y = S == 1 ? centre : band_top + 7 + (band - 14) * (s + 0.5) / S;
      if (!std::isfinite(p.estimate)) {
        if (interval_text)
          svg.text(frame.right + 14, centre, "no data", {kTickSize, Anchor::Start, kMutedInk, false, 0, "middle"});
        continue;
      }
      const std::string color = legend[s].color;
      const double lo = x(std::clamp(p.lower, x_lo, x_hi)), hi = x(std::clamp(p.upper, x_lo, x_hi));
      const std::string text =
          format_number(p.estimate, 3) + " [" + format_number(p.lower, 3) + ", " + format_number(p.upper, 3) + "]";
      svg.begin_group(plot.rows[r] + (S > 1 ? ", " + plot.series[s].name : "") + ": " + text);
      if (std::isfinite(p.lower) && std::isfinite(p.upper)) {
        svg.line(lo, y, hi, y, {color, 2});
        svg.line(lo, y - 4, lo, y + 4, {color, 2});
        svg.line(hi, y - 4, hi, y + 4, {color, 2});
      }
      StrokeStyle ring{"#ffffff", 1.2};
      svg.rect(x(std::clamp(p.estimate, x_lo, x_hi)) - 5, y - 5, 10, 10, color, 1, &ring, 1.5);
      svg.end_group();
      if (interval_text) svg.text(frame.right + 14, centre, text, {kTickSize, Anchor::Start, kInk, false, 0, "middle"});
    }
  }
  return svg.str();
}

}  // namespace hito::plot
