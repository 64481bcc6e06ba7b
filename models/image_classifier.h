// The interface every CNN of models/ shares (ResNet, MobileNetV2, the small CNN): the last
// convolutional block's activation (Grad-CAM's target), the pooled embedding (what `hito embed`
// caches) and the logits, plus the fine-tuning controls (freezing by name prefix, freezing BatchNorm
// statistics). To fine-tune on new classes, build the model with that many classes and load the
// pretrained backbone without its classifier (weights/checkpoint.h, exclude_prefixes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/random.h"
#include "layers/module.h"
#include "layers/norm.h"

namespace hito {

class ImageClassifier : public Module {
 public:
  // (N, 3, H, W) -> (N, C, h, w): the activation of the last convolutional block, before pooling.
  virtual Tensor forward_feature_map(const Tensor& x) = 0;
  // (N, 3, H, W) -> (N, num_features()): the globally average-pooled feature map.
  Tensor forward_features(const Tensor& x);
  // (N, num_features()) -> (N, num_classes()) logits; requires a classifier (num_classes() > 0).
  virtual Tensor forward_head(const Tensor& features) = 0;
  // (N, 3, H, W) -> logits, or the embedding when the model has no classifier.
  Tensor forward(const Tensor& x) override;

  virtual int64_t num_features() const = 0;
  virtual int64_t num_classes() const = 0;  // 0: no classifier (an embedding model)

  // Stops (on = false) or resumes training of every parameter whose name starts with one of the
  // prefixes ("conv1.", "layer1.", "features.0."); a prefix that matches nothing is an error (a
  // typo would otherwise silently train everything). Returns the number of tensors changed.
  int set_trainable(const std::vector<std::string>& prefixes, bool on);
  // Keeps every BatchNorm on its running statistics even in training mode (frozen = true), as
  // fine-tuning a small batch, or a backbone whose BatchNorm was folded, requires.
  void freeze_batch_norm(bool frozen = true);

 protected:
  // Subclasses list their BatchNorm layers here as they build them.
  std::vector<std::shared_ptr<BatchNorm>> batch_norms_;
};

}  // namespace hito
