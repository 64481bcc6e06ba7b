// How an image model folder (<run>/image-head/, image-finetune/, image-scratch/, written by
// `hito image`) describes its network, and loading that network back for `hito explain`,
// `hito predict` and fusion.
//
// config.json of an image model carries, beside the common fields of model_output.h:
//   "network": {
//     "mode": "head" | "finetune" | "scratch",
//     "architecture": "mobilenet_v2" | "resnet18" | "resnet34" | "resnet50" | "small_cnn",
//     "channels": [32, 64, 128],           // small_cnn only: output channels of each block
//     "weights_file": "/abs/path.safetensors", "weights_hash": "16 hex digits",  // head, finetune
//     "head": {"width": 256, "depth": 1, "dropout": 0.2, "batch_norm": true},  // depth 0: linear
//     "num_classes": 7,
//     "tta_flip": false,                   // features averaged with the horizontally flipped image
//     "preprocessing": {"height": 224, "width": 224, "resize": "pil" | "area",
//                       "keep_aspect": false, "mean": [..3], "std": [..3]}
//   }
// model.safetensors holds, for finetune and scratch, the whole ImageNetwork ("backbone.*",
// "head.*"); for head mode only the head (the Mlp's own names): its backbone is the recorded weights file,
// whose content hash must still match.
//
//   LoadedImageNetwork loaded = load_image_network(run / "image-finetune", Device::CPU);
//   auto source = loaded.spec.preprocessing.files(image_paths);     // decode as in training
//   Tensor logits = loaded.network->forward(images);                // (N, K), eval mode
//   Tensor cam_input = loaded.network->forward_feature_map(images); // (N, C, h, w) for Grad-CAM
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/study/prepare/prepared_data.h"
#include "data/image_source.h"
#include "models/image_classifier.h"
#include "models/mlp.h"

namespace hito::study {

namespace fs = std::filesystem;

// How files become the network's input tensor.
struct ImagePreprocessing {
  int64_t height = 224, width = 224;
  // "pil": decoded and resized per read, bit-identical to PIL's bilinear resize (what pretrained
  // weights expect; models/image_preprocess.h). "area": data/resize.h (area averaging),
  // served for the run from its memory-mapped image cache (training many epochs).
  std::string resize = "pil";
  bool keep_aspect = false;  // centre-crop to the target's aspect first; otherwise stretch
  std::array<float, 3> mean{0.5f, 0.5f, 0.5f}, std{0.5f, 0.5f, 0.5f};  // on the [0, 1] scale

  nlohmann::ordered_json to_json() const;
  // Errors name `where` (the file the object came from) and the bad field.
  static ImagePreprocessing from_json(const nlohmann::json& j, const std::string& where);
  // u8 images of these files at (height, width), resized as above (decoded on every read).
  std::shared_ptr<const data::ImageSource> files(const std::vector<fs::path>& paths) const;
  // Every row of a prepared run: its image cache for "area", the files for "pil".
  std::shared_ptr<const data::ImageSource> for_run(const PreparedData& data, int threads = 0) const;
};

// The preprocessing a pretrained checkpoint expects, PIL-exact resize to size x size. Normalisation:
// x = pixel / 127.5 - 1 (mean = std = 0.5) when `weights` is empty (the MobileNetV2 of
// ../shared/weights) or its safetensors metadata "input" says "pixel/127.5 - 1"; otherwise
// torchvision's ImageNet statistics (mean 0.485, 0.456, 0.406; std 0.229, 0.224, 0.225).
ImagePreprocessing pretrained_preprocessing(int64_t size, bool keep_aspect, const fs::path& weights = {});

struct ImageNetworkSpec {
  std::string mode;          // head, finetune, scratch
  std::string architecture;  // models/registry.h names
  std::vector<int64_t> channels;  // small_cnn: output channels per block (a pool after all but the last)
  std::string weights_file, weights_hash;  // the pretrained backbone; empty for scratch
  MlpConfig head{.width = 256, .depth = 0, .dropout = 0.2f, .batch_norm = true, .activation = "relu"};
  int64_t num_classes = 0;
  bool tta_flip = false;
  ImagePreprocessing preprocessing;

  nlohmann::ordered_json to_json() const;
  static ImageNetworkSpec from_json(const nlohmann::json& j, const std::string& where);
};

// Backbone (an ImageClassifier without classifier, registered as "backbone") + head (an Mlp on
// the pooled features, "head"): one ImageClassifier for every mode, so Grad-CAM, prediction and
// fine-tuning treat them alike.
class ImageNetwork : public ImageClassifier {
 public:
  ImageNetwork(std::shared_ptr<ImageClassifier> backbone, int64_t num_classes, const MlpConfig& head,
               Generator& gen = default_generator());
  // (N, 3, H, W) -> (N, C, h, w): the backbone's last convolutional block.
  Tensor forward_feature_map(const Tensor& x) override { return backbone->forward_feature_map(x); }
  // (N, num_features()) -> (N, K).
  Tensor forward_head(const Tensor& features) override { return head->forward(features); }
  // (N, num_features()) -> (N, D): the head's last hidden layer (the pooled features for a linear
  // head): the "penultimate" embedding saved for fusion.
  Tensor penultimate(const Tensor& features) { return head->features(features); }
  int64_t num_features() const override { return backbone->num_features(); }
  int64_t num_classes() const override { return num_classes_; }
  // The backbone's BatchNorms (the head's, if any, keep training): hides ImageClassifier's.
  void freeze_batch_norm(bool frozen = true) { backbone->freeze_batch_norm(frozen); }

  std::shared_ptr<ImageClassifier> backbone;
  std::shared_ptr<Mlp> head;

 private:
  int64_t num_classes_;
};

// A backbone of the spec, without classifier: pretrained weights loaded (and their hash checked)
// when the spec names a file, else freshly initialised.
std::shared_ptr<ImageClassifier> make_backbone(const ImageNetworkSpec& spec, Generator& gen = default_generator());

struct LoadedImageNetwork {
  ImageNetworkSpec spec;
  std::vector<std::string> classes;
  std::shared_ptr<ImageNetwork> network;  // eval mode, on the device asked for
};

// Reads <model_dir>/config.json and model.safetensors (see above) for any of the three modes.
// Errors name the folder and what is missing or different (a weights file that moved or changed).
LoadedImageNetwork load_image_network(const fs::path& model_dir, Device device);

// Eval-mode features of a batch (N, 3, H, W) on the network's device: the pooled backbone features,
// averaged with those of the horizontally mirrored batch when tta_flip.
Tensor image_features(ImageClassifier& backbone, const Tensor& images, bool tta_flip);

// (N, C, H, W) -> the same, mirrored left-right (a copy, on the CPU).
Tensor flip_horizontal(const Tensor& images);

// The 64-bit content hash (base/hash.h) of a file, as 16 hex digits.
std::string file_content_hash(const fs::path& path);

}  // namespace hito::study
