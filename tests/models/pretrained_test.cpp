// The real ImageNet MobileNetV2 (../shared/weights, skipped when absent): strict load by
// torchvision's names, and the README's predictions on its test images with its preprocessing.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/autograd.h"
#include "data/image.h"
#include "engine/ops.h"
#include "models/image_preprocess.h"
#include "models/mobilenet_v2.h"
#include "tests/support/testing.h"
#include "weights/checkpoint.h"

namespace hito {
namespace {

namespace fs = std::filesystem;

struct Prediction {
  int64_t index;
  float probability;
};

TEST(PretrainedMobileNetV2, ClassifiesTheTestImagesAsTheReadmeSays) {
  fs::path weights = testing::shared_path("weights/mobilenet_v2_imagenet.safetensors");
  fs::path images = testing::shared_path("weights/imagenet_test_images");
  HITO_REQUIRE_PATH(weights);
  HITO_REQUIRE_PATH(images);
  MobileNetV2 model(1000);
  LoadReport report = load_pretrained(model, weights);  // strict
  EXPECT_TRUE(report.ok());
  model.eval();
  // (file, ImageNet index, probability from torchvision 0.14 with PIL decoding, tolerance). JPEG
  // files decode slightly differently here (stb_image) than in PIL (libjpeg), hence the wider
  // tolerance for them; BMP pixels are identical.
  struct Expected {
    const char* file;
    int64_t index;
    float probability, tolerance;
  };
  const Expected expected[] = {{"cat.bmp", 285, 0.736f, 1e-3f},  // Egyptian cat
                               {"parrot.jpg", 88, 0.998f, 1e-3f},  // macaw
                               {"hot_dog.jpg", 934, 0.724f, 3e-3f},  // hotdog
                               {"owl.jpg", 82, 0.63f, 5e-3f}};  // ruffed grouse (the model is wrong)
  std::vector<data::Image> batch;
  for (const Expected& e : expected)
    batch.push_back(resize_bilinear_pil(data::decode_image(images / e.file), 224, 224));
  NoGradGuard no_grad;
  Tensor probabilities = softmax(model.forward(images_to_batch(batch, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f})), 1);
  std::vector<float> p = probabilities.to_vector<float>();
  for (size_t i = 0; i < std::size(expected); ++i) {
    const float* row = p.data() + i * 1000;
    int64_t top = std::max_element(row, row + 1000) - row;
    EXPECT_EQ(top, expected[i].index) << expected[i].file;
    EXPECT_NEAR(row[top], expected[i].probability, expected[i].tolerance) << expected[i].file;
  }
}

}  // namespace
}  // namespace hito
