// Pretrained-weight import: timm and data-parallel names, skipped num_batches_tracked, the strict
// check's list of mismatches (and that a failed load changes nothing), excluded classifiers, and
// a checkpoint made by weights/convert_torchvision.py.
#include <gtest/gtest.h>

#include "models/mobilenet_v2.h"
#include "models/resnet.h"
#include "models/small_cnn.h"
#include "tests/conv/conv_fixture.h"
#include "tests/models/seeded_weights.h"
#include "tests/support/testing.h"
#include "weights/checkpoint.h"
#include "weights/name_mapping.h"
#include "weights/safetensors.h"

namespace hito {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string renamed(const std::string& name) {
  return to_torchvision_names({{name, Tensor::zeros({1})}}).front().first;
}

TEST(NameMapping, StripsWrappersAndKeepsTorchvisionAndTimmResNetNames) {
  EXPECT_EQ(renamed("module.layer1.0.conv1.weight"), "layer1.0.conv1.weight");
  EXPECT_EQ(renamed("model.fc.bias"), "fc.bias");
  EXPECT_EQ(renamed("layer2.0.downsample.1.running_var"), "layer2.0.downsample.1.running_var");
}

TEST(NameMapping, MapsTimmMobileNetV2OntoTorchvision) {
  NamedTensors timm;
  for (const char* name : {"conv_stem.weight", "bn1.weight", "blocks.0.0.conv_dw.weight", "blocks.0.0.bn1.bias",
                           "blocks.0.0.conv_pw.weight", "blocks.0.0.bn2.running_mean", "blocks.1.0.conv_pw.weight",
                           "blocks.1.1.bn1.weight", "blocks.2.2.conv_dw.weight", "blocks.3.3.bn2.running_var",
                           "blocks.5.0.conv_pwl.weight", "blocks.6.0.bn3.bias", "conv_head.weight", "bn2.bias",
                           "classifier.weight", "classifier.bias"})
    timm.emplace_back(name, Tensor::zeros({1}));
  std::vector<std::string> expected = {
      "features.0.0.weight",        "features.0.1.weight",          "features.1.conv.0.0.weight",
      "features.1.conv.0.1.bias",   "features.1.conv.1.weight",     "features.1.conv.2.running_mean",
      "features.2.conv.0.0.weight", "features.3.conv.0.1.weight",   "features.6.conv.1.0.weight",
      "features.10.conv.1.1.running_var", "features.14.conv.2.weight", "features.17.conv.3.bias",
      "features.18.0.weight",       "features.18.1.bias",           "classifier.1.weight",
      "classifier.1.bias"};
  NamedTensors mapped = to_torchvision_names(timm);
  ASSERT_EQ(mapped.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(mapped[i].first, expected[i]);
}

TEST(NameMapping, RefusesTwoTensorsOnOneName) {
  EXPECT_THROW(to_torchvision_names({{"fc.weight", Tensor::zeros({1})}, {"module.fc.weight", Tensor::zeros({1})}}),
               Error);
}

TEST(LoadPretrained, LoadsATimmStyleCheckpointWithoutBatchCounters) {
  auto reference = resnet18(10);
  NamedTensors timm;
  for (auto& [name, tensor] : testing::seeded_state_dict(*reference))
    if (!ends_with(name, "num_batches_tracked")) timm.emplace_back("module." + name, tensor);
  auto model = resnet18(10);
  EXPECT_TRUE(load_pretrained(*model, timm).ok());
  std::map<std::string, Tensor> loaded;
  for (auto& [name, tensor] : model->state_dict()) loaded[name] = tensor;
  for (auto& [name, tensor] : timm)
    EXPECT_TRUE(testing::all_close(loaded.at(name.substr(7)), tensor, 0.0f, 0.0f)) << name;
}

TEST(LoadPretrained, StrictLoadListsEveryMismatchAndChangesNothing) {
  SmallCnn model;
  NamedTensors tensors = testing::seeded_state_dict(model);
  Tensor before = model.fc->weight.clone();
  tensors.erase(tensors.begin());                                      // features.0.0.weight missing
  tensors.emplace_back("features.9.0.weight", Tensor::zeros({1}));     // unexpected
  for (auto& [name, tensor] : tensors)
    if (name == "fc.weight") tensor = Tensor::zeros({3, 128});          // wrong shape
  try {
    load_pretrained(model, tensors, {}, "test.safetensors");
    FAIL() << "a strict load of mismatched tensors succeeded";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("test.safetensors"), std::string::npos) << message;
    EXPECT_NE(message.find("missing: features.0.0.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("unexpected: features.9.0.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("fc.weight: expected (7, 128), file has (3, 128)"), std::string::npos) << message;
  }
  EXPECT_TRUE(testing::all_close(model.fc->weight, before, 0.0f, 0.0f));
  // Non-strict: what fits is loaded, the report says what did not.
  LoadReport report = load_pretrained(model, tensors, {.strict = false});
  EXPECT_EQ(report.missing, std::vector<std::string>{"features.0.0.weight"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"features.9.0.weight"});
  EXPECT_EQ(report.mismatched.size(), 1u);
}

TEST(LoadPretrained, ExcludedClassifierKeepsItsInitialisation) {
  // A 1000-class backbone into a 7-class model for fine-tuning.
  NamedTensors imagenet = testing::seeded_state_dict(MobileNetV2(1000));
  MobileNetV2 model(7);
  Tensor head = model.classifier->named_parameters().front().second.clone();
  EXPECT_THROW(load_pretrained(model, imagenet), Error);
  EXPECT_TRUE(load_pretrained(model, imagenet, {.exclude_prefixes = {"classifier."}}).ok());
  EXPECT_TRUE(testing::all_close(model.classifier->named_parameters().front().second, head, 0.0f, 0.0f));
  EXPECT_TRUE(testing::all_close(model.named_parameters().front().second, imagenet.front().second, 0.0f, 0.0f));
}

TEST(ConvertTorchvision, KeepsNamesAndValuesOfAWrappedCheckpoint) {
  // tests/scripts/make_conv_fixtures.py ran the converter on {"state_dict": {...}, "epoch": 3}.
  SafetensorsFile converted = read_safetensors(testing::fixture_path("conv/converted.safetensors"));
  testing::ConvFixture expected("converted_expected.safetensors");
  ASSERT_EQ(converted.tensors.size(), 5u);
  for (auto& [name, tensor] : converted.tensors) {
    ASSERT_TRUE(expected.has(name)) << name;
    EXPECT_EQ(tensor.dtype(), expected[name].dtype()) << name;
    if (tensor.dtype() == DType::F32) EXPECT_TRUE(testing::all_close(tensor, expected[name], 0.0f, 0.0f)) << name;
    else EXPECT_EQ(tensor.to_vector<int64_t>(), expected[name].to_vector<int64_t>()) << name;
  }
  EXPECT_EQ(converted.metadata.at("source"), "checkpoint.pth");
}

}  // namespace
}  // namespace hito
