// The protobuf wire format (writing).
#include "onnx/protobuf.h"

#include <bit>
#include <cstring>

#include "base/error.h"

namespace hito::onnx {

namespace {
constexpr int kVarint = 0, kLengthDelimited = 2, kFixed32 = 5;
}

void ProtoWriter::varint(uint64_t value) {
  // Seven bits per byte, least significant group first; the high bit says another byte follows.
  while (value >= 0x80) {
    bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<char>(value));
}

void ProtoWriter::key(int field, int wire_type) {
  HITO_CHECK(field > 0 && field < (1 << 29), "protobuf: field number ", field, " out of range");
  varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type));
}

void ProtoWriter::int64(int field, int64_t value) {
  key(field, kVarint);
  varint(static_cast<uint64_t>(value));  // negative values take ten bytes, as protobuf's int64 does
}

void ProtoWriter::float32(int field, float value) {
  static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");
  key(field, kFixed32);
  char raw[4];
  std::memcpy(raw, &value, 4);
  bytes_.append(raw, 4);
}

void ProtoWriter::string(int field, std::string_view value) {
  key(field, kLengthDelimited);
  varint(value.size());
  bytes_.append(value);
}

void ProtoWriter::message(int field, const ProtoWriter& nested) { string(field, nested.bytes()); }

}  // namespace hito::onnx
