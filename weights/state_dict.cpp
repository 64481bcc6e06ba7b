// Loading a Module's parameters and buffers from named tensors (or a safetensors file), with a check
// that lists every missing, unexpected and mis-shaped tensor; saving them as safetensors.
#include "weights/state_dict.h"

#include <cmath>
#include <sstream>
#include <unordered_map>

#include "engine/ops.h"
#include "weights/safetensors.h"

namespace hito {

std::string LoadReport::describe() const {
  std::ostringstream os;
  for (const auto& name : missing) os << "missing: " << name << "\n";
  for (const auto& name : unexpected) os << "unexpected: " << name << "\n";
  for (const auto& problem : mismatched) os << "mismatched: " << problem << "\n";
  return os.str();
}

namespace {

// `source` converted to the destination's dtype, or undefined (with `problem` set) when the values
// cannot be held by it: integer <-> float conversions are allowed when exact (num_batches_tracked
// saved as a float, class counts saved as integers); anything else is a mismatch.
Tensor convert_to(const Tensor& source, DType target, std::string& problem) {
  if (source.dtype() == target) return source;
  if (target == DType::F32) return to_float(source);
  if (target == DType::I64 && source.dtype() == DType::F32) {
    std::vector<float> values = source.to_vector<float>();
    std::vector<int64_t> integers(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] != std::trunc(values[i]) || std::abs(values[i]) > 9.0e15f) {
        problem = "element " + std::to_string(i) + " = " + std::to_string(values[i]) + " is not an integer";
        return Tensor();
      }
      integers[i] = static_cast<int64_t>(values[i]);
    }
    return Tensor::from_vector(integers, source.shape());
  }
  problem = "cannot convert";
  return Tensor();
}

// A weight that is NaN or infinite would poison every output silently: refused, naming the tensor.
void check_finite(const Tensor& host, const std::string& name, const std::string& source) {
  if (host.dtype() != DType::F32) return;
  const float* values = host.data<float>();
  for (int64_t i = 0; i < host.numel(); ++i)
    HITO_CHECK(std::isfinite(values[i]), "load_state_dict from ", source, ": tensor '", name, "' holds ", values[i],
               " at element ", i, " (a diverged or corrupt checkpoint)");
}

LoadReport load_from(Module& module, const NamedTensors& tensors, bool strict, const std::string& source) {
  std::unordered_map<std::string, Tensor> destinations;
  for (const auto& [name, tensor] : module.state_dict()) destinations.emplace(name, tensor);

  LoadReport report;
  std::unordered_map<std::string, bool> supplied;
  std::vector<std::pair<Tensor, Tensor>> copies;  // destination, converted source
  for (const auto& [name, tensor] : tensors) {
    HITO_CHECK(supplied.emplace(name, true).second, "load_state_dict from ", source, ": tensor '", name,
               "' is given twice");
    auto it = destinations.find(name);
    if (it == destinations.end()) {
      report.unexpected.push_back(name);
      continue;
    }
    const Tensor& destination = it->second;
    HITO_CHECK(tensor.defined(), "load_state_dict from ", source, ": tensor '", name, "' is undefined");
    if (tensor.shape() != destination.shape()) {
      report.mismatched.push_back(name + ": expected " + shape_str(destination.shape()) + ", file has " +
                                  shape_str(tensor.shape()));
      continue;
    }
    std::string problem;
    Tensor converted = convert_to(tensor.to(Device::CPU), destination.dtype(), problem);
    if (!converted.defined()) {
      report.mismatched.push_back(name + ": expected " + dtype_name(destination.dtype()) + ", file has " +
                                  dtype_name(tensor.dtype()) + " (" + problem + ")");
      continue;
    }
    check_finite(converted, name, source);
    copies.emplace_back(destination, converted);
  }
  for (const auto& [name, tensor] : module.state_dict())
    if (!supplied.count(name)) report.missing.push_back(name);

  // A strict load changes nothing unless everything fits.
  if (strict && !report.ok())
    HITO_FAIL("load_state_dict from ", source, ": the tensors do not match the model\n", report.describe());
  for (auto& [destination, converted] : copies) destination.copy_(converted);
  return report;
}

}  // namespace

LoadReport load_state_dict(Module& module, const NamedTensors& tensors, bool strict) {
  return load_from(module, tensors, strict, "named tensors");
}

LoadReport load_state_dict(Module& module, const std::filesystem::path& path, bool strict) {
  return load_from(module, read_safetensors(path).tensors, strict, path.string());
}

void save_state_dict(const Module& module, const std::filesystem::path& path,
                     const std::map<std::string, std::string>& metadata) {
  write_safetensors(path, module.state_dict(), metadata);
}

}  // namespace hito
