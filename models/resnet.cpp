// ResNet-18/34/50 (torchvision's layout and names).
#include "models/resnet.h"

#include "engine/ops.h"

namespace hito {

namespace {
std::shared_ptr<Conv2d> conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, Generator& gen) {
  auto layer = std::make_shared<Conv2d>(in, out, kernel, Conv2dOptions{.stride = stride, .padding = (kernel - 1) / 2},
                                        false, gen);
  kaiming_normal_fan_out_(*layer, gen);
  return layer;
}
}  // namespace

Downsample::Downsample(int64_t in_channels, int64_t out_channels, int64_t stride, Generator& gen) {
  conv = register_module("0", hito::conv(in_channels, out_channels, 1, stride, gen));
  bn = register_module("1", std::make_shared<BatchNorm>(out_channels));
}

BasicBlock::BasicBlock(int64_t in_channels, int64_t planes, int64_t stride, Generator& gen) {
  conv1 = register_module("conv1", conv(in_channels, planes, 3, stride, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm>(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, 1, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm>(planes));
  if (stride != 1 || in_channels != planes * kExpansion)
    downsample = register_module("downsample", std::make_shared<Downsample>(in_channels, planes * kExpansion, stride, gen));
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor identity = downsample ? downsample->forward(x) : x;
  Tensor h = conv_bn_act(*conv1, *bn1, x, FusedActivation::Relu);
  return conv_bn_act(*conv2, *bn2, h, FusedActivation::Relu, identity);
}

Bottleneck::Bottleneck(int64_t in_channels, int64_t planes, int64_t stride, Generator& gen) {
  conv1 = register_module("conv1", conv(in_channels, planes, 1, 1, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm>(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, stride, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm>(planes));
  conv3 = register_module("conv3", conv(planes, planes * kExpansion, 1, 1, gen));
  bn3 = register_module("bn3", std::make_shared<BatchNorm>(planes * kExpansion));
  if (stride != 1 || in_channels != planes * kExpansion)
    downsample = register_module("downsample", std::make_shared<Downsample>(in_channels, planes * kExpansion, stride, gen));
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor identity = downsample ? downsample->forward(x) : x;
  Tensor h = conv_bn_act(*conv1, *bn1, x, FusedActivation::Relu);
  h = conv_bn_act(*conv2, *bn2, h, FusedActivation::Relu);
  return conv_bn_act(*conv3, *bn3, h, FusedActivation::Relu, identity);
}

ResNet::ResNet(BlockKind kind, std::vector<int64_t> blocks, int64_t num_classes, Generator& gen) {
  HITO_CHECK(blocks.size() == 4, "ResNet: expected 4 stages of blocks, got ", blocks.size());
  HITO_CHECK(num_classes >= 0, "ResNet: num_classes must be >= 0, got ", num_classes);
  const int64_t expansion = kind == BlockKind::Basic ? BasicBlock::kExpansion : Bottleneck::kExpansion;
  conv1 = register_module("conv1", conv(3, 64, 7, 2, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm>(64));
  batch_norms_.push_back(bn1);
  int64_t in_channels = 64;
  for (size_t stage = 0; stage < 4; ++stage) {
    const int64_t planes = int64_t(64) << stage, stride = stage == 0 ? 1 : 2;
    auto layer = std::make_shared<Sequential>();
    for (int64_t b = 0; b < blocks[stage]; ++b) {
      const int64_t block_stride = b == 0 ? stride : 1;
      if (kind == BlockKind::Basic) {
        auto block = layer->add(std::make_shared<BasicBlock>(in_channels, planes, block_stride, gen));
        batch_norms_.insert(batch_norms_.end(), {block->bn1, block->bn2});
        if (block->downsample) batch_norms_.push_back(block->downsample->bn);
      } else {
        auto block = layer->add(std::make_shared<Bottleneck>(in_channels, planes, block_stride, gen));
        batch_norms_.insert(batch_norms_.end(), {block->bn1, block->bn2, block->bn3});
        if (block->downsample) batch_norms_.push_back(block->downsample->bn);
      }
      in_channels = planes * expansion;
    }
    layers.push_back(register_module("layer" + std::to_string(stage + 1), layer));
  }
  num_features_ = in_channels;
  if (num_classes > 0) fc = register_module("fc", std::make_shared<Linear>(num_features_, num_classes, true, gen));
}

Tensor ResNet::forward_feature_map(const Tensor& x) {
  Tensor h = conv_bn_act(*conv1, *bn1, x, FusedActivation::Relu);
  h = max_pool2d(h, stem_pool());
  for (auto& layer : layers) h = layer->forward(h);
  return h;
}

Tensor ResNet::forward_head(const Tensor& features) {
  HITO_CHECK(fc, "this ResNet was built without a classifier (num_classes 0)");
  return fc->forward(features);
}

std::shared_ptr<ResNet> resnet18(int64_t num_classes, Generator& gen) {
  return std::make_shared<ResNet>(ResNet::BlockKind::Basic, std::vector<int64_t>{2, 2, 2, 2}, num_classes, gen);
}
std::shared_ptr<ResNet> resnet34(int64_t num_classes, Generator& gen) {
  return std::make_shared<ResNet>(ResNet::BlockKind::Basic, std::vector<int64_t>{3, 4, 6, 3}, num_classes, gen);
}
std::shared_ptr<ResNet> resnet50(int64_t num_classes, Generator& gen) {
  return std::make_shared<ResNet>(ResNet::BlockKind::Bottleneck, std::vector<int64_t>{3, 4, 6, 3}, num_classes, gen);
}

}  // namespace hito
