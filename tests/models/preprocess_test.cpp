// The PIL-compatible resize (bit-identical to Image.resize(BILINEAR)) and batch normalisation.
#include <gtest/gtest.h>

#include "models/image_preprocess.h"
#include "tests/conv/conv_fixture.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

data::Image image_of(const Tensor& pixels) {
  data::Image image(pixels.size(0), pixels.size(1), pixels.size(2));
  std::vector<int64_t> values = pixels.to_vector<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) image.pixels[i] = static_cast<uint8_t>(values[i]);
  return image;
}

TEST(ResizeBilinearPil, IsBitIdenticalToPil) {
  testing::ConvFixture golden("resize.safetensors");
  data::Image source = image_of(golden["source"]);
  for (const char* name : {"pil_11x16", "pil_40x50"}) {
    data::Image expected = image_of(golden[name]);
    data::Image actual = resize_bilinear_pil(source, expected.height, expected.width);
    EXPECT_EQ(actual.pixels, expected.pixels) << name;
  }
  EXPECT_EQ(resize_bilinear_pil(source, source.height, source.width).pixels, source.pixels);
}

TEST(ImagesToBatch, NormalisesPerChannelIntoNchw) {
  data::Image image(1, 2, 3);
  image.pixels = {0, 51, 255, 102, 153, 204};  // (0,0) = (0, 51, 255), (0,1) = (102, 153, 204)
  Tensor batch = images_to_batch({image, image}, {0.5f, 0.0f, 1.0f}, {0.5f, 0.2f, 1.0f});
  ASSERT_EQ(batch.shape(), Shape({2, 3, 1, 2}));
  std::vector<float> expected = {-1.0f, -0.2f, 1.0f, 3.0f, 0.0f, -0.2f};  // c0, c1, c2
  std::vector<float> values = batch.to_vector<float>();
  EXPECT_TRUE(testing::all_close(std::vector<float>(values.begin(), values.begin() + 6), expected, 1e-6f, 1e-6f));
}

}  // namespace
}  // namespace hito
