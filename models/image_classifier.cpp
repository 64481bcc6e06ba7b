// The shared parts of the CNNs: pooling, forward, freezing.
#include "models/image_classifier.h"

#include "engine/ops.h"

namespace hito {

Tensor ImageClassifier::forward_features(const Tensor& x) {
  return adaptive_avg_pool2d(forward_feature_map(x), 1).flatten(1);
}

Tensor ImageClassifier::forward(const Tensor& x) {
  Tensor features = forward_features(x);
  return num_classes() > 0 ? forward_head(features) : features;
}

int ImageClassifier::set_trainable(const std::vector<std::string>& prefixes, bool on) {
  int changed = 0;
  for (const std::string& prefix : prefixes) {
    int matched = set_requires_grad(prefix, on);
    HITO_CHECK(matched > 0, "no parameter name starts with '", prefix, "' (names look like '",
               named_parameters().front().first, "')");
    changed += matched;
  }
  return changed;
}

void ImageClassifier::freeze_batch_norm(bool frozen) {
  for (auto& bn : batch_norms_) bn->freeze_statistics(frozen);
}

}  // namespace hito
