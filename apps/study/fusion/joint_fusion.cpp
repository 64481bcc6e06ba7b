// The joint fusion network.
#include "apps/study/fusion/joint_fusion.h"

#include "base/error.h"
#include "engine/ops.h"

namespace hito::study {

void JointFusionConfig::validate() const {
  HITO_CHECK(head == "concat" || head == "gated", "--head must be concat or gated, got '", head, "'");
  HITO_CHECK(tabular_features > 0, "joint fusion needs tabular features");
  HITO_CHECK(branch_width > 0, "--branch-width must be positive, got ", branch_width);
  HITO_CHECK(num_classes >= 2, "joint fusion needs at least two classes");
}

nlohmann::ordered_json JointFusionConfig::to_json() const {
  return {{"image", image.to_json()},     {"tabular_features", tabular_features}, {"branch_width", branch_width},
          {"head", head},                 {"dropout", dropout},                   {"num_classes", num_classes}};
}

JointFusionConfig JointFusionConfig::from_json(const nlohmann::json& j, const std::string& where) {
  JointFusionConfig c;
  try {
    c.image = ImageNetworkSpec::from_json(j.at("image"), where + " (image)");
    c.tabular_features = j.at("tabular_features").get<int64_t>();
    c.branch_width = j.at("branch_width").get<int64_t>();
    c.head = j.at("head").get<std::string>();
    c.dropout = j.at("dropout").get<float>();
    c.num_classes = j.at("num_classes").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(where, ": bad joint-fusion description: ", e.what());
  }
  c.validate();
  return c;
}

JointFusionNet::JointFusionNet(const JointFusionConfig& config, std::shared_ptr<ImageClassifier> backbone_network,
                               Generator& gen)
    : config_(config) {
  config_.validate();
  const int64_t w = config_.branch_width;
  backbone = register_module("backbone", std::move(backbone_network));
  image_projection_ = register_module("image_projection", std::make_shared<Linear>(backbone->num_features(), w, true, gen));
  tabular_ = register_module(
      "tabular", std::make_shared<Mlp>(config_.tabular_features, w,
                                       MlpConfig{.width = 64, .depth = 1, .dropout = 0.1f, .batch_norm = true, .activation = "relu"},
                                       gen));
  if (config_.head == "gated") gate_ = register_module("gate", std::make_shared<Linear>(2 * w, 2, true, gen));
  classifier_ = register_module("classifier", std::make_shared<Linear>(embedding_width(), config_.num_classes, true, gen));
}

int64_t JointFusionNet::embedding_width() const {
  return config_.head == "gated" ? config_.branch_width : 2 * config_.branch_width;
}

Tensor JointFusionNet::fuse(const Tensor& images, const Tensor& tabular, Tensor* gates) {
  HITO_CHECK(tabular.defined() && tabular.dim() == 2 && tabular.size(1) == config_.tabular_features,
             "joint fusion: tabular input must be (B, ", config_.tabular_features, ")",
             tabular.defined() ? ", got " + tabular.describe() : std::string(", got none"));
  Tensor h_img = dropout(relu(image_projection_->forward(backbone->forward_features(images))), config_.dropout,
                         is_training());                      // (B, W)
  Tensor h_tab = relu(tabular_->forward(tabular));            // (B, W)
  Tensor both = concat({h_img, h_tab}, 1);                    // (B, 2W)
  if (config_.head == "concat") return both;
  Tensor g = softmax(gate_->forward(both), 1);                // (B, 2)
  if (gates) *gates = g;
  return slice(g, 1, 0, 1) * h_img + slice(g, 1, 1, 2) * h_tab;  // (B, W)
}

}  // namespace hito::study
