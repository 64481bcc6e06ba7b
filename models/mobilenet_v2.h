// MobileNetV2 (width 1.0) in torchvision's layout and names: "features.0" the stem ConvBnAct,
// "features.1" .. "features.17" the inverted residual blocks ("features.2.conv.0.0.weight", ...),
// "features.18" the last 1x1 ConvBnAct, "classifier.1" the Linear (after Dropout "classifier.0").
#pragma once

#include <memory>
#include <vector>

#include "layers/basic.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "models/image_classifier.h"

namespace hito {

// 1x1 expansion (absent when expand_ratio is 1) -> 3x3 depthwise -> 1x1 linear projection, all
// with BatchNorm and ReLU6 but the last; the input is added back when the shapes allow
// (stride 1, same channels). Its children are "conv.0", "conv.1", ... as in torchvision.
class InvertedResidual : public Module {
 public:
  InvertedResidual(int64_t in_channels, int64_t out_channels, int64_t stride, int64_t expand_ratio, Generator& gen);
  Tensor forward(const Tensor& x) override;

  std::vector<std::shared_ptr<ConvBnAct>> expand_and_depthwise;  // [expansion,] depthwise
  std::shared_ptr<Conv2d> project;
  std::shared_ptr<BatchNorm> project_bn;
  bool residual;
};

class MobileNetV2 : public ImageClassifier {
 public:
  // num_classes 0: no classifier. dropout: the classifier's (0.2 in torchvision). Initialised as
  // torchvision does (kaiming-normal convolutions, Linear weight ~ N(0, 0.01), zero biases).
  explicit MobileNetV2(int64_t num_classes = 1000, float dropout = 0.2f, Generator& gen = default_generator());

  Tensor forward_feature_map(const Tensor& x) override;  // -> features.18's (N, 1280, H/32, W/32)
  Tensor forward_head(const Tensor& features) override;
  int64_t num_features() const override { return 1280; }
  int64_t num_classes() const override { return fc_ ? fc_->out_features() : 0; }

  std::shared_ptr<Sequential> features, classifier;  // classifier null without one

 private:
  std::shared_ptr<Linear> fc_;
};

}  // namespace hito
