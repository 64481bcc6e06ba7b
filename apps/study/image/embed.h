// `hito embed`: a pretrained (or hito-trained) CNN backbone run once over every image of a prepared
// data set, its pooled features cached for the classifier on embeddings (`hito image --mode head`)
// and for fusion. Offline transfer learning: the backbone is never trained here.
//
// Files, in <run>/embeddings/:
//   <name>.npy              f32 (N, D), row i = image of prepared/rows.csv row i (manifest order)
//   <name>_ids.csv          `<id column>,split` of each embedding row (the same order; the writer
//                           of the model folders' embeddings_ids.csv, model_output.h)
//   <name>.provenance.json  what produced them: backbone, weights file + content hash, input size,
//                           resize and normalisation, flip averaging, data fingerprint (the "key"),
//                           plus rows, dimension and timing. Written last: its presence means the
//                           other two are complete.
// A call whose key matches the provenance file reuses the embeddings; any difference (another
// backbone, weights, size, preprocessing, or data) recomputes them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/study/image/image_model.h"
#include "base/types.h"

namespace hito::study {

struct EmbedOptions {
  fs::path run_dir;
  // The backbone: a pretrained checkpoint (`weights` + `backbone`, a models/registry.h name), or the
  // backbone of a model folder hito trained (`from_model`, e.g. <run>/image-finetune).
  fs::path weights;
  std::string backbone = "mobilenet_v2";
  fs::path from_model;
  std::string name;          // output stem; empty: the backbone name (or the model folder's name)
  int64_t size = 224;        // square input (pretrained checkpoints); a model folder keeps its own
  bool keep_aspect = false;  // centre-crop to the aspect before resizing, instead of stretching
  bool tta_flip = false;     // average the features of the image and its mirror image
  int64_t batch_size = 32;
  Device device = Device::CPU;
  int threads = 0;
  bool progress = true;
};

struct EmbedResult {
  fs::path file;  // <run>/embeddings/<name>.npy
  bool reused = false;
  int64_t rows = 0, dim = 0;
  double seconds = 0.0;  // computing the embeddings (0 when reused)
};

EmbedResult run_embed(const EmbedOptions& options);

// The embeddings of a run by name, with the provenance that produced them. Errors say to run
// `hito embed` when they are missing, and refuse embeddings of other data (fingerprint).
struct SavedEmbeddings {
  Tensor features;                      // f32 (N, D)
  nlohmann::json provenance;            // <name>.provenance.json
  ImageNetworkSpec backbone;            // architecture, weights, preprocessing, tta_flip (no head)
};
SavedEmbeddings load_embeddings(const PreparedData& data, const std::string& name);

fs::path embeddings_dir_of(const fs::path& run_dir);  // <run>/embeddings

}  // namespace hito::study
