// hito embed: the backbone over every image, in manifest order, cached by provenance.
#include "apps/study/image/embed.h"

#include <chrono>
#include <cstdio>
#include <fstream>

#include "apps/study/train/image_batches.h"
#include "apps/study/train/model_output.h"
#include "apps/study/train/progress.h"
#include "engine/autograd.h"
#include "data/npy.h"
#include "base/fs.h"
#include "base/json.h"
#include "engine/ops.h"

namespace hito::study {

namespace {

// Which backbone, with which weights and preprocessing: everything the embeddings depend on.
struct Backbone {
  ImageNetworkSpec spec;
  std::shared_ptr<ImageClassifier> network;
};

Backbone choose_backbone(const EmbedOptions& o) {
  HITO_CHECK(o.weights.empty() != o.from_model.empty(),
             "hito embed needs one backbone: --weights FILE (a pretrained checkpoint; the default "
             "../shared/weights/mobilenet_v2_imagenet.safetensors was not found) or --from-model DIR");
  Backbone b;
  b.spec.mode = "head";
  b.spec.tta_flip = o.tta_flip;
  if (!o.from_model.empty()) {
    LoadedImageNetwork loaded = load_image_network(o.from_model, Device::CPU);
    b.spec.architecture = loaded.spec.architecture;
    b.spec.channels = loaded.spec.channels;
    b.spec.preprocessing = loaded.spec.preprocessing;
    if (loaded.spec.mode == "head") {  // its backbone is the pretrained file it recorded
      b.spec.weights_file = loaded.spec.weights_file;
      b.spec.weights_hash = loaded.spec.weights_hash;
    } else {
      b.spec.weights_file = fs::absolute(o.from_model / kModelWeights).string();
      b.spec.weights_hash = file_content_hash(b.spec.weights_file);
    }
    b.network = loaded.network->backbone;
    return b;
  }
  HITO_CHECK(fs::is_regular_file(o.weights), "--weights ", o.weights, " is not a file");
  b.spec.architecture = o.backbone;
  b.spec.weights_file = fs::absolute(o.weights).string();
  b.spec.weights_hash = file_content_hash(o.weights);
  b.spec.preprocessing = pretrained_preprocessing(o.size, o.keep_aspect, o.weights);
  b.network = make_backbone(b.spec);
  return b;
}

// The part of the provenance that decides reuse.
nlohmann::ordered_json provenance_key(const ImageNetworkSpec& spec, const PreparedData& data) {
  nlohmann::ordered_json key = {{"backbone", spec.architecture}};
  if (!spec.channels.empty()) key["channels"] = spec.channels;
  key["weights_file"] = spec.weights_file;
  key["weights_hash"] = spec.weights_hash;
  key["preprocessing"] = spec.preprocessing.to_json();
  key["tta_flip"] = spec.tta_flip;
  key["data_fingerprint"] = data.fingerprint;
  key["rows"] = data.size();
  return key;
}

// True when <name>.provenance.json exists with this key and the array has the rows it says.
bool reusable(const fs::path& npy, const fs::path& provenance, const nlohmann::ordered_json& key) {
  if (!fs::is_regular_file(npy) || !fs::is_regular_file(provenance)) return false;
  nlohmann::json saved = read_json_file(provenance);
  if (!saved.contains("key") || saved["key"] != nlohmann::json(key)) return false;
  Tensor features = data::load_npy(npy);
  return features.dim() == 2 && features.size(0) == key["rows"].get<int64_t>();
}

Tensor compute_embeddings(const Backbone& b, const PreparedData& data, const EmbedOptions& o) {
  data::LoaderOptions loader;
  loader.batch_size = o.batch_size;
  loader.mean = b.spec.preprocessing.mean;
  loader.std = b.spec.preprocessing.std;
  loader.workers = 1;  // decoding + resizing overlaps the forward pass
  loader.device = o.device;
  std::vector<int64_t> all(static_cast<size_t>(data.size()));
  for (int64_t i = 0; i < data.size(); ++i) all[static_cast<size_t>(i)] = i;
  ImageBatches batches(b.spec.preprocessing.for_run(data, o.threads), data.loader_tables(), all, loader);

  b.network->eval();
  b.network->to(o.device);
  ProgressBar progress("embed " + b.spec.architecture, o.progress);
  progress.start_epoch(1, 1, data.size());
  std::vector<Tensor> chunks;
  int64_t done = 0;
  batches.start_epoch(0);
  for (Batch batch; batches.next(batch);) {
    chunks.push_back(image_features(*b.network, batch.inputs[kImagesInput], b.spec.tta_flip).to(Device::CPU));
    done += static_cast<int64_t>(batch.rows.size());
    progress.update(done, 0.0);
  }
  progress.finish_epoch(std::to_string(data.size()) + " images");
  return chunks.size() == 1 ? chunks[0] : concat(chunks, 0);
}

}  // namespace

fs::path embeddings_dir_of(const fs::path& run_dir) { return run_dir / "embeddings"; }

EmbedResult run_embed(const EmbedOptions& o) {
  HITO_CHECK(o.size > 0 && o.batch_size > 0, "--size and --batch-size must be positive");
  PreparedData data = load_prepared(o.run_dir);
  Backbone b = choose_backbone(o);
  std::string name = o.name;
  if (name.empty()) name = o.from_model.empty() ? o.backbone : fs::absolute(o.from_model).lexically_normal().filename().string();
  HITO_CHECK(!name.empty() && name.find('/') == std::string::npos, "--name must be a plain file stem, got '", name, "'");

  const fs::path dir = embeddings_dir_of(o.run_dir);
  const fs::path npy = dir / (name + ".npy"), ids = dir / (name + "_ids.csv"), provenance = dir / (name + ".provenance.json");
  const nlohmann::ordered_json key = provenance_key(b.spec, data);
  EmbedResult result;
  result.file = npy;
  if (reusable(npy, provenance, key)) {
    Tensor features = data::load_npy(npy);
    result.reused = true;
    result.rows = features.size(0);
    result.dim = features.size(1);
    if (!fs::is_regular_file(ids)) write_row_ids(ids, data);  // a cache from before the ids were written
    std::printf("embed: reusing %s (%lld x %lld; same backbone, weights, preprocessing and data)\n", npy.c_str(),
                static_cast<long long>(result.rows), static_cast<long long>(result.dim));
    return result;
  }

  const auto start = std::chrono::steady_clock::now();
  Tensor features = compute_embeddings(b, data, o);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.rows = features.size(0);
  result.dim = features.size(1);

  fs::create_directories(dir);
  fs::remove(provenance);  // until the new one is written, the old files are not trusted
  data::save_npy(npy, features);
  write_row_ids(ids, data);
  nlohmann::ordered_json record = {{"key", key},
                                   {"dim", result.dim},
                                   {"seconds", result.seconds},
                                   {"images_per_second", result.rows / std::max(result.seconds, 1e-9)},
                                   {"device", o.device == Device::CUDA ? "cuda" : "cpu"}};
  write_file_atomic(provenance, record.dump(2) + "\n");
  std::printf("embed: %s (%lld x %lld) in %.1f s, %.1f images/s\n", npy.c_str(), static_cast<long long>(result.rows),
              static_cast<long long>(result.dim), result.seconds, result.rows / std::max(result.seconds, 1e-9));
  return result;
}

SavedEmbeddings load_embeddings(const PreparedData& data, const std::string& name) {
  const fs::path dir = embeddings_dir_of(data.run_dir);
  const fs::path npy = dir / (name + ".npy"), provenance = dir / (name + ".provenance.json");
  HITO_CHECK(fs::is_regular_file(npy) && fs::is_regular_file(provenance), "no embeddings '", name, "' in ", dir,
             ": run `hito embed` first");
  SavedEmbeddings saved;
  saved.provenance = read_json_file(provenance);
  HITO_CHECK(saved.provenance.contains("key"), provenance, " has no \"key\"");
  const nlohmann::json& key = saved.provenance["key"];
  const std::string fingerprint = key.value("data_fingerprint", std::string());
  HITO_CHECK(fingerprint == data.fingerprint, npy, " was computed on other data (fingerprint ", fingerprint,
             ", the prepared data have ", data.fingerprint, "): run `hito embed` again");
  saved.features = data::load_npy(npy);
  HITO_CHECK(saved.features.dtype() == DType::F32 && saved.features.dim() == 2 && saved.features.size(0) == data.size(),
             npy, ": expected f32 (", data.size(), ", D), got ", saved.features.describe());
  const std::string where = provenance.string();
  saved.backbone.mode = "head";
  saved.backbone.architecture = key.at("backbone").get<std::string>();
  if (key.contains("channels")) saved.backbone.channels = key["channels"].get<std::vector<int64_t>>();
  saved.backbone.weights_file = key.at("weights_file").get<std::string>();
  saved.backbone.weights_hash = key.at("weights_hash").get<std::string>();
  saved.backbone.tta_flip = key.at("tta_flip").get<bool>();
  saved.backbone.preprocessing = ImagePreprocessing::from_json(key.at("preprocessing"), where);
  return saved;
}

}  // namespace hito::study
