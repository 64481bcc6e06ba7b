// .npy reading and writing. Layout: magic "\x93NUMPY", version (2 bytes), header length (2 bytes in
// v1, 4 in v2/v3), a Python dict literal {'descr', 'fortran_order', 'shape'} padded with spaces and
// '\n' so that the data starts on a 64-byte boundary, then the raw elements.
#include "data/npy.h"

#include <charconv>
#include <cstring>
#include <string>

#include "base/checked.h"
#include "base/error.h"
#include "base/fs.h"

namespace hito::data {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

const char* descr_of(DType dtype) {
  switch (dtype) {
    case DType::F32: return "<f4";
    case DType::I64: return "<i8";
    case DType::U8: return "|u1";
  }
  HITO_FAIL("unknown dtype");
}

// The value text after 'key': in the header dict, up to the end of that value.
std::string dict_value(const std::string& dict, const std::string& key, const std::string& file) {
  size_t at = dict.find("'" + key + "'");
  HITO_CHECK(at != std::string::npos, file, ": .npy header has no '", key, "': ", dict);
  size_t colon = dict.find(':', at);
  HITO_CHECK(colon != std::string::npos, file, ": malformed .npy header: ", dict);
  size_t begin = dict.find_first_not_of(' ', colon + 1);
  HITO_CHECK(begin != std::string::npos, file, ": malformed .npy header: ", dict);
  size_t end;
  if (dict[begin] == '(') {
    end = dict.find(')', begin);
    HITO_CHECK(end != std::string::npos, file, ": malformed shape in .npy header: ", dict);
    ++end;
  } else if (dict[begin] == '\'' || dict[begin] == '"') {
    end = dict.find(dict[begin], begin + 1);
    HITO_CHECK(end != std::string::npos, file, ": malformed string in .npy header: ", dict);
    ++end;
  } else {
    end = dict.find_first_of(",}", begin);
    HITO_CHECK(end != std::string::npos, file, ": malformed .npy header: ", dict);
  }
  return dict.substr(begin, end - begin);
}

DType parse_descr(std::string descr, const std::string& file) {
  HITO_CHECK(descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"'), file,
             ": .npy 'descr' must be a quoted string, got ", descr);
  descr = descr.substr(1, descr.size() - 2);  // strip the quotes
  if (descr == "<f4") return DType::F32;
  if (descr == "<i8") return DType::I64;
  if (descr == "|u1" || descr == "<u1" || descr == ">u1") return DType::U8;
  HITO_CHECK(descr.empty() || descr[0] != '>', file, ": big-endian .npy data ('", descr, "') is not supported");
  HITO_FAIL(file, ": .npy dtype '", descr, "' is not supported (f32 '<f4', i64 '<i8', u8 '|u1')");
}

Shape parse_shape(const std::string& text, const std::string& file) {
  Shape shape;
  size_t i = 1;  // after '('
  while (i < text.size()) {
    size_t begin = text.find_first_not_of(", ", i);
    if (begin == std::string::npos || text[begin] == ')') break;
    size_t end = begin;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    int64_t size = 0;
    auto parsed = std::from_chars(text.data() + begin, text.data() + end, size);
    HITO_CHECK(end > begin && parsed.ec == std::errc() && parsed.ptr == text.data() + end, file, ": malformed shape ", text,
               " in .npy header");
    shape.push_back(size);
    i = end;
  }
  return shape;
}

}  // namespace

void save_npy(const std::filesystem::path& path, const Tensor& tensor) {
  Tensor host = tensor.to(Device::CPU);
  std::string shape = "(";
  for (size_t i = 0; i < host.shape().size(); ++i) shape += std::to_string(host.shape()[i]) + ", ";
  if (host.shape().size() > 1) shape.resize(shape.size() - 2);
  if (host.shape().size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string dict = std::string("{'descr': '") + descr_of(host.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t unpadded = kMagicSize + 4 + dict.size() + 1;  // magic, version, length, dict, '\n'
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string bytes(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  uint16_t length = static_cast<uint16_t>(dict.size());
  bytes += static_cast<char>(length & 0xff);
  bytes += static_cast<char>(length >> 8);
  bytes += dict;
  bytes.append(static_cast<const char*>(host.raw_data()), host.nbytes());
  write_file_atomic(path, bytes);
}

Tensor decode_npy(std::string_view bytes, const std::string& file) {
  HITO_CHECK(bytes.size() >= kMagicSize + 4 && std::memcmp(bytes.data(), kMagic, kMagicSize) == 0, file,
             ": not an .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  HITO_CHECK(major >= 1 && major <= 3, file, ": .npy format version ", major, " is not supported");
  size_t length_bytes = major == 1 ? 2 : 4;
  HITO_CHECK(bytes.size() >= 8 + length_bytes, file, ": .npy header is truncated");
  size_t header_length = 0;
  for (size_t b = 0; b < length_bytes; ++b) header_length |= size_t(static_cast<unsigned char>(bytes[8 + b])) << (8 * b);
  size_t data_offset = 8 + length_bytes + header_length;
  HITO_CHECK(bytes.size() >= data_offset, file, ": .npy header is truncated");
  std::string dict(bytes.substr(8 + length_bytes, header_length));

  DType dtype = parse_descr(dict_value(dict, "descr", file), file);
  std::string fortran = dict_value(dict, "fortran_order", file);
  HITO_CHECK(fortran == "False", file, ": Fortran-order .npy arrays are not supported (save with C order)");
  Shape shape = parse_shape(dict_value(dict, "shape", file), file);

  // The header's size, checked against the bytes that follow before anything is allocated.
  std::string what = file + ": .npy shape " + shape_str(shape);
  int64_t expected = checked_mul(checked_product(shape, what), static_cast<int64_t>(dtype_size(dtype)), what);
  size_t actual = bytes.size() - data_offset;
  HITO_CHECK(actual == static_cast<size_t>(expected), file, ": .npy data has ", actual, " bytes, but shape ",
             shape_str(shape), " of ", dtype_name(dtype), " needs ", expected);
  Tensor out = Tensor::empty(shape, dtype);
  if (expected > 0) std::memcpy(out.raw_data(), bytes.data() + data_offset, static_cast<size_t>(expected));
  return out;
}

Tensor load_npy(const std::filesystem::path& path) { return decode_npy(read_file(path), path.string()); }

}  // namespace hito::data
