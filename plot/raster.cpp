// RGB images and resampling (see image.h).
#include "plot/raster.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace hito::plot {

RgbImage::RgbImage(int w, int h, Rgb fill) : width(w), height(h) {
  HITO_CHECK(w >= 0 && h >= 0, "image size ", w, " x ", h, " is negative");
  pixels.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < pixels.size(); i += 3) pixels[i] = fill.r, pixels[i + 1] = fill.g, pixels[i + 2] = fill.b;
}

Rgb RgbImage::at(int x, int y) const {
  HITO_CHECK(x >= 0 && y >= 0 && x < width && y < height, "pixel (", x, ", ", y, ") outside a ", width, " x ", height,
             " image");
  const uint8_t* p = &pixels[(static_cast<size_t>(y) * width + x) * 3];
  return {p[0], p[1], p[2]};
}

void RgbImage::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  uint8_t* p = &pixels[(static_cast<size_t>(y) * width + x) * 3];
  p[0] = c.r, p[1] = c.g, p[2] = c.b;
}

void RgbImage::fill_rect(int x, int y, int w, int h, Rgb c) {
  for (int yy = std::max(0, y); yy < std::min(height, y + h); ++yy)
    for (int xx = std::max(0, x); xx < std::min(width, x + w); ++xx) set(xx, yy, c);
}

void RgbImage::paste(const RgbImage& source, int x, int y) {
  for (int sy = 0; sy < source.height; ++sy)
    for (int sx = 0; sx < source.width; ++sx) set(x + sx, y + sy, source.at(sx, sy));
}

RgbImage image_from_tensor(const Tensor& hwc_u8) {
  HITO_CHECK(hwc_u8.dim() == 3 && hwc_u8.size(2) == 3 && hwc_u8.dtype() == DType::U8,
             "an RGB image needs a u8 tensor (height, width, 3), got ", hwc_u8.describe());
  RgbImage image(static_cast<int>(hwc_u8.size(1)), static_cast<int>(hwc_u8.size(0)));
  image.pixels = hwc_u8.to_vector<uint8_t>();
  return image;
}

namespace {
// One output sample of a 1-D resampling: the weighted sum of inputs first .. first + weights.size()-1.
struct Taps {
  int first = 0;
  std::vector<float> weights;
};

// Taps of a triangle filter of half-width max(1, n_in / n_out) input samples, centred on each output
// sample's position in the input; indices beyond the edges are folded onto the edge sample.
std::vector<Taps> resampling_taps(int n_in, int n_out) {
  const double scale = static_cast<double>(n_in) / n_out, support = std::max(1.0, scale);
  std::vector<Taps> taps(n_out);
  for (int i = 0; i < n_out; ++i) {
    const double centre = (i + 0.5) * scale;
    const int lo = static_cast<int>(std::floor(centre - support)), hi = static_cast<int>(std::ceil(centre + support));
    Taps& t = taps[i];
    t.first = std::clamp(lo, 0, n_in - 1);
    t.weights.assign(std::clamp(hi, 0, n_in - 1) - t.first + 1, 0.0f);
    double total = 0;
    for (int j = lo; j <= hi; ++j) {
      double w = std::max(0.0, 1.0 - std::abs((j + 0.5 - centre) / support));
      t.weights[std::clamp(j, 0, n_in - 1) - t.first] += static_cast<float>(w);
      total += w;
    }
    for (float& w : t.weights) w = static_cast<float>(w / total);
  }
  return taps;
}

// Resamples interleaved float samples (height, width, channels): rows first, then columns.
std::vector<float> resample(const std::vector<float>& in, int width, int height, int channels, int new_width,
                            int new_height) {
  HITO_CHECK(width > 0 && height > 0 && new_width > 0 && new_height > 0, "cannot resize ", width, " x ", height, " to ",
             new_width, " x ", new_height);
  HITO_CHECK(in.size() == static_cast<size_t>(width) * height * channels, "resize: ", in.size(), " samples for ", width,
             " x ", height, " x ", channels);
  const auto across = resampling_taps(width, new_width), down = resampling_taps(height, new_height);
  std::vector<float> rows(static_cast<size_t>(new_width) * height * channels, 0.0f);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < new_width; ++x)
      for (size_t k = 0; k < across[x].weights.size(); ++k)
        for (int c = 0; c < channels; ++c)
          rows[(static_cast<size_t>(y) * new_width + x) * channels + c] +=
              across[x].weights[k] * in[(static_cast<size_t>(y) * width + across[x].first + k) * channels + c];
  std::vector<float> out(static_cast<size_t>(new_width) * new_height * channels, 0.0f);
  for (int y = 0; y < new_height; ++y)
    for (size_t k = 0; k < down[y].weights.size(); ++k)
      for (int x = 0; x < new_width; ++x)
        for (int c = 0; c < channels; ++c)
          out[(static_cast<size_t>(y) * new_width + x) * channels + c] +=
              down[y].weights[k] * rows[((down[y].first + k) * new_width + x) * channels + c];
  return out;
}
}  // namespace

RgbImage resize_image(const RgbImage& image, int new_width, int new_height) {
  std::vector<float> samples(image.pixels.begin(), image.pixels.end());
  std::vector<float> resized = resample(samples, image.width, image.height, 3, new_width, new_height);
  RgbImage out(new_width, new_height);
  for (size_t i = 0; i < resized.size(); ++i)
    out.pixels[i] = static_cast<uint8_t>(std::clamp(std::lround(resized[i]), 0L, 255L));
  return out;
}

std::vector<float> resize_plane(const std::vector<float>& plane, int width, int height, int new_width, int new_height) {
  return resample(plane, width, height, 1, new_width, new_height);
}

}  // namespace hito::plot
