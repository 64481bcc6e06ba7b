// Colour maps and the series palette (see colors.h).
#include "plot/colors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hito::plot {

std::string Rgb::hex() const {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", r, g, b);
  return buffer;
}

double Rgb::luminance() const { return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0; }

Rgb series_color(size_t i) {
  // Tableau 10, reordered so that the first few are distinguishable with common colour blindness.
  static const Rgb palette[] = {{78, 121, 167},  {242, 142, 43}, {89, 161, 79},  {225, 87, 89},   {176, 122, 161},
                                {118, 183, 178}, {237, 201, 72}, {156, 117, 95}, {255, 157, 167}, {186, 176, 172}};
  return palette[i % (sizeof palette / sizeof palette[0])];
}

Rgb mix(Rgb a, Rgb b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto channel = [t](uint8_t x, uint8_t y) { return static_cast<uint8_t>(std::lround(x + (y - x) * t)); };
  return {channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b)};
}

Rgb sequential_blue(double t) {
  // Piecewise-linear through five stops, white to navy.
  static const Rgb stops[] = {{247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}};
  constexpr int segments = 4;
  double x = std::clamp(t, 0.0, 1.0) * segments;
  int i = std::min(static_cast<int>(x), segments - 1);
  return mix(stops[i], stops[i + 1], x - i);
}

Rgb jet(double t) {
  // Each channel is a trapezoid in t: clamp(1.5 - |4t - c|) with c = 3 (red), 2 (green), 1 (blue).
  t = std::clamp(t, 0.0, 1.0);
  auto channel = [t](double centre) {
    return static_cast<uint8_t>(std::lround(255.0 * std::clamp(1.5 - std::abs(4.0 * t - centre), 0.0, 1.0)));
  };
  return {channel(3.0), channel(2.0), channel(1.0)};
}

}  // namespace hito::plot
