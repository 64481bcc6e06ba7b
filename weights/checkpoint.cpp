// Pretrained-weight loading: name mapping, skipped counters, excluded prefixes, then load_state_dict.
#include "weights/checkpoint.h"


#include "weights/name_mapping.h"
#include "weights/safetensors.h"

namespace hito {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool excluded(const std::string& name, const PretrainedOptions& options) {
  for (const auto& prefix : options.exclude_prefixes)
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}
}  // namespace

LoadReport load_pretrained(Module& model, const NamedTensors& tensors, const PretrainedOptions& options,
                           const std::string& source) {
  const std::string kCounter = "num_batches_tracked";
  NamedTensors wanted;
  for (auto& [name, tensor] : to_torchvision_names(tensors))
    if (!ends_with(name, kCounter) && !excluded(name, options)) wanted.emplace_back(name, tensor);
  // What the file does not provide on purpose is taken from the model itself, so that the load
  // (strict or not) checks exactly the rest.
  for (auto& [name, tensor] : model.state_dict())
    if (ends_with(name, kCounter) || excluded(name, options)) wanted.emplace_back(name, tensor.clone());
  try {
    return load_state_dict(model, wanted, options.strict);
  } catch (const Error& e) {
    HITO_FAIL("loading ", source, ": ", e.what());
  }
}

LoadReport load_pretrained(Module& model, const std::filesystem::path& path, const PretrainedOptions& options) {
  return load_pretrained(model, read_safetensors(path).tensors, options, path.string());
}

std::optional<InputNormalisation> input_normalisation(const std::map<std::string, std::string>& metadata) {
  auto input = metadata.find("input");
  if (input == metadata.end() || input->second.find("pixel/127.5 - 1") == std::string::npos) return std::nullopt;
  return InputNormalisation{{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}, input->second};
}

}  // namespace hito
