// Image grids with captions (samples per class, Grad-CAM overlays with true and predicted labels) and
// the jet-coloured heat-map overlay that saliency methods draw on an image.
#pragma once

#include <string>
#include <vector>

#include "plot/colors.h"
#include "plot/raster.h"

namespace hito::plot {

struct CaptionLine {
  std::string text;
  Rgb color = {43, 47, 54};
};

struct GridTile {
  RgbImage image;
  std::vector<CaptionLine> caption;  // lines under the image, wrapped at the tile width
  Rgb border = {255, 255, 255};      // a 3-pixel frame (e.g. green: right, red: wrong); white: none
};

struct GridOptions {
  int columns = 4;
  int tile_size = 192;  // each image is scaled to fit a tile_size square, keeping its aspect ratio
  int gap = 14;         // pixels between tiles and around the grid
  int font_scale = 2;   // caption pixels per font pixel
  std::string title;    // drawn above the grid when not empty
  Rgb background = {255, 255, 255};
};

// All tiles in rows of `columns`; every row is as tall as its longest caption needs.
// Requires at least one tile and non-empty images.
RgbImage compose_grid(const std::vector<GridTile>& tiles, const GridOptions& options = {});

struct OverlayOptions {
  double alpha = 0.45;    // weight of the colour map over the image
  bool normalize = true;  // stretch the heat map's [min, max] to [0, 1]; else clamp values to [0, 1]
};

// The image with `heat` (heat_height x heat_width, any size: resized to the image) drawn over it in
// the jet colour map: out = (1 - alpha) image + alpha jet(heat).
RgbImage overlay_heat_map(const RgbImage& image, const std::vector<float>& heat, int heat_width, int heat_height,
                          const OverlayOptions& options = {});

// A horizontal jet colour bar with "low" and "high" written under its ends, for a grid's legend.
RgbImage jet_colour_bar(int width, int font_scale = 2);

// `text` broken into lines of at most `max_chars` characters, at spaces where possible.
std::vector<std::string> wrap_text(const std::string& text, size_t max_chars);

}  // namespace hito::plot
