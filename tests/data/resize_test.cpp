// Resizing against a naive two-dimensional reference (area overlap computed per output pixel in
// double precision, or bilinear from pixel centres), against PyTorch and NumPy goldens, and the
// geometry of the crop and pad modes.
#include <gtest/gtest.h>

#include <cmath>

#include "data/npy.h"
#include "data/resize.h"
#include "engine/random.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

using testing::fixture_path;

Image random_image(int64_t h, int64_t w, uint64_t seed) {
  Generator gen(seed);
  Image image(h, w, 3);
  for (uint8_t& p : image.pixels) p = static_cast<uint8_t>(gen.integer(256));
  return image;
}

// The reference: each output pixel straight from the definition, one axis at a time in closed form.
double reference_weight(int64_t i, int64_t j, int64_t size, double start, double length, int64_t out) {
  double scale = length / out;
  if (scale > 1) {
    double lo = start + j * scale, hi = lo + scale;
    return std::max(0.0, std::min<double>(hi, i + 1) - std::max<double>(lo, i)) / scale;
  }
  double x = std::clamp(start + (j + 0.5) * scale - 0.5, 0.0, double(size - 1));
  double i0 = std::floor(x), t = x - i0;
  if (i == int64_t(i0)) return 1 - t + (int64_t(i0) == size - 1 ? t : 0.0);
  if (i == int64_t(i0) + 1) return t;
  return 0.0;
}

std::vector<double> reference_resize(const Image& src, const Region& r, int64_t oh, int64_t ow) {
  std::vector<double> out(size_t(oh * ow * 3), 0.0);
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t x = 0; x < ow; ++x)
      for (int64_t sy = 0; sy < src.height; ++sy) {
        double wy = reference_weight(sy, y, src.height, r.y0, r.height, oh);
        if (wy == 0) continue;
        for (int64_t sx = 0; sx < src.width; ++sx) {
          double wx = reference_weight(sx, x, src.width, r.x0, r.width, ow);
          for (int c = 0; c < 3; ++c) out[size_t((y * ow + x) * 3 + c)] += wy * wx * src.at(sy, sx)[c];
        }
      }
  return out;
}

// Our u8 output is the reference rounded: within half a level plus float error.
void expect_matches_reference(const Image& src, const Region& region, int64_t oh, int64_t ow) {
  std::vector<uint8_t> out(size_t(oh * ow * 3));
  resize_region(src.pixels.data(), src.height, src.width, 3, region, out.data(), oh, ow);
  std::vector<double> expected = reference_resize(src, region, oh, ow);
  for (size_t i = 0; i < out.size(); ++i)
    ASSERT_LE(std::abs(out[i] - expected[i]), 0.5 + 1e-3)
        << "element " << i << " of " << src.height << "x" << src.width << " -> " << oh << "x" << ow;
}

TEST(Resize, MatchesTheNaiveReference) {
  Image src = random_image(17, 23, 3);
  expect_matches_reference(src, {0, 0, 17, 23}, 5, 7);      // shrink both (non-integer factors)
  expect_matches_reference(src, {0, 0, 17, 23}, 40, 51);    // enlarge both
  expect_matches_reference(src, {0, 0, 17, 23}, 6, 50);     // shrink one, enlarge the other
  expect_matches_reference(src, {0, 0, 17, 23}, 17, 23);    // same size
  expect_matches_reference(src, {2.5, 3.25, 9.5, 12}, 4, 30); // a fractional region
}

TEST(Resize, SameSizeIsACopyAndConstantsStayConstant) {
  Image src = random_image(8, 9, 4);
  EXPECT_EQ(resize_image(src, 8, 9).pixels, src.pixels);
  Image flat(13, 7, 3, 77);
  for (auto [h, w] : std::vector<std::pair<int, int>>{{5, 3}, {30, 20}, {13, 2}})
    for (ResizeMode mode : {ResizeMode::Stretch, ResizeMode::Crop})
      for (uint8_t p : resize_image(flat, h, w, mode).pixels) ASSERT_EQ(p, 77);
}

TEST(Resize, MatchesPyTorchAndNumpyGoldens) {
  Tensor src_t = load_npy(fixture_path("data/resize_src.npy"));
  Image src = tensor_to_image(src_t);
  // PyTorch bilinear upsampling, rounded.
  Image up = resize_image(src, 20, 31);
  std::vector<float> torch_up = load_npy(fixture_path("data/resize_bilinear_20x31.npy")).to_vector<float>();
  for (size_t i = 0; i < torch_up.size(); ++i) ASSERT_LE(std::abs(up.pixels[i] - torch_up[i]), 0.5f + 1e-3f) << i;
  // PyTorch average pooling by 3 = area averaging by an integer factor.
  Image pool_src = tensor_to_image(load_npy(fixture_path("data/resize_pool_src.npy")));
  Image pooled = resize_image(pool_src, 4, 6);
  std::vector<float> torch_pool = load_npy(fixture_path("data/resize_area_4x6.npy")).to_vector<float>();
  for (size_t i = 0; i < torch_pool.size(); ++i) ASSERT_LE(std::abs(pooled.pixels[i] - torch_pool[i]), 0.5f + 1e-3f) << i;
  // Exact area averaging by fractional factors (NumPy overlap matrices).
  Image area = resize_image(src, 5, 7);
  std::vector<float> numpy_area = load_npy(fixture_path("data/resize_area_5x7.npy")).to_vector<float>();
  for (size_t i = 0; i < numpy_area.size(); ++i) ASSERT_LE(std::abs(area.pixels[i] - numpy_area[i]), 0.5f + 1e-3f) << i;
}

TEST(Resize, CropTakesTheCentreAndPadCentresOnBlack) {
  Image wide = random_image(10, 20, 5);
  // Crop to a square: the centre 10x10 of the source.
  Image crop = resize_image(wide, 10, 10, ResizeMode::Crop);
  for (int64_t y = 0; y < 10; ++y)
    for (int64_t x = 0; x < 10; ++x)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(crop.at(y, x)[c], wide.at(y, x + 5)[c]);
  // Pad to a square: the whole image at 10x20 -> 5x10, on rows 2..6, black above and below.
  Image pad = resize_image(wide, 10, 10, ResizeMode::Pad);
  Image inner = resize_image(wide, 5, 10);
  for (int64_t y = 0; y < 10; ++y)
    for (int64_t x = 0; x < 10; ++x)
      for (int c = 0; c < 3; ++c) {
        bool inside = y >= 2 && y < 7;
        ASSERT_EQ(pad.at(y, x)[c], inside ? inner.at(y - 2, x)[c] : 0) << y << "," << x;
      }
  EXPECT_EQ(parse_resize_mode("crop"), ResizeMode::Crop);
  EXPECT_THROW(parse_resize_mode("zoom"), Error);
}

}  // namespace
}  // namespace hito::data
