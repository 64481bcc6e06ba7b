// Training-time image augmentation: random resized crop, horizontal/vertical flips and 90-degree
// rotations on the u8 pixels, then a small colour jitter (brightness, contrast, saturation) on the
// [0, 1] floats. Every draw comes from the Generator passed in, so a sample's augmentation is fixed
// by (seed, epoch, row) whatever thread makes it.
#pragma once

#include <cstdint>

#include "engine/random.h"

namespace hito::data {

struct AugmentOptions {
  bool flips = true;             // horizontal and vertical, each with probability 1/2
  bool rotate90 = true;          // a multiple of 90 degrees (square images; 0 or 180 otherwise)
  float brightness = 0.1f;       // factors drawn in [1 - x, 1 + x]; 0 = off
  float contrast = 0.1f;
  float saturation = 0.1f;
  float crop_min_area = 0.75f;   // random resized crop keeps an area fraction in [this, 1]; 1 = off
  float crop_max_aspect = 4.0f / 3.0f;  // and an aspect ratio in [1 / this, this]
};

// src, out: u8 (height, width, 3); out receives the cropped, flipped, rotated image (same size).
void augment_geometry(const uint8_t* src, int64_t height, int64_t width, uint8_t* out, const AugmentOptions& options,
                      Generator& gen);
// chw: f32 (3, height, width) in [0, 1], changed in place and kept in [0, 1].
void augment_colour(float* chw, int64_t height, int64_t width, const AugmentOptions& options, Generator& gen);

}  // namespace hito::data
