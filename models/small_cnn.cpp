// The small CNN.
#include "models/small_cnn.h"

#include "layers/conv.h"
#include "layers/pool.h"

namespace hito {

SmallCnn::SmallCnn(const SmallCnnConfig& config, Generator& gen) {
  HITO_CHECK(!config.channels.empty() && config.pool_after.size() == config.channels.size(),
             "SmallCnn: give one pool_after flag per block (", config.channels.size(), " blocks, ",
             config.pool_after.size(), " flags)");
  features = register_module("features", std::make_shared<Sequential>());
  int64_t in_channels = config.in_channels;
  for (size_t i = 0; i < config.channels.size(); ++i) {
    auto block = features->add(
        std::make_shared<ConvBnAct>(in_channels, config.channels[i], 3, 1, 1, FusedActivation::Relu, gen));
    batch_norms_.push_back(block->bn);
    if (config.pool_after[i]) features->add(std::make_shared<MaxPool2d>(Pool2dOptions{.kernel = 2}));
    in_channels = config.channels[i];
  }
  num_features_ = in_channels;
  if (config.num_classes > 0)
    fc = register_module("fc", std::make_shared<Linear>(num_features_, config.num_classes, true, gen));
}

Tensor SmallCnn::forward_head(const Tensor& features_in) {
  HITO_CHECK(fc, "this SmallCnn was built without a classifier (num_classes 0)");
  return fc->forward(features_in);
}

}  // namespace hito
