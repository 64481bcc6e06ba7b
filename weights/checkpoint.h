// Loading pretrained weights (torchvision or timm checkpoints converted to safetensors by
// weights/convert_torchvision.py, or files saved by hito) into a model by name.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "weights/state_dict.h"

namespace hito {

struct PretrainedOptions {
  // Every tensor of the model must be in the file and every tensor of the file in the model, with
  // the same shape; otherwise the load fails, changes nothing, and lists every mismatch. Non-strict
  // loads what fits and reports the rest.
  bool strict = true;
  // Tensors under these prefixes are neither loaded nor required ({"fc."}: a new classifier for
  // fine-tuning keeps its fresh initialisation).
  std::vector<std::string> exclude_prefixes;
};

// Renames the file's tensors to torchvision's names (weights/name_mapping.h), skips BatchNorm's
// num_batches_tracked (a training counter, absent from many checkpoints: the model keeps its own),
// and loads them into `model` (load_state_dict). Errors name the file.
LoadReport load_pretrained(Module& model, const std::filesystem::path& path, const PretrainedOptions& options = {});
LoadReport load_pretrained(Module& model, const NamedTensors& tensors, const PretrainedOptions& options = {},
                           const std::string& source = "named tensors");

// The input normalisation a checkpoint states in its safetensors metadata, on the [0, 1] pixel scale
// (x = (pixel / 255 - mean) / std). An "input" entry naming "pixel/127.5 - 1" (the MobileNetV2 of
// ../shared/weights) is mean = std = 0.5; `statement` is the metadata's own words. nullopt when the
// metadata states nothing hito understands.
struct InputNormalisation {
  std::array<float, 3> mean{}, std{};
  std::string statement;
};
std::optional<InputNormalisation> input_normalisation(const std::map<std::string, std::string>& metadata);

}  // namespace hito
