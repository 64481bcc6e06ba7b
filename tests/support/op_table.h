// The op table: every op of engine/ops.h that autograd records (and Tensor::reshape), plus the
// forward-only argmax and to_float, each with its named cases (inputs, attributes, tolerances),
// listed once and run by three drivers:
//   tests/engine/op_gradcheck_test.cpp  analytic gradients against finite differences on the CPU;
//   tests/cuda/op_parity_test.cpp       CUDA against CPU, outputs, gradients and updated buffers;
//   tests/engine/op_golden_test.cpp     PyTorch's outputs and gradients, from
//                                       tests/fixtures/engine/op_table.safetensors, which
//                                       tests/scripts/make_op_fixtures.py computes from this table
//                                       (exported by export_op_table below).
// tests/engine/op_table_test.cpp fails when an op declared in engine/ops.h has no entry here, or an
// entry has no case that all three drivers run. The cases live in op_table_<family>.cpp.
#pragma once

#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/op_values.h"
#include "tests/support/testing.h"

namespace hito::testing {

// What an input is to its op.
enum class Role {
  Grad,   // f32, differentiated by every driver
  Const,  // not differentiated: targets, indices, class weights, pieces that need no gradient
  State,  // a buffer the op updates in place (batch norm's running statistics): its values after the
          // call are compared, and gradcheck hands every evaluation a fresh copy
};

struct OpInput {
  std::string name;  // the argument's name: "x", "weight", "target", ...
  Values values;
  Role role = Role::Grad;
  // For goldens only: this input's gradient (or updated state) tolerance instead of the case's.
  std::optional<Tolerance> golden = std::nullopt;
};
OpInput grad_input(std::string name, Values values, std::optional<Tolerance> golden = std::nullopt);
OpInput const_input(std::string name, Values values);
OpInput state_input(std::string name, Values values);

struct Tolerances {
  Tolerance out = {1e-5f, 1e-6f};    // the op's output (integer outputs must match exactly)
  Tolerance grad = {1e-5f, 1e-6f};   // the gradient of every Grad input
  Tolerance state = {1e-5f, 1e-6f};  // State inputs after the call
};

// Which drivers run a case. Every op has cases of the first kind (op_table_test checks it).
enum class Reach {
  All,         // gradcheck, CUDA parity and goldens
  ParityOnly,  // the CUDA kernels' size classes (single elements, odd sizes, rows split among
               // blocks, millions of elements), ties and NaNs: too slow for finite differences, too
               // big for a committed golden, or not differentiable where they sit
};

class OpArgs;
using OpFunction = Tensor (*)(const OpArgs&);

struct OpCase {
  std::string name;  // unique within its op; [A-Za-z0-9_]
  std::vector<OpInput> inputs;
  nlohmann::json attrs = nlohmann::json::object();  // non-tensor arguments, by PyTorch's names
  Reach reach = Reach::All;
  GradcheckOptions gradcheck = {};
  Tolerances golden = {}, parity = {};
  // Set when the case is added to its op.
  std::string op = {};
  OpFunction call = nullptr;

  std::string id() const { return op + "_" + name; }  // "softmax_dim1": gtest names, fixture keys
  bool differentiable() const;                         // some input has Role::Grad
  // Fresh CPU inputs in order, Grad ones requiring grad; each input's seed comes from its names.
  std::vector<Tensor> make_inputs() const;
  Tensor run(const std::vector<Tensor>& inputs) const;
};

// One call's view of its case: tensors by input name, attributes by key.
class OpArgs {
 public:
  OpArgs(const OpCase& c, const std::vector<Tensor>& tensors) : case_(c), tensors_(tensors) {}
  const Tensor& operator[](const std::string& name) const;  // an input the case must have
  Tensor optional(const std::string& name) const;           // undefined when the case has no such input
  const std::vector<Tensor>& all() const { return tensors_; }
  bool has(const std::string& key) const { return case_.attrs.contains(key); }
  template <class T>
  T get(const std::string& key) const {
    HITO_CHECK(has(key), "op case ", case_.id(), " has no attribute '", key, "'");
    return case_.attrs.at(key).get<T>();
  }

 private:
  const OpCase& case_;
  const std::vector<Tensor>& tensors_;
};

struct OpEntry {
  std::string name;  // the function's name in engine/ops.h (or "reshape")
  OpFunction call;
  std::vector<OpCase> cases;
  OpEntry& add(OpCase c);
};

class OpTable {
 public:
  OpEntry& op(const std::string& name, OpFunction call);
  const std::deque<OpEntry>& ops() const { return ops_; }

 private:
  std::deque<OpEntry> ops_;  // a deque: an OpEntry& stays valid while later ops are added
};

// The whole table, built once.
const OpTable& op_table();
// The op names in table order, and an op's cases that `driver` runs (Reach::All ones for gradcheck,
// differentiable ones only, and goldens; every case for parity).
enum class Driver { Gradcheck, Parity, Golden };
std::vector<std::string> op_names(Driver driver);
std::vector<const OpCase*> cases_of(const std::string& op, Driver driver);

// A shape as a case name: "2x3x4", "scalar" for ().
std::string shape_name(const Shape& shape);

// Writes the cases that goldens cover for tests/scripts/make_op_fixtures.py: a safetensors file of
// every input ("<id>.<input>") whose metadata "cases" is a JSON list of {id, op, attrs, inputs:
// [{name, role}]} in table order.
void export_op_table(const std::filesystem::path& file);

}  // namespace hito::testing
