// Image model folders: the network description in config.json, the preprocessing it implies, and
// loading backbone + head back for any of the three modes.
#include "apps/study/image/image_model.h"

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "apps/study/train/model_output.h"
#include "engine/autograd.h"
#include "base/hash.h"
#include "data/image.h"
#include "engine/ops.h"
#include "models/image_preprocess.h"
#include "models/registry.h"
#include "models/small_cnn.h"
#include "weights/checkpoint.h"
#include "weights/safetensors.h"
#include "weights/state_dict.h"

namespace hito::study {

namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* name, const std::string& where) {
  HITO_CHECK(j.is_object() && j.contains(name), where, ": missing field \"", name, "\"");
  return j.at(name);
}

template <class T>
T value_of(const nlohmann::json& j, const char* name, const std::string& where) {
  try {
    return field(j, name, where).get<T>();
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(where, ": field \"", name, "\" has the wrong type (", e.what(), ")");
  }
}

// The centre of `src` with the aspect ratio height:width (whole rows or columns cut evenly).
data::Image crop_to_aspect(const data::Image& src, int64_t height, int64_t width) {
  int64_t crop_h = src.height, crop_w = src.width;
  if (src.width * height > src.height * width) crop_w = std::max<int64_t>(1, (src.height * width + height / 2) / height);
  else crop_h = std::max<int64_t>(1, (src.width * height + width / 2) / width);
  if (crop_h == src.height && crop_w == src.width) return src;
  data::Image out(crop_h, crop_w, src.channels);
  const int64_t y0 = (src.height - crop_h) / 2, x0 = (src.width - crop_w) / 2;
  for (int64_t y = 0; y < crop_h; ++y)
    std::memcpy(out.at(y, 0), src.at(y0 + y, x0), static_cast<size_t>(crop_w * src.channels));
  return out;
}

// Files decoded and resized with PIL's bilinear filter on every read (pretrained preprocessing).
class PilImageFiles : public data::ImageSource {
 public:
  PilImageFiles(std::vector<fs::path> paths, int64_t height, int64_t width, bool keep_aspect)
      : paths_(std::move(paths)), height_(height), width_(width), keep_aspect_(keep_aspect) {}
  int64_t size() const override { return static_cast<int64_t>(paths_.size()); }
  int64_t height() const override { return height_; }
  int64_t width() const override { return width_; }
  void read(int64_t i, uint8_t* out) const override {
    HITO_CHECK(i >= 0 && i < size(), "image ", i, " out of range (", size(), " images)");
    data::Image image = data::decode_image(paths_[static_cast<size_t>(i)]);
    if (keep_aspect_) image = crop_to_aspect(image, height_, width_);
    data::Image resized = resize_bilinear_pil(image, height_, width_);
    std::memcpy(out, resized.pixels.data(), resized.pixels.size());
  }

 private:
  std::vector<fs::path> paths_;
  int64_t height_, width_;
  bool keep_aspect_;
};

nlohmann::ordered_json head_to_json(const MlpConfig& c) {
  return {{"width", c.width}, {"depth", c.depth}, {"dropout", c.dropout}, {"batch_norm", c.batch_norm},
          {"activation", c.activation}};
}

MlpConfig head_from_json(const nlohmann::json& j, const std::string& where) {
  MlpConfig c;
  c.width = value_of<int64_t>(j, "width", where);
  c.depth = value_of<int64_t>(j, "depth", where);
  c.dropout = value_of<float>(j, "dropout", where);
  c.batch_norm = value_of<bool>(j, "batch_norm", where);
  c.activation = value_of<std::string>(j, "activation", where);
  return c;
}

// The backbone's tensors of a weights file: an ImageNet checkpoint without its classifier, or the
// "backbone.*" tensors of an ImageNetwork saved by hito (finetune, scratch), renamed.
NamedTensors backbone_tensors(const ImageNetworkSpec& spec) {
  NamedTensors all = read_safetensors(spec.weights_file).tensors;
  const std::string prefix = "backbone.";
  const std::string classifier = classifier_weight_name(spec.architecture);
  const std::string classifier_prefix = classifier.substr(0, classifier.size() - std::strlen("weight"));  // "fc."
  bool hito_network = false;
  for (const auto& [name, tensor] : all) hito_network = hito_network || name.rfind(prefix, 0) == 0;
  NamedTensors kept;
  for (auto& [name, tensor] : all) {
    if (hito_network && name.rfind(prefix, 0) == 0) kept.emplace_back(name.substr(prefix.size()), tensor);
    if (!hito_network && name.rfind(classifier_prefix, 0) != 0) kept.emplace_back(name, tensor);
  }
  return kept;
}

}  // namespace

