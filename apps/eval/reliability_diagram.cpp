// Reliability diagrams (see reliability_diagram.h).
#include "apps/eval/reliability_diagram.h"

#include <algorithm>
#include <cmath>

#include "plot/axis.h"

namespace hito::eval {

std::string render_reliability_diagram(const ReliabilityDiagram& d) {
  int64_t total = 0, fullest = 0;
  for (const auto& b : d.bins) total += b.count, fullest = std::max(fullest, b.count);
  if (total == 0) return plot::no_data_svg(d.width, d.height, d.title);

  plot::Svg svg(d.width, d.height, d.title);
  const std::string bar_color = plot::series_color(0).hex();
  plot::Frame frame;
  frame.top = plot::draw_header(svg, d.title,
                          {{"accuracy", bar_color, plot::LegendItem::Shape::Box},
                           {"gap to confidence", plot::kReference, plot::LegendItem::Shape::Box},
                           {"perfect calibration", plot::kAxis, plot::LegendItem::Shape::DashedLine}}) +
              4;
  plot::Ticks unit = plot::nice_ticks(0, 1, 6);
  frame.left = plot::y_axis_margin(unit, "accuracy");
  frame.right = d.width - 24;
  // Two panels sharing the x axis: accuracy (about three quarters) above, the rows per bin below.
  const double available = d.height - 52 - frame.top;
  plot::Frame counts = frame;
  frame.bottom = frame.top + available * 0.74;
  counts.top = frame.bottom + 14;
  counts.bottom = frame.top + available;

  plot::LinearScale x{0, 1, frame.left, frame.right};
  plot::LinearScale y{0, 1, frame.bottom, frame.top};
  plot::draw_y_axis(svg, frame, y, unit, "accuracy");
  svg.line(frame.left, frame.bottom, frame.right, frame.bottom, {plot::kAxis, 1});
  svg.line(x(0), y(0), x(1), y(1), {plot::kAxis, 1.5, "6 4"});
  for (const auto& b : d.bins) {
    if (b.count == 0) continue;
    const double left = x(b.lower) + 1, w = x(b.upper) - x(b.lower) - 2;
    svg.begin_group("confidence " + plot::format_number(b.lower, 2) + "-" + plot::format_number(b.upper, 2) + ": accuracy " +
                    plot::format_number(b.accuracy, 3) + ", mean confidence " + plot::format_number(b.confidence, 3) + ", " +
                    std::to_string(b.count) + " rows");
    svg.rect(left, y(b.accuracy), w, y(0) - y(b.accuracy), bar_color, 0.85, nullptr, 1);
    // The gap between accuracy and confidence, outlined: pink above the bar of an over-confident bin, a
    // lightened top of the bar of an under-confident one.
    const double gap_top = y(std::max(b.accuracy, b.confidence)), gap_bottom = y(std::min(b.accuracy, b.confidence));
    plot::StrokeStyle gap_edge{plot::kReference, 1.2};
    const bool over_confident = b.confidence > b.accuracy;
    svg.rect(left, gap_top, w, gap_bottom - gap_top, over_confident ? plot::kReference : "#ffffff",
             over_confident ? 0.15 : 0.45, &gap_edge);
    svg.end_group();
  }
  if (std::isfinite(d.ece)) {
    plot::StrokeStyle edge{"#d5d8dc", 1};
    svg.rect(frame.left + 10, frame.top + 8, 118, 26, "#ffffff", 0.92, &edge, 4);
    svg.text(frame.left + 20, frame.top + 21, "ECE = " + plot::format_number(d.ece, 3),
             {plot::kLabelSize, plot::Anchor::Start, plot::kInk, true, 0, "middle"});
  }

  // Lower panel: the share of rows in each bin.
  plot::Ticks share = plot::nice_ticks(0, static_cast<double>(fullest) / total, 2);
  plot::LinearScale ys{0, share.hi(), counts.bottom, counts.top};
  for (double v : {0.0, share.hi()}) {
    svg.line(counts.left, ys(v), counts.right, ys(v), {plot::kGrid, 1});
    svg.text(counts.left - 8, ys(v), share.label(v), {plot::kTickSize, plot::Anchor::End, plot::kMutedInk, false, 0, "middle"});
  }
  svg.text(14 + plot::kLabelSize - 2, (counts.top + counts.bottom) / 2, "rows",
           {plot::kLabelSize, plot::Anchor::Middle, plot::kInk, false, -90});
  for (const auto& b : d.bins) {
    if (b.count == 0) continue;
    const double v = static_cast<double>(b.count) / total;
    svg.rect(x(b.lower) + 1, ys(v), x(b.upper) - x(b.lower) - 2, ys(0) - ys(v), plot::kAxis, 1, nullptr, 1);
  }
  plot::draw_x_axis(svg, counts, x, unit, "confidence (maximum predicted probability)", false);
  return svg.str();
}

}  // namespace hito::eval
