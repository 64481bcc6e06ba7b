// Separable resampling: per-axis weight tables (area overlap or bilinear), applied along x into a
// float buffer and then along y, rounding to the nearest 8-bit value.
#include "data/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/error.h"

namespace hito::data {

namespace {

// For each output index j: source indices [first[j], first[j] + count[j]) with weights summing to 1.
struct AxisWeights {
  std::vector<int64_t> first, count;
  std::vector<float> weights;  // concatenated, count[j] per output
  std::vector<int64_t> offset; // start of output j's weights
};

// Maps the source interval [start, start + length) of an axis of `size` pixels onto `out` pixels.
AxisWeights axis_weights(int64_t size, double start, double length, int64_t out) {
  AxisWeights w;
  double scale = length / static_cast<double>(out);  // source pixels per output pixel
  for (int64_t j = 0; j < out; ++j) {
    w.offset.push_back(static_cast<int64_t>(w.weights.size()));
    if (scale > 1.0) {
      // Area: output j covers [lo, hi); source pixel i covers [i, i + 1); weight = overlap / scale.
      double lo = start + j * scale, hi = lo + scale;
      int64_t i0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(lo)));
      int64_t i1 = std::min<int64_t>(size, static_cast<int64_t>(std::ceil(hi)));
      w.first.push_back(i0);
      for (int64_t i = i0; i < i1; ++i) {
        double overlap = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        w.weights.push_back(static_cast<float>(std::max(overlap, 0.0) / scale));
      }
      w.count.push_back(i1 - i0);
    } else {
      // Bilinear: the centre of output j sits at source coordinate x (pixel centres at i + 0.5).
      double x = start + (j + 0.5) * scale - 0.5;
      x = std::clamp(x, 0.0, static_cast<double>(size - 1));
      int64_t i0 = static_cast<int64_t>(std::floor(x));
      int64_t i1 = std::min(i0 + 1, size - 1);
      float t = static_cast<float>(x - i0);
      w.first.push_back(i0);
      if (i1 == i0 || t == 0.0f) {
        w.weights.push_back(1.0f);
        w.count.push_back(1);
      } else {
        w.weights.push_back(1.0f - t);
        w.weights.push_back(t);
        w.count.push_back(2);
      }
    }
  }
  return w;
}

uint8_t to_u8(float v) { return static_cast<uint8_t>(std::clamp(std::floor(v + 0.5f), 0.0f, 255.0f)); }

}  // namespace

const char* resize_mode_name(ResizeMode mode) {
  switch (mode) {
    case ResizeMode::Stretch: return "stretch";
    case ResizeMode::Crop: return "crop";
    case ResizeMode::Pad: return "pad";
  }
  return "?";
}

ResizeMode parse_resize_mode(const std::string& name) {
  if (name == "stretch") return ResizeMode::Stretch;
  if (name == "crop") return ResizeMode::Crop;
  HITO_CHECK(name == "pad", "resize mode must be stretch, crop or pad, got '", name, "'");
  return ResizeMode::Pad;
}

void resize_region(const uint8_t* src, int64_t height, int64_t width, int64_t channels, const Region& region, uint8_t* out,
                   int64_t out_height, int64_t out_width) {
  HITO_CHECK(height > 0 && width > 0 && out_height > 0 && out_width > 0, "resize: empty image (", height, "x", width,
             " -> ", out_height, "x", out_width, ")");
  constexpr double kSlack = 1e-9;
  HITO_CHECK(region.y0 >= -kSlack && region.x0 >= -kSlack && region.height > 0 && region.width > 0 &&
                 region.y0 + region.height <= height + 1e-6 && region.x0 + region.width <= width + 1e-6,
             "resize: region (", region.y0, ", ", region.x0, ", ", region.height, "x", region.width,
             ") is not inside the ", height, "x", width, " image");
  AxisWeights wx = axis_weights(width, region.x0, region.width, out_width);
  AxisWeights wy = axis_weights(height, region.y0, region.height, out_height);

  // Along x, only for the source rows some output row reads.
  int64_t row_begin = wy.first.front();
  int64_t row_end = wy.first.back() + wy.count.back();
  std::vector<float> rows(static_cast<size_t>((row_end - row_begin) * out_width * channels));
  for (int64_t y = row_begin; y < row_end; ++y) {
    const uint8_t* src_row = src + y * width * channels;
    float* dst = rows.data() + (y - row_begin) * out_width * channels;
    for (int64_t j = 0; j < out_width; ++j) {
      const float* weight = wx.weights.data() + wx.offset[j];
      for (int64_t c = 0; c < channels; ++c) {
        float sum = 0.0f;
        for (int64_t k = 0; k < wx.count[j]; ++k) sum += weight[k] * src_row[(wx.first[j] + k) * channels + c];
        dst[j * channels + c] = sum;
      }
    }
  }
  // Along y.
  int64_t row_size = out_width * channels;
  std::vector<float> acc(static_cast<size_t>(row_size));
  for (int64_t i = 0; i < out_height; ++i) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    const float* weight = wy.weights.data() + wy.offset[i];
    for (int64_t k = 0; k < wy.count[i]; ++k) {
      const float* src_row = rows.data() + (wy.first[i] + k - row_begin) * row_size;
      for (int64_t e = 0; e < row_size; ++e) acc[e] += weight[k] * src_row[e];
    }
    uint8_t* dst = out + i * row_size;
    for (int64_t e = 0; e < row_size; ++e) dst[e] = to_u8(acc[e]);
  }
}

void resize_image_into(const Image& src, int64_t height, int64_t width, ResizeMode mode, uint8_t* out) {
  HITO_CHECK(src.height > 0 && src.width > 0, "resize: empty source image");
  double sh = static_cast<double>(src.height), sw = static_cast<double>(src.width);
  if (mode == ResizeMode::Stretch) {
    resize_region(src.pixels.data(), src.height, src.width, src.channels, {0, 0, sh, sw}, out, height, width);
  } else if (mode == ResizeMode::Crop) {
    // The largest centred source rectangle with the target's aspect ratio.
    double target_aspect = static_cast<double>(width) / static_cast<double>(height);
    double region_w = std::min(sw, sh * target_aspect), region_h = std::min(sh, sw / target_aspect);
    Region region{(sh - region_h) / 2, (sw - region_w) / 2, region_h, region_w};
    resize_region(src.pixels.data(), src.height, src.width, src.channels, region, out, height, width);
  } else {
    // Scale to fit inside, then centre on black.
    double scale = std::min(static_cast<double>(height) / sh, static_cast<double>(width) / sw);
    int64_t inner_h = std::clamp<int64_t>(std::llround(sh * scale), 1, height);
    int64_t inner_w = std::clamp<int64_t>(std::llround(sw * scale), 1, width);
    std::vector<uint8_t> inner(static_cast<size_t>(inner_h * inner_w * src.channels));
    resize_region(src.pixels.data(), src.height, src.width, src.channels, {0, 0, sh, sw}, inner.data(), inner_h, inner_w);
    std::memset(out, 0, static_cast<size_t>(height * width * src.channels));
    int64_t top = (height - inner_h) / 2, left = (width - inner_w) / 2;
    for (int64_t y = 0; y < inner_h; ++y)
      std::memcpy(out + ((top + y) * width + left) * src.channels, inner.data() + y * inner_w * src.channels,
                  static_cast<size_t>(inner_w * src.channels));
  }
}

Image resize_image(const Image& src, int64_t height, int64_t width, ResizeMode mode) {
  Image out(height, width, src.channels);
  resize_image_into(src, height, width, mode, out.pixels.data());
  return out;
}

}  // namespace hito::data
