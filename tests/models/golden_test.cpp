// The torchvision golden tests: ResNet-18/34/50 and MobileNetV2 with seeded weights
// (tests/models/seeded_weights.h) saved to a safetensors file, loaded strictly by name, must give
// torchvision's logits and pooled features (tests/fixtures/conv/models.safetensors) to 1e-4
// relative, through the fused inference path and the differentiable one; and one training-mode
// forward/backward of ResNet-18 must give PyTorch's loss, gradients and running statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "kernels/runtime.h"
#include "models/registry.h"
#include "tests/conv/conv_fixture.h"
#include "tests/models/seeded_weights.h"
#include "tests/support/testing.h"
#include "weights/checkpoint.h"
#include "weights/safetensors.h"

namespace hito {
namespace {

using testing::all_close;

// Relative closeness to a tolerance scaled by the expected tensor's largest magnitude.
::testing::AssertionResult close_relative(const Tensor& actual, const Tensor& expected, float rtol) {
  std::vector<float> e = expected.to_vector<float>();
  float scale = 0.0f;
  for (float v : e) scale = std::max(scale, std::abs(v));
  return all_close(actual.to(Device::CPU), expected, rtol, rtol * scale);
}

Tensor seeded_input() { return testing::seeded_tensor("input", {2, 3, 64, 64}, 0.0f, 1.0f); }

// The model with seeded weights, written to a file and loaded back strictly (the import path).
std::shared_ptr<ImageClassifier> seeded_model(const std::string& arch, int64_t num_classes) {
  auto model = make_image_model(arch, num_classes);
  auto path = testing::temp_dir("golden-" + arch) / "weights.safetensors";
  write_safetensors(path, testing::seeded_state_dict(*model));
  load_pretrained(*model, path);
  return model;
}

class TorchvisionGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchvisionGolden, StateDictHasTorchvisionNamesShapesAndTypes) {
  const std::string arch = GetParam();
  testing::ConvFixture golden("models.safetensors");
  std::vector<std::string> expected, actual;
  for (const auto& entry : golden.metadata(arch + ".state_dict"))
    expected.push_back(entry[0].get<std::string>() + " " + shape_str(entry[1].get<Shape>()) + " " +
                       entry[2].get<std::string>());
  for (const auto& [name, tensor] : make_image_model(arch, 1000)->state_dict())
    actual.push_back(name + " " + shape_str(tensor.shape()) + " " +
                     (tensor.dtype() == DType::F32 ? "F32" : "I64"));
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  EXPECT_EQ(actual, expected);
}

TEST_P(TorchvisionGolden, LogitsAndFeaturesMatchTorchvision) {
  const std::string arch = GetParam();
  testing::ConvFixture golden("models.safetensors");
  auto model = seeded_model(arch, 1000);
  model->eval();
  Tensor x = seeded_input();
  {
    NoGradGuard no_grad;  // BatchNorm folded into the convolutions, fused epilogues
    EXPECT_TRUE(close_relative(model->forward(x), golden[arch + ".logits"], 1e-4f)) << "fused logits";
    EXPECT_TRUE(close_relative(model->forward_features(x), golden[arch + ".features"], 1e-4f)) << "fused features";
  }
  // With parameters that require grad: conv2d, batch_norm, add, relu as separate ops.
  EXPECT_TRUE(close_relative(model->forward(x), golden[arch + ".logits"], 1e-4f)) << "differentiable logits";
  if (cuda_available()) {
    model->to(Device::CUDA);
    NoGradGuard no_grad;
    EXPECT_TRUE(close_relative(model->forward(x.to(Device::CUDA)), golden[arch + ".logits"], 1e-4f)) << "CUDA";
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, TorchvisionGolden,
                         ::testing::Values("resnet18", "resnet34", "resnet50", "mobilenet_v2"),
                         [](const auto& info) { return info.param; });

TEST(TorchvisionGolden, ResNet18TrainingStepMatchesPyTorch) {
  testing::ConvFixture golden("resnet18_train.safetensors");
  auto model = seeded_model("resnet18", 7);
  model->train();
  Tensor loss = cross_entropy(model->forward(seeded_input()), golden["labels"]);
  EXPECT_TRUE(close_relative(loss, golden["loss"], 1e-5f));
  loss.backward();
  std::map<std::string, Tensor> parameters, buffers;
  for (auto& [name, tensor] : model->named_parameters()) parameters[name] = tensor;
  for (auto& [name, tensor] : model->named_buffers()) buffers[name] = tensor;
  for (const char* name : {"conv1.weight", "bn1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn2.bias",
                           "fc.weight", "fc.bias"})
    EXPECT_TRUE(close_relative(parameters.at(name).grad(), golden[std::string("grad.") + name], 1e-3f)) << name;
  for (const char* name : {"bn1.running_mean", "bn1.running_var", "layer4.1.bn2.running_var"})
    EXPECT_TRUE(close_relative(buffers.at(name), golden[std::string("after.") + name], 1e-5f)) << name;
}

}  // namespace
}  // namespace hito
