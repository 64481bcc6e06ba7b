// Resizing 8-bit images to the model's size. Along each axis: area averaging when shrinking (each
// output pixel is the mean of the source area it covers, partial pixels weighted by their overlap),
// bilinear interpolation (pixel centres at +0.5, edges clamped) when enlarging. The two axes are
// independent: each uses whichever of the two its own scale factor calls for.
#pragma once

#include <cstdint>
#include <string>

#include "data/image.h"

namespace hito::data {

// How an image of another aspect ratio reaches (height, width):
//   Stretch: scale each axis on its own (distorts the shape);
//   Crop:    keep the aspect, scale to cover the target, cut the centre;
//   Pad:     keep the aspect, scale to fit inside the target, centre it on black.
enum class ResizeMode { Stretch, Crop, Pad };

const char* resize_mode_name(ResizeMode mode);  // "stretch", "crop", "pad"
ResizeMode parse_resize_mode(const std::string& name);

// A rectangle of the source in pixel units (continuous: x in [x0, x0 + w)); must lie inside it.
struct Region {
  double y0 = 0, x0 = 0, height = 0, width = 0;
};

// Resamples `region` of src (H, W, C) into out (out_h, out_w, C) (raw buffers, row-major).
void resize_region(const uint8_t* src, int64_t height, int64_t width, int64_t channels, const Region& region, uint8_t* out,
                   int64_t out_height, int64_t out_width);

// The whole image at (height, width), following `mode`.
Image resize_image(const Image& src, int64_t height, int64_t width, ResizeMode mode = ResizeMode::Stretch);
// The same, written into out (height, width, src.channels).
void resize_image_into(const Image& src, int64_t height, int64_t width, ResizeMode mode, uint8_t* out);

}  // namespace hito::data
