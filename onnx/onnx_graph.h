// An ONNX model under construction, and the ONNX file it becomes: a graph of operator nodes (opset 13
// of the default domain) between named inputs and outputs, with the weights as initializers, written
// as onnx.proto's ModelProto (IR version 7) through the protobuf encoder of protobuf.h. What
// `hito export` writes; onnx/network_nodes.h adds the nodes of hito's layers and networks.
//
//   OnnxGraph g;
//   g.name_tensors(mlp, "");                           // initializers keep their state-dict names
//   g.input("features", ElemType::Float, {-1, 12});    // -1: the batch dimension, named "N"
//   std::string y = g.node("Gemm", {"features", g.tensor(w), g.tensor(b)}, {{"transB", int64_t{1}}});
//   g.node("Softmax", {y}, {{"axis", int64_t{1}}}, "probabilities");
//   g.output("probabilities", ElemType::Float, {-1, 7});
//   write_file_atomic(path, g.serialize("tabular"));
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "engine/tensor.h"
#include "layers/module.h"
#include "onnx/protobuf.h"

namespace hito::onnx {

// TensorProto.DataType values.
enum class ElemType : int64_t { Float = 1, Int64 = 7 };

// A node attribute: INT, FLOAT or INTS.
struct Attribute {
  std::string name;
  std::variant<int64_t, float, std::vector<int64_t>> value;
};

class OnnxGraph {
 public:
  // Names the initializers of `module`'s parameters and buffers `prefix` + their state-dict name
  // ("backbone." + "features.0.0.weight"); tensors not named here become "const_<k>".
  void name_tensors(const Module& module, const std::string& prefix);
  // A graph input or output; a dimension of -1 is the batch dimension, named "N".
  void input(const std::string& name, ElemType type, const std::vector<int64_t>& dims);
  void output(const std::string& name, ElemType type, const std::vector<int64_t>& dims);

  // The initializer holding `t` (f32 or i64, on any device), added on first use; returns its name.
  std::string tensor(const Tensor& t);
  // New constant initializers.
  std::string constant(const std::vector<float>& values, const std::vector<int64_t>& dims);
  std::string constant(const std::vector<int64_t>& values, const std::vector<int64_t>& dims);

  // Adds a node of operator `op` with one output and returns that output's name: `output` when
  // given, else one made from the op ("Conv_12"). An empty input name is an absent optional input.
  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::vector<Attribute>& attributes = {}, std::string output = "");

  // metadata_props of the model: what a user reads back with the runtime (classes, preprocessing).
  void metadata(const std::string& key, const std::string& value) { metadata_.emplace_back(key, value); }
  // A list of names as one comma-separated value ("akiec,bcc,bkl,...").
  void metadata(const std::string& key, const std::vector<std::string>& names);
  void doc(const std::string& text) { doc_ = text; }

  // The ModelProto bytes: the graph named `name`, opset 13, producer "hito".
  std::string serialize(const std::string& name) const;

 private:
  std::string add_initializer(const std::string& name, ElemType type, const std::vector<int64_t>& dims,
                              std::string raw);

  std::unordered_map<const TensorImpl*, std::string> tensor_names_;  // from name_tensors
  std::unordered_map<const TensorImpl*, std::string> added_;         // initializers already in the graph
  std::vector<ProtoWriter> nodes_, initializers_, inputs_, outputs_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::string doc_;
  int64_t counter_ = 0;
};

}  // namespace hito::onnx
