// `hito infer` end to end: the torchvision goldens through --input/--out (logits and --features),
// the real MobileNetV2 on the shared test images through --images/--labels (skipped when the
// weights are absent), and its errors.
#include <gtest/gtest.h>

#include <memory>

#include "data/npy.h"
#include "models/registry.h"
#include "tests/conv/conv_fixture.h"
#include "tests/models/seeded_weights.h"
#include "tests/support/testing.h"
#include "weights/safetensors.h"

namespace hito {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::run_hito;

TEST(InferCommand, ReproducesTorchvisionLogitsAndFeaturesFromArrays) {
  testing::ConvFixture golden("models.safetensors");
  fs::path dir = testing::temp_dir("infer-golden");
  auto model = make_image_model("resnet18", 1000);
  write_safetensors(dir / "resnet18.safetensors", testing::seeded_state_dict(*model));
  data::save_npy(dir / "x.npy", testing::seeded_tensor("input", {2, 3, 64, 64}, 0.0f, 1.0f));
  std::string common = "infer --arch resnet18 --weights '" + (dir / "resnet18.safetensors").string() + "' --input '" +
                       (dir / "x.npy").string() + "' --batch 1";
  CommandResult logits = run_hito(common + " --out '" + (dir / "logits.npy").string() + "'");
  ASSERT_EQ(logits.status, 0) << logits.output;
  CommandResult features = run_hito(common + " --features --out '" + (dir / "features.npy").string() + "'");
  ASSERT_EQ(features.status, 0) << features.output;
  EXPECT_TRUE(testing::all_close(data::load_npy(dir / "logits.npy"), golden["resnet18.logits"], 1e-4f, 1e-5f));
  EXPECT_TRUE(testing::all_close(data::load_npy(dir / "features.npy"), golden["resnet18.features"], 1e-4f, 1e-5f));
}

TEST(InferCommand, ClassifiesTheSharedTestImagesWithTheRealMobileNetV2) {
  fs::path weights = testing::shared_path("weights/mobilenet_v2_imagenet.safetensors");
  fs::path images = testing::shared_path("weights/imagenet_test_images");
  HITO_REQUIRE_PATH(weights);
  HITO_REQUIRE_PATH(images);
  // The README's preprocessing: stretched PIL-bilinear resize to 224, x / 127.5 - 1.
  CommandResult run = run_hito("infer --arch mobilenet_v2 --weights '" + weights.string() + "' --images '" +
                     (images / "cat.bmp").string() + "' --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5 --labels '" +
                     testing::shared_path("weights/imagenet_labels_1000.txt").string() + "' --topk 3");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output, "Egyptian cat 0.7359\ntabby, tabby cat 0.1333\ntiger cat 0.0785\n");
}

TEST(InferCommand, RejectsBadUse) {
  fs::path dir = testing::temp_dir("infer-errors");
  auto model = make_image_model("small_cnn", 0);
  write_safetensors(dir / "headless.safetensors", model->state_dict());
  data::save_npy(dir / "x.npy", testing::seeded_tensor("x", {1, 3, 8, 8}, 0.0f, 1.0f));
  std::string weights = " --weights '" + (dir / "headless.safetensors").string() + "'";
  std::string input = " --input '" + (dir / "x.npy").string() + "'";
  std::string out = " --out '" + (dir / "y.npy").string() + "'";
  CommandResult no_classifier = run_hito("infer --arch small_cnn" + weights + input + out);
  EXPECT_NE(no_classifier.status, 0);
  EXPECT_NE(no_classifier.output.find("has no classifier (fc.weight)"), std::string::npos) << no_classifier.output;
  CommandResult wrong_arch = run_hito("infer --arch resnet18" + weights + input + " --features" + out);
  EXPECT_NE(wrong_arch.status, 0);
  EXPECT_NE(wrong_arch.output.find("missing: conv1.weight"), std::string::npos) << wrong_arch.output;
  CommandResult unknown = run_hito("infer --arch vgg16" + weights + input + " --features" + out);
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.output.find("unknown architecture 'vgg16'"), std::string::npos) << unknown.output;
  CommandResult bad_mean = run_hito("infer --arch small_cnn" + weights + " --images '" + (dir / "x.npy").string() +
                          "' --features --mean 0.5,0.5" + out);
  EXPECT_NE(bad_mean.status, 0);
  EXPECT_NE(bad_mean.output.find("--mean takes 3"), std::string::npos) << bad_mean.output;
  EXPECT_FALSE(fs::exists(dir / "y.npy"));  // no failed run left an output behind
  CommandResult features = run_hito("infer --arch small_cnn" + weights + input + " --features" + out);
  EXPECT_EQ(features.status, 0) << features.output;
  EXPECT_EQ(data::load_npy(dir / "y.npy").shape(), Shape({1, 128}));
}

}  // namespace
}  // namespace hito