nlohmann::ordered_json ImagePreprocessing::to_json() const {
  return {{"height", height}, {"width", width}, {"resize", resize}, {"keep_aspect", keep_aspect},
          {"mean", {mean[0], mean[1], mean[2]}}, {"std", {std[0], std[1], std[2]}}};
}

ImagePreprocessing ImagePreprocessing::from_json(const nlohmann::json& j, const std::string& where) {
  ImagePreprocessing p;
  p.height = value_of<int64_t>(j, "height", where);
  p.width = value_of<int64_t>(j, "width", where);
  p.resize = value_of<std::string>(j, "resize", where);
  p.keep_aspect = value_of<bool>(j, "keep_aspect", where);
  p.mean = value_of<std::array<float, 3>>(j, "mean", where);
  p.std = value_of<std::array<float, 3>>(j, "std", where);
  HITO_CHECK(p.resize == "pil" || p.resize == "area", where, ": \"resize\" must be \"pil\" or \"area\", got \"",
             p.resize, "\"");
  HITO_CHECK(p.height > 0 && p.width > 0, where, ": image size ", p.height, "x", p.width, " is not positive");
  return p;
}

std::shared_ptr<const data::ImageSource> ImagePreprocessing::files(const std::vector<fs::path>& paths) const {
  if (resize == "pil") return std::make_shared<PilImageFiles>(paths, height, width, keep_aspect);
  return std::make_shared<data::ImageFiles>(paths, height, width,
                                            keep_aspect ? data::ResizeMode::Crop : data::ResizeMode::Stretch);
}

std::shared_ptr<const data::ImageSource> ImagePreprocessing::for_run(const PreparedData& data, int threads) const {
  if (resize == "pil") return files(data.images);
  return data.image_cache(height, width, keep_aspect ? data::ResizeMode::Crop : data::ResizeMode::Stretch, threads);
}

ImagePreprocessing pretrained_preprocessing(int64_t size, bool keep_aspect, const fs::path& weights) {
  ImagePreprocessing p;
  p.height = p.width = size;
  p.resize = "pil";
  p.keep_aspect = keep_aspect;
  p.mean = {0.5f, 0.5f, 0.5f};
  p.std = {0.5f, 0.5f, 0.5f};
  if (weights.empty()) return p;
  if (std::optional<InputNormalisation> stated = input_normalisation(read_safetensors(weights).metadata)) {
    p.mean = stated->mean;
    p.std = stated->std;
    return p;
  }
  p.mean = {0.485f, 0.456f, 0.406f};
  p.std = {0.229f, 0.224f, 0.225f};
  return p;
}

nlohmann::ordered_json ImageNetworkSpec::to_json() const {
  nlohmann::ordered_json j = {{"mode", mode}, {"architecture", architecture}};
  if (architecture == "small_cnn") j["channels"] = channels;
  j["weights_file"] = weights_file;
  j["weights_hash"] = weights_hash;
  j["head"] = head_to_json(head);
  j["num_classes"] = num_classes;
  j["tta_flip"] = tta_flip;
  j["preprocessing"] = preprocessing.to_json();
  return j;
}

ImageNetworkSpec ImageNetworkSpec::from_json(const nlohmann::json& j, const std::string& where) {
  ImageNetworkSpec s;
  s.mode = value_of<std::string>(j, "mode", where);
  HITO_CHECK(s.mode == "head" || s.mode == "finetune" || s.mode == "scratch", where,
             ": \"mode\" must be head, finetune or scratch, got \"", s.mode, "\"");
  s.architecture = value_of<std::string>(j, "architecture", where);
  if (s.architecture == "small_cnn") s.channels = value_of<std::vector<int64_t>>(j, "channels", where);
  s.weights_file = value_of<std::string>(j, "weights_file", where);
  s.weights_hash = value_of<std::string>(j, "weights_hash", where);
  s.head = head_from_json(field(j, "head", where), where + " (head)");
  s.num_classes = value_of<int64_t>(j, "num_classes", where);
  s.tta_flip = value_of<bool>(j, "tta_flip", where);
  s.preprocessing = ImagePreprocessing::from_json(field(j, "preprocessing", where), where + " (preprocessing)");
  return s;
}

