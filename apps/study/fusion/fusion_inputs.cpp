// Finding and reading the model folders a fusion combines.
#include "apps/study/fusion/fusion_inputs.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "apps/study/prepare/prepared_files.h"
#include "apps/study/image/embed.h"
#include "apps/study/train/model_output.h"
#include "base/hash.h"
#include "data/npy.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::study {

const std::vector<std::string>& default_fusion_candidates() {
  static const std::vector<std::string> names = {"tabular", "image-head", "image-finetune", "image-scratch"};
  return names;
}

std::vector<std::string> parse_input_list(const std::string& list) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string name = list.substr(start, comma - start);
    HITO_CHECK(!name.empty(), "--inputs '", list, "': empty model name");
    HITO_CHECK(seen.insert(name).second, "--inputs '", list, "': '", name, "' is given twice");
    names.push_back(name);
    start = comma + 1;
  }
  return names;
}

std::vector<std::string> resolve_fusion_inputs(const fs::path& run_dir, const std::vector<std::string>& requested,
                                               bool need_embeddings) {
  const char* needed = need_embeddings ? kEmbeddingsFile : kPredictionsVal;
  std::vector<std::string> inputs;
  if (!requested.empty()) {
    for (const std::string& name : requested) {
      if (need_embeddings && (name == kPreparedTabularInput || name.rfind(kEmbeddingsInputPrefix, 0) == 0)) {
        inputs.push_back(name);  // checked when loaded
        continue;
      }
      fs::path dir = run_dir / name;
      HITO_CHECK(fs::is_directory(dir), "fusion input '", name, "': no model folder ", dir.string());
      HITO_CHECK(fs::exists(dir / needed), "fusion input '", name, "': ", (dir / needed).string(),
                 " is missing (early fusion needs the saved embeddings, late fusion the predictions)");
      inputs.push_back(name);
    }
  } else if (!need_embeddings) {
    for (const std::string& name : default_fusion_candidates())
      if (fs::exists(run_dir / name / needed)) inputs.push_back(name);
  } else {
    inputs.push_back(kPreparedTabularInput);
    for (const char* name : {"image-finetune", "image-scratch"})
      if (fs::exists(run_dir / name / kEmbeddingsFile)) inputs.push_back(name);
    if (inputs.size() == 1) {
      std::vector<std::string> cached;
      const fs::path embeddings = embeddings_dir_of(run_dir);
      if (fs::is_directory(embeddings))
        for (const auto& entry : fs::directory_iterator(embeddings)) {
          const std::string file = entry.path().filename().string(), suffix = ".provenance.json";
          if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
            cached.push_back(kEmbeddingsInputPrefix + file.substr(0, file.size() - suffix.size()));
        }
      std::sort(cached.begin(), cached.end());
      inputs.insert(inputs.end(), cached.begin(), cached.end());
    }
    if (inputs.size() == 1 && fs::exists(run_dir / "image-head" / kEmbeddingsFile)) inputs.push_back("image-head");
  }
  HITO_CHECK(inputs.size() >= 2, "fusion needs at least two model folders with ", needed, " in ", run_dir.string(),
             ", found ", inputs.size(), requested.empty() ? " (train the tabular and image models first, or name them with --inputs)" : "");
  return inputs;
}

namespace {

// f32 (N, D) with one finite row per data-set row, or an error naming the file, row, id and column.
void check_embeddings(const Tensor& e, const PreparedData& data, const fs::path& path) {
  HITO_CHECK(e.dtype() == DType::F32 && e.dim() == 2 && e.size(0) == data.size(), path.string(),
             ": expected f32 embeddings with one row per data-set row (", data.size(), ", D), got ", e.describe());
  const float* p = e.data<float>();
  int64_t d = e.size(1);
  for (int64_t i = 0; i < e.numel(); ++i)
    HITO_CHECK(std::isfinite(p[i]), path.string(), ": non-finite value in row ", i / d, " (id ",
               data.ids[static_cast<size_t>(i / d)], "), column ", i % d);
}

}  // namespace

