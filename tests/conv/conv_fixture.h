// Golden tensors of tests/fixtures/conv/ (made by tests/scripts/make_conv_fixtures.py), looked up
// by name. Header-only, shared by the conv and models suites.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/testing.h"
#include "weights/safetensors.h"

namespace hito::testing {

class ConvFixture {
 public:
  explicit ConvFixture(const std::string& file) : file_(file) {
    SafetensorsFile contents = read_safetensors(fixture_path("conv/" + file));
    for (auto& [name, tensor] : contents.tensors) tensors_.emplace(name, tensor);
    metadata_ = contents.metadata;
  }
  Tensor operator[](const std::string& name) const {
    auto it = tensors_.find(name);
    HITO_CHECK(it != tensors_.end(), "fixture conv/", file_, " has no tensor '", name,
               "' (rerun tests/scripts/make_conv_fixtures.py)");
    return it->second;
  }
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  nlohmann::json metadata(const std::string& key) const {
    auto it = metadata_.find(key);
    HITO_CHECK(it != metadata_.end(), "fixture conv/", file_, " has no metadata '", key, "'");
    return nlohmann::json::parse(it->second);
  }

 private:
  std::string file_;
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace hito::testing
