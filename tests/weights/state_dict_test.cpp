// State dicts: save and load round trips (parameters and buffers), strict loading that lists every
// missing, unexpected and mis-shaped tensor and changes nothing, non-strict loading, dtype
// conversion, and loading a file written by PyTorch.
#include <cmath>
#include <memory>

#include "layers/basic.h"
#include "layers/linear.h"
#include "layers/norm.h"
#include "tests/support/testing.h"
#include "weights/safetensors.h"
#include "weights/state_dict.h"

namespace hito {
namespace {

namespace fs = std::filesystem;

// Linear(4, 3) -> BatchNorm(3) -> ReLU -> Linear(3, 2): "0.weight", "0.bias", "1.weight", "1.bias",
// "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias".
std::shared_ptr<Sequential> small_model(uint64_t seed, int64_t hidden = 3) {
  Generator gen(seed);
  auto model = std::make_shared<Sequential>();
  model->add(std::make_shared<Linear>(4, hidden, true, gen));
  model->add(std::make_shared<BatchNorm>(hidden));
  model->add(Activation::named("relu"));
  model->add(std::make_shared<Linear>(hidden, 2, true, gen));
  return model;
}

std::map<std::string, std::vector<float>> float_values(const Module& module) {
  std::map<std::string, std::vector<float>> values;
  for (const auto& [name, tensor] : module.state_dict())
    if (tensor.dtype() == DType::F32) values[name] = tensor.to_vector<float>();
  return values;
}

// The error message of a strict load, or "" when it succeeds.
std::string strict_load_error(Module& module, const NamedTensors& tensors) {
  try {
    load_state_dict(module, tensors);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

class StateDictTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_dir("state-dict"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(StateDictTest, SaveThenLoadRestoresParametersAndBuffers) {
  auto source = small_model(1);
  source->forward(testing::randn({5, 4}, 2));  // moves the running statistics and the batch count
  fs::path path = dir_ / "model.safetensors";
  save_state_dict(*source, path, {{"epoch", "3"}});
  EXPECT_EQ(read_safetensors(path).metadata.at("epoch"), "3");

  auto target = small_model(99);
  ASSERT_NE(float_values(*target), float_values(*source));
  LoadReport report = load_state_dict(*target, path);
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(float_values(*target), float_values(*source));
  auto bn = std::static_pointer_cast<BatchNorm>((*target)[1]);
  EXPECT_EQ(bn->num_batches_tracked.to_vector<int64_t>(), std::vector<int64_t>{1});
  EXPECT_TRUE(bn->weight.requires_grad());  // loading changes values, not the parameters' nature
}

TEST_F(StateDictTest, StrictLoadListsEveryProblemAndChangesNothing) {
  auto model = small_model(3);
  auto before = float_values(*model);
  NamedTensors tensors = small_model(4)->state_dict();
  tensors.erase(tensors.begin() + 1);                                     // "0.bias" missing
  tensors.emplace_back("head.weight", Tensor::zeros({2, 3}));             // unexpected
  tensors.emplace_back("extra", Tensor::zeros({1}));                      // unexpected
  for (auto& [name, tensor] : tensors)
    if (name == "3.weight") tensor = Tensor::zeros({3, 2});               // mis-shaped
  std::string message = strict_load_error(*model, tensors);
  ASSERT_FALSE(message.empty());
  for (const char* expected : {"missing: 0.bias", "unexpected: head.weight", "unexpected: extra",
                               "mismatched: 3.weight: expected (2, 3), file has (3, 2)"})
    EXPECT_NE(message.find(expected), std::string::npos) << "no '" << expected << "' in:\n" << message;
  EXPECT_EQ(float_values(*model), before) << "a refused load must not change the model";
}

TEST_F(StateDictTest, NonStrictLoadLoadsWhatFitsAndReportsTheRest) {
  auto model = small_model(5), source = small_model(6);
  NamedTensors tensors = source->state_dict();
  tensors.erase(tensors.begin());                                         // "0.weight" missing
  tensors.emplace_back("unused", Tensor::ones({2}));
  for (auto& [name, tensor] : tensors)
    if (name == "3.bias") tensor = Tensor::zeros({5});
  auto before = float_values(*model);
  LoadReport report = load_state_dict(*model, tensors, /*strict=*/false);
  EXPECT_EQ(report.missing, std::vector<std::string>{"0.weight"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"unused"});
  ASSERT_EQ(report.mismatched.size(), 1u);
  EXPECT_EQ(report.mismatched[0], "3.bias: expected (2,), file has (5,)");
  EXPECT_EQ(report.describe(), "missing: 0.weight\nunexpected: unused\nmismatched: 3.bias: expected (2,), file has (5,)\n");
  auto after = float_values(*model), loaded = float_values(*source);
  EXPECT_EQ(after["0.weight"], before["0.weight"]);
  EXPECT_EQ(after["3.bias"], before["3.bias"]);
  EXPECT_EQ(after["0.bias"], loaded["0.bias"]);
  EXPECT_EQ(after["3.weight"], loaded["3.weight"]);
}

TEST_F(StateDictTest, ConvertsBetweenIntegerAndFloatWhenExact) {
  auto model = small_model(7);
  NamedTensors tensors = model->state_dict();
  for (auto& [name, tensor] : tensors) {
    if (name == "1.num_batches_tracked") tensor = Tensor::full({}, 42.0f);  // saved as a float
    if (name == "0.bias") tensor = Tensor::from_vector<int64_t>({1, -2, 3}, {3});
  }
  EXPECT_TRUE(load_state_dict(*model, tensors).ok());
  auto bn = std::static_pointer_cast<BatchNorm>((*model)[1]);
  EXPECT_EQ(bn->num_batches_tracked.to_vector<int64_t>(), std::vector<int64_t>{42});
  EXPECT_EQ(std::static_pointer_cast<Linear>((*model)[0])->bias.to_vector<float>(), (std::vector<float>{1, -2, 3}));

  for (auto& [name, tensor] : tensors)
    if (name == "1.num_batches_tracked") tensor = Tensor::full({}, 2.5f);
  std::string message = strict_load_error(*model, tensors);
  EXPECT_NE(message.find("1.num_batches_tracked: expected i64, file has f32"), std::string::npos) << message;
}

TEST_F(StateDictTest, RefusesDuplicateNamesAndNamesTheFile) {
  auto model = small_model(8);
  NamedTensors tensors = model->state_dict();
  tensors.push_back(tensors.front());
  EXPECT_NE(strict_load_error(*model, tensors).find("given twice"), std::string::npos);

  fs::path path = dir_ / "other.safetensors";
  save_state_dict(*small_model(9, /*hidden=*/5), path);
  try {
    load_state_dict(*model, path);
    FAIL() << "a model of another width was loaded";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("mismatched: 0.weight: expected (3, 4), file has (5, 4)"), std::string::npos) << message;
  }
}

TEST_F(StateDictTest, NonFiniteWeightsAreRefusedNamingTheTensor) {
  auto source = small_model(1), target = small_model(2);
  NamedTensors tensors = source->state_dict();
  for (auto& [name, tensor] : tensors)
    if (name == "3.weight") {
      tensor = tensor.clone();
      tensor.data<float>()[4] = std::nanf("");
    }
  write_safetensors(dir_ / "nan.safetensors", tensors);
  auto before = float_values(*target);
  std::string message = testing::error_message([&] { load_state_dict(*target, dir_ / "nan.safetensors", false); });
  EXPECT_NE(message.find("nan.safetensors: tensor '3.weight' holds nan at element 4"), std::string::npos) << message;
  EXPECT_EQ(float_values(*target), before);  // nothing was loaded
}

TEST_F(StateDictTest, LoadsAFileWrittenByPyTorch) {
  // nn.Sequential(Linear(8, 16), ReLU(), Linear(16, 16), Tanh(), Linear(16, 4)).state_dict()
  Sequential model;
  model.add(std::make_shared<Linear>(8, 16));
  model.add(Activation::named("relu"));
  model.add(std::make_shared<Linear>(16, 16));
  model.add(Activation::named("tanh"));
  model.add(std::make_shared<Linear>(16, 4));
  fs::path path = testing::fixture_path("engine/mlp_init.safetensors");
  LoadReport report = load_state_dict(model, path);
  EXPECT_TRUE(report.ok()) << report.describe();
  SafetensorsFile file = read_safetensors(path);
  auto values = float_values(model);
  for (const auto& [name, tensor] : file.tensors) EXPECT_EQ(values.at(name), tensor.to_vector<float>()) << name;
}

}  // namespace
}  // namespace hito
