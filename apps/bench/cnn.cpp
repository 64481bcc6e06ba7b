// The convolutional workloads of `hito bench` (the same networks as bench/reference_torch.py):
//   cnn-train               the small CNN (models/small_cnn.h), batch 32x3x64x64, SGD momentum 0.9
//   resnet18-embed-224      ResNet-18 without fc, eval mode, batch 16x3x224x224 (images/s)
//   resnet18-finetune-112   ResNet-18 with a 7-class fc, training mode, batch 16x3x112x112
//   mobilenetv2-embed-224   MobileNetV2 without classifier, eval mode, batch 16x3x224x224
//   resnet50-embed-224      (CUDA) ResNet-50 without fc, eval mode, batch 256
//   resnet18-train-224      (CUDA) ResNet-18 with a 7-class fc, training mode, batch 256
#include "apps/bench/workload.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "engine/random.h"
#include "models/mobilenet_v2.h"
#include "models/resnet.h"
#include "models/small_cnn.h"

namespace hito::bench {

namespace {

// One SGD (lr 0.01, momentum 0.9) step of cross-entropy training per call, on fixed data.
BenchResult time_training(const BenchConfig& config, ImageClassifier& model, int64_t batch, int64_t size) {
  Generator gen(2);
  model.to(config.device);
  model.train();
  Sgd optimizer(single_group(model.parameters(), 0.01f), {.momentum = 0.9f});
  Tensor x = normal_tensor({batch, 3, size, size}, 0.0f, 1.0f, gen, config.device);
  std::vector<int64_t> labels(batch);
  for (auto& y : labels) y = gen.integer(model.num_classes());
  Tensor y = Tensor::from_vector(labels, {batch}, config.device);
  RankShare share(model, batch);
  Tensor x_rank = share.rows(x), y_rank = share.rows(y);
  return time_steps(config, batch, 0.0, [&] {
    optimizer.zero_grad();
    share.backward(cross_entropy(model(x_rank), y_rank));
    optimizer.step();
  });
}

// The pooled embedding of a fixed batch per call, in eval mode without gradients.
BenchResult time_embedding(const BenchConfig& config, ImageClassifier& model, int64_t batch, int64_t size) {
  Generator gen(2);
  model.to(config.device);
  model.eval();
  Tensor x = normal_tensor({batch, 3, size, size}, 0.0f, 1.0f, gen, config.device);
  return time_steps(config, batch, 0.0, [&] {
    NoGradGuard no_grad;
    model.forward_features(x);
  });
}

}  // namespace

BenchResult bench_cnn_train(const BenchConfig& config) {
  Generator gen(1);
  SmallCnn model(SmallCnnConfig{}, gen);  // 32, 64, 128 channels, pools after the first two, 7 classes
  return time_training(config, model, 32, 64);
}

BenchResult bench_resnet18_embed_224(const BenchConfig& config) {
  Generator gen(1);
  return time_embedding(config, *resnet18(0, gen), 16, 224);
}

BenchResult bench_resnet18_finetune_112(const BenchConfig& config) {
  Generator gen(1);
  return time_training(config, *resnet18(7, gen), 16, 112);
}

BenchResult bench_mobilenetv2_embed_224(const BenchConfig& config) {
  Generator gen(1);
  MobileNetV2 model(0, 0.2f, gen);
  return time_embedding(config, model, 16, 224);
}

BenchResult bench_resnet50_embed_224(const BenchConfig& config) {
  Generator gen(1);
  return time_embedding(config, *resnet50(0, gen), 256, 224);
}

BenchResult bench_resnet18_train_224(const BenchConfig& config) {
  Generator gen(1);
  return time_training(config, *resnet18(7, gen), 256, 224);
}

}  // namespace hito::bench
