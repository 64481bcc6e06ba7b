// RGB raster images for the report (image grids, saliency overlays): an 8-bit (height, width, 3)
// pixel buffer with clipped drawing, pasting and antialiased resizing.
#pragma once

#include <cstdint>
#include <vector>

#include "plot/colors.h"
#include "engine/tensor.h"

namespace hito::plot {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // (height, width, 3), row-major

  RgbImage() = default;
  RgbImage(int width, int height, Rgb fill = {255, 255, 255});

  bool empty() const { return width == 0 || height == 0; }
  Rgb at(int x, int y) const;
  void set(int x, int y, Rgb color);                      // ignored outside the image
  void fill_rect(int x, int y, int w, int h, Rgb color);  // clipped to the image
  void paste(const RgbImage& source, int x, int y);       // top-left at (x, y), clipped
};

// From u8 pixels (height, width, 3), e.g. an image-cache view.
RgbImage image_from_tensor(const Tensor& hwc_u8);

// Resized to new_width x new_height with a triangle filter stretched by the shrink factor: area-like
// averaging when shrinking (no aliasing), bilinear interpolation when enlarging; edges replicated.
RgbImage resize_image(const RgbImage& image, int new_width, int new_height);
// The same resampling for one float plane (height, width), e.g. a Grad-CAM map.
std::vector<float> resize_plane(const std::vector<float>& plane, int width, int height, int new_width, int new_height);

}  // namespace hito::plot
