// An image model folder as an ONNX graph.
#include "apps/study/export/image_graph.h"

#include <limits>

#include "apps/study/image/image_model.h"
#include "onnx/network_nodes.h"

namespace hito::study {

namespace {

// The data loader's arithmetic (data/data_loader.cpp): (pixel * (1 / 255) - mean) * (1 / std) per channel.
std::string normalised(onnx::OnnxGraph& g, const ImagePreprocessing& p, const std::string& pixels) {
  std::vector<float> mean(p.mean.begin(), p.mean.end()), inv_std;
  for (float s : p.std) inv_std.push_back(1.0f / s);
  const std::string scaled = g.node("Mul", {pixels, g.constant(std::vector<float>{1.0f / 255.0f}, {})});
  const std::string centred = g.node("Sub", {scaled, g.constant(mean, {1, 3, 1, 1})});
  return g.node("Mul", {centred, g.constant(inv_std, {1, 3, 1, 1})});
}

// (N, C, H, W) mirrored left-right: a Slice over W from the last column backwards.
std::string mirrored(onnx::OnnxGraph& g, const std::string& x) {
  const int64_t before_first = std::numeric_limits<int64_t>::min();
  return g.node("Slice", {x, g.constant(std::vector<int64_t>{-1}, {1}), g.constant(std::vector<int64_t>{before_first}, {1}),
                          g.constant(std::vector<int64_t>{3}, {1}), g.constant(std::vector<int64_t>{-1}, {1})});
}

}  // namespace

onnx::OnnxGraph image_graph(const ModelFolder& model) {
  LoadedImageNetwork loaded = load_image_network(model.dir, Device::CPU);
  const ImageNetworkSpec& spec = loaded.spec;
  const ImagePreprocessing& p = spec.preprocessing;
  onnx::OnnxGraph g;
  g.name_tensors(*loaded.network, "");
  g.input("pixels", onnx::ElemType::Float, {-1, 3, p.height, p.width});
  g.metadata("preprocessing", p.to_json().dump());
  g.doc("input pixels: f32 (N, 3, " + std::to_string(p.height) + ", " + std::to_string(p.width) +
        "), RGB values 0..255 of each image resized as metadata 'preprocessing' says (resize, keep_aspect); the graph "
        "normalises them with its mean and std");

  const std::string x = normalised(g, p, "pixels");
  std::string features = onnx::pooled_features_nodes(g, *loaded.network->backbone, x);
  if (spec.tta_flip) {
    // image_features(): (features + features of the mirrored image) * 0.5
    const std::string flipped = onnx::pooled_features_nodes(g, *loaded.network->backbone, mirrored(g, x));
    features = g.node("Mul", {g.node("Add", {features, flipped}), g.constant(std::vector<float>{0.5f}, {})});
  }
  const std::string logits = onnx::module_nodes(g, *loaded.network->head, features);
  onnx::classifier_outputs(g, logits, static_cast<int64_t>(loaded.classes.size()));
  return g;
}

}  // namespace hito::study
