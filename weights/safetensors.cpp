// Reading and writing safetensors files. The reader trusts nothing in the file: it checks the header
// length against the file size, parses the JSON header strictly (no duplicate names, no unknown
// fields), requires the tensors to tile the data section exactly (no gaps, no overlaps, nothing past
// the end) and each byte range to match dtype x shape, and only then reads the data. F16 and BF16 are
// widened to F32 on load.
#include "weights/safetensors.h"


#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <set>

#include "base/fs.h"
#include "base/json.h"

namespace hito {

namespace {

// Tensor bytes are copied as they lie in memory, and the format is little-endian.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

// A header larger than this is refused before it is read (the reference implementation's limit).
constexpr uint64_t kMaxHeaderBytes = uint64_t(100) << 20;

// The dtypes hito reads, and how many bytes one element takes in the file.
struct FileDType {
  const char* name;
  size_t bytes;
  DType loaded_as;
};
constexpr FileDType kFileDTypes[] = {
    {"F32", 4, DType::F32}, {"F16", 2, DType::F32}, {"BF16", 2, DType::F32},
    {"I64", 8, DType::I64}, {"U8", 1, DType::U8},
};

const char* file_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "F32";
    case DType::I64: return "I64";
    case DType::U8: return "U8";
  }
  HITO_FAIL("unknown dtype");
}

// IEEE binary16 -> binary32, exactly (normal, subnormal, zero, infinity and NaN).
float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {  // infinity or NaN
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal: rebias the exponent from 15 to 127
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal: mantissa * 2^-24 is a normal float
    float value = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -value : value;
  }
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// bfloat16 is the upper half of a binary32.
float bfloat16_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// One tensor's entry in the header, checked.
struct Entry {
  std::string name;
  const FileDType* dtype = nullptr;
  Shape shape;
  uint64_t begin = 0, end = 0;  // byte range in the data section
};

// Errors name the file, and the tensor when there is one.
class Context {
 public:
  explicit Context(const std::filesystem::path& path) : path_(path.string()) {}
  template <class... Args>
  [[noreturn]] void fail(const Args&... args) const {
    HITO_FAIL("safetensors file ", path_, ": ", args...);
  }
  // How the header is named in errors of the JSON parser.
  std::string header_name() const { return "safetensors file " + path_ + ": the header"; }
  template <class... Args>
  [[noreturn]] void fail_tensor(const std::string& name, const Args&... args) const {
    fail("tensor '", name, "': ", args...);
  }

 private:
  std::string path_;
};

uint64_t as_u64(const OrderedJson& value, const Context& ctx, const std::string& name, const char* what) {
  if (!value.is_number_unsigned()) ctx.fail_tensor(name, what, " must be a non-negative integer, got ", json_excerpt(value));
  return value.get<uint64_t>();
}

Entry parse_entry(const std::string& name, const OrderedJson& value, const Context& ctx) {
  if (!value.is_object()) ctx.fail_tensor(name, "entry must be an object, got ", json_excerpt(value));
  for (const auto& [key, field] : value.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets") ctx.fail_tensor(name, "unknown field '", key, "'");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!value.contains(key)) ctx.fail_tensor(name, "missing field '", key, "'");

  Entry entry;
  entry.name = name;
  const OrderedJson& dtype = value["dtype"];
  if (!dtype.is_string()) ctx.fail_tensor(name, "dtype must be a string, got ", json_excerpt(dtype));
  for (const FileDType& known : kFileDTypes)
    if (dtype.get<std::string>() == known.name) entry.dtype = &known;
  if (!entry.dtype)
    ctx.fail_tensor(name, "unsupported dtype ", json_excerpt(dtype), " (hito reads F32, F16, BF16, I64 and U8)");

  const OrderedJson& shape = value["shape"];
  if (!shape.is_array()) ctx.fail_tensor(name, "shape must be an array, got ", json_excerpt(shape));
  uint64_t bytes = entry.dtype->bytes;
  for (const OrderedJson& d : shape) {
    uint64_t size = as_u64(d, ctx, name, "each dimension");
    if (size > uint64_t(INT64_MAX) || (size != 0 && bytes > UINT64_MAX / size))
      ctx.fail_tensor(name, "shape ", json_excerpt(shape), " is too large (its byte size overflows 64 bits)");
    bytes *= size;
    entry.shape.push_back(static_cast<int64_t>(size));
  }

  const OrderedJson& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    ctx.fail_tensor(name, "data_offsets must be [begin, end], got ", json_excerpt(offsets));
  entry.begin = as_u64(offsets[0], ctx, name, "data_offsets[0]");
  entry.end = as_u64(offsets[1], ctx, name, "data_offsets[1]");
  if (entry.end < entry.begin) ctx.fail_tensor(name, "data_offsets ", json_excerpt(offsets), " end before they begin");
  if (entry.end - entry.begin != bytes)
    ctx.fail_tensor(name, "data_offsets ", json_excerpt(offsets), " hold ", entry.end - entry.begin, " bytes, but ",
                    entry.dtype->name, " ", shape_str(entry.shape), " needs ", bytes);
  return entry;
}

// The tensors must cover [0, data_bytes) exactly: sorted by offset, each starts where the last ended.
void check_tiling(std::vector<Entry> entries, uint64_t data_bytes, const Context& ctx) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  std::string previous;
  for (const Entry& e : entries) {
    if (e.end > data_bytes)
      ctx.fail_tensor(e.name, "data_offsets [", e.begin, ", ", e.end, "] run past the end of the data (", data_bytes,
                      " bytes): the file is truncated or the offsets are wrong");
    if (e.begin < covered)
      ctx.fail_tensor(e.name, "data_offsets [", e.begin, ", ", e.end, "] overlap tensor '", previous, "'");
    if (e.begin > covered)
      ctx.fail_tensor(e.name, "bytes [", covered, ", ", e.begin, ") before it belong to no tensor (a gap)");
    covered = e.end;
    if (e.end > e.begin) previous = e.name;
  }
  if (covered != data_bytes)
    ctx.fail("the last ", data_bytes - covered, " bytes of data belong to no tensor (a gap or trailing garbage)");
}

