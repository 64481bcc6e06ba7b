// The protobuf wire format, writing side only: what ONNX files (onnx/onnx_graph.h) are made of. A
// message is a sequence of fields, each a key (field number << 3 | wire type) followed by a varint
// (wire type 0: integers, enums, bools), four little-endian bytes (type 5: float) or a length-
// prefixed run of bytes (type 2: strings, bytes, nested messages). Repeated fields are written as
// one field per element (proto2's unpacked form, which every reader accepts).
//
//   ProtoWriter shape;
//   shape.int64(1, 7);                     // field 1 = 7
//   ProtoWriter value_info;
//   value_info.string(1, "pixels");
//   value_info.message(2, shape);          // nested message as field 2
//   std::string bytes = value_info.bytes();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hito::onnx {

class ProtoWriter {
 public:
  void int64(int field, int64_t value);   // int64 / int32 / enum / bool: varint of the two's complement
  void float32(int field, float value);   // fixed 32 bits, little-endian
  void string(int field, std::string_view value);  // string or bytes
  void message(int field, const ProtoWriter& nested);

  const std::string& bytes() const { return bytes_; }

 private:
  void key(int field, int wire_type);
  void varint(uint64_t value);

  std::string bytes_;
};

}  // namespace hito::onnx
