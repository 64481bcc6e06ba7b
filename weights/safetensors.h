// safetensors files (https://github.com/huggingface/safetensors format): an 8-byte little-endian
// header length, a JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {str: str}}, then the raw little-endian tensor bytes.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "layers/module.h"

namespace hito {

struct SafetensorsFile {
  NamedTensors tensors;  // in file order, on the CPU; F16 and BF16 converted to F32
  std::map<std::string, std::string> metadata;
};

// Reads a whole file. A truncated or malformed file (bad header length, invalid JSON, offsets out
// of range or overlapping, a size that does not match dtype and shape, unknown dtype) is refused
// with an error naming the file and the tensor; nothing is read out of bounds.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

// Writes F32, I64 and U8 tensors (from any device) atomically, with optional metadata.
void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace hito
