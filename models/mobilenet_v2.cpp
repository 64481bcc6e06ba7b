// MobileNetV2 (torchvision's layout and names).
#include "models/mobilenet_v2.h"

#include "engine/ops.h"

namespace hito {

InvertedResidual::InvertedResidual(int64_t in_channels, int64_t out_channels, int64_t stride, int64_t expand_ratio,
                                   Generator& gen)
    : residual(stride == 1 && in_channels == out_channels) {
  HITO_CHECK(stride == 1 || stride == 2, "InvertedResidual: stride must be 1 or 2, got ", stride);
  const int64_t hidden = in_channels * expand_ratio;
  auto conv = register_module("conv", std::make_shared<Sequential>());
  if (expand_ratio != 1)
    expand_and_depthwise.push_back(
        conv->add(std::make_shared<ConvBnAct>(in_channels, hidden, 1, 1, 1, FusedActivation::Relu6, gen)));
  expand_and_depthwise.push_back(
      conv->add(std::make_shared<ConvBnAct>(hidden, hidden, 3, stride, hidden, FusedActivation::Relu6, gen)));
  project = conv->add(std::make_shared<Conv2d>(hidden, out_channels, 1, Conv2dOptions{}, false, gen));
  project_bn = conv->add(std::make_shared<BatchNorm>(out_channels));
}

Tensor InvertedResidual::forward(const Tensor& x) {
  Tensor h = x;
  for (auto& block : expand_and_depthwise) h = block->forward(h);
  return conv_bn_act(*project, *project_bn, h, FusedActivation::None, residual ? x : Tensor());
}

MobileNetV2::MobileNetV2(int64_t num_classes, float dropout, Generator& gen) {
  HITO_CHECK(num_classes >= 0, "MobileNetV2: num_classes must be >= 0, got ", num_classes);
  // (expand ratio t, output channels c, repeats n, first stride s), torchvision's table.
  struct Stage {
    int64_t t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  features = register_module("features", std::make_shared<Sequential>());
  std::vector<std::shared_ptr<Conv2d>> convs;
  auto add_conv_bn_act = [&](int64_t in, int64_t out, int64_t kernel, int64_t stride) {
    auto block = features->add(std::make_shared<ConvBnAct>(in, out, kernel, stride, 1, FusedActivation::Relu6, gen));
    convs.push_back(block->conv);
    batch_norms_.push_back(block->bn);
  };
  add_conv_bn_act(3, 32, 3, 2);
  int64_t in_channels = 32;
  for (const Stage& stage : stages)
    for (int64_t i = 0; i < stage.n; ++i) {
      auto block = features->add(
          std::make_shared<InvertedResidual>(in_channels, stage.c, i == 0 ? stage.s : 1, stage.t, gen));
      for (auto& part : block->expand_and_depthwise) {
        convs.push_back(part->conv);
        batch_norms_.push_back(part->bn);
      }
      convs.push_back(block->project);
      batch_norms_.push_back(block->project_bn);
      in_channels = stage.c;
    }
  add_conv_bn_act(in_channels, num_features(), 1, 1);
  for (auto& conv : convs) kaiming_normal_fan_out_(*conv, gen);
  if (num_classes > 0) {
    classifier = register_module("classifier", std::make_shared<Sequential>());
    classifier->add(std::make_shared<Dropout>(dropout));
    fc_ = classifier->add(std::make_shared<Linear>(num_features(), num_classes, true, gen));
    fc_->weight.copy_(normal_tensor(fc_->weight.shape(), 0.0f, 0.01f, gen));
    fc_->bias.zero_();
  }
}

Tensor MobileNetV2::forward_feature_map(const Tensor& x) { return features->forward(x); }

Tensor MobileNetV2::forward_head(const Tensor& x) {
  HITO_CHECK(classifier, "this MobileNetV2 was built without a classifier (num_classes 0)");
  return classifier->forward(x);
}

}  // namespace hito
