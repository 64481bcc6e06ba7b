// Heat maps (see heat_map.h).
#include "plot/heat_map.h"

#include <algorithm>
#include <cmath>

#include "plot/axis.h"
#include "base/error.h"

namespace hito::plot {

namespace {
constexpr double kMaxCell = 72, kColourBarWidth = 14, kColourBarSteps = 48;

// What each cell shows and is coloured by: the value, or its share of the row.
std::vector<std::vector<double>> shown_values(const HeatMap& map) {
  if (!map.normalize_rows) return map.values;
  auto out = map.values;
  for (auto& row : out) {
    double sum = 0;
    for (double v : row)
      if (std::isfinite(v)) sum += v;
    for (double& v : row) v = sum > 0 ? v / sum : std::nan("");
  }
  return out;
}

bool all_whole(const std::vector<std::vector<double>>& values) {
  for (const auto& row : values)
    for (double v : row)
      if (std::isfinite(v) && v != std::round(v)) return false;
  return true;
}
}  // namespace

std::string render_heat_map(const HeatMap& map) {
  const size_t R = map.rows.size(), C = map.cols.size();
  HITO_CHECK(map.values.size() == R, "heat map '", map.title, "': ", map.values.size(), " rows of values for ", R,
             " row labels");
  for (const auto& row : map.values)
    HITO_CHECK(row.size() == C, "heat map '", map.title, "': a row holds ", row.size(), " values for ", C, " columns");
  if (R == 0 || C == 0) return no_data_svg(map.width, 240, map.title);

  const auto shown = shown_values(map);
  DataRange range;
  range.include(0.0);
  for (const auto& row : shown)
    for (double v : row) range.include(v);
  const double top_value = map.normalize_rows ? 1.0 : std::max(range.hi, 1e-12);
  const int decimals = map.decimals >= 0 ? map.decimals : (!map.normalize_rows && all_whole(map.values)) ? 0 : 2;

  // Layout: row labels on the left, column labels below (slanted when long), colour bar on the right.
  double row_label_width = 0, col_label_width = 0;
  for (const auto& r : map.rows) row_label_width = std::max(row_label_width, text_width(r, kTickSize));
  for (const auto& c : map.cols) col_label_width = std::max(col_label_width, text_width(c, kTickSize));
  const double left = 14 + (map.row_label.empty() ? 0 : kLabelSize + 12) + row_label_width + 8;
  const double right_margin = 24 + kColourBarWidth + 40;
  const double cell = std::min(kMaxCell, (map.width - left - right_margin) / static_cast<double>(C));
  const bool slanted = col_label_width > cell - 4;
  const double col_label_depth = slanted ? col_label_width * std::sin(40 * M_PI / 180) + 16 : 22;

  Svg svg(map.width, 0, map.title);
  const double top = draw_header(svg, map.title, {}) + 4;
  const double grid_bottom = top + cell * static_cast<double>(R);
  const double height = grid_bottom + col_label_depth + (map.col_label.empty() ? 10 : 32);
  svg.set_height(height);

  const double value_size = std::clamp(cell * 0.24, 8.5, 13.0);
  for (size_t r = 0; r < R; ++r) {
    const double y = top + cell * r;
    svg.text(left - 8, y + cell / 2, map.rows[r], {kTickSize, Anchor::End, kInk, false, 0, "middle"});
    for (size_t c = 0; c < C; ++c) {
      const double x = left + cell * c, v = shown[r][c];
      if (!std::isfinite(v)) {
        svg.rect(x + 1, y + 1, cell - 2, cell - 2, "#f1f2f4", 1, nullptr, 2);
        svg.text(x + cell / 2, y + cell / 2, "-", {value_size, Anchor::Middle, kMutedInk, false, 0, "middle"});
        continue;
      }
      Rgb fill = sequential_blue(v / top_value);
      const std::string ink = fill.luminance() < 0.45 ? "#ffffff" : kInk;
      const std::string text = format_number(v, decimals);
      const bool with_count = map.normalize_rows && std::isfinite(map.values[r][c]) && cell >= 34;
      svg.begin_group(map.rows[r] + " / " + map.cols[c] + ": " + text +
                      (map.normalize_rows ? " (" + format_number(map.values[r][c], 0) + ")" : ""));
      svg.rect(x + 1, y + 1, cell - 2, cell - 2, fill.hex(), 1, nullptr, 2);
      svg.end_group();
      svg.text(x + cell / 2, y + cell / 2 - (with_count ? value_size * 0.45 : 0), text,
               {value_size, Anchor::Middle, ink, r == c && R == C, 0, "middle"});
      if (with_count)
        svg.text(x + cell / 2, y + cell / 2 + value_size * 0.75, "n=" + format_number(map.values[r][c], 0),
                 {value_size * 0.75, Anchor::Middle, ink, false, 0, "middle"});
    }
  }
  for (size_t c = 0; c < C; ++c) {
    const double x = left + cell * (c + 0.5);
    if (slanted)
      svg.text(x + 4, grid_bottom + 14, map.cols[c], {kTickSize, Anchor::End, kInk, false, -40});
    else
      svg.text(x, grid_bottom + 16, map.cols[c], {kTickSize, Anchor::Middle, kInk});
  }
  if (!map.row_label.empty())
    svg.text(14 + kLabelSize - 2, (top + grid_bottom) / 2, map.row_label,
             {kLabelSize, Anchor::Middle, kInk, true, -90});
  if (!map.col_label.empty())
    svg.text(left + cell * C / 2, height - 12, map.col_label, {kLabelSize, Anchor::Middle, kInk, true});

  // Colour bar: stacked steps from 0 (bottom) to the top value.
  const double bar_x = left + cell * C + 24, bar_h = grid_bottom - top;
  for (int i = 0; i < kColourBarSteps; ++i) {
    double t0 = i / kColourBarSteps;
    double step_h = bar_h / kColourBarSteps;
    svg.rect(bar_x, grid_bottom - step_h * (i + 1), kColourBarWidth, step_h + 0.5,
             sequential_blue(t0 + 0.5 / kColourBarSteps).hex());
  }
  StrokeStyle outline{kAxis, 0.8};
  svg.rect(bar_x, top, kColourBarWidth, bar_h, "none", 1, &outline);
  const int bar_decimals = map.normalize_rows ? 1 : decimals;
  svg.text(bar_x + kColourBarWidth + 4, top + 4, format_number(top_value, bar_decimals),
           {kTickSize - 1, Anchor::Start, kMutedInk, false, 0, "middle"});
  svg.text(bar_x + kColourBarWidth + 4, grid_bottom - 4, "0",
           {kTickSize - 1, Anchor::Start, kMutedInk, false, 0, "middle"});
  return svg.str();
}

}  // namespace hito::plot
