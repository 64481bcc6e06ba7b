// hito image: freezing (frozen parameters and frozen BatchNorm statistics do not move while the
// unfrozen ones do), the backbones' block lists, a smoke run of each mode on the prepared synthetic
// run, and load_image_network reproducing each folder's saved test predictions from the files.
#include <gtest/gtest.h>

#include <map>

#include "apps/study/train/batches.h"
#include "apps/study/image/image.h"
#include "apps/study/train/model_output.h"
#include "engine/autograd.h"
#include "data/npy.h"
#include "engine/ops.h"
#include "models/image_preprocess.h"
#include "models/registry.h"
#include "tests/image/image_fixture.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

std::map<std::string, Tensor> copies(const NamedTensors& tensors) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : tensors) out[name] = t.clone();
  return out;
}

bool same(const Tensor& a, const Tensor& b) { return a.to_vector<float>() == b.to_vector<float>(); }

// A few training steps of `network` on random images through the shared trainer.
void train_a_little(ImageNetwork& network) {
  Generator gen(5);
  Tensor images = normal_tensor({16, 3, 32, 32}, 0.0f, 1.0f, gen);
  std::vector<int64_t> labels(16), rows(16);
  for (int64_t i = 0; i < 16; ++i) labels[static_cast<size_t>(i)] = i % 7, rows[static_cast<size_t>(i)] = i;
  Tensor label_tensor = Tensor::from_vector(labels, {16});
  TensorBatches batches({images}, label_tensor, rows, {.batch_size = 8, .shuffle = true});
  TrainTarget target;
  target.module = &network;
  target.logits = [&](const Batch& b) { return network.forward(b.inputs[0]); };
  TrainConfig config;
  config.epochs = 2;
  config.lr = 1e-2f;
  config.progress = false;
  train(target, batches, batches, Tensor(), 7, config);
}

TEST(ImageFreezing, FrozenParametersAndStatisticsDoNotMove) {
  Generator gen(1);
  ImageNetwork network(make_image_model("mobilenet_v2", 0, gen), 7, MlpConfig{.depth = 0}, gen);
  EXPECT_EQ(unfreeze_last_blocks(network, "2"), 2);
  network.freeze_batch_norm(true);
  auto before = copies(network.state_dict());
  train_a_little(network);
  int moved = 0, frozen = 0;
  for (const auto& [name, t] : network.named_parameters()) {
    bool trainable = name.rfind("backbone.features.17.", 0) == 0 || name.rfind("backbone.features.18.", 0) == 0 ||
                     name.rfind("head.", 0) == 0;
    EXPECT_EQ(t.requires_grad(), trainable) << name;
    if (trainable) {
      EXPECT_FALSE(same(t, before[name])) << name << " should have trained";
      ++moved;
    } else {
      EXPECT_TRUE(same(t, before[name])) << name << " is frozen but moved";
      ++frozen;
    }
  }
  EXPECT_GT(moved, 4);
  EXPECT_GT(frozen, 100);
  for (const auto& [name, t] : network.named_buffers())
    if (name.find("running_") != std::string::npos) EXPECT_TRUE(same(t, before[name])) << name << " moved";
}

TEST(ImageFreezing, BatchNormStatisticsMoveWhenNotFrozen) {
  // The check above can fail: without freeze_batch_norm, training mode updates the statistics.
  Generator gen(1);
  ImageNetwork network(make_image_model("mobilenet_v2", 0, gen), 7, MlpConfig{.depth = 0}, gen);
  unfreeze_last_blocks(network, "2");
  auto before = copies(network.state_dict());
  train_a_little(network);
  int moved = 0;
  for (const auto& [name, t] : network.named_buffers())
    if (name.find("running_") != std::string::npos && !same(t, before[name])) ++moved;
  EXPECT_GT(moved, 0);
}

TEST(ImageFreezing, BlocksOfEachBackbone) {
  auto mobilenet = backbone_blocks(*make_image_model("mobilenet_v2", 0));
  ASSERT_EQ(mobilenet.size(), 19u);
  EXPECT_EQ(mobilenet.front(), std::vector<std::string>{"features.0."});
  EXPECT_EQ(mobilenet.back(), std::vector<std::string>{"features.18."});
  auto resnet = backbone_blocks(*make_image_model("resnet18", 0));
  ASSERT_EQ(resnet.size(), 9u);  // the stem, then 4 stages of 2 basic blocks
  EXPECT_EQ(resnet.front(), (std::vector<std::string>{"conv1.", "bn1."}));
  EXPECT_EQ(resnet[1], std::vector<std::string>{"layer1.0."});
  EXPECT_EQ(resnet.back(), std::vector<std::string>{"layer4.1."});

  Generator gen(1);
  ImageNetwork network(make_image_model("resnet18", 0, gen), 7, MlpConfig{.depth = 0}, gen);
  EXPECT_EQ(unfreeze_last_blocks(network, "all"), 9);
  for (const Tensor& t : network.parameters()) EXPECT_TRUE(t.requires_grad());
  EXPECT_EQ(unfreeze_last_blocks(network, "0"), 0);
  EXPECT_EQ(network.trainable_parameters().size(), network.head->parameters().size());
  EXPECT_THROW(unfreeze_last_blocks(network, "10"), Error);
  EXPECT_THROW(unfreeze_last_blocks(network, "two"), Error);
}

ImageOptions smoke_options(const fs::path& run, const std::string& mode) {
  ImageOptions o;
  o.run_dir = run;
  o.mode = mode;
  o.smoke = true;
  o.size = 32;
  o.depth = 2;
  o.width = 8;
  o.batch_size = 16;
  o.train.progress = false;
  return o;
}

TEST(ImageModes, ScratchSmoke) {
  fs::path run = image_test_run("scratch");
  fs::path folder = run_image(smoke_options(run, "scratch"));
  EXPECT_EQ(folder, run / "image-scratch");
  expect_model_folder(folder, "image-scratch", load_prepared(run));
}

TEST(ImageModes, FinetuneSmoke) {
  fs::path run = image_test_run("finetune");
  ImageOptions o = smoke_options(run, "finetune");
  o.weights = small_cnn_weights(run, 3);
  o.backbone = "small_cnn";
  o.unfreeze = "1";
  fs::path folder = run_image(o);
  expect_model_folder(folder, "image-finetune", load_prepared(run));
}

TEST(ImageModes, HeadSmokeOnEmbeddings) {
  fs::path run = image_test_run("head");
  EmbedOptions e = embed_options(run, small_cnn_weights(run, 3));
  e.tta_flip = true;
  run_embed(e);
  ImageOptions o = smoke_options(run, "head");
  o.embeddings = "small_cnn";
  o.head.depth = 1;
  o.head.width = 16;
  fs::path folder = run_image(o);
  PreparedData data = load_prepared(run);
  expect_model_folder(folder, "image-head", data);
  EXPECT_EQ(data::load_npy(folder / kEmbeddingsFile).size(1), 16);  // the head's hidden layer
}

TEST(ImageModes, WithoutPretrainedWeightsSaySo) {
  fs::path run = image_test_run("no-weights");
  try {
    run_image(smoke_options(run, "finetune"));
    FAIL() << "finetune ran without weights";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--mode scratch"), std::string::npos) << e.what();
  }
  try {
    run_image(smoke_options(run, "head"));
    FAIL() << "head ran without embeddings";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hito embed"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(run / "image-finetune"));
  EXPECT_FALSE(fs::exists(run / "image-head"));
}

}  // namespace
}  // namespace hito::study
