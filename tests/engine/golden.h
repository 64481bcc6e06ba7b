// Golden tensors computed by PyTorch (tests/scripts/make_engine_fixtures.py, and make_op_fixtures.py
// for the op table's op_table.safetensors), looked up by name in one of the safetensors files under
// tests/fixtures/engine/.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/tensor.h"

namespace hito::testing {

class Golden {
 public:
  explicit Golden(const std::string& file);  // tests/fixtures/engine/<file>
  // The tensor called `name`; fails the test with the file's name when it is absent.
  Tensor operator[](const std::string& name) const;
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  // A __metadata__ entry (the generator stores hyperparameters there as JSON).
  nlohmann::json metadata(const std::string& key) const;
  const std::map<std::string, std::string>& all_metadata() const { return metadata_; }

 private:
  std::string file_;
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace hito::testing
