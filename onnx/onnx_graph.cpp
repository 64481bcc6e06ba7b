// The ONNX graph builder and its ModelProto. Field numbers are onnx.proto's (onnx/onnx.proto in the
// ONNX repository), noted beside each write.
#include "onnx/onnx_graph.h"

#include <cstring>

#include "base/version.h"

namespace hito::onnx {

namespace {

constexpr int64_t kIrVersion = 7;  // IR version of opset 13 (ONNX 1.8)
constexpr int64_t kOpset = 13;

template <class T>
std::string raw_bytes(const std::vector<T>& values) {
  std::string raw(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
  return raw;  // little-endian, as TensorProto.raw_data requires (protobuf.cpp checks the host)
}

// ValueInfoProto of a tensor: name (1), type (2) = TypeProto{tensor_type (1) = {elem_type (1),
// shape (2) = TensorShapeProto{dim (1) = {dim_value (1) | dim_param (2)}}}}.
ProtoWriter value_info(const std::string& name, ElemType type, const std::vector<int64_t>& dims) {
  ProtoWriter shape;
  for (int64_t d : dims) {
    ProtoWriter dim;
    if (d < 0)
      dim.string(2, "N");
    else
      dim.int64(1, d);
    shape.message(1, dim);
  }
  ProtoWriter tensor_type;
  tensor_type.int64(1, static_cast<int64_t>(type));
  tensor_type.message(2, shape);
  ProtoWriter type_proto;
  type_proto.message(1, tensor_type);
  ProtoWriter info;
  info.string(1, name);
  info.message(2, type_proto);
  return info;
}

// AttributeProto: name (1), f (2), i (3), ints (8), type (20: FLOAT 1, INT 2, INTS 7).
ProtoWriter attribute(const Attribute& a) {
  ProtoWriter out;
  out.string(1, a.name);
  if (const auto* i = std::get_if<int64_t>(&a.value)) {
    out.int64(3, *i);
    out.int64(20, 2);
  } else if (const auto* f = std::get_if<float>(&a.value)) {
    out.float32(2, *f);
    out.int64(20, 1);
  } else {
    for (int64_t v : std::get<std::vector<int64_t>>(a.value)) out.int64(8, v);
    out.int64(20, 7);
  }
  return out;
}

}  // namespace

void OnnxGraph::name_tensors(const Module& module, const std::string& prefix) {
  for (const auto& [name, t] : module.state_dict()) tensor_names_[&t.impl()] = prefix + name;
}

void OnnxGraph::metadata(const std::string& key, const std::vector<std::string>& names) {
  std::string value;
  for (const std::string& name : names) value += (value.empty() ? "" : ",") + name;
  metadata(key, value);
}

void OnnxGraph::input(const std::string& name, ElemType type, const std::vector<int64_t>& dims) {
  inputs_.push_back(value_info(name, type, dims));
}

void OnnxGraph::output(const std::string& name, ElemType type, const std::vector<int64_t>& dims) {
  outputs_.push_back(value_info(name, type, dims));
}

std::string OnnxGraph::add_initializer(const std::string& name, ElemType type, const std::vector<int64_t>& dims,
                                       std::string raw) {
  // TensorProto: dims (1), data_type (2), name (8), raw_data (9).
  ProtoWriter t;
  for (int64_t d : dims) t.int64(1, d);
  t.int64(2, static_cast<int64_t>(type));
  t.string(8, name);
  t.string(9, raw);
  initializers_.push_back(std::move(t));
  return name;
}

std::string OnnxGraph::tensor(const Tensor& t) {
  HITO_CHECK(t.defined(), "ONNX export: an undefined tensor cannot be an initializer");
  if (auto found = added_.find(&t.impl()); found != added_.end()) return found->second;
  auto named = tensor_names_.find(&t.impl());
  const std::string name = named != tensor_names_.end() ? named->second : "const_" + std::to_string(counter_++);
  const std::vector<int64_t> dims(t.shape().begin(), t.shape().end());
  Tensor host = t.to(Device::CPU);
  if (t.dtype() == DType::F32)
    add_initializer(name, ElemType::Float, dims, raw_bytes(host.to_vector<float>()));
  else if (t.dtype() == DType::I64)
    add_initializer(name, ElemType::Int64, dims, raw_bytes(host.to_vector<int64_t>()));
  else
    HITO_FAIL("ONNX export: tensor ", name, " is ", t.describe(), "; only f32 and i64 are written");
  added_.emplace(&t.impl(), name);
  return name;
}

std::string OnnxGraph::constant(const std::vector<float>& values, const std::vector<int64_t>& dims) {
  return add_initializer("const_" + std::to_string(counter_++), ElemType::Float, dims, raw_bytes(values));
}

std::string OnnxGraph::constant(const std::vector<int64_t>& values, const std::vector<int64_t>& dims) {
  return add_initializer("const_" + std::to_string(counter_++), ElemType::Int64, dims, raw_bytes(values));
}

std::string OnnxGraph::node(const std::string& op, const std::vector<std::string>& inputs,
                            const std::vector<Attribute>& attributes, std::string output) {
  const std::string name = op + "_" + std::to_string(counter_++);
  if (output.empty()) output = name;
  // NodeProto: input (1), output (2), name (3), op_type (4), attribute (5).
  ProtoWriter n;
  for (const std::string& in : inputs) n.string(1, in);
  n.string(2, output);
  n.string(3, name);
  n.string(4, op);
  for (const Attribute& a : attributes) n.message(5, attribute(a));
  nodes_.push_back(std::move(n));
  return output;
}

std::string OnnxGraph::serialize(const std::string& name) const {
  // GraphProto: node (1), name (2), initializer (5), doc_string (10), input (11), output (12).
  ProtoWriter graph;
  for (const ProtoWriter& n : nodes_) graph.message(1, n);
  graph.string(2, name);
  for (const ProtoWriter& t : initializers_) graph.message(5, t);
  if (!doc_.empty()) graph.string(10, doc_);
  for (const ProtoWriter& i : inputs_) graph.message(11, i);
  for (const ProtoWriter& o : outputs_) graph.message(12, o);

  // ModelProto: ir_version (1), producer_name (2), producer_version (3), graph (7), opset_import (8)
  // = OperatorSetIdProto{domain (1), version (2)}, metadata_props (14) = {key (1), value (2)}.
  ProtoWriter model;
  model.int64(1, kIrVersion);
  model.string(2, "hito");
  model.string(3, kVersion);
  model.message(7, graph);
  ProtoWriter opset;
  opset.string(1, "");
  opset.int64(2, kOpset);
  model.message(8, opset);
  for (const auto& [key, value] : metadata_) {
    ProtoWriter entry;
    entry.string(1, key);
    entry.string(2, value);
    model.message(14, entry);
  }
  return model.bytes();
}

}  // namespace hito::onnx
