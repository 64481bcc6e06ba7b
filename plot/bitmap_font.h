// A tiny built-in bitmap font (5 x 7 pixel glyphs for printable ASCII) to write labels onto raster
// images without a font library: captions of image grids, true and predicted classes on Grad-CAM
// overlays. Characters outside printable ASCII are drawn as '?' (one per UTF-8 character).
#pragma once

#include <string_view>

#include "plot/colors.h"
#include "plot/raster.h"

namespace hito::plot {

constexpr int kGlyphWidth = 5, kGlyphHeight = 7;
constexpr int kGlyphAdvance = kGlyphWidth + 1;  // one blank column between characters
constexpr int kDescent = 2;                     // rows below the baseline (tails of g, p, q, y)

// The 7 rows of 5 pixels of a printable ASCII character, as 35 characters of '#' (ink) and '.'
// (background) in 7 space-separated groups; null for characters outside ' '..'~'.
const char* glyph_rows(char c);
// Whether the glyph is drawn kDescent rows lower (letters with a tail below the baseline).
bool glyph_descends(char c);

// Width and height in pixels of `text` drawn at integer `scale` (one line, descenders included).
int bitmap_text_width(std::string_view text, int scale);
inline int bitmap_text_height(int scale) { return (kGlyphHeight + kDescent) * scale; }

// Draws `text` with its top-left corner at (x, y), each font pixel a scale x scale block; pixels
// outside the image are clipped.
void draw_text(RgbImage& image, int x, int y, std::string_view text, Rgb color, int scale = 1);

}  // namespace hito::plot
