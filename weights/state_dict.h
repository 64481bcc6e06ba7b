// State dicts: a Module's parameters and buffers by name, saved to and loaded from safetensors.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "layers/module.h"

namespace hito {

struct LoadReport {
  std::vector<std::string> missing;     // in the module, not in the file
  std::vector<std::string> unexpected;  // in the file, not in the module
  std::vector<std::string> mismatched;  // "name: expected (64, 3, 7, 7), file has (64, 3, 3, 3)"
  bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  std::string describe() const;  // every problem, one per line
};

// Copies tensors into the module's parameters and buffers (on their devices, converting i64/f32
// as the destination needs). strict: any missing, unexpected or mis-shaped tensor is an error that
// lists all of them; otherwise matching tensors are loaded and the report says what was not.
LoadReport load_state_dict(Module& module, const NamedTensors& tensors, bool strict = true);
LoadReport load_state_dict(Module& module, const std::filesystem::path& path, bool strict = true);

void save_state_dict(const Module& module, const std::filesystem::path& path,
                     const std::map<std::string, std::string>& metadata = {});

}  // namespace hito
