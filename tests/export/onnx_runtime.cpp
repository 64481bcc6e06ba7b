// onnxruntime through node, for the export tests.
#include "tests/export/onnx_runtime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::testing {

namespace {

fs::path script() { return source_dir() / "tests" / "scripts" / "run_onnx.js"; }

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::string onnxruntime_missing() {
  if (run_shell("command -v node").status != 0) return "node is not on PATH (Debian: apt-get install nodejs)";
  if (!fs::is_regular_file(source_dir() / "tools" / "node_modules" / "onnxruntime-node" / "package.json"))
    return "onnxruntime-node is not installed in tools/node_modules (scripts/setup.sh installs it; it needs the npm registry)";
  return "";
}

std::map<std::string, Tensor> run_onnxruntime(const fs::path& model, const std::vector<OnnxInput>& inputs) {
  const fs::path dir = temp_dir("hito-onnxruntime");
  std::string command = "node " + quoted(script().string()) + " " + quoted(model.string()) + " " + quoted(dir.string());
  for (const OnnxInput& in : inputs) {
    const fs::path file = dir / (in.name + ".in");
    const bool i64 = in.value.dtype() == DType::I64;
    std::string raw;
    if (i64) {
      const std::vector<int64_t> values = in.value.to_vector<int64_t>();
      raw.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t));
    } else {
      const std::vector<float> values = in.value.to_vector<float>();
      raw.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
    }
    write_file_atomic(file, raw);
    std::string dims;
    for (int64_t d : in.value.shape()) dims += (dims.empty() ? "" : "x") + std::to_string(d);
    command += " " + quoted(in.name + "=" + file.string() + ":" + (i64 ? "i64" : "f32") + ":" + dims);
  }
  CommandResult run = run_shell(command);
  std::map<std::string, Tensor> outputs;
  if (run.status != 0) {
    ADD_FAILURE() << "onnxruntime failed on " << model << ":\n" << run.output;
    return outputs;
  }
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;
    const nlohmann::json shapes = nlohmann::json::parse(line);
    for (const auto& [name, dims] : shapes.items()) {
      const std::string bytes = read_file(dir / (name + ".f32"));
      std::vector<float> values(bytes.size() / 4);
      std::memcpy(values.data(), bytes.data(), values.size() * 4);
      outputs[name] = Tensor::from_vector(values, dims.get<Shape>());
    }
  }
  fs::remove_all(dir);
  return outputs;
}

}  // namespace hito::testing
