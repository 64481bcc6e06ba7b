// A configurable small CNN for training from scratch: blocks of 3x3 convolution (no bias) ->
// BatchNorm -> ReLU, each optionally followed by a 2x2 max pool, then global average pooling and a
// Linear classifier ("fc"). The default is the `cnn-train` benchmark's network.
#pragma once

#include <memory>
#include <vector>

#include "layers/basic.h"
#include "layers/linear.h"
#include "models/image_classifier.h"

namespace hito {

struct SmallCnnConfig {
  int64_t in_channels = 3;
  std::vector<int64_t> channels = {32, 64, 128};     // output channels of each block
  std::vector<bool> pool_after = {true, true, false};  // a 2x2 max pool after block i
  int64_t num_classes = 7;                            // 0: no classifier
};

class SmallCnn : public ImageClassifier {
 public:
  explicit SmallCnn(const SmallCnnConfig& config = {}, Generator& gen = default_generator());

  Tensor forward_feature_map(const Tensor& x) override { return features->forward(x); }
  Tensor forward_head(const Tensor& features) override;
  int64_t num_features() const override { return num_features_; }
  int64_t num_classes() const override { return fc ? fc->out_features() : 0; }

  std::shared_ptr<Sequential> features;  // ConvBnAct blocks ("features.0.0.weight") and pools
  std::shared_ptr<Linear> fc;

 private:
  int64_t num_features_;
};

}  // namespace hito