Tensor load_input_embeddings(const PreparedData& data, const std::string& name) {
  fs::path path;
  Tensor e;
  if (name == kPreparedTabularInput) {
    path = data.prepared_dir / kTabularFile;
    e = data.tabular;
  } else if (name.rfind(kEmbeddingsInputPrefix, 0) == 0) {
    std::string stem = name.substr(std::string(kEmbeddingsInputPrefix).size());
    path = embeddings_dir_of(data.run_dir) / (stem + ".npy");
    e = load_embeddings(data, stem).features;
  } else {
    fs::path dir = data.run_dir / name;
    check_model_fingerprint(dir, data);
    path = dir / kEmbeddingsFile;
    HITO_CHECK(fs::exists(path), "fusion input '", name, "': ", path.string(), " is missing");
    e = data::load_npy(path);
  }
  check_embeddings(e, data, path);
  return e;
}

Tensor load_fitting_embeddings(const PreparedData& data, const std::string& name, std::string& source) {
  const fs::path dir = data.run_dir / name;
  if (name == kPreparedTabularInput || name.rfind(kEmbeddingsInputPrefix, 0) == 0) {
    source = "untrained";
    return load_input_embeddings(data, name);
  }
  if (!fs::exists(dir / kOutOfFoldEmbeddingsFile)) {
    source = "in-sample";
    return load_input_embeddings(data, name);
  }
  check_model_fingerprint(dir, data);
  const fs::path path = dir / kOutOfFoldEmbeddingsFile;
  Tensor e = data::load_npy(path);
  check_embeddings(e, data, path);
  const Json info = read_json_file(dir / kOutOfFoldInfoFile);
  source = "out-of-fold (" + std::to_string(info.value("folds", 0)) + " folds)";
  return e;
}

std::string input_version(const fs::path& run_dir, const std::string& name) {
  if (name == kPreparedTabularInput) return file_content_hash(prepared_dir_of(run_dir) / kManifestFile);
  if (name.rfind(kEmbeddingsInputPrefix, 0) == 0)
    return file_content_hash(embeddings_dir_of(run_dir) /
                             (name.substr(std::string(kEmbeddingsInputPrefix).size()) + ".provenance.json"));
  // A refit has no validation predictions (refit.h): its config and test predictions identify it.
  Hasher hasher;
  for (const char* file : {kModelConfig, kPredictionsVal, kPredictionsTest})
    if (file != kPredictionsVal || fs::exists(run_dir / name / file)) hasher.add(read_file(run_dir / name / file));
  return hasher.hex();
}

Tensor load_input_probabilities(const PreparedData& data, const std::string& name, const std::string& split,
                                const std::vector<int64_t>& rows) {
  fs::path dir = data.run_dir / name;
  SavedPredictions saved = read_predictions(dir, split, data);
  int64_t k = data.num_classes();
  std::unordered_map<int64_t, int64_t> line_of_row;
  for (size_t i = 0; i < saved.rows.size(); ++i) line_of_row.emplace(saved.rows[i], static_cast<int64_t>(i));
  HITO_CHECK(saved.rows.size() == rows.size(), (dir / ("predictions_" + split + ".csv")).string(), " has ",
             saved.rows.size(), " rows, the prepared ", split, " split ", rows.size());
  const float* src = saved.probabilities.data<float>();
  std::vector<float> out(rows.size() * static_cast<size_t>(k));
  for (size_t i = 0; i < rows.size(); ++i) {
    auto found = line_of_row.find(rows[i]);
    HITO_CHECK(found != line_of_row.end(), (dir / ("predictions_" + split + ".csv")).string(), " has no row for id ",
               data.ids[static_cast<size_t>(rows[i])], " of the ", split, " split");
    std::copy(src + found->second * k, src + (found->second + 1) * k, out.begin() + static_cast<int64_t>(i) * k);
  }
  return Tensor::from_vector(out, {static_cast<int64_t>(rows.size()), k});
}

LateInputs load_late_inputs(const PreparedData& data, const std::vector<std::string>& inputs, const std::string& split,
                            const std::vector<int64_t>& rows) {
  LateInputs in;
  in.rows = static_cast<int64_t>(rows.size());
  in.classes = data.num_classes();
  for (const std::string& name : inputs) {
    std::vector<float> p = load_input_probabilities(data, name, split, rows).to_vector<float>();
    in.probs.emplace_back(p.begin(), p.end());
  }
  return in;
}

}  // namespace hito::study
