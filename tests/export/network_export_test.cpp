// The ONNX nodes of each network (onnx/network_nodes.h) against hito's own eval-mode forward pass, run
// by onnxruntime: the pooled features of ResNet-18 (basic blocks), ResNet-50 (bottlenecks),
// MobileNetV2 (inverted residuals, ReLU6) and the small CNN (max pools), and MLPs with every
// activation and with BatchNorm. BatchNorm statistics are drawn at random so that a wrong epsilon,
// a swapped mean and variance or a BatchNorm left out would show.
#include <gtest/gtest.h>

#include "base/fs.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "models/mlp.h"
#include "models/mobilenet_v2.h"
#include "models/resnet.h"
#include "models/small_cnn.h"
#include "onnx/network_nodes.h"
#include "tests/export/onnx_runtime.h"
#include "tests/support/testing.h"

namespace hito::onnx {
namespace {

// Running statistics of every BatchNorm drawn at random (variance in [0.5, 2]).
void randomise_batch_norm_statistics(Module& model, uint64_t seed) {
  for (auto& [name, t] : model.state_dict()) {
    if (name.ends_with("running_var")) t.copy_(testing::rand_uniform(t.shape(), 0.5f, 2.0f, seed++));
    if (name.ends_with("running_mean")) t.copy_(testing::rand_uniform(t.shape(), -0.3f, 0.3f, seed++));
  }
}

// The graph's value `y` (made the output "y") computed by onnxruntime on input "x", against `expected`.
void expect_runtime_gives(OnnxGraph& g, const std::string& y, const Tensor& x, const Tensor& expected,
                          const std::string& what) {
  g.node("Identity", {y}, {}, "y");
  g.output("y", ElemType::Float, {-1, expected.size(1)});
  const fs::path dir = testing::temp_dir("hito-onnx-" + what);
  write_file_atomic(dir / "net.onnx", g.serialize(what));
  auto outputs = testing::run_onnxruntime(dir / "net.onnx", {{"x", x}});
  ASSERT_TRUE(outputs.count("y")) << what;
  EXPECT_TRUE(testing::all_close(outputs["y"], expected, 1e-4f, 1e-5f)) << what;
  fs::remove_all(dir);
}

void expect_pooled_features_match(ImageClassifier& model, const std::string& what) {
  HITO_REQUIRE_ONNXRUNTIME();
  randomise_batch_norm_statistics(model, 11);
  model.eval();
  NoGradGuard no_grad;
  const Tensor x = testing::randn({2, 3, 40, 48}, 5);
  OnnxGraph g;
  g.name_tensors(model, "");
  g.input("x", ElemType::Float, {-1, 3, 40, 48});
  expect_runtime_gives(g, pooled_features_nodes(g, model, "x"), x, model.forward_features(x), what);
}

TEST(NetworkExport, ResNet18) {
  Generator gen(1);
  ResNet model(ResNet::BlockKind::Basic, {2, 2, 2, 2}, 0, gen);
  expect_pooled_features_match(model, "resnet18");
}

TEST(NetworkExport, ResNet50Blocks) {
  Generator gen(2);
  ResNet model(ResNet::BlockKind::Bottleneck, {1, 1, 1, 1}, 0, gen);  // every kind of bottleneck, fewer of them
  expect_pooled_features_match(model, "resnet50-blocks");
}

TEST(NetworkExport, MobileNetV2) {
  Generator gen(3);
  MobileNetV2 model(0, 0.2f, gen);
  expect_pooled_features_match(model, "mobilenet_v2");
}

TEST(NetworkExport, SmallCnn) {
  Generator gen(4);
  SmallCnn model(SmallCnnConfig{.channels = {8, 16, 32}, .num_classes = 0}, gen);
  expect_pooled_features_match(model, "small_cnn");
}

TEST(NetworkExport, MlpWithEachActivation) {
  HITO_REQUIRE_ONNXRUNTIME();
  for (const std::string activation : {"relu", "leaky_relu", "relu6", "gelu", "sigmoid", "tanh"}) {
    Generator gen(5);
    Mlp mlp(6, 4, MlpConfig{.width = 8, .depth = 2, .dropout = 0.3f, .batch_norm = true, .activation = activation}, gen);
    randomise_batch_norm_statistics(mlp, 17);
    mlp.eval();
    NoGradGuard no_grad;
    const Tensor x = testing::randn({5, 6}, 9);
    OnnxGraph g;
    g.name_tensors(mlp, "");
    g.input("x", ElemType::Float, {-1, 6});
    expect_runtime_gives(g, module_nodes(g, mlp, "x"), x, mlp.forward(x), "mlp-" + activation);
  }
}

// A layer without ONNX nodes is an error naming its type, not a graph that silently skips it.
TEST(NetworkExport, AnUnknownLayerIsNamed) {
  LayerNorm norm(4);
  OnnxGraph g;
  const std::string message = testing::error_message([&] { module_nodes(g, norm, "x"); });
  EXPECT_NE(message.find("no ONNX nodes for a hito::LayerNorm"), std::string::npos) << message;
}

}  // namespace
}  // namespace hito::onnx
