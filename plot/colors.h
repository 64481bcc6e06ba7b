// The report's colours: a categorical palette for series (colour-blind-safe ordering of the
// Tableau 10 hues), a sequential white-to-blue ramp for heat maps, and a jet-like map for overlays
// of saliency on images. Shared by the SVG plots and the raster images so that both look alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hito::plot {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  std::string hex() const;  // "#rrggbb"
  // Relative luminance in [0, 1] (sRGB weights); text on a colour darker than 0.45 should be white.
  double luminance() const;
};

// The colour of series i (cycles after 10).
Rgb series_color(size_t i);
// Linear interpolation a -> b for t in [0, 1].
Rgb mix(Rgb a, Rgb b, double t);
// White (t = 0) to deep blue (t = 1) through light blues; t is clamped to [0, 1].
Rgb sequential_blue(double t);
// The classic jet map: dark blue (0) -> blue -> cyan -> yellow -> red -> dark red (1); t clamped.
Rgb jet(double t);

// Neutral tones of the plots.
inline constexpr const char* kInk = "#2b2f36";        // titles and labels
inline constexpr const char* kMutedInk = "#5f6670";   // tick labels, notes
inline constexpr const char* kGrid = "#e6e8eb";       // grid lines
inline constexpr const char* kAxis = "#9aa0a8";       // axis lines
inline constexpr const char* kReference = "#c0392b";  // reference lines (chance level, overall score)

}  // namespace hito::plot
