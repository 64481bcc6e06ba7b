// ResNet-18, -34 and -50 in torchvision's layout (v1.5: a bottleneck strides in its 3x3
// convolution) and with its parameter and buffer names ("conv1.weight", "layer1.0.bn1.running_mean",
// "layer2.0.downsample.0.weight", "fc.bias"), so that a torchvision or timm state dict loads by name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/basic.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "models/image_classifier.h"

namespace hito {

// A 1x1 strided convolution and its BatchNorm ("downsample.0", "downsample.1") that bring the
// identity of a residual block to the block's output shape.
class Downsample : public Module {
 public:
  Downsample(int64_t in_channels, int64_t out_channels, int64_t stride, Generator& gen);
  Tensor forward(const Tensor& x) override { return conv_bn_act(*conv, *bn, x, FusedActivation::None); }

  std::shared_ptr<Conv2d> conv;
  std::shared_ptr<BatchNorm> bn;
};

// The residual blocks; `downsample` is null when the identity already has the output's shape.
class BasicBlock : public Module {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlock(int64_t in_channels, int64_t planes, int64_t stride, Generator& gen);
  Tensor forward(const Tensor& x) override;  // relu(bn2(conv2(relu(bn1(conv1(x))))) + identity)

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<BatchNorm> bn1, bn2;
  std::shared_ptr<Downsample> downsample;
};

class Bottleneck : public Module {
 public:
  static constexpr int64_t kExpansion = 4;
  Bottleneck(int64_t in_channels, int64_t planes, int64_t stride, Generator& gen);
  Tensor forward(const Tensor& x) override;  // 1x1 reduce, 3x3 (strided), 1x1 expand, + identity

  std::shared_ptr<Conv2d> conv1, conv2, conv3;
  std::shared_ptr<BatchNorm> bn1, bn2, bn3;
  std::shared_ptr<Downsample> downsample;
};

class ResNet : public ImageClassifier {
 public:
  enum class BlockKind { Basic, Bottleneck };
  // blocks: residual blocks in layer1..layer4 ({2, 2, 2, 2} for ResNet-18). num_classes 0: no fc.
  // Initialised as torchvision does (kaiming-normal convolutions, BatchNorm weight 1 and bias 0).
  ResNet(BlockKind kind, std::vector<int64_t> blocks, int64_t num_classes, Generator& gen = default_generator());

  Tensor forward_feature_map(const Tensor& x) override;  // (N, 3, H, W) -> layer4's (N, C, H/32, W/32)
  Tensor forward_head(const Tensor& features) override;
  int64_t num_features() const override { return num_features_; }
  int64_t num_classes() const override { return fc ? fc->out_features() : 0; }
  // The max pool after the stem (conv1, bn1, ReLU): 3x3, stride 2, padding 1.
  static Pool2dOptions stem_pool() { return {.kernel = 3, .stride = 2, .padding = 1}; }

  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<BatchNorm> bn1;
  std::vector<std::shared_ptr<Sequential>> layers;  // layer1 .. layer4
  std::shared_ptr<Linear> fc;                        // null without a classifier

 private:
  int64_t num_features_;
};

std::shared_ptr<ResNet> resnet18(int64_t num_classes = 1000, Generator& gen = default_generator());
std::shared_ptr<ResNet> resnet34(int64_t num_classes = 1000, Generator& gen = default_generator());
std::shared_ptr<ResNet> resnet50(int64_t num_classes = 1000, Generator& gen = default_generator());

}  // namespace hito
