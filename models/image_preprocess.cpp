// PIL-compatible bilinear resize and normalisation (see image_preprocess.h).
#include "models/image_preprocess.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace hito {

namespace {

constexpr int kPrecisionBits = 22;  // PIL's: 32 bits minus 8 for the pixel and 2 for headroom

// The filter taps of each output pixel along one axis: source pixels [first, first + taps.size())
// with fixed-point weights that sum to about 1 << kPrecisionBits.
struct Taps {
  int64_t first;
  std::vector<int64_t> weights;
};

std::vector<Taps> axis_taps(int64_t in_size, int64_t out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);  // widen the triangle when shrinking
  const double support = filter_scale;               // the triangle's half-width is 1
  std::vector<Taps> all(out_size);
  for (int64_t j = 0; j < out_size; ++j) {
    const double center = (j + 0.5) * scale;
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in_size);
    std::vector<double> w;
    double total = 0.0;
    for (int64_t i = lo; i < hi; ++i) {
      const double x = std::abs((i - center + 0.5) / filter_scale);
      w.push_back(x < 1.0 ? 1.0 - x : 0.0);
      total += w.back();
    }
    all[j].first = lo;
    for (double v : w) {
      const double normalised = total != 0.0 ? v / total : 0.0;
      all[j].weights.push_back(static_cast<int64_t>(normalised * (1 << kPrecisionBits) + (normalised < 0 ? -0.5 : 0.5)));
    }
  }
  return all;
}

// One pass along x (horizontal) or y, rounding to 8 bits as PIL does between its passes.
data::Image resample(const data::Image& src, int64_t out_size, bool horizontal) {
  const int64_t in_size = horizontal ? src.width : src.height;
  const std::vector<Taps> taps = axis_taps(in_size, out_size);
  data::Image out(horizontal ? src.height : out_size, horizontal ? out_size : src.width, src.channels);
  for (int64_t y = 0; y < out.height; ++y)
    for (int64_t x = 0; x < out.width; ++x) {
      const Taps& t = taps[horizontal ? x : y];
      for (int64_t c = 0; c < src.channels; ++c) {
        int64_t acc = int64_t(1) << (kPrecisionBits - 1);
        for (size_t k = 0; k < t.weights.size(); ++k) {
          const int64_t i = t.first + static_cast<int64_t>(k);
          acc += t.weights[k] * (horizontal ? src.at(y, i) : src.at(i, x))[c];
        }
        out.at(y, x)[c] = static_cast<uint8_t>(std::clamp<int64_t>(acc >> kPrecisionBits, 0, 255));
      }
    }
  return out;
}

}  // namespace

data::Image resize_bilinear_pil(const data::Image& src, int64_t height, int64_t width) {
  HITO_CHECK(height > 0 && width > 0, "resize: target size must be positive, got ", height, "x", width);
  HITO_CHECK(src.height > 0 && src.width > 0, "resize: empty image");
  data::Image h = width == src.width ? src : resample(src, width, true);
  return height == h.height ? h : resample(h, height, false);
}

Tensor images_to_batch(const std::vector<data::Image>& images, const std::array<float, 3>& mean,
                       const std::array<float, 3>& std) {
  HITO_CHECK(!images.empty(), "images_to_batch: no images");
  const int64_t H = images[0].height, W = images[0].width;
  for (int c = 0; c < 3; ++c) HITO_CHECK(std[c] != 0.0f, "images_to_batch: std must not be 0");
  Tensor batch = Tensor::empty({static_cast<int64_t>(images.size()), 3, H, W});
  float* out = batch.data<float>();
  for (size_t n = 0; n < images.size(); ++n) {
    const data::Image& image = images[n];
    HITO_CHECK(image.height == H && image.width == W && image.channels == 3,
               "images_to_batch: every image must be RGB ", H, "x", W);
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < H * W; ++i)
        out[((n * 3 + c) * H * W) + i] = (image.pixels[i * 3 + c] / 255.0f - mean[c]) / std[c];
  }
  return batch;
}

}  // namespace hito