// Parses the header text; rejects invalid JSON (parse_json also refuses a name given twice and a
// header nested too deep) and a non-object.
OrderedJson parse_header(const std::string& text, const Context& ctx) {
  OrderedJson header = parse_json<OrderedJson>(text, ctx.header_name());
  if (!header.is_object()) ctx.fail("the header must be a JSON object, got ", header.type_name());
  return header;
}

std::map<std::string, std::string> parse_metadata(const OrderedJson& value, const Context& ctx) {
  if (!value.is_object()) ctx.fail("__metadata__ must be an object of strings, got ", json_excerpt(value));
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) ctx.fail("__metadata__ value of '", key, "' must be a string, got ", json_excerpt(item));
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

// Reads `bytes` bytes at `offset` of the open file into `out`.
void read_exact(std::ifstream& in, uint64_t offset, char* out, uint64_t bytes, const Context& ctx, const std::string& what) {
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out, static_cast<std::streamsize>(bytes));
  if (!in || static_cast<uint64_t>(in.gcount()) != bytes) ctx.fail("cannot read ", what, " (", bytes, " bytes at offset ", offset, ")");
}

// The tensor of one entry, read from the file and widened to F32 where the file holds F16/BF16.
Tensor load_entry(std::ifstream& in, uint64_t data_start, const Entry& e, const Context& ctx) {
  Tensor t = Tensor::empty(e.shape, e.dtype->loaded_as);
  uint64_t bytes = e.end - e.begin;
  if (bytes == 0) return t;
  std::string what = "tensor '" + e.name + "'";
  if (e.dtype->bytes == dtype_size(t.dtype())) {
    read_exact(in, data_start + e.begin, static_cast<char*>(t.raw_data()), bytes, ctx, what);
    return t;
  }
  std::vector<uint16_t> halves(static_cast<size_t>(t.numel()));
  read_exact(in, data_start + e.begin, reinterpret_cast<char*>(halves.data()), bytes, ctx, what);
  float* out = t.data<float>();
  bool brain = std::strcmp(e.dtype->name, "BF16") == 0;
  for (size_t i = 0; i < halves.size(); ++i) out[i] = brain ? bfloat16_to_float(halves[i]) : half_to_float(halves[i]);
  return t;
}

}  // namespace

SafetensorsFile read_safetensors(const std::filesystem::path& path) {
  Context ctx(path);
  std::error_code ec;
  uint64_t file_bytes = std::filesystem::file_size(path, ec);
  if (ec) ctx.fail("cannot open: ", ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) ctx.fail("cannot open for reading");
  if (file_bytes < 8) ctx.fail("truncated: ", file_bytes, " bytes, less than the 8-byte header length");

  unsigned char length_bytes[8];
  read_exact(in, 0, reinterpret_cast<char*>(length_bytes), 8, ctx, "the header length");
  uint64_t header_bytes = read_u64_le(length_bytes);
  if (header_bytes < 2 || header_bytes > kMaxHeaderBytes)
    ctx.fail("bad header length ", header_bytes, " (a safetensors header is 2 bytes to 100 MiB)");
  if (header_bytes > file_bytes - 8)
    ctx.fail("the header claims ", header_bytes, " bytes, but only ", file_bytes - 8,
             " follow the length: the file is truncated or not safetensors");
  std::string text(static_cast<size_t>(header_bytes), '\0');
  read_exact(in, 8, text.data(), header_bytes, ctx, "the header");
  OrderedJson header = parse_header(text, ctx);

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") file.metadata = parse_metadata(value, ctx);
    else entries.push_back(parse_entry(name, value, ctx));
  }
  uint64_t data_start = 8 + header_bytes;
  check_tiling(entries, file_bytes - data_start, ctx);
  for (const Entry& e : entries) file.tensors.emplace_back(e.name, load_entry(in, data_start, e, ctx));
  return file;
}

void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  OrderedJson header = OrderedJson::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> host;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    HITO_CHECK(!name.empty() && name != "__metadata__", "write_safetensors ", path.string(), ": invalid tensor name '",
               name, "'");
    HITO_CHECK(!header.contains(name), "write_safetensors ", path.string(), ": tensor '", name, "' appears twice");
    HITO_CHECK(tensor.defined(), "write_safetensors ", path.string(), ": tensor '", name, "' is undefined");
    Tensor t = tensor.to(Device::CPU);
    header[name] = {{"dtype", file_dtype_name(t.dtype())},
                    {"shape", t.shape()},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
    host.push_back(t);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad with spaces so that the data starts 8-aligned
  std::string content(8, '\0');
  for (int i = 0; i < 8; ++i) content[i] = static_cast<char>((uint64_t(text.size()) >> (8 * i)) & 0xff);
  content += text;
  content.reserve(content.size() + offset);
  for (const Tensor& t : host) content.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  write_file_atomic(path, content);
}

}  // namespace hito