ImageNetwork::ImageNetwork(std::shared_ptr<ImageClassifier> backbone_in, int64_t num_classes, const MlpConfig& head_config,
                           Generator& gen)
    : num_classes_(num_classes) {
  HITO_CHECK(backbone_in && backbone_in->num_classes() == 0, "ImageNetwork needs a backbone without classifier");
  HITO_CHECK(num_classes > 0, "ImageNetwork needs at least one class, got ", num_classes);
  backbone = register_module("backbone", std::move(backbone_in));
  head = register_module("head", std::make_shared<Mlp>(backbone->num_features(), num_classes, head_config, gen));
}

std::shared_ptr<ImageClassifier> make_backbone(const ImageNetworkSpec& spec, Generator& gen) {
  std::shared_ptr<ImageClassifier> backbone;
  if (spec.architecture == "small_cnn" && !spec.channels.empty()) {  // else the registry's default
    SmallCnnConfig config;
    config.channels = spec.channels;
    config.pool_after.assign(spec.channels.size(), true);
    config.pool_after.back() = false;
    config.num_classes = 0;
    backbone = std::make_shared<SmallCnn>(config, gen);
  } else {
    backbone = make_image_model(spec.architecture, 0, gen);
  }
  if (!spec.weights_file.empty()) {
    HITO_CHECK(fs::is_regular_file(spec.weights_file), "the pretrained weights file ", spec.weights_file,
               " does not exist (moved or deleted?)");
    if (!spec.weights_hash.empty()) {
      std::string hash = file_content_hash(spec.weights_file);
      HITO_CHECK(hash == spec.weights_hash, "the pretrained weights file ", spec.weights_file, " has changed: hash ",
                 hash, ", the model was trained with ", spec.weights_hash);
    }
    load_pretrained(*backbone, backbone_tensors(spec), {}, spec.weights_file);
  }
  return backbone;
}

LoadedImageNetwork load_image_network(const fs::path& model_dir, Device device) {
  const fs::path config_path = model_dir / kModelConfig;
  std::ifstream in(config_path);
  HITO_CHECK(in, "cannot open ", config_path, ": is ", model_dir, " a model folder written by hito image?");
  nlohmann::json config;
  try {
    in >> config;
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(config_path, " is not valid JSON: ", e.what());
  }
  const std::string where = config_path.string();
  HITO_CHECK(config.contains("network"), where, " has no \"network\": not an image model folder (kind \"",
             config.value("kind", std::string("?")), "\")");
  LoadedImageNetwork loaded;
  loaded.spec = ImageNetworkSpec::from_json(config["network"], where + " (network)");
  if (config.contains("classes")) loaded.classes = config["classes"].get<std::vector<std::string>>();

  ImageNetworkSpec backbone_spec = loaded.spec;
  // Finetune and scratch saved every weight; only head mode takes its backbone from the file.
  if (loaded.spec.mode != "head") backbone_spec.weights_file.clear();
  auto network = std::make_shared<ImageNetwork>(make_backbone(backbone_spec), loaded.spec.num_classes, loaded.spec.head);
  const fs::path weights = model_dir / kModelWeights;
  HITO_CHECK(fs::is_regular_file(weights), "missing ", weights, " in the model folder ", model_dir);
  if (loaded.spec.mode == "head") {
    load_state_dict(*network->head, weights, true);
  } else {
    load_state_dict(*network, weights, true);
  }
  network->eval();
  network->to(device);
  loaded.network = network;
  return loaded;
}

Tensor flip_horizontal(const Tensor& images) {
  HITO_CHECK(images.dim() == 4 && images.dtype() == DType::F32, "flip_horizontal needs f32 (N, C, H, W), got ",
             images.describe());
  Tensor src = images.to(Device::CPU);
  Tensor out = Tensor::empty(src.shape(), DType::F32, Device::CPU);
  const int64_t rows = src.size(0) * src.size(1) * src.size(2), width = src.size(3);
  const float* s = src.data<float>();
  float* d = out.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t x = 0; x < width; ++x) d[r * width + x] = s[r * width + (width - 1 - x)];
  return out;
}

Tensor image_features(ImageClassifier& backbone, const Tensor& images, bool tta_flip) {
  NoGradGuard no_grad;
  Tensor features = backbone.forward_features(images);
  if (!tta_flip) return features;
  Tensor mirrored = backbone.forward_features(flip_horizontal(images).to(images.device()));
  return affine(add(features, mirrored), 0.5f, 0.0f);
}

std::string file_content_hash(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  HITO_CHECK(in, "cannot read ", path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Hasher hasher;
  hasher.add(bytes.str());
  return hasher.hex();
}

}  // namespace hito::study
