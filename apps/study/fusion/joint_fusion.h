// Joint fusion: one network trained end to end on both modalities.
//
//   image  (B, 3, H, W) -> backbone (pretrained, frozen or partly fine-tuned, or the small CNN from
//          scratch) -> pooled features (B, F) -> Linear -> ReLU -> dropout -> h_img (B, W)
//   tabular (B, T) -> Mlp (one hidden layer) -> ReLU -> h_tab (B, W)
//   head "concat": h = [h_img, h_tab] (B, 2W) -> Linear -> logits (B, K)
//   head "gated":  g = softmax(Linear([h_img, h_tab])) (B, 2), a per-sample weight of each modality;
//                  h = g_0 h_img + g_1 h_tab (B, W) -> Linear -> logits (B, K)
// h is the fusion's saved embedding; for the gated head the mean gates say how much each modality
// is weighed, per split.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/study/image/image_model.h"
#include "models/mlp.h"

namespace hito::study {

struct JointFusionConfig {
  ImageNetworkSpec image;        // the image branch's backbone and preprocessing (its head unused)
  int64_t tabular_features = 0;  // T
  int64_t branch_width = 64;     // W
  std::string head = "concat";   // concat, gated
  float dropout = 0.2f;
  int64_t num_classes = 0;

  void validate() const;
  nlohmann::ordered_json to_json() const;
  static JointFusionConfig from_json(const nlohmann::json& j, const std::string& where);
};

class JointFusionNet : public Module {
 public:
  // The backbone comes from make_backbone(config.image) (pretrained weights loaded when named).
  JointFusionNet(const JointFusionConfig& config, std::shared_ptr<ImageClassifier> backbone,
                 Generator& gen = default_generator());
  // images (B, 3, H, W), tabular (B, T) -> fused embedding h (B, W or 2W); gates (B, 2) are
  // written when asked for and the head is gated.
  Tensor fuse(const Tensor& images, const Tensor& tabular, Tensor* gates = nullptr);
  Tensor logits(const Tensor& images, const Tensor& tabular, Tensor* gates = nullptr) {
    return classifier_->forward(fuse(images, tabular, gates));
  }
  int64_t embedding_width() const;
  const JointFusionConfig& config() const { return config_; }

  std::shared_ptr<ImageClassifier> backbone;

 private:
  JointFusionConfig config_;
  std::shared_ptr<Linear> image_projection_, gate_, classifier_;
  std::shared_ptr<Mlp> tabular_;
};

}  // namespace hito::study
