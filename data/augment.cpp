// Augmentation: crop through resize_region, flips and rotations as an index map, colour as blends.
#include "data/augment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "data/resize.h"

namespace hito::data {

void augment_geometry(const uint8_t* src, int64_t height, int64_t width, uint8_t* out, const AugmentOptions& options,
                      Generator& gen) {
  constexpr int64_t C = 3;
  std::vector<uint8_t> cropped(src, src + height * width * C);
  if (options.crop_min_area < 1.0f) {
    float area = gen.uniform(options.crop_min_area, 1.0f);
    float log_max = std::log(options.crop_max_aspect);
    float aspect = std::exp(gen.uniform(-log_max, log_max));  // crop width/height relative to the image's
    double crop_w = std::min<double>(width, width * std::sqrt(area * aspect));
    double crop_h = std::min<double>(height, height * std::sqrt(area / aspect));
    Region region{gen.uniform() * (height - crop_h), gen.uniform() * (width - crop_w), crop_h, crop_w};
    resize_region(src, height, width, C, region, cropped.data(), height, width);
  }
  bool flip_x = options.flips && gen.uniform() < 0.5f;
  bool flip_y = options.flips && gen.uniform() < 0.5f;
  int64_t quarter_turns = 0;
  if (options.rotate90) quarter_turns = height == width ? gen.integer(4) : 2 * gen.integer(2);
  // Output pixel (y, x) reads source (sy, sx): rotate first, then flip.
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      int64_t ty = flip_y ? height - 1 - y : y, tx = flip_x ? width - 1 - x : x;
      int64_t sy = ty, sx = tx;
      switch (quarter_turns) {
        case 1: sy = tx, sx = width - 1 - ty; break;             // 90 degrees counter-clockwise
        case 2: sy = height - 1 - ty, sx = width - 1 - tx; break;
        case 3: sy = height - 1 - tx, sx = ty; break;
        default: break;
      }
      const uint8_t* p = cropped.data() + (sy * width + sx) * C;
      uint8_t* q = out + (y * width + x) * C;
      q[0] = p[0], q[1] = p[1], q[2] = p[2];
    }
  }
}

void augment_colour(float* chw, int64_t height, int64_t width, const AugmentOptions& options, Generator& gen) {
  int64_t plane = height * width;
  float brightness = 1.0f + gen.uniform(-options.brightness, options.brightness);
  float contrast = 1.0f + gen.uniform(-options.contrast, options.contrast);
  float saturation = 1.0f + gen.uniform(-options.saturation, options.saturation);
  float* r = chw;
  float* g = chw + plane;
  float* b = chw + 2 * plane;
  // Luma (ITU-R BT.601), the grey that contrast and saturation blend towards.
  auto luma = [&](int64_t i) { return 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i]; };
  double mean_luma = 0.0;
  for (int64_t i = 0; i < plane; ++i) mean_luma += luma(i);
  float grey = static_cast<float>(mean_luma / static_cast<double>(plane)) * brightness;
  for (int64_t i = 0; i < plane; ++i) {
    float* px[3] = {r + i, g + i, b + i};
    for (float* v : px) *v = std::clamp(*v * brightness, 0.0f, 1.0f);
    for (float* v : px) *v = std::clamp((*v - grey) * contrast + grey, 0.0f, 1.0f);
    float y = luma(i);
    for (float* v : px) *v = std::clamp((*v - y) * saturation + y, 0.0f, 1.0f);
  }
}

}  // namespace hito::data
