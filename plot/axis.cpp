// Scales, ticks, header and axes of the plots (see axis.h).
#include "plot/axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace hito::plot {

void DataRange::include(double v) {
  if (!std::isfinite(v)) return;
  lo = std::min(lo, v);
  hi = std::max(hi, v);
}

double LinearScale::operator()(double v) const {
  double span = domain_hi - domain_lo;
  double t = span != 0 ? (v - domain_lo) / span : 0.5;
  return range_lo + t * (range_hi - range_lo);
}

std::string format_number(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::max(0, decimals), value);
  std::string s = buffer;
  // "-0.00" and friends read as zero.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string Ticks::label(double v) const { return format_number(v, decimals); }

Ticks nice_ticks(double lo, double hi, int target, double min_step) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  double raw = (hi - lo) / std::max(1, target - 1);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double r = raw / magnitude;
  double nice = r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10;
  Ticks t;
  t.step = std::max(nice * magnitude, min_step);
  for (t.decimals = 0; t.decimals < 8; ++t.decimals) {
    double scaled = t.step * std::pow(10.0, t.decimals);
    if (std::abs(scaled - std::round(scaled)) < 1e-6 * scaled) break;
  }
  // Values rounded to the step's decimals, so that 3 * 0.2 is 0.6 and not 0.6000000000000001.
  const double unit = std::pow(10.0, t.decimals);
  double first = std::floor(lo / t.step + 1e-9), last = std::ceil(hi / t.step - 1e-9);
  for (double i = first; i <= last + 0.5; ++i) t.values.push_back(std::round(i * t.step * unit) / unit);
  return t;
}

namespace {
constexpr double kPad = 14;  // outer padding of every plot

void draw_legend_marker(Svg& svg, const LegendItem& item, double x, double y) {
  switch (item.shape) {
    case LegendItem::Shape::Line:
    case LegendItem::Shape::DashedLine:
      svg.line(x, y, x + 18, y, {item.color, 2.5, item.shape == LegendItem::Shape::DashedLine ? "5 3" : ""});
      break;
    case LegendItem::Shape::Box:
      svg.rect(x + 3, y - 6, 12, 12, item.color, 1, nullptr, 2);
      break;
    case LegendItem::Shape::Dot:
      svg.circle(x + 9, y, 4.5, item.color);
      break;
  }
}
}  // namespace

namespace {
// The title's words in lines that fit `width` (a word longer than a line gets a line of its own).
std::vector<std::string> wrap_words(const std::string& text, double width, double font_size) {
  constexpr double kBoldWidening = 1.08;  // text_width measures regular weight
  std::vector<std::string> lines;
  std::string line, word;
  std::istringstream words(text);
  while (words >> word) {
    std::string longer = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_width(longer, font_size) * kBoldWidening > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = longer;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}
}  // namespace

double draw_header(Svg& svg, const std::string& title, const std::vector<LegendItem>& legend) {
  double y = kPad;
  if (!title.empty()) {
    for (const std::string& line : wrap_words(title, svg.width() - 2 * kPad, kTitleSize)) {
      svg.text(kPad, y + kTitleSize, line, {kTitleSize, Anchor::Start, kInk, true});
      y += kTitleSize * 1.3;
    }
    y += 10 - kTitleSize * 0.3;
  }
  if (!legend.empty()) {
    double x = kPad, row_y = y + kLegendSize / 2 + 2;
    for (const auto& item : legend) {
      double item_width = 24 + text_width(item.label, kLegendSize) + 16;
      if (x > kPad && x + item_width > svg.width() - kPad) x = kPad, row_y += kLegendSize + 8;
      draw_legend_marker(svg, item, x, row_y);
      svg.text(x + 24, row_y, item.label, {kLegendSize, Anchor::Start, kInk, false, 0, "middle"});
      x += item_width;
    }
    y = row_y + kLegendSize / 2 + 6;
  }
  return y + 8;
}

double y_axis_margin(const Ticks& ticks, const std::string& label) {
  double widest = 0;
  for (double v : ticks.values) widest = std::max(widest, text_width(ticks.label(v), kTickSize));
  return kPad + (label.empty() ? 0 : kLabelSize + 10) + widest + 8;
}

void draw_y_axis(Svg& svg, const Frame& frame, const LinearScale& y, const Ticks& ticks, const std::string& label) {
  for (double v : ticks.values) {
    double py = y(v);
    svg.line(frame.left, py, frame.right, py, {kGrid, 1});
    svg.text(frame.left - 8, py, ticks.label(v), {kTickSize, Anchor::End, kMutedInk, false, 0, "middle"});
  }
  if (!label.empty())
    svg.text(kPad + kLabelSize - 2, (frame.top + frame.bottom) / 2, label,
             {kLabelSize, Anchor::Middle, kInk, false, -90});
}

void draw_x_axis(Svg& svg, const Frame& frame, const LinearScale& x, const Ticks& ticks, const std::string& label,
                 bool grid) {
  for (double v : ticks.values) {
    double px = x(v);
    if (grid) svg.line(px, frame.top, px, frame.bottom, {kGrid, 1});
    svg.line(px, frame.bottom, px, frame.bottom + 4, {kAxis, 1});
    svg.text(px, frame.bottom + 18, ticks.label(v), {kTickSize, Anchor::Middle, kMutedInk});
  }
  svg.line(frame.left, frame.bottom, frame.right, frame.bottom, {kAxis, 1});
  if (!label.empty())
    svg.text((frame.left + frame.right) / 2, frame.bottom + 40, label, {kLabelSize, Anchor::Middle, kInk});
}

}  // namespace hito::plot
