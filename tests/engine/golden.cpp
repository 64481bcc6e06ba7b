// Golden fixture lookup.
#include "tests/engine/golden.h"

#include "tests/support/testing.h"
#include "weights/safetensors.h"

namespace hito::testing {

Golden::Golden(const std::string& file) : file_(file) {
  SafetensorsFile contents = read_safetensors(fixture_path("engine/" + file));
  for (auto& [name, tensor] : contents.tensors) tensors_.emplace(name, tensor);
  metadata_ = contents.metadata;
}

Tensor Golden::operator[](const std::string& name) const {
  auto it = tensors_.find(name);
  HITO_CHECK(it != tensors_.end(), "golden fixture ", file_, " has no tensor '", name,
             "' (rerun the script of tests/scripts that makes it)");
  return it->second;
}

nlohmann::json Golden::metadata(const std::string& key) const {
  auto it = metadata_.find(key);
  HITO_CHECK(it != metadata_.end(), "golden fixture ", file_, " has no metadata '", key, "'");
  return nlohmann::json::parse(it->second);
}

}  // namespace hito::testing
