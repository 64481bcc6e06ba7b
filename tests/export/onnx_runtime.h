// The export tests' independent checker: an ONNX file run by onnxruntime (the npm package
// onnxruntime-node, installed by scripts/setup.sh into tools/node_modules) through
// tests/scripts/run_onnx.js. Where node or the package is missing, the tests skip and say why.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace hito::testing {

// Why onnxruntime cannot run here ("" when it can).
std::string onnxruntime_missing();

struct OnnxInput {
  std::string name;
  Tensor value;  // f32 or i64, on the CPU
};

// Every output of the model on these inputs, f32 with the shapes the runtime gave. A failed run is a
// test failure (ADD_FAILURE with the runtime's message) and returns no outputs.
std::map<std::string, Tensor> run_onnxruntime(const std::filesystem::path& model, const std::vector<OnnxInput>& inputs);

}  // namespace hito::testing

// Skips the current test, with the reason, when onnxruntime cannot run.
#define HITO_REQUIRE_ONNXRUNTIME()                                                      \
  do {                                                                                  \
    if (std::string why = ::hito::testing::onnxruntime_missing(); !why.empty())         \
      GTEST_SKIP() << "onnxruntime check skipped: " << why;                             \
  } while (0)
