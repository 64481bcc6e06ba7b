// `hito infer` end to end: the torchvision goldens through --input/--out (logits and --features),
// the real MobileNetV2 on the shared test images through --images/--labels with the normalisation its
// metadata states (skipped when the weights are absent), and its errors: contradicting flags, a wrong
// --arch named by the tensors found, files that are not images.
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
                       (dir / "x.npy").string() + "' --batch-size 1";
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
  const std::string base = "infer --arch mobilenet_v2 --weights '" + weights.string() + "' --labels '" +
                           testing::shared_path("weights/imagenet_labels_1000.txt").string() + "'";
  // No --mean/--std: the checkpoint's metadata (x = pixel/127.5 - 1) decides, and says so.
  CommandResult run = run_hito(base + " --topk 3 --images '" + (images / "cat.bmp").string() + "'");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("normalisation from " + weights.string() + "'s metadata"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Egyptian cat 0.7359\ntabby, tabby cat 0.1333\ntiger cat 0.0785\n"), std::string::npos)
      << run.output;
  // With ImageNet's statistics this checkpoint calls a hot dog corn: refused unless forced.
  const std::string hot_dog = " --images '" + (images / "hot_dog.jpg").string() + "'";
  CommandResult conflict = run_hito(base + hot_dog + " --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225");
  EXPECT_NE(conflict.status, 0);
  EXPECT_NE(conflict.output.find("--mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 contradicts"), std::string::npos)
      << conflict.output;
  EXPECT_NE(conflict.output.find("or add --force"), std::string::npos) << conflict.output;
  CommandResult forced = run_hito(base + hot_dog + " --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --force");
  ASSERT_EQ(forced.status, 0) << forced.output;
  EXPECT_NE(forced.output.find("--force: using mean 0.485,0.456,0.406"), std::string::npos) << forced.output;
  CommandResult agreeing = run_hito(base + hot_dog + " --mean 0.5,0.5,0.5 --topk 1");
  ASSERT_EQ(agreeing.status, 0) << agreeing.output;
  EXPECT_NE(agreeing.output.find("hotdog, hot dog, red hot 0.72"), std::string::npos) << agreeing.output;
  // The whole folder, as a shell glob gives it: COPYRIGHT and LICENSE are listed and skipped.
  CommandResult folder = run_hito(base + " --topk 1 --images '" + images.string() + "'/*");
  ASSERT_EQ(folder.status, 0) << folder.output;
  EXPECT_NE(folder.output.find("skipped 2 files that are not images: " + (images / "COPYRIGHT").string() + ", " +
                               (images / "LICENSE").string()),
            std::string::npos)
      << folder.output;
  EXPECT_NE(folder.output.find("# " + (images / "parrot.jpg").string() + "\nmacaw 0.99"), std::string::npos)
      << folder.output;
  // A wrong --arch is named by the tensors the file holds.
  CommandResult wrong = run_hito("infer --arch resnet50 --weights '" + weights.string() + "'" + hot_dog + " --out '" +
                               (testing::temp_dir("infer-wrong-arch") / "x.npy").string() + "'");
  EXPECT_NE(wrong.status, 0);
  EXPECT_NE(wrong.output.find("--arch resnet50 does not fit"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find("are those of mobilenet_v2; use --arch mobilenet_v2"), std::string::npos)
      << wrong.output;
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
  EXPECT_NE(wrong_arch.output.find("--arch resnet18 does not fit"), std::string::npos) << wrong_arch.output;
  EXPECT_NE(wrong_arch.output.find("are those of small_cnn; use --arch small_cnn"), std::string::npos)
      << wrong_arch.output;
  CommandResult mean_on_array = run_hito("infer --arch small_cnn" + weights + input + " --features --mean 0,0,0" + out);
  EXPECT_NE(mean_on_array.status, 0);
  EXPECT_NE(mean_on_array.output.find("apply to --images"), std::string::npos) << mean_on_array.output;
  data::save_npy(dir / "notes.txt", testing::seeded_tensor("x", {1}, 0.0f, 1.0f));
  CommandResult no_image = run_hito("infer --arch small_cnn" + weights + " --features --images '" +
                                    (dir / "notes.txt").string() + "'" + out);
  EXPECT_NE(no_image.status, 0);
  EXPECT_NE(no_image.output.find("none of the 1 files given to --images is an image"), std::string::npos)
      << no_image.output;
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
